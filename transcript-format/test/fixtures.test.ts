import { describe, expect, it } from 'vitest';
import { fit, normalizeTranscript, parse, write } from '../src/index.js';
import { handoffToTranscript, loadFixtures } from './helpers/handoff.js';

const fixtures = loadFixtures();

describe('handoff fixtures', () => {
  it('has the fixtures copied from the product samples', () => {
    expect(fixtures.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'phone-full-details',
        'phone-long-midnight',
        'tricky-text',
        'unicode-rtl',
        'empty-messages',
      ]),
    );
  });

  describe.each(fixtures)('$name', ({ doc }) => {
    const t = handoffToTranscript(doc);
    const ref = `note "OpenCX transcript ${doc.session_id}"`;

    it('round-trips', () => {
      expect(parse(write(t))).toEqual({
        kind: 'transcript',
        version: 1,
        transcript: normalizeTranscript(t),
        headerShortened: false,
      });
    });

    it.each([200, 500, 2000, 4000])('fits into %i characters and reads back', (maxLength) => {
      const result = fit(t, { maxLength, fullTextRef: ref });
      expect(result.text.length).toBeLessThanOrEqual(maxLength);
      const parsed = parse(result.text);
      expect(parsed.kind).toBe('transcript');
      if (parsed.kind !== 'transcript') return;
      const all = normalizeTranscript(t).turns;
      const kept = parsed.transcript.turns;
      const first = parsed.omission?.firstOmittedIndex ?? kept.length;
      expect(kept.length + result.omittedTurns).toBe(all.length);
      expect(kept).toEqual([...all.slice(0, first), ...all.slice(first + result.omittedTurns)]);
      if (!result.shortened) expect(result.text).toBe(write(t));
    });
  });

  it('writes the long call across midnight under two dated separators, and fits it to 2,000', () => {
    const doc = fixtures.find((f) => f.name === 'phone-long-midnight')!.doc;
    const text = write(handoffToTranscript(doc));
    const separators = text.split('\n').filter((line) => line.startsWith('--- 20'));
    expect(separators).toEqual([
      '--- 2026-11-24 · transcript v1 · UTC ---',
      '--- 2026-11-25 · transcript v1 · UTC ---',
    ]);
    const fitted = fit(handoffToTranscript(doc), { maxLength: 2000, fullTextRef: 'note' });
    expect(fitted.omittedTurns).toBeGreaterThan(0);
    expect(fitted.text).toContain('--- 2026-11-25 · transcript v1 · UTC ---');
  });

  it('writes the handoff time of an offset timestamp in UTC', () => {
    const doc = fixtures.find((f) => f.name === 'unicode-rtl')!.doc;
    expect(write(handoffToTranscript(doc))).toContain('Handoff at: 2026-11-24 09:00:00 UTC');
  });
});
