import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { fit, parse, write, type Transcript } from '@opencx-d365/transcript-format';
import { describe, expect, it } from 'vitest';
import { transcriptOf } from '../../src/delivery/transcript.js';
import type { HandoffDocument } from '../../src/handoff/document.js';
import { callerVerificationOf, insightsOf, type HandoffInsights } from '../../src/insights/values.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/handoffs');
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .map(
    (name) => [name, JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as HandoffDocument] as const,
  );

const doc = (extra: Partial<HandoffDocument>): HandoffDocument => ({
  session_id: 's-1',
  handoff_at: '2026-11-24T14:05:09Z',
  messages: [],
  ...extra,
});
const live = (document: HandoffDocument) => insightsOf(transcriptOf(document, 'none'));
const turn = (at: string, text = 'x') => ({ at, role: 'contact' as const, text });

/** What backfill reads from a description the relay wrote with `maxLength`. */
function fromDescription(document: HandoffDocument, maxLength?: number): HandoffInsights | undefined {
  const transcript = transcriptOf(document, 'none');
  const text = maxLength ? fit(transcript, { maxLength, fullTextRef: 'note "x"' }).text : write(transcript);
  const parsed = parse(text);
  if (parsed.kind !== 'transcript') return undefined;
  return insightsOf(parsed.transcript, {
    headerShortened: parsed.headerShortened,
    omission: parsed.omission,
  });
}

describe('insightsOf a handoff document', () => {
  it.each<[string, Partial<HandoffDocument>, Partial<HandoffInsights>]>([
    [
      'every value there',
      {
        session_id: 'bca1',
        handoff_at: '2026-11-24T16:05:09+02:00',
        channel: 'web_voice',
        reason: 'ai_is_forbidden_from_handling_this_topic',
        sentiment: 'Angry',
        customer: { phone: '+1415', verification: { phone: 'verified' } },
        messages: [turn('2026-11-24T14:02:11Z'), turn('2026-11-24T14:04:00Z')],
      },
      {
        sessionId: 'bca1',
        handoffOn: '2026-11-24T14:05:09Z',
        channel: 'web_voice',
        reason: 'ai_is_forbidden_from_handling_this_topic',
        sentiment: 'Angry',
        callerVerification: 'verified',
        turnsBeforeHandoff: 2,
        aiHandlingSeconds: 178,
      },
    ],
    [
      'nothing but the required fields: phone_voice, no caller, no turns',
      {},
      {
        sessionId: 's-1',
        handoffOn: '2026-11-24T14:05:09Z',
        channel: 'phone_voice',
        callerVerification: 'none',
        turnsBeforeHandoff: 0,
      },
    ],
    [
      'milliseconds are kept, seconds are whole (floored)',
      { handoff_at: '2026-11-24T14:05:09.750Z', messages: [turn('2026-11-24T14:05:00.900Z')] },
      { handoffOn: '2026-11-24T14:05:09.750Z', aiHandlingSeconds: 8, turnsBeforeHandoff: 1 },
    ],
    [
      'the first turn with a known time starts the call',
      { messages: [turn(''), turn('not a time'), turn('2026-11-24T14:00:09Z')] },
      { aiHandlingSeconds: 300, turnsBeforeHandoff: 3 },
    ],
    [
      'a first turn after the handoff (a clock error) gives no duration',
      { messages: [turn('2026-11-24T14:06:00Z')] },
      { aiHandlingSeconds: undefined, turnsBeforeHandoff: 1 },
    ],
    [
      'a handoff before 1753 is not a Dataverse date',
      { handoff_at: '1700-01-01T00:00:00Z' },
      { handoffOn: undefined },
    ],
  ])('%s', (_name, extra, expected) => {
    const actual = live(doc(extra));
    for (const [key, value] of Object.entries(expected))
      expect([key, actual[key as keyof HandoffInsights]]).toEqual([key, value]);
  });
});

describe('callerVerificationOf', () => {
  it.each([
    ['no customer at all', undefined, 'none'],
    ['details without marks (the sender does not say)', { name: 'Dana', phone: '+1' }, 'none'],
    ['one stated detail', { email: 'd@x', verification: { email: 'stated' } }, 'stated'],
    [
      'one verified among stated',
      { name: 'D', email: 'd@x', verification: { name: 'stated', email: 'verified' } },
      'verified',
    ],
    [
      'a mark on a detail that is not there is ignored',
      { name: 'D', verification: { email: 'verified' } },
      'none',
    ],
    ['a blank detail does not count', { phone: '  ', verification: { phone: 'verified' } }, 'none'],
  ] as const)('%s → %s', (_name, customer, expected) => {
    expect(callerVerificationOf(customer as Transcript['header']['customer'])).toBe(expected);
  });
});

describe('insightsOf a description (backfill) agrees with the create', () => {
  it.each(fixtures)('%s, written whole: the same insights', (_name, document) => {
    expect(fromDescription(document)).toEqual(live(document));
  });

  it.each(fixtures)(
    '%s, fitted to small lengths: each value it reads is the one the create wrote',
    (_name, document) => {
      for (const maxLength of [250, 400, 700, 1200, 2000]) {
        const read = fromDescription(document, maxLength);
        if (!read) continue;
        const expected = live(document);
        for (const [key, value] of Object.entries(read))
          expect([key, value]).toEqual([key, expected[key as keyof HandoffInsights]]);
      }
    },
  );

  it('a long call fitted to 2,000 characters still gives its turn count and duration (from the marker)', () => {
    const messages = Array.from({ length: 120 }, (_, i) =>
      turn(new Date(Date.UTC(2026, 10, 24, 13, 0, i * 10)).toISOString(), `turn ${i} `.repeat(4)),
    );
    const document = doc({ messages });
    const transcript = transcriptOf(document, 'none');
    const fitted = fit(transcript, { maxLength: 2000 });
    expect(fitted.omittedTurns).toBeGreaterThan(0);
    expect(fromDescription(document, 2000)).toEqual(live(document));
    expect(live(document)).toMatchObject({ turnsBeforeHandoff: 120, aiHandlingSeconds: 3909 });
  });

  it('a reason cut by fit is read back when only one code starts with what is left', () => {
    const transcript = transcriptOf(doc({ reason: 'ai_decided_to_handoff_because_the_user_left' }), 'none');
    const parsed = {
      ...transcript,
      header: { ...transcript.header, handoffReason: 'ai_decided_to_handoff_b…', sessionId: 'abcdef…' },
    };
    const read = insightsOf(parsed, { headerShortened: true });
    expect(read.reason).toBe('ai_decided_to_handoff_because_the_user_left');
    // A cut session id names no session: left out.
    expect(read.sessionId).toBeUndefined();
    // Ambiguous: both ai_decided_… codes start so.
    expect(
      insightsOf(
        { ...parsed, header: { ...parsed.header, handoffReason: 'ai_decided_to_handoff…' } },
        { headerShortened: true },
      ).reason,
    ).toBeUndefined();
    // Not a shortened header: a final … is the value's own.
    expect(insightsOf(parsed, { headerShortened: false }).sessionId).toBe('abcdef…');
  });

  it.each<[string, { omittedTurns: number; firstOmittedIndex: number }, number, number, number | undefined]>([
    [
      'the run ends before the handoff (kept turns after the marker)',
      { omittedTurns: 5, firstOmittedIndex: 2 },
      6,
      0,
      11,
    ],
    ['the run lies after the divider', { omittedTurns: 5, firstOmittedIndex: 8 }, 6, 4, 6],
    ['the run may span the handoff: unknown', { omittedTurns: 5, firstOmittedIndex: 6 }, 6, 3, undefined],
    ['the marker is last: unknown', { omittedTurns: 5, firstOmittedIndex: 6 }, 6, 0, undefined],
  ])('turns before the handoff when %s', (_name, omission, kept, after, expected) => {
    const turns = Array.from({ length: kept }, (_, i) => turn(`2026-11-24T14:00:0${i}Z`));
    const transcript: Transcript = {
      header: { handoffAt: '2026-11-24T14:05:09Z' },
      turns,
      ...(after ? { afterHandoff: Array.from({ length: after }, () => turn('2026-11-24T14:06:00Z')) } : {}),
    };
    expect(insightsOf(transcript, { omission }).turnsBeforeHandoff).toBe(expected);
  });

  it('the first turn left out: no duration, since it may have been the earliest', () => {
    const transcript: Transcript = {
      header: { handoffAt: '2026-11-24T14:05:09Z' },
      turns: [turn('2026-11-24T14:00:00Z')],
    };
    expect(
      insightsOf(transcript, { omission: { omittedTurns: 3, firstOmittedIndex: 0 } }).aiHandlingSeconds,
    ).toBeUndefined();
  });

  it('random handoffs: what a fitted description gives back never contradicts the create', () => {
    const at = fc
      .date({
        min: new Date('2020-01-01T00:00:00Z'),
        max: new Date('2030-01-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString());
    const arbitrary = fc.record({
      session_id: fc.string({ minLength: 1, maxLength: 90 }),
      handoff_at: at,
      reason: fc.option(
        fc.constantFrom(
          'ai_decided_to_handoff_the_conversation',
          'ai_decided_to_handoff_because_the_user_left',
          'new_reason',
          'x…',
        ),
        { nil: undefined },
      ),
      sentiment: fc.option(fc.constantFrom('angry', 'Neutral', 'meh', ''), { nil: undefined }),
      channel: fc.option(fc.constantFrom('phone_voice', 'web_voice', 'email', 'sms'), { nil: undefined }),
      summary: fc.option(fc.string({ maxLength: 400 }), { nil: undefined }),
      messages: fc.array(
        fc.record({
          at,
          role: fc.constantFrom('contact', 'ai', 'system'),
          text: fc.string({ maxLength: 80 }),
        }),
        { maxLength: 40 },
      ),
    });
    fc.assert(
      fc.property(arbitrary, fc.integer({ min: 200, max: 3000 }), (raw, maxLength) => {
        const document = { ...raw } as HandoffDocument;
        const read = fromDescription(document, maxLength);
        if (!read) return;
        const expected = live(document);
        for (const [key, value] of Object.entries(read))
          expect([key, value]).toEqual([key, expected[key as keyof HandoffInsights]]);
      }),
    );
  });
});
