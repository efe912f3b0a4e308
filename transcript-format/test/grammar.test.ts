import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, write } from '../src/index.js';

/** The worked examples in GRAMMAR.md, each a ```text block after an `<!-- example: kind -->` comment. */
function examples(): { kind: string; text: string }[] {
  const grammar = readFileSync(path.join(import.meta.dirname, '..', 'GRAMMAR.md'), 'utf8');
  const found: { kind: string; text: string }[] = [];
  const pattern = /<!-- example: ([a-z-]+) -->\n\n```text\n([\s\S]*?)\n```/g;
  for (let m = pattern.exec(grammar); m; m = pattern.exec(grammar)) found.push({ kind: m[1], text: m[2] });
  return found;
}

describe('GRAMMAR.md worked examples', () => {
  const all = examples();

  it('has examples of every kind', () => {
    expect(new Set(all.map((e) => e.kind))).toEqual(
      new Set(['transcript', 'fitted', 'best-effort', 'plain']),
    );
  });

  it.each(all.map((e, i) => [i + 1, e.kind, e.text] as const))(
    'example %i reads as %s, exactly as documented',
    (_i, kind, text) => {
      const parsed = parse(text);
      if (kind === 'transcript') {
        expect(parsed.kind).toBe('transcript');
        // What the writer writes for what the reader read is the example itself, byte for byte.
        if (parsed.kind === 'transcript') expect(write(parsed.transcript)).toBe(text);
      } else if (kind === 'fitted') {
        expect(parsed).toMatchObject({
          kind: 'transcript',
          headerShortened: true,
          omission: { omittedTurns: 52, firstOmittedIndex: 2 },
        });
        expect(text.length).toBeLessThanOrEqual(1000);
      } else if (kind === 'best-effort') {
        expect(parsed).toMatchObject({ kind: 'best-effort', source: 'opencx' });
      } else {
        expect(parsed).toEqual({ kind: 'plain', text });
      }
    },
  );

  it('has an example with verification marks that reads them back, linked through a stated email', () => {
    const marked = all.filter((e) => e.kind === 'transcript' && e.text.includes('(stated by the caller)'));
    expect(marked).toHaveLength(1);
    const parsed = parse(marked[0].text);
    if (parsed.kind !== 'transcript') throw new Error(`read as ${parsed.kind}`);
    expect(parsed.transcript.header.contactMatch).toBe('email');
    expect(parsed.transcript.header.customer).toEqual({
      name: 'Priya Raman',
      email: 'priya@example.com',
      phone: '+14155550101',
      verification: { name: 'verified', email: 'stated' },
    });
  });
});
