/** What tests of redaction look for: numbers a text still shows, typed with any separators or spoken. */
import { randomInt } from 'node:crypto';
import { luhnValid } from '../../src/redaction/luhn.js';
import { digitItems } from '../../src/redaction/spoken-digits.js';

/** Which of `secrets` (digit strings) the texts show, typed with any separators, or read as digit words. */
export function leaks(texts: readonly string[], secrets: readonly string[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    const typed = text.replace(/\D/g, '');
    const spoken = digitItems(text)
      .map((item) => item.digits)
      .join('');
    for (const secret of secrets) if (typed.includes(secret) || spoken.includes(secret)) found.add(secret);
  }
  return [...found].sort();
}

/** A card number (Luhn-valid Visa test number) and the ways a caller gives it. */
export const CARD = '4539148803436467';
export const CARD_SPACED = '4539 1488 0343 6467';
export const CARD_SPOKEN = 'four five three nine one four eight eight oh three four three six four six seven';

const WORDS = ['oh', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** A card number as a caller gives it: grouped by four, in one piece, and read digit by digit. */
export function cardForms(digits: string): { grouped: string; plain: string; spoken: string } {
  return {
    grouped: digits.replace(/(\d{4})(?=\d)/g, '$1 '),
    plain: digits,
    spoken: [...digits].map((d) => WORDS[Number(d)]).join(' '),
  };
}

/** A Visa-like card number of 16 digits no other test uses (for scans of a server shared by tests). */
export function randomCard(): string {
  const body = `4${Array.from({ length: 14 }, () => randomInt(10)).join('')}`;
  return body + [...'0123456789'].find((check) => luhnValid(body + check))!;
}
