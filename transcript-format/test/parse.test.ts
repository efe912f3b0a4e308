import { describe, expect, it } from 'vitest';
import { parse, write, type ParsedDescription, type Transcript } from '../src/index.js';

const sample: Transcript = {
  header: {
    channel: 'phone_voice',
    summary: 'Double charge',
    customer: { name: 'Marcus', phone: '+14155550178' },
    sessionUrl: 'https://platform.open.cx/sessions/b9d8',
    handoffAt: '2026-11-24T09:31:44Z',
  },
  turns: [
    { at: '2026-11-24T09:30:00Z', role: 'ai', text: 'Hello' },
    { at: '2026-11-24T09:30:11Z', role: 'contact', text: 'You charged me twice.\nTwice!' },
  ],
};

function bestEffort(result: ParsedDescription) {
  if (result.kind !== 'best-effort') throw new Error(`expected best-effort, got ${result.kind}`);
  return result;
}

describe('parse', () => {
  it.each(['', '   ', '\n\n\t\n', '\u00a0\u2003'])('reads %j as empty', (text) => {
    expect(parse(text)).toEqual({ kind: 'empty' });
  });

  it('reads our own text back as a transcript of version 1', () => {
    expect(parse(write(sample))).toEqual({
      kind: 'transcript',
      version: 1,
      transcript: sample,
      headerShortened: false,
    });
  });

  it('accepts CRLF or CR line ends from hosts that convert them', () => {
    const text = write(sample);
    expect(parse(text.replace(/\n/g, '\r\n'))).toEqual(parse(text));
    expect(parse(text.replace(/\n/g, '\r'))).toEqual(parse(text));
    expect(parse(`\n${text}\n\n`)).toEqual(parse(text));
  });

  it('accepts a turn line whose trailing space after an empty text was trimmed', () => {
    const parsed = parse('--- 2026-11-24 · transcript v1 · UTC ---\n[14:00:00] Caller:');
    expect(parsed).toMatchObject({
      kind: 'transcript',
      transcript: { turns: [{ at: '2026-11-24T14:00:00Z', role: 'contact', text: '' }] },
    });
  });

  it('reads a newer version it does not know as a best-effort transcript, never as version 1', () => {
    const text = write(sample).replace(/transcript v1/g, 'transcript v2');
    const result = bestEffort(parse(text));
    expect(result.source).toBe('transcript v2');
    expect(result.transcript.turns).toEqual(sample.turns);
    expect(result.transcript.header.customer).toEqual(sample.header.customer);
  });

  it('reads a hand-edited version 1 text (a line a rep typed into it) as best-effort', () => {
    const text = write(sample).replace(
      'Channel: phone_voice',
      'Channel: phone_voice\nCalled back at 10, no answer',
    );
    const result = bestEffort(parse(text));
    expect(result.source).toBe('transcript v1 (edited)');
    expect(result.transcript.turns).toEqual(sample.turns);
  });

  it('reads a version 1 text cut off in the middle of a line as best-effort with the whole turns', () => {
    const text = write(sample);
    const cut = text.slice(0, text.indexOf('[09:30:11]') + 5);
    const result = bestEffort(parse(cut));
    expect(result.transcript.header).toEqual(sample.header);
    // The broken line stays visible, as a continuation of the turn before it.
    expect(result.transcript.turns).toEqual([{ ...sample.turns[0], text: 'Hello\n[09:3' }]);
  });

  it("reads OpenCX's own description layout", () => {
    const text = [
      'Channel: phone',
      'Summary: Caller wants order 1182 rerouted.',
      'Classification: Delivery change',
      'Sentiment: neutral',
      'Customer Name: Dana Whitfield',
      'Customer Email: dana@example.com',
      'Customer Phone: +14155550134',
      '',
      'Transcript:',
      '[2026-11-24 14:02:11] customer: Hi, I need to change the address.',
      'It is for order 1182.',
      '[2026-11-24 14:02:15] AI: I can help with that.',
      '[2026-11-24T14:03:00+01:00] human_agent: Taking over.',
    ].join('\n');
    const result = bestEffort(parse(text));
    expect(result.source).toBe('opencx');
    expect(result.transcript).toEqual({
      header: {
        channel: 'phone',
        summary: 'Caller wants order 1182 rerouted.',
        classification: 'Delivery change',
        sentiment: 'neutral',
        customer: { name: 'Dana Whitfield', email: 'dana@example.com', phone: '+14155550134' },
      },
      turns: [
        {
          at: '2026-11-24T14:02:11Z',
          role: 'contact',
          text: 'Hi, I need to change the address.\nIt is for order 1182.',
        },
        { at: '2026-11-24T14:02:15Z', role: 'ai', text: 'I can help with that.' },
        { at: '2026-11-24T13:03:00Z', role: 'human_agent', text: 'Taking over.' },
      ],
    });
  });

  it.each<[string, string, { at: string; role: string; text: string; name?: string }]>([
    [
      'time then dash',
      '2026-11-24\n14:02 - Customer: hello',
      { at: '2026-11-24T14:02:00Z', role: 'contact', text: 'hello' },
    ],
    [
      '12-hour time in parentheses',
      'Date: 2026-11-24\n(2:02 PM) Agent: hi',
      { at: '2026-11-24T14:02:00Z', role: 'human_agent', text: 'hi' },
    ],
    [
      'speaker then time',
      'bot [2026-11-24 14:02:11Z]: yes',
      { at: '2026-11-24T14:02:11Z', role: 'ai', text: 'yes' },
    ],
    ['a time without any date', '[14:02:11] Caller: hi', { at: '', role: 'contact', text: 'hi' }],
    ['a known speaker with a time and no date', '[14:02:11] AI: hi', { at: '', role: 'ai', text: 'hi' }],
    [
      'a named agent',
      '[2026-11-24 14:02:11] Agent (Jordan): hi',
      { at: '2026-11-24T14:02:11Z', role: 'human_agent', name: 'Jordan', text: 'hi' },
    ],
  ])('reads an OpenCX-like turn line: %s', (_name, text, turn) => {
    const result = bestEffort(parse(text));
    expect(result.transcript.turns).toEqual([turn]);
  });

  it('reads unknown speakers with times as named callers when there are at least two such lines', () => {
    const result = bestEffort(parse('[2026-11-24 14:02:11] Dana: hi\n[2026-11-24 14:02:19] Sam: hello Dana'));
    expect(result.transcript.turns).toEqual([
      { at: '2026-11-24T14:02:11Z', role: 'contact', name: 'Dana', text: 'hi' },
      { at: '2026-11-24T14:02:19Z', role: 'contact', name: 'Sam', text: 'hello Dana' },
    ]);
    expect(parse('14:30 John: called, no answer').kind).toBe('plain');
  });

  it('reads typed speaker lines without times when there are at least two', () => {
    const result = bestEffort(parse('Customer: my router is broken\nAgent: did you restart it?'));
    expect(result.source).toBe('speaker lines');
    expect(result.transcript.turns.map((t) => t.role)).toEqual(['contact', 'human_agent']);
  });

  it.each([
    'Customer called about a refund. Promised a call back tomorrow.',
    'Note: call back at 3pm',
    'Agent: called twice, no answer',
    'See ticket 4471 [urgent]\n--- follow up next week ---',
    'Summary: only one header line',
    '\u0000\u0001\uFFFD binary junk \uD800',
  ])('keeps a description a rep typed as plain text: %j', (text) => {
    expect(parse(text)).toEqual({ kind: 'plain', text });
  });

  it('returns only https session links, from our text and from foreign text', () => {
    const ours = write(sample).replace('https://platform.open.cx/sessions/b9d8', 'javascript:alert(1)');
    const oursParsed = parse(ours);
    expect(oursParsed.kind).toBe('transcript');
    expect(oursParsed.kind === 'transcript' && oursParsed.transcript.header.sessionUrl).toBeUndefined();
    for (const value of ['javascript:alert(1)//https://a', 'see https://a', 'http://a']) {
      const foreign = bestEffort(parse(`Channel: phone\nSummary: x\nSession link: ${value}`));
      expect(foreign.transcript.header.sessionUrl).toBeUndefined();
    }
    const good = bestEffort(parse('Channel: phone\nSummary: x\nSession URL: https://platform.open.cx/s/1'));
    expect(good.transcript.header.sessionUrl).toBe('https://platform.open.cx/s/1');
  });

  it('rejects a marker line whose numbers do not add up, falling back to best-effort', () => {
    const text =
      '--- 2026-11-24 · transcript v1 · UTC ---\n[14:00:00] AI: a\n--- 5 turns left out (turns 2 to 4) ---\n[14:09:00] AI: b';
    expect(parse(text).kind).toBe('best-effort');
    const good = text.replace('turns 2 to 4', 'turns 2 to 6');
    expect(parse(good)).toMatchObject({
      kind: 'transcript',
      omission: { omittedTurns: 5, firstOmittedIndex: 1 },
    });
  });

  it('reads very long lines without slowing down (bounded patterns)', () => {
    const text = `[2026-11-24 14:02:11] Caller: ${' '.repeat(200_000)}x\n${'\t'.repeat(200_000)}: y`;
    expect(bestEffort(parse(text)).transcript.turns).toHaveLength(1);
  });

  it('never throws on a non-string at run time', () => {
    expect(parse(undefined as unknown as string)).toEqual({ kind: 'empty' });
    expect(parse(42 as unknown as string)).toEqual({ kind: 'empty' });
  });
});
