/**
 * Groups digit items into runs: the digits a person reads or types as one number. "4111 1111 1111
 * 1111", "4111-1111-…", "four one one one, one one …" and "4111 one one one …" are one run each; a
 * word, a newline, a colon ("14:02"), a slash ("24/11"), brackets ("(415) 555") or a comma between
 * typed groups ("$1,234", "orders 20391, 20392") end one.
 */
import type { DigitItem } from './spoken-digits.js';

export interface DigitRun {
  items: DigitItem[];
}

/** Between any two items: up to three spaces, or one hyphen or dot ("4111.1111"). */
const TIGHT = /^(?:[ \t\u00a0\u202f]{1,3}|[-\u2010\u2011.])$/;
/** Between digits read one at a time, also a comma or a dot with spaces ("four, one, one"). */
const LOOSE = /^[ \t\u00a0\u202f]{0,3}[,.\-\u2010\u2011][ \t\u00a0\u202f]{0,3}$/;

/** A digit said on its own (a word, "double four"), or a single typed digit as speech recognisers write them. */
export const spokenLike = (item: DigitItem) => item.spoken || item.digits.length === 1;

/** The longest gap LOOSE allows: three spaces, a separator, three spaces. */
const LONGEST_GAP = 7;

export function joins(text: string, a: DigitItem, b: DigitItem): boolean {
  if (b.start - a.end > LONGEST_GAP) return false;
  const gap = text.slice(a.end, b.start);
  return TIGHT.test(gap) || (LOOSE.test(gap) && spokenLike(a) && spokenLike(b));
}

export function digitRuns(text: string, items: readonly DigitItem[]): DigitRun[] {
  const runs: DigitRun[] = [];
  for (const item of items) {
    const last = runs.at(-1);
    const previous = last?.items.at(-1);
    if (last && previous && joins(text, previous, item)) last.items.push(item);
    else runs.push({ items: [item] });
  }
  return runs;
}

export const digitCount = (items: readonly DigitItem[]) =>
  items.reduce((sum, item) => sum + item.digits.length, 0);

/**
 * A run right after "+" with at most 15 digits is a phone number in E.164 rendering (the country code
 * included, E.164 numbers have at most 15 digits), whatever its grouping: "+49 30 1234 5678 901" is no
 * card, "+100 01 0001" no SSN.
 */
export const isE164 = (text: string, items: readonly DigitItem[]) =>
  items.length > 0 && !items[0].spoken && text[items[0].start - 1] === '+' && digitCount(items) <= 15;
