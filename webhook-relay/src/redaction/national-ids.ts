/**
 * National ids: US Social Security numbers built in, and the operator's own patterns
 * (REDACT_NATIONAL_ID_PATTERNS, validated by config.ts).
 */
import { spokenLike } from './runs.js';
import type { DigitItem } from './spoken-digits.js';

/** An SSN has nine digits. */
export const SSN_DIGITS = 9;

/** Never issued: area 000, 666 and 900–999 (the last are ITINs and test numbers), group 00, serial 0000. */
export function validSsn(digits: string): boolean {
  return (
    /^\d{9}$/.test(digits) &&
    !/^(?:000|666|9)/.test(digits) &&
    digits.slice(3, 5) !== '00' &&
    digits.slice(5) !== '0000'
  );
}

/** Said just before a bare nine-digit number, these make it an SSN rather than an order or reference number. */
const SSN_CONTEXT = /\b(?:ssn|social(?: security)?|security number)\b/i;
const CONTEXT_CHARS = 40;

/**
 * Whether a whole run (or the part of one no card took) is an SSN: 123-45-6789 or 123 45 6789 typed;
 * nine digits read one at a time; or nine typed digits right after "SSN" or "social (security)". A bare
 * 123456789 elsewhere is left alone: nine-digit order and reference numbers are common.
 */
export function isSsn(text: string, items: readonly DigitItem[]): boolean {
  const digits = items.map((item) => item.digits).join('');
  if (!validSsn(digits)) return false;
  if (items.every(spokenLike)) return true;
  if (items.some((item) => item.spoken)) return false;
  if (items.length === 3) {
    const [a, b, c] = items;
    const gaps = [text.slice(a.end, b.start), text.slice(b.end, c.start)];
    return (
      a.digits.length === 3 &&
      b.digits.length === 2 &&
      gaps[0] === gaps[1] &&
      (gaps[0] === '-' || gaps[0] === ' ')
    );
  }
  if (items.length === 1) {
    const before = text.slice(Math.max(0, items[0].start - CONTEXT_CHARS), items[0].start);
    return SSN_CONTEXT.test(before);
  }
  return false;
}

/** Spans the operator's patterns match (empty matches ignored; config.ts refuses patterns that match ""). */
export function patternMatches(
  text: string,
  patterns: readonly RegExp[],
): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  for (const pattern of patterns) {
    const global = pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
    for (const match of text.matchAll(global))
      if (match[0].length > 0) spans.push({ start: match.index, end: match.index + match[0].length });
  }
  return spans;
}
