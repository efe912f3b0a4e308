import { describe, expect, it } from 'vitest';
import {
  CALLER_VERIFICATION,
  CHANNEL,
  HANDOFF_REASON,
  INSIGHTS_COLUMNS as C,
  SENTIMENT_AT_HANDOFF,
} from '../../src/insights/columns.js';
import { emptyOnly, insightsFields } from '../../src/insights/fields.js';
import { ALL_INSIGHTS_COLUMNS, NO_INSIGHTS, type InstalledInsights } from '../../src/insights/installed.js';
import type { HandoffInsights } from '../../src/insights/values.js';

const everyOption = (choice: { options: Readonly<Record<string, number>>; other: number }) => [
  ...new Set([...Object.values(choice.options), choice.other]),
];
/** The whole solution installed, as our customizations.xml defines it. */
const FULL: InstalledInsights = {
  columns: ALL_INSIGHTS_COLUMNS,
  options: Object.fromEntries(
    [HANDOFF_REASON, SENTIMENT_AT_HANDOFF, CHANNEL, CALLER_VERIFICATION].map((choice) => [
      choice.logicalName,
      everyOption(choice),
    ]),
  ),
  sessionIdMaxLength: 100,
  mismatched: [],
};

const insights: HandoffInsights = {
  sessionId: 'bca1',
  handoffOn: '2026-11-24T14:05:09Z',
  reason: 'ai_decided_to_handoff_the_conversation',
  sentiment: 'Angry',
  channel: 'phone_voice',
  callerVerification: 'stated',
  turnsBeforeHandoff: 7,
  aiHandlingSeconds: 178,
};

describe('insightsFields', () => {
  it('writes every column of a full install with its option value', () => {
    expect(insightsFields(insights, FULL)).toEqual({
      [C.sessionId]: 'bca1',
      [C.handoffOn]: '2026-11-24T14:05:09Z',
      [C.handoffReason]: 672630000,
      [C.sentimentAtHandoff]: 672630000,
      [C.channel]: 672630000,
      [C.callerVerification]: 672630001,
      [C.turnsBeforeHandoff]: 7,
      [C.aiHandlingSeconds]: 178,
    });
  });

  it('writes nothing on an org without the columns', () => {
    expect(insightsFields(insights, NO_INSIGHTS)).toEqual({});
  });

  it('a partial install: only the columns that exist', () => {
    const partial: InstalledInsights = {
      ...FULL,
      columns: [C.sessionId, C.sentimentAtHandoff],
      options: { [C.sentimentAtHandoff]: everyOption(SENTIMENT_AT_HANDOFF) },
    };
    expect(insightsFields(insights, partial)).toEqual({
      [C.sessionId]: 'bca1',
      [C.sentimentAtHandoff]: 672630000,
    });
  });

  it.each<[string, Partial<HandoffInsights>, Record<string, number | undefined>]>([
    [
      'a reason OpenCX added later → "other"',
      { reason: 'ai_ran_out_of_ideas' },
      { [C.handoffReason]: HANDOFF_REASON.other },
    ],
    [
      'a sentiment we have no option for → "other"',
      { sentiment: 'bemused' },
      { [C.sentimentAtHandoff]: SENTIMENT_AT_HANDOFF.other },
    ],
    ['an SMS channel → "other"', { channel: 'sms' }, { [C.channel]: CHANNEL.other }],
    ['no reason given → blank', { reason: undefined }, { [C.handoffReason]: undefined }],
    ['no sentiment given → blank', { sentiment: undefined }, { [C.sentimentAtHandoff]: undefined }],
    ['caller verified', { callerVerification: 'verified' }, { [C.callerVerification]: 672630000 }],
    [
      'nothing verified or stated → none',
      { callerVerification: 'none' },
      { [C.callerVerification]: 672630002 },
    ],
  ])('%s', (_name, extra, expected) => {
    const fields = insightsFields({ ...insights, ...extra }, FULL);
    for (const [column, value] of Object.entries(expected))
      expect([column, fields[column]]).toEqual([column, value]);
  });

  it('an option the org column lacks falls back to "other", and is left blank when that is missing too', () => {
    const older: InstalledInsights = {
      ...FULL,
      options: { ...FULL.options, [C.handoffReason]: [672630000, 672630004], [C.channel]: [672630000] },
    };
    const fields = insightsFields(
      { ...insights, reason: 'human_agent_decided_to_take_over', channel: 'email' },
      older,
    );
    expect(fields[C.handoffReason]).toBe(HANDOFF_REASON.other);
    expect(fields).not.toHaveProperty(C.channel);
  });

  it('a session id longer than the column is left out, never cut', () => {
    expect(insightsFields({ ...insights, sessionId: 'x'.repeat(101) }, FULL)).not.toHaveProperty(C.sessionId);
    expect(insightsFields({ ...insights, sessionId: 'x'.repeat(100) }, FULL)[C.sessionId]).toHaveLength(100);
  });

  it.each([-1, 1.5, 2_147_483_648])('a count a whole number column cannot hold (%d) is left out', (value) => {
    expect(insightsFields({ ...insights, aiHandlingSeconds: value }, FULL)).not.toHaveProperty(
      C.aiHandlingSeconds,
    );
  });
});

describe('emptyOnly', () => {
  it('keeps the fields whose column is empty and never overwrites a value', () => {
    const fields = { [C.sessionId]: 'a', [C.channel]: 1, [C.turnsBeforeHandoff]: 0 };
    expect(emptyOnly(fields, { [C.sessionId]: null, [C.channel]: 672630001 })).toEqual({
      [C.sessionId]: 'a',
      [C.turnsBeforeHandoff]: 0,
    });
    expect(emptyOnly(fields, { [C.sessionId]: 'b', [C.channel]: 2, [C.turnsBeforeHandoff]: 0 })).toEqual({});
  });
});
