import { describe, expect, it } from 'vitest';
import { HEADER_SHARE, fit, parse, write, type Transcript, type Turn } from '../src/index.js';

const REF = 'note "OpenCX transcript 4f1c"';

function turns(count: number, startMs = Date.UTC(2026, 10, 24, 14, 0, 0), stepMs = 7_000): Turn[] {
  return Array.from({ length: count }, (_, i) => ({
    at: new Date(startMs + i * stepMs).toISOString().replace('.000Z', 'Z'),
    role: i % 2 === 0 ? 'contact' : 'ai',
    text: `turn ${i} ${'words '.repeat(i % 5)}`.trimEnd(),
  }));
}

function transcript(
  count: number,
  header: Transcript['header'] = { classification: 'Billing', sessionId: '4f1c' },
): Transcript {
  return { header, turns: turns(count) };
}

function asTranscript(text: string) {
  const parsed = parse(text);
  if (parsed.kind !== 'transcript') throw new Error(`expected a transcript, got ${parsed.kind}`);
  return parsed;
}

describe('fit', () => {
  it('returns the full text, unshortened, when it fits', () => {
    const t = transcript(5);
    const full = write(t);
    expect(fit(t, { maxLength: full.length, fullTextRef: REF })).toEqual({
      text: full,
      shortened: false,
      omittedTurns: 0,
    });
    expect(write(t, { maxLength: full.length })).toBe(full);
  });

  it('keeps the first and the last turns with one marker naming the count and the full text', () => {
    const t = transcript(400);
    const result = fit(t, { maxLength: 2000, fullTextRef: REF });
    expect(result.text.length).toBeLessThanOrEqual(2000);
    expect(result.shortened).toBe(true);
    const markers = result.text.split('\n').filter((line) => line.includes('left out'));
    expect(markers).toHaveLength(1);
    const parsed = asTranscript(result.text);
    const kept = parsed.transcript.turns;
    const first = parsed.omission!.firstOmittedIndex;
    expect(parsed.omission).toEqual({
      omittedTurns: result.omittedTurns,
      firstOmittedIndex: first,
      fullTextRef: REF,
    });
    expect(markers[0]).toBe(
      `--- ${result.omittedTurns} turns left out (turns ${first + 1} to ${first + result.omittedTurns}) · full transcript: ${REF} ---`,
    );
    expect(kept.length + result.omittedTurns).toBe(400);
    expect(kept.slice(0, first)).toEqual(t.turns.slice(0, first));
    expect(kept.slice(first)).toEqual(t.turns.slice(first + result.omittedTurns));
    // The last turns before the handoff get about two thirds of the room.
    expect(kept.length - first).toBeGreaterThan(first);
    expect(first).toBeGreaterThan(0);
  });

  it('writes the singular marker for one turn left out', () => {
    const t = transcript(5);
    t.turns[1].text = 'long '.repeat(80);
    const full = write(t);
    const result = fit(t, { maxLength: full.length - 100 });
    expect(result.omittedTurns).toBe(1);
    expect(result.text).toMatch(/^--- 1 turn left out \(turn 2\) ---$/m);
    expect(asTranscript(result.text).omission?.omittedTurns).toBe(1);
  });

  it('shortens a long summary first, keeping the header within its share, and says so', () => {
    const summary = 'The caller explained at length '.repeat(40);
    const t = transcript(300, { summary, classification: 'Billing dispute', sessionId: '4f1c' });
    const result = fit(t, { maxLength: 2000, fullTextRef: REF });
    const header = result.text.slice(0, result.text.indexOf('--- '));
    expect(header.length).toBeLessThanOrEqual(2000 * HEADER_SHARE);
    expect(result.headerShortened).toBe(true);
    const parsed = asTranscript(result.text);
    expect(parsed.headerShortened).toBe(true);
    const shortSummary = parsed.transcript.header.summary!;
    expect(shortSummary.endsWith('…')).toBe(true);
    expect(summary.startsWith(shortSummary.slice(0, -1))).toBe(true);
    expect(parsed.transcript.header.classification).toBe('Billing dispute');
    expect(parsed.transcript.header.sessionId).toBe('4f1c');
  });

  it('shortens only the header when that is enough to keep every turn', () => {
    const summary = 'x'.repeat(3000);
    const t = transcript(3, { summary });
    const result = fit(t, { maxLength: 2000, fullTextRef: REF });
    expect(result).toMatchObject({ shortened: true, omittedTurns: 0, headerShortened: true });
    const parsed = asTranscript(result.text);
    expect(parsed.omission).toBeUndefined();
    expect(parsed.transcript.turns).toEqual(t.turns);
    expect(parsed.headerShortened).toBe(true);
  });

  it('does not treat a summary that really ends in … as shortened', () => {
    const t = transcript(2, { summary: 'and then…' });
    const parsed = asTranscript(write(t));
    expect(parsed.headerShortened).toBe(false);
    expect(parsed.transcript.header.summary).toBe('and then…');
  });

  it('repeats the dated separator after the marker when the kept turns resume on another day', () => {
    const t: Transcript = { header: {}, turns: turns(300, Date.UTC(2026, 10, 24, 23, 0, 0), 30_000) };
    const result = fit(t, { maxLength: 1500 });
    const lines = result.text.split('\n');
    const marker = lines.findIndex((line) => line.includes('left out'));
    expect(lines[0]).toBe('--- 2026-11-24 · transcript v1 · UTC ---');
    expect(lines[marker + 1]).toBe('--- 2026-11-25 · transcript v1 · UTC ---');
    const parsed = asTranscript(result.text);
    expect(parsed.transcript.turns.at(-1)).toEqual(t.turns.at(-1));
  });

  it('places the marker before the divider when the left-out turns span the handoff', () => {
    const t: Transcript = {
      header: {},
      turns: turns(100),
      afterHandoff: turns(100, Date.UTC(2026, 10, 24, 15, 0, 0)),
    };
    const result = fit(t, { maxLength: 1200 });
    const lines = result.text.split('\n');
    const marker = lines.findIndex((line) => line.includes('left out'));
    expect(lines[marker + 1]).toBe('--- after the handoff ---');
    const parsed = asTranscript(result.text);
    const kept = [...parsed.transcript.turns, ...(parsed.transcript.afterHandoff ?? [])];
    const all = [...t.turns, ...t.afterHandoff!];
    const { firstOmittedIndex, omittedTurns } = parsed.omission!;
    expect(kept).toEqual([
      ...all.slice(0, firstOmittedIndex),
      ...all.slice(firstOmittedIndex + omittedTurns),
    ]);
    expect(parsed.transcript.afterHandoff!.length).toBeGreaterThan(0);
  });

  it('keeps the divider among the kept turns when the gap is before the handoff', () => {
    const t: Transcript = {
      header: {},
      turns: turns(200),
      afterHandoff: turns(2, Date.UTC(2026, 10, 24, 15, 0, 0)),
    };
    const result = fit(t, { maxLength: 1500 });
    const parsed = asTranscript(result.text);
    expect(parsed.transcript.afterHandoff).toEqual(t.afterHandoff);
    expect(result.text.indexOf('left out')).toBeLessThan(result.text.indexOf('--- after the handoff ---'));
  });

  it.each([200, 201, 250, 300, 400])(
    'still writes a parseable transcript within a tiny limit of %i',
    (maxLength) => {
      const t: Transcript = {
        header: {
          channel: 'phone_voice',
          summary: 'long '.repeat(200),
          classification: 'Delivery change',
          customer: { name: 'Dana Whitfield', phone: '+14155550134' },
          sessionId: 'bca127b0-a251-4643-add8-8bffefeb8e7e',
          sessionUrl: 'https://platform.open.cx/sessions/bca127b0-a251-4643-add8-8bffefeb8e7e',
          handoffAt: '2026-11-24T14:05:09Z',
          handoffReason: 'ai_decided_to_handoff_the_conversation',
        },
        turns: turns(2000),
        afterHandoff: turns(3),
      };
      const result = fit(t, {
        maxLength,
        fullTextRef: 'note "OpenCX transcript bca127b0-a251-4643-add8-8bffefeb8e7e"',
      });
      expect(result.text.length).toBeLessThanOrEqual(maxLength);
      const parsed = asTranscript(result.text);
      expect(parsed.omission?.omittedTurns).toBe(result.omittedTurns);
      expect(parsed.headerShortened).toBe(true);
    },
  );

  it('degrades below the smallest possible transcript to a plain notice within the limit', () => {
    const t = transcript(50);
    for (const maxLength of [0, 1, 10, 60]) {
      const result = fit(t, { maxLength, fullTextRef: REF });
      expect(result.text.length).toBeLessThanOrEqual(maxLength);
      expect(result).toMatchObject({ shortened: true, omittedTurns: 50 });
      expect(['plain', 'empty']).toContain(parse(result.text).kind);
    }
  });

  it('never cuts a turn in half: every kept turn is whole', () => {
    const long: Turn = { at: '2026-11-24T14:00:00Z', role: 'contact', text: 'very long '.repeat(300) };
    const t: Transcript = { header: {}, turns: [long, ...turns(3), long] };
    const result = fit(t, { maxLength: 2000 });
    const parsed = asTranscript(result.text);
    for (const kept of parsed.transcript.turns) expect(t.turns).toContainEqual(kept);
  });

  it('treats a NaN or negative limit as zero', () => {
    expect(fit(transcript(3), { maxLength: Number.NaN }).text).toBe('');
    expect(fit(transcript(3), { maxLength: -5 }).text).toBe('');
  });
});
