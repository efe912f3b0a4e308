import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fit,
  normalizeTranscript,
  parse,
  write,
  type ParsedDescription,
  type Transcript,
  type TranscriptHeader,
  type Turn,
} from '../src/index.js';
import { plainTurnArb, textArb, transcriptArb } from './helpers/arbitraries.js';

const SEED_RUNS = { numRuns: 300 };

function allTurns(t: Transcript): Turn[] {
  return t.afterHandoff ? [...t.turns, ...t.afterHandoff] : t.turns;
}

/** Each header value read back is the original, or (when shortened) a prefix of it ending in `…`. */
function expectHeaderKept(read: TranscriptHeader, original: TranscriptHeader, shortened: boolean): void {
  if (!shortened) {
    expect(read).toEqual(original);
    return;
  }
  // A detail and its verification mark are kept or left out together, so compare them one by one.
  const flat = (h: TranscriptHeader): Record<string, unknown> => ({
    ...h,
    ...h.customer,
    customer: undefined,
    verification: undefined,
    nameMark: h.customer?.verification?.name,
    emailMark: h.customer?.verification?.email,
    phoneMark: h.customer?.verification?.phone,
  });
  const readFlat = flat(read);
  const originalFlat = flat(original);
  for (const [key, value] of Object.entries(readFlat)) {
    if (value === undefined) continue;
    const source = originalFlat[key];
    if (typeof value === 'string' && value !== source) {
      expect(value.endsWith('…')).toBe(true);
      expect(typeof source === 'string' && source.startsWith(value.slice(0, -1))).toBe(true);
    } else {
      expect(value).toEqual(source);
    }
  }
}

function isWellFormed(result: ParsedDescription): void {
  expect(['transcript', 'best-effort', 'plain', 'empty']).toContain(result.kind);
  if (result.kind === 'transcript' || result.kind === 'best-effort') {
    const url = result.transcript.header.sessionUrl;
    if (url !== undefined) expect(url.toLowerCase().startsWith('https://')).toBe(true);
    expect(Array.isArray(result.transcript.turns)).toBe(true);
  }
}

describe('properties', () => {
  it('round-trips every transcript: parse(write(t)) equals normalizeTranscript(t)', () => {
    fc.assert(
      fc.property(transcriptArb(12), (t) => {
        const normal = normalizeTranscript(t);
        expect(parse(write(t))).toEqual({
          kind: 'transcript',
          version: 1,
          transcript: normal,
          headerShortened: false,
        });
      }),
      SEED_RUNS,
    );
  });

  it('normalizes idempotently, and writes a transcript and its normal form alike', () => {
    fc.assert(
      fc.property(transcriptArb(6), (t) => {
        const normal = normalizeTranscript(t);
        expect(normalizeTranscript(normal)).toEqual(normal);
        expect(write(normal)).toBe(write(t));
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips a transcript of 10,000 turns', () => {
    fc.assert(
      fc.property(
        transcriptArb(0, plainTurnArb),
        fc.array(plainTurnArb, { minLength: 10_000, maxLength: 10_000 }),
        (base, turns) => {
          const t: Transcript = { header: base.header, turns };
          const parsed = parse(write(t));
          expect(parsed).toEqual({
            kind: 'transcript',
            version: 1,
            transcript: normalizeTranscript(t),
            headerShortened: false,
          });
        },
      ),
      { numRuns: 1 },
    );
  });

  it('fits any transcript into any limit from 200 to 1,048,576: never longer, always parseable, a prefix and a suffix kept', () => {
    const limitArb = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 200, max: 3000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 200, max: 1_048_576 }) },
    );
    const refArb = fc.option(fc.oneof(fc.constant('note "OpenCX transcript 4f1c"'), textArb), {
      nil: undefined,
    });
    fc.assert(
      fc.property(transcriptArb(60), limitArb, refArb, (t, maxLength, fullTextRef) => {
        const normal = normalizeTranscript(t);
        const full = write(t);
        const result = fit(t, { maxLength, fullTextRef });
        expect(result.text.length).toBeLessThanOrEqual(maxLength);
        if (full.length <= maxLength) {
          expect(result).toEqual({ text: full, shortened: false, omittedTurns: 0 });
          return;
        }
        expect(result.shortened).toBe(true);
        const parsed = parse(result.text);
        if (parsed.kind !== 'transcript') throw new Error(`not parseable as a transcript:\n${result.text}`);
        const original = allTurns(normal);
        const kept = allTurns(parsed.transcript);
        if (result.omittedTurns === 0) {
          expect(parsed.omission).toBeUndefined();
          expect(kept).toEqual(original);
        } else {
          const omission = parsed.omission!;
          expect(omission.omittedTurns).toBe(result.omittedTurns);
          expect(kept.length + omission.omittedTurns).toBe(original.length);
          const first = omission.firstOmittedIndex;
          expect(kept).toEqual([
            ...original.slice(0, first),
            ...original.slice(first + omission.omittedTurns),
          ]);
          // The reference is named whole, or left out only when the limit is too small for it.
          if (omission.fullTextRef !== undefined)
            expect(omission.fullTextRef).toBe(normalizeRef(fullTextRef));
        }
        expect(parsed.transcript.turns.length).toBeLessThanOrEqual(normal.turns.length);
        // The reader sees an ellipsis; it cannot see a header line left out whole (tiny limits), so a
        // fit that left lines out says so while the reader's header simply has fewer fields.
        if (parsed.headerShortened) expect(result.headerShortened).toBe(true);
        else if (result.headerShortened)
          expect(Object.keys(parsed.transcript.header).length).toBeLessThan(
            Object.keys(normal.header).length,
          );
        expectHeaderKept(
          parsed.transcript.header,
          normal.header,
          parsed.headerShortened || result.headerShortened === true,
        );
      }),
      SEED_RUNS,
    );
  });

  it('never throws on arbitrary text, and returns only https links', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), textArb, fc.string({ maxLength: 300 })),
        (text) => {
          isWellFormed(parse(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on mutations of valid outputs (cut, spliced, shuffled lines)', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.nat({ max: 40 }) }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: textArb }),
      fc.record({ kind: fc.constant('swap-lines' as const), a: fc.nat(), b: fc.nat() }),
      fc.record({ kind: fc.constant('version' as const), version: fc.nat({ max: 12 }) }),
    );
    fc.assert(
      fc.property(
        transcriptArb(8),
        fc.integer({ min: 200, max: 3000 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (t, maxLength, mutations) => {
          let text = fit(t, { maxLength, fullTextRef: 'note "x"' }).text;
          for (const m of mutations) {
            if (m.kind === 'truncate') text = text.slice(0, m.at % (text.length + 1));
            else if (m.kind === 'delete') {
              const at = m.at % (text.length + 1);
              text = text.slice(0, at) + text.slice(at + m.length);
            } else if (m.kind === 'insert') {
              const at = m.at % (text.length + 1);
              text = text.slice(0, at) + m.text + text.slice(at);
            } else if (m.kind === 'swap-lines') {
              const lines = text.split('\n');
              const a = m.a % lines.length;
              const b = m.b % lines.length;
              [lines[a], lines[b]] = [lines[b], lines[a]];
              text = lines.join('\n');
            } else {
              text = text.replace(/transcript v1/g, `transcript v${m.version}`);
            }
          }
          isWellFormed(parse(text));
        },
      ),
      SEED_RUNS,
    );
  });
});

function normalizeRef(ref: string | undefined): string | undefined {
  if (ref === undefined || ref === '') return undefined;
  // The same replacement normalizeTranscript applies to text that cannot be stored.
  return normalizeTranscript({ header: { summary: ref }, turns: [] }).header.summary;
}
