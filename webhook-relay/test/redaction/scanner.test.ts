/**
 * The digit scanner (spoken-digits.ts) reads a text character by character for speed; its definition is
 * the regular-expression tokenizer below, the readable form it replaced. The two must find the same items
 * in any text: digits of every script, digit words in any case and accent, apostrophes, combining marks,
 * astral letters and lone surrogates (bench/redaction.mjs measures that it stays linear).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { languagesFor, REPEATS, TEENS, TENS, UNITS, wordKey } from '../../src/redaction/digit-words.js';
import { digitItems, type DigitItem } from '../../src/redaction/spoken-digits.js';

const ZEROS = [0x30, 0x660, 0x6f0, 0x966, 0xff10];
const DIGIT = '0-9\\u0660-\\u0669\\u06F0-\\u06F9\\u0966-\\u096F\\uFF10-\\uFF19';
const TOKEN = new RegExp(`([\\p{L}\\p{M}]+(?:['’][\\p{L}\\p{M}]+)*)|[${DIGIT}]+`, 'gu');
const COMPOUND_GAP = /^[ \u00a0\-\u2010\u2011]$/;

/** The tokenizer's definition: every token of the text, then the readings in order. */
function referenceItems(text: string, language?: string): DigitItem[] {
  const languages = languagesFor(language);
  const unitOf = (key: string) => {
    for (const lang of languages) {
      const digit = UNITS[lang]?.[key];
      if (digit !== undefined) return digit;
    }
    return undefined;
  };
  const tokens = [...text.matchAll(TOKEN)].map((match) => ({
    start: match.index,
    end: match.index + match[0].length,
    text: match[0],
    word: match[1] !== undefined,
  }));
  const toAscii = (digits: string) =>
    [...digits]
      .map((char) => {
        const code = char.charCodeAt(0);
        return String(code - (ZEROS.find((z) => code >= z && code <= z + 9) ?? 0x30));
      })
      .join('');
  const nextUnit = (index: number) => {
    const next = tokens[index + 1];
    if (!next?.word || !COMPOUND_GAP.test(text.slice(tokens[index].end, next.start))) return undefined;
    const digit = unitOf(wordKey(next.text));
    return digit === undefined ? undefined : { token: next, digit };
  };
  const items: DigitItem[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    if (!token.word) {
      const before = tokens[i - 1];
      const after = tokens[i + 1];
      const glued =
        (before?.word && before.end === token.start) || (after?.word && after.start === token.end);
      if (!glued)
        items.push({ start: token.start, end: token.end, digits: toAscii(token.text), spoken: false });
      continue;
    }
    const key = wordKey(token.text);
    const push = (digits: string, end = token.end) =>
      items.push({ start: token.start, end, digits, spoken: true });
    const unit = unitOf(key);
    if (unit !== undefined) push(unit);
    else if (key in TEENS) push(TEENS[key]);
    else if (key in TENS) {
      const next = nextUnit(i);
      if (next && next.digit !== '0') {
        push(TENS[key] + next.digit, next.token.end);
        i += 1;
      } else push(`${TENS[key]}0`);
    } else if (key in REPEATS) {
      const next = nextUnit(i);
      if (next) {
        push(next.digit.repeat(REPEATS[key]), next.token.end);
        i += 1;
      }
    }
  }
  return items;
}

const WORDS = [
  ...new Set([
    ...Object.values(UNITS).flatMap((table) => Object.keys(table)),
    ...Object.keys(TEENS),
    ...Object.keys(TENS),
    ...Object.keys(REPEATS),
  ]),
];
const PIECES = [
  '4111',
  '٤١',
  '۷',
  '९०',
  '４２',
  'x',
  'A',
  'é',
  'e\u0301',
  '\u0301',
  'ZÉRO',
  'Zéro',
  'fünf',
  'fu\u0308nf',
  'três',
  'NULL',
  'İ',
  '𝐀',
  '𝐀4111',
  '٤𝐀',
  'ze\u0301\u0301\u0301\u0301\u0301\u0301ro',
  '\ud835',
  '\udc00',
  'o’clock',
  "o'",
  'ليلى',
  '客户',
  'seventeens',
];

const SEPARATORS = ['', ' ', '  ', '-', '\u2010', '\u2011', '\u00a0', "'", '’', ',', '.', '\n', '/'];

/** Tokens (digit words in any case, digits, letters, odd characters) with the separators that join or part them. */
const text = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(...WORDS),
        fc.constantFrom(...WORDS).map((w) => w.toUpperCase()),
        fc.constantFrom(...PIECES),
        fc.string({ maxLength: 3, unit: 'binary' }),
      ),
      fc.constantFrom(...SEPARATORS),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.flat().join(''));

describe('the digit scanner', () => {
  it('finds exactly what the regular-expression tokenizer finds, in any text and language', () => {
    fc.assert(
      fc.property(
        text,
        fc.constantFrom('en', 'fr', 'es-MX', 'de', 'it', 'pt-BR', 'xx', undefined),
        (t, lang) => {
          expect(digitItems(t, lang)).toEqual(referenceItems(t, lang));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
