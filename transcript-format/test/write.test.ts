import { describe, expect, it } from 'vitest';
import {
  FORMAT_VERSION,
  normalizeTranscript,
  parse,
  write,
  type Transcript,
  type TranscriptHeader,
  type Turn,
} from '../src/index.js';

const turn = (at: string, role: Turn['role'], text: string, name?: string): Turn =>
  name === undefined ? { at, role, text } : { at, role, text, name };

function roundTrips(t: Transcript): void {
  const parsed = parse(write(t));
  expect(parsed).toEqual({
    kind: 'transcript',
    version: FORMAT_VERSION,
    transcript: normalizeTranscript(t),
    headerShortened: false,
  });
}

describe('write', () => {
  it('writes the documented layout: header, blank line, dated separator, one turn per line', () => {
    const t: Transcript = {
      header: {
        channel: 'phone_voice',
        summary: 'Wants order 1182 delivered to the office.',
        classification: 'Delivery change',
        sentiment: 'neutral',
        customer: { name: 'Dana Whitfield', email: 'dana@example.com', phone: '+14155550134' },
        contactMatch: 'email',
        sessionId: 'bca127b0',
        sessionUrl: 'https://platform.open.cx/sessions/bca127b0',
        handoffAt: '2026-11-24T14:05:09Z',
        handoffReason: 'ai_decided_to_handoff_the_conversation',
        redactions: { 'card number': 2 },
      },
      turns: [
        turn('2026-11-24T14:02:11Z', 'ai', 'How can I help?'),
        turn('2026-11-24T14:02:16.250Z', 'contact', 'Change my address.'),
        turn('2026-11-24T14:05:09Z', 'system', 'Handing off'),
      ],
      afterHandoff: [turn('2026-11-24T14:06:00Z', 'human_agent', 'Hi Dana.', 'Jordan')],
    };
    expect(write(t)).toBe(
      [
        'Channel: phone_voice',
        'Summary: Wants order 1182 delivered to the office.',
        'Classification: Delivery change',
        'Sentiment: neutral',
        'Customer name: Dana Whitfield',
        'Customer email: dana@example.com',
        'Customer phone: +14155550134',
        'Contact: matched by email',
        'Session ID: bca127b0',
        'Session link: https://platform.open.cx/sessions/bca127b0',
        'Handoff at: 2026-11-24 14:05:09 UTC',
        'Handoff reason: ai_decided_to_handoff_the_conversation',
        'Redacted: card number ×2',
        '',
        '--- 2026-11-24 · transcript v1 · UTC ---',
        '[14:02:11] AI: How can I help?',
        '[14:02:16.250] Caller: Change my address.',
        '[14:05:09] System: Handing off',
        '--- after the handoff ---',
        '[14:06:00] Agent (Jordan): Hi Dana.',
      ].join('\n'),
    );
    roundTrips(t);
  });

  it.each<[string, TranscriptHeader, string]>([
    ['channel', { channel: 'web_voice' }, 'Channel: web_voice'],
    ['summary', { summary: 'Double charge' }, 'Summary: Double charge'],
    ['classification', { classification: 'Billing' }, 'Classification: Billing'],
    ['sentiment', { sentiment: 'angry' }, 'Sentiment: angry'],
    ['language', { language: 'en-GB' }, 'Language: en-GB'],
    ['customer name', { customer: { name: 'Seán Ó' } }, 'Customer name: Seán Ó'],
    ['customer email', { customer: { email: 'a@b.c' } }, 'Customer email: a@b.c'],
    ['customer phone', { customer: { phone: '020 7946 0958' } }, 'Customer phone: 020 7946 0958'],
    ['contact matched by email', { contactMatch: 'email' }, 'Contact: matched by email'],
    ['contact created from email', { contactMatch: 'email-created' }, 'Contact: created from email'],
    ['contact matched by phone', { contactMatch: 'phone' }, 'Contact: matched by phone'],
    ['contact not linked', { contactMatch: 'none' }, 'Contact: not linked'],
    ['session id', { sessionId: '4f1c' }, 'Session ID: 4f1c'],
    ['session link', { sessionUrl: 'https://x.test/s/1?a=b#c' }, 'Session link: https://x.test/s/1?a=b#c'],
    ['handoff time', { handoffAt: '2026-11-24T16:05:09+02:00' }, 'Handoff at: 2026-11-24 14:05:09 UTC'],
    [
      'handoff time with milliseconds',
      { handoffAt: '2026-11-24T14:05:09.5Z' },
      'Handoff at: 2026-11-24 14:05:09.500 UTC',
    ],
    ['handoff reason', { handoffReason: 'user_asked' }, 'Handoff reason: user_asked'],
    [
      'redactions',
      { redactions: { 'card number': 2, 'national id': 1 } },
      'Redacted: card number ×2; national id ×1',
    ],
    ['redaction kinds with ; and \\', { redactions: { 'a;b\\c': 3 } }, 'Redacted: a\\;b\\\\c ×3'],
    ['multi-line value', { summary: 'one\ntwo' }, 'Summary: one\n    two'],
    ['value ending in an ellipsis', { summary: 'and so on…' }, 'Summary: and so on\\…'],
    ['value with a carriage return', { summary: 'a\rb' }, 'Summary: a\\rb'],
  ])('writes the %s header line', (_name, header, line) => {
    const text = write({ header, turns: [] });
    expect(text).toBe(`${line}\n\n--- transcript v1 · UTC ---`);
    roundTrips({ header, turns: [] });
  });

  it('writes no header lines for absent or empty values, and drops a non-https session link', () => {
    const header: TranscriptHeader = {
      summary: '',
      customer: { name: '', email: undefined },
      sessionUrl: 'javascript:alert(1)',
      redactions: { none: 0 },
    };
    expect(write({ header, turns: [] })).toBe('--- transcript v1 · UTC ---');
  });

  it('starts a new dated separator whenever the UTC date changes (a call across midnight)', () => {
    const t: Transcript = {
      header: {},
      turns: [
        turn('2026-11-24T23:59:58Z', 'contact', 'still there?'),
        turn('2026-11-25T00:00:01+00:00', 'ai', 'yes'),
        turn('2026-11-25T01:30:00+02:00', 'contact', 'local time said 01:30'),
      ],
    };
    expect(write(t)).toBe(
      [
        '--- 2026-11-24 · transcript v1 · UTC ---',
        '[23:59:58] Caller: still there?',
        '--- 2026-11-25 · transcript v1 · UTC ---',
        '[00:00:01] AI: yes',
        '--- 2026-11-24 · transcript v1 · UTC ---',
        '[23:30:00] Caller: local time said 01:30',
      ].join('\n'),
    );
    roundTrips(t);
  });

  it.each<[string, string, string]>([
    ['multi-line text', 'First\nSecond\n\nFourth', '[14:00:00] Caller: First\n    Second\n    \n    Fourth'],
    ['a turn lookalike', '[12:00:00] AI: fake', '[14:00:00] Caller: [12:00:00] AI: fake'],
    [
      'a turn lookalike on a later line',
      'x\n[12:00:00] AI: fake',
      '[14:00:00] Caller: x\n    [12:00:00] AI: fake',
    ],
    [
      'a separator lookalike',
      'x\n--- 2026-11-24 · transcript v1 · UTC ---',
      '[14:00:00] Caller: x\n    --- 2026-11-24 · transcript v1 · UTC ---',
    ],
    ['a header lookalike', 'x\nChannel: email', '[14:00:00] Caller: x\n    Channel: email'],
    ['leading and trailing spaces', '  both  ', '[14:00:00] Caller:   both  '],
    ['tabs', 'a\tb\t', '[14:00:00] Caller: a\tb\t'],
    ['empty text', '', '[14:00:00] Caller: '],
    ['a backslash', 'C:\\temp\\n', '[14:00:00] Caller: C:\\\\temp\\\\n'],
    ['a carriage return', 'a\r\nb\r', '[14:00:00] Caller: a\\r\n    b\\r'],
    ['emoji and RTL', 'שלום 👍🏽 مرحبا 👩‍💻', '[14:00:00] Caller: שלום 👍🏽 مرحبا 👩‍💻'],
    ['a trailing ellipsis (only header values escape it)', 'wait…', '[14:00:00] Caller: wait…'],
    ['a line that is only the indent', 'a\n    ', '[14:00:00] Caller: a\n        '],
  ])('escapes %s so that it round-trips', (_name, text, written) => {
    const t: Transcript = { header: {}, turns: [turn('2026-11-24T14:00:00Z', 'contact', text)] };
    expect(write(t)).toBe(`--- 2026-11-24 · transcript v1 · UTC ---\n${written}`);
    roundTrips(t);
  });

  it.each<[string, string, string]>([
    ['a plain name', 'Jordan', 'Agent (Jordan): hi'],
    ['a name with parentheses', 'Jo (lead)', 'Agent (Jo (lead\\)): hi'],
    ['a name with a colon and a newline', 'a: b\nc', 'Agent (a: b\\nc): hi'],
    ['a name with a backslash', 'x\\)', 'Agent (x\\\\\\)): hi'],
  ])('writes the speaker name: %s', (_name, name, written) => {
    const t: Transcript = { header: {}, turns: [turn('2026-11-24T14:00:00Z', 'human_agent', 'hi', name)] };
    expect(write(t)).toBe(`--- 2026-11-24 · transcript v1 · UTC ---\n[14:00:00] ${written}`);
    roundTrips(t);
  });

  it('writes every role with its label', () => {
    const t: Transcript = {
      header: {},
      turns: (['contact', 'ai', 'human_agent', 'system'] as const).map((role) =>
        turn('2026-11-24T14:00:00Z', role, role),
      ),
    };
    expect(write(t).split('\n').slice(1)).toEqual([
      '[14:00:00] Caller: contact',
      '[14:00:00] AI: ai',
      '[14:00:00] Agent: human_agent',
      '[14:00:00] System: system',
    ]);
  });

  it('writes an unknown time as --:--:-- and keeps the date context for later turns', () => {
    const t: Transcript = {
      header: {},
      turns: [
        turn('not a time', 'ai', 'a'),
        turn('2026-11-24T14:00:00Z', 'contact', 'b'),
        turn('', 'ai', 'c'),
      ],
    };
    expect(write(t)).toBe(
      '--- 2026-11-24 · transcript v1 · UTC ---\n[--:--:--] AI: a\n[14:00:00] Caller: b\n[--:--:--] AI: c',
    );
    roundTrips(t);
  });

  it('replaces NUL and lone surrogates with U+FFFD (they cannot be stored), keeps valid pairs', () => {
    const t: Transcript = { header: {}, turns: [turn('2026-11-24T14:00:00Z', 'ai', 'a\0b\uD800c\uDC00d😀')] };
    expect(write(t)).toContain('a\uFFFDb\uFFFDc\uFFFDd😀');
    roundTrips(t);
  });

  it('writes the divider even when every turn came after the handoff', () => {
    const t: Transcript = {
      header: {},
      turns: [],
      afterHandoff: [turn('2026-11-24T14:00:00Z', 'human_agent', 'x')],
    };
    expect(write(t)).toBe(
      '--- 2026-11-24 · transcript v1 · UTC ---\n--- after the handoff ---\n[14:00:00] Agent: x',
    );
    roundTrips(t);
  });

  it('writes the same text for a transcript and its normal form', () => {
    const t: Transcript = {
      header: { handoffAt: '2026-11-24T16:05:09.000+02:00', customer: {} },
      turns: [turn('2026-11-24T14:00:00.000Z', 'ai', 'x', '')],
      afterHandoff: [],
    };
    expect(write(t)).toBe(write(normalizeTranscript(t)));
    expect(normalizeTranscript(t)).toEqual({
      header: { handoffAt: '2026-11-24T14:05:09Z' },
      turns: [{ at: '2026-11-24T14:00:00Z', role: 'ai', text: 'x' }],
    });
  });
});
