/**
 * Payment card numbers: 13 to 19 digits (ISO/IEC 7812) that pass the Luhn check and start with a payment
 * network's digit, typed in any grouping or spoken digit by digit. A card is looked for inside a run at
 * item boundaries ("4111 1111 1111 1111 12 27": the card, then an expiry that stays).
 */
import { luhnValid } from './luhn.js';
import type { DigitItem } from './spoken-digits.js';

/**
 * Lengths tried at each start after the rest of the run, most common first (16: Visa, Mastercard, Discover…; 15: Amex; 19, 14:
 * Diners; 13: old Visa), so that a card followed by more digits of the same run (a CVV) is cut where
 * the card ends rather than where a longer window happens to pass Luhn too.
 */
export const CARD_LENGTHS = [16, 15, 19, 14, 13, 18, 17] as const;

/**
 * The first digit of a card issued by a payment network: 2 and 5 Mastercard, 3 Amex, Diners and JCB,
 * 4 Visa, 6 Discover, UnionPay and Maestro. Halves the Luhn false positives of other long numbers and
 * leaves out numbers starting 0, 1, 7, 8 or 9 (phone numbers with country code 1, 7, 8x, 9x).
 */
const NETWORK_FIRST_DIGIT = /^[2-6]/;

/**
 * The index of the last item of a card starting at items[first], if one does. The rest of the run is
 * tried first (a number read on its own is that number); then the usual lengths.
 */
function cardAt(items: readonly DigitItem[], first: number, remaining: number): number | undefined {
  if (!NETWORK_FIRST_DIGIT.test(items[first].digits)) return undefined;
  if (remaining >= 13 && remaining <= 19) {
    const rest = items
      .slice(first)
      .map((item) => item.digits)
      .join('');
    if (luhnValid(rest)) return items.length - 1;
  }
  let digits = '';
  const lastByLength = new Map<number, number>();
  for (let j = first; j < items.length && digits.length < 19; j += 1) {
    digits += items[j].digits;
    lastByLength.set(digits.length, j);
  }
  for (const length of CARD_LENGTHS) {
    const last = lastByLength.get(length);
    if (last !== undefined && luhnValid(digits.slice(0, length))) return last;
  }
  return undefined;
}

/** Card numbers in one run, as item index ranges, left to right, never overlapping. */
export function findCards(items: readonly DigitItem[]): Array<{ first: number; last: number }> {
  const found: Array<{ first: number; last: number }> = [];
  // Digits from each item to the end of the run; every window is bounded by 19 digits, so a run of any
  // length costs linear time.
  let remaining = items.reduce((sum, item) => sum + item.digits.length, 0);
  for (let first = 0; first < items.length; first += 1) {
    const last = cardAt(items, first, remaining);
    if (last === undefined) {
      remaining -= items[first].digits.length;
      continue;
    }
    found.push({ first, last });
    for (let i = first; i <= last; i += 1) remaining -= items[i].digits.length;
    first = last;
  }
  return found;
}
