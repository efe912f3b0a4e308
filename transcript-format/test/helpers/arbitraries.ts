/** fast-check arbitraries for transcripts that stress the text format. */

import fc from 'fast-check';
import type {
  ContactMatch,
  Customer,
  Role,
  Transcript,
  TranscriptHeader,
  Turn,
  Verification,
} from '../../src/index.js';

/** Pieces that look like our own syntax, escapes, line ends, and hard Unicode. */
const TRICKY = [
  '\n',
  '\n\n',
  '\r',
  '\r\n',
  '\\',
  '\\\\',
  '\\n',
  '\\r',
  '\\…',
  '…',
  ' ',
  '   ',
  '\t',
  '    ',
  '[14:02:11] Caller: ',
  '[--:--:--] AI: hi',
  '\n[14:02:11] Agent (Jo): x',
  '--- 2026-11-24 · transcript v1 · UTC ---',
  '\n--- 2026-11-25 · transcript v1 · UTC ---\n',
  '--- transcript v1 · UTC ---',
  '--- transcript v2 · UTC ---',
  '\n--- after the handoff ---',
  '--- 3 turns left out (turns 2 to 4) ---',
  '\n--- 1 turn left out (turn 1) · full transcript: note ---',
  'Summary: ',
  '\nChannel: email',
  '\nSession link: javascript:alert(1)',
  '(',
  ')',
  '\\)',
  ';',
  '; ',
  ' ×2',
  ':',
  ': ',
  '[',
  ']',
  '🧾',
  '👩‍💻',
  '👍🏽',
  'שלום',
  'مرحبا بك',
  '客户',
  '\u202e',
  '\u200f',
  '\u2028',
  '\u2029',
  '\u0085',
  '\uFEFF',
  '\uD800',
  '\uDC00x',
  '\0',
  'e\u0301',
  // Look-alikes of the verification marks that follow customer details.
  ' (stated by the caller)',
  ' (verified by OpenCX)',
  ' (Stated By The Caller)',
  '(verified by OpenCX)',
  ' (stated by the caller\\)',
];

export const textArb: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
      { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
    ),
    { maxLength: 8 },
  )
  .map((parts) => parts.join(''));

const DAY = 86_400_000;
const BASE = Date.UTC(2026, 10, 24, 23, 0, 0);

/** Timestamps: mostly around one midnight, sometimes anywhere in 0000..9999, in several spellings. */
export const timestampArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.integer({ min: -2 * DAY, max: 2 * DAY }), fc.boolean())
      .map(([offset, wholeSeconds]) => {
        const ms = wholeSeconds ? Math.floor((BASE + offset) / 1000) * 1000 : BASE + offset;
        return new Date(ms).toISOString();
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .date({
        min: new Date('0000-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59.999Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('2026-11-24T11:00:00+02:00', '2026-11-24T14:02:11.5Z', '2026-11-24 14:02:11'),
  },
  { weight: 1, arbitrary: fc.constantFrom('', 'yesterday', '2026-02-30T10:00:00Z', '2026-11-24T24:00:00Z') },
);

const roleArb = fc.constantFrom<Role>('contact', 'ai', 'human_agent', 'system');

export const turnArb: fc.Arbitrary<Turn> = fc.record(
  { at: timestampArb, role: roleArb, name: textArb, text: textArb },
  { requiredKeys: ['at', 'role', 'text'] },
);

/** Cheap turns for very long transcripts (10,000 turns). */
export const plainTurnArb: fc.Arbitrary<Turn> = fc.record({
  at: timestampArb,
  role: roleArb,
  text: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...TRICKY)),
});

const urlArb = fc.oneof(
  fc.constant('https://platform.open.cx/sessions/bca127b0-a251-4643-add8-8bffefeb8e7e'),
  fc.webUrl({ validSchemes: ['https'] }),
  fc.constantFrom('javascript:alert(1)', 'http://example.com/x', 'HTTPS://EXAMPLE.COM/A', 'https://', ''),
  textArb,
);

const redactionsArb = fc
  .array(
    fc.tuple(
      fc.oneof(textArb, fc.constantFrom('card number', '__proto__', 'constructor')),
      fc.integer({ min: -2, max: 1_000_000 }),
    ),
    { maxLength: 4 },
  )
  .map((entries) => Object.fromEntries(entries));

/**
 * A mark per detail, sometimes for a detail that is absent, and sometimes a value outside the type
 * (as a JavaScript sender could pass), which normalization must drop.
 */
const markArb = fc.constantFrom<string>('verified', 'stated', 'unknown', '') as fc.Arbitrary<Verification>;

const customerArb: fc.Arbitrary<Customer> = fc.record(
  {
    name: textArb,
    email: textArb,
    phone: textArb,
    verification: fc.record({ name: markArb, email: markArb, phone: markArb }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

export const headerArb: fc.Arbitrary<TranscriptHeader> = fc.record(
  {
    channel: fc.oneof(fc.constantFrom('phone_voice', 'web_voice', 'email'), textArb),
    summary: fc.oneof(textArb, fc.string({ minLength: 100, maxLength: 1500 })),
    classification: textArb,
    sentiment: textArb,
    language: textArb,
    customer: customerArb,
    contactMatch: fc.constantFrom<ContactMatch>('email', 'email-created', 'phone', 'none'),
    sessionId: fc.oneof(fc.uuid(), textArb),
    sessionUrl: urlArb,
    handoffAt: timestampArb,
    handoffReason: textArb,
    redactions: redactionsArb,
  },
  { requiredKeys: [] },
);

export function transcriptArb(
  maxTurns: number,
  turn: fc.Arbitrary<Turn> = turnArb,
): fc.Arbitrary<Transcript> {
  return fc.record(
    {
      header: headerArb,
      turns: fc.array(turn, { maxLength: maxTurns }),
      afterHandoff: fc.array(turn, { maxLength: Math.max(1, Math.floor(maxTurns / 4)) }),
    },
    { requiredKeys: ['header', 'turns'] },
  );
}
