/**
 * Properties of redaction (fast-check, fixed seed: scripts/vitest-fast-check.ts).
 *
 * "Redaction never changes non-digit text", precisely:
 * 1. a text with no decimal digit (\p{Nd}, any script) and no digit word of any language the redactor
 *    reads (digit-words.ts, with "double"/"triple", teens and tens) comes back identical, counts empty;
 * 2. for any text, the output is the input with each reported span replaced by its marker: everything
 *    outside the spans is unchanged, spans are ordered, disjoint, and start and end on a digit or a
 *    digit word;
 * 3. redacting twice changes nothing more;
 * and what it must catch and spare: every Luhn-valid card in any supported rendering is removed, and
 * phone numbers in the usual renderings never are.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REPEATS, TEENS, TENS, UNITS, wordKey } from '../../src/redaction/digit-words.js';
import { luhnValid } from '../../src/redaction/luhn.js';
import { redactText, type RedactionOptions } from '../../src/redaction/redact.js';
import { MARKERS, REDACTION_RULES } from '../../src/redaction/rules.js';
import { digitItems } from '../../src/redaction/spoken-digits.js';

const ALL: RedactionOptions = { rules: REDACTION_RULES };
const LANGUAGES = ['en', 'fr', 'es', 'de', 'it', 'pt', 'ar', undefined] as const;

const DIGIT_WORDS = new Set([
  ...Object.values(UNITS).flatMap((table) => Object.keys(table)),
  ...Object.keys(TEENS),
  ...Object.keys(TENS),
  ...Object.keys(REPEATS),
]);
const words = (text: string) => text.split(/[^\p{L}\p{M}'’]+/u).filter(Boolean);
const hasNoDigits = (text: string) =>
  !/\p{Nd}/u.test(text) &&
  words(text).every((w) => w.split(/['’]/).every((part) => !DIGIT_WORDS.has(wordKey(part))));

const SEPARATORS = [' ', '  ', '-', '.', ', ', ',', '\n', '/', ':', '+', '(', ')', ' - ', '\u00a0', '. '];
const PLAIN_WORDS = [
  'card',
  'is',
  'my',
  'SSN',
  'social',
  'A',
  'x',
  'NW',
  'order',
  'Café',
  'ليلى',
  '客户',
  'nine-ish',
];
const SPOKEN = [
  'zero',
  'oh',
  'o',
  'one',
  'two',
  'four',
  'seven',
  'nine',
  'double',
  'forty',
  'eleven',
  'un',
  'deux',
  'drei',
];

/** Texts rich in everything redaction looks at: digits, digit words, separators, letters, any characters. */
const mixedText = fc
  .array(
    fc.oneof(
      fc.stringMatching(/^\d{1,6}$/),
      fc.constantFrom('٤١١١', '４２', '123-45-6789', '4111 1111 1111 1111', ...MARKERS_LIST()),
      fc.constantFrom(...SPOKEN),
      fc.constantFrom(...SEPARATORS),
      fc.constantFrom(...PLAIN_WORDS),
      fc.string({ maxLength: 4, unit: 'grapheme' }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

function MARKERS_LIST(): string[] {
  return Object.values(MARKERS);
}

/** Texts without digits or digit words, built mostly from things that look close to them. */
const digitFreeText = fc
  .array(
    fc.oneof(
      fc.constantFrom(...SEPARATORS),
      fc.constantFrom(...PLAIN_WORDS, 'once', 'often', 'tone', 'ones', 'fourth', 'hundred', 'Oh!'.slice(2)),
      fc.string({ maxLength: 8, unit: 'grapheme' }),
      fc.string({ maxLength: 8, unit: 'binary' }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''))
  .filter(hasNoDigits);

describe('redaction never changes what is not a number', () => {
  it('returns a text without digits or digit words unchanged, whatever the rules and language', () => {
    fc.assert(
      fc.property(digitFreeText, fc.constantFrom(...LANGUAGES), (text, language) => {
        const result = redactText(text, ALL, language);
        expect(result.text).toBe(text);
        expect(result.counts).toEqual({});
        expect(result.spans).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('changes nothing outside the spans it reports, and each span is a number', () => {
    fc.assert(
      fc.property(
        mixedText,
        fc.subarray([...REDACTION_RULES]),
        fc.constantFrom(...LANGUAGES),
        (text, rules, language) => {
          const result = redactText(text, { rules }, language);
          const items = digitItems(text, language);
          let rebuilt = '';
          let at = 0;
          for (const span of result.spans) {
            expect(span.start).toBeGreaterThanOrEqual(at);
            expect(span.end).toBeGreaterThan(span.start);
            expect(items.some((item) => item.start === span.start)).toBe(true);
            expect(items.some((item) => item.end === span.end)).toBe(true);
            rebuilt += text.slice(at, span.start) + MARKERS[span.kind];
            at = span.end;
          }
          expect(result.text).toBe(rebuilt + text.slice(at));
          const counted = Object.values(result.counts).reduce((sum, n) => sum + n, 0);
          expect(counted).toBe(result.spans.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is idempotent: a redacted text redacts to itself', () => {
    fc.assert(
      fc.property(mixedText, fc.constantFrom(...LANGUAGES), (text, language) => {
        const once = redactText(text, ALL, language);
        const twice = redactText(once.text, ALL, language);
        expect(twice.text).toBe(once.text);
        expect(twice.counts).toEqual({});
      }),
      { numRuns: 500 },
    );
  });
});

const SPOKEN_DIGITS: Record<string, string[]> = {
  '0': ['zero', 'oh', 'o', 'Zero'],
  '1': ['one'],
  '2': ['two'],
  '3': ['three'],
  '4': ['four', 'Four'],
  '5': ['five'],
  '6': ['six'],
  '7': ['seven'],
  '8': ['eight'],
  '9': ['nine'],
};

/** A Luhn-valid card number: a network's first digit, 13–19 digits. */
const cardNumber = fc
  .tuple(
    fc.integer({ min: 2, max: 6 }),
    fc.integer({ min: 13, max: 19 }),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }),
  )
  .map(([first, length, rest]) => {
    const body = `${first}${rest.slice(0, length - 2).join('')}`;
    const check = [...'0123456789'].find((d) => luhnValid(body + d))!;
    return body + check;
  });

const groups = (digits: string, size: number) => digits.match(new RegExp(`.{1,${size}}`, 'g'))!;

/** The ways people and speech recognisers write a card number. */
const rendering = fc.constantFrom<(digits: string, pick: number) => string>(
  (d) => d,
  (d) => groups(d, 4).join(' '),
  (d) => groups(d, 4).join('-'),
  (d) => groups(d, 4).join('.'),
  (d) => [d.slice(0, 4), d.slice(4, 10), d.slice(10)].filter(Boolean).join(' '),
  (d, pick) => [...d].map((c) => SPOKEN_DIGITS[c][pick % SPOKEN_DIGITS[c].length]).join(' '),
  (d, pick) => [...d].map((c) => SPOKEN_DIGITS[c][pick % SPOKEN_DIGITS[c].length]).join(', '),
  (d, pick) => [...d].map((c) => SPOKEN_DIGITS[c][(pick + 1) % SPOKEN_DIGITS[c].length]).join('-'),
  (d, pick) =>
    groups(d, 4)
      .map((g, i) => ((i + pick) % 2 ? g : [...g].map((c) => SPOKEN_DIGITS[c][0]).join(' ')))
      .join(' '),
);

const filler = fc
  .array(
    fc.constantFrom('my', 'card', 'is', 'number', 'thanks', 'the', 'Visa', 'please', 'okay,', '—', 'it’s'),
    { maxLength: 6 },
  )
  .map((w) => w.join(' '));

/** The digits a text still shows, typed or spoken. */
const digitsShown = (text: string) =>
  digitItems(text)
    .map((item) => item.digits)
    .join('');

describe('what redaction must catch and spare', () => {
  it('removes every Luhn-valid card number, in every rendering', () => {
    fc.assert(
      fc.property(cardNumber, rendering, fc.nat(), filler, filler, (card, render, pick, before, after) => {
        const text = `${before} ${render(card, pick)} ${after}.`;
        const result = redactText(text, ALL);
        expect(result.counts['card number']).toBeGreaterThanOrEqual(1);
        expect(digitsShown(result.text)).not.toContain(card.slice(-4));
        expect(result.text.startsWith(before)).toBe(true);
        expect(result.text.endsWith(`${after}.`)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('never removes a phone number in the usual renderings', () => {
    const d = (n: number) =>
      fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
    const us = fc
      .tuple(fc.integer({ min: 2, max: 9 }), d(2), fc.integer({ min: 2, max: 9 }), d(2), d(4))
      .map(([a, b, c, e, f]) => [`${a}${b}`, `${c}${e}`, f]);
    const usRendered = fc.tuple(us, fc.nat()).map(([[a, b, c], pick]) => {
      const forms = [
        `+1${a}${b}${c}`,
        `(${a}) ${b}-${c}`,
        `+1 ${a}-${b}-${c}`,
        `+1 ${a} ${b} ${c}`,
        `${a}${b}${c}`,
        `${a}-${b}-${c}`,
        `${a}.${b}.${c}`,
        `1 ${a} ${b} ${c}`,
        `${a}-${b}-${c} x12`,
        `+1 ${a}-${b}-${c} ext. 1234`,
      ];
      return forms[pick % forms.length];
    });
    // Any E.164 number, at most 15 digits with its country code, grouped by spaces or hyphens.
    const e164 = fc
      .tuple(
        fc.integer({ min: 1, max: 999 }),
        fc.array(d(1), { minLength: 6, maxLength: 14 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 8, maxLength: 8 }),
        fc.constantFrom(' ', '-'),
      )
      .filter(([cc, national]) => String(cc).length + national.length <= 15)
      .map(([cc, national, sizes, sep]) => {
        const digits = national.join('');
        const parts: string[] = [];
        for (let i = 0, k = 0; i < digits.length; i += sizes[k % sizes.length], k += 1)
          parts.push(digits.slice(i, i + sizes[k % sizes.length]));
        return `+${cc} ${parts.join(sep)}`;
      });
    const spoken = us.map(([a, b, c]) => [...`${a}${b}${c}`].map((x) => SPOKEN_DIGITS[x][0]).join(' '));
    fc.assert(
      fc.property(fc.oneof(usRendered, e164, spoken), filler, (phone, before) => {
        const text = `${before} ${phone}, call me back.`;
        expect(redactText(text, ALL).text).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});
