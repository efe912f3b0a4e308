import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeTranscript, type Transcript } from '../src/index.js';
import { isSafeHttpsUrl } from '../src/normalize.js';

const at = (value: string): string =>
  normalizeTranscript({ header: {}, turns: [{ at: value, role: 'ai', text: '' }] }).turns[0].at;

describe('normalizeTranscript', () => {
  it.each([
    ['2026-11-24T14:02:11Z', '2026-11-24T14:02:11Z'],
    ['2026-11-24T14:02:11.000Z', '2026-11-24T14:02:11Z'],
    ['2026-11-24T14:02:11.5Z', '2026-11-24T14:02:11.500Z'],
    ['2026-11-24T14:02:11.123456789Z', '2026-11-24T14:02:11.123Z'],
    ['2026-11-24T11:00:00+02:00', '2026-11-24T09:00:00Z'],
    ['2026-11-24T23:30:00-0130', '2026-11-25T01:00:00Z'],
    ['2026-11-24T14:02:11+05', '2026-11-24T09:02:11Z'],
    ['2026-11-24 14:02:11', '2026-11-24T14:02:11Z'],
    ['2026-11-24T14:02', '2026-11-24T14:02:00Z'],
    ['2026-11-24', '2026-11-24T00:00:00Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
    ['0000-01-01T00:30:00+01:00', ''],
    ['2026-02-29T00:00:00Z', ''],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00Z'],
    ['2026-11-24T24:00:00Z', ''],
    ['2026-11-24T14:60:00Z', ''],
    ['Tue Nov 24 2026', ''],
    ['', ''],
  ])('reads the timestamp %j as %j (offset-less means UTC; invalid means unknown)', (input, expected) => {
    expect(at(input)).toBe(expected);
  });

  it('drops empty optional fields, unknown contact matches, bad handoff times and useless redaction counts', () => {
    const t = {
      header: {
        channel: '',
        summary: undefined,
        customer: { name: '', email: 'a@b.c' },
        contactMatch: 'fax',
        handoffAt: 'soon',
        redactions: { a: 0, b: -1, c: 1.5, d: 2 },
      },
      turns: [{ at: '2026-11-24T14:00:00Z', role: 'ai', text: 't', name: '' }],
      afterHandoff: [],
    } as unknown as Transcript;
    expect(normalizeTranscript(t)).toEqual({
      header: { customer: { email: 'a@b.c' }, redactions: { d: 2 } },
      turns: [{ at: '2026-11-24T14:00:00Z', role: 'ai', text: 't' }],
    });
  });

  it.each([
    ['https://platform.open.cx/sessions/1', true],
    ['HTTPS://EXAMPLE.COM/A', true],
    ['http://example.com', false],
    ['javascript:alert(1)', false],
    ['https://', false],
    ['https://a b', false],
    ['https://a/"onmouseover', false],
    ['https://a/\u0007', false],
  ])('keeps the session link %j only when it is a plain https URL (%s)', (url, kept) => {
    expect(normalizeTranscript({ header: { sessionUrl: url }, turns: [] }).header.sessionUrl).toBe(
      kept ? url : undefined,
    );
  });

  it('survives malformed input at run time without throwing', () => {
    for (const bad of [
      null,
      undefined,
      42,
      'x',
      { header: 'x', turns: 'y' },
      { turns: [null, 1, { role: 'boss', text: 3 }] },
    ]) {
      expect(() => normalizeTranscript(bad as unknown as Transcript)).not.toThrow();
    }
    expect(normalizeTranscript({ turns: [{ role: 'boss', text: 3 }] } as unknown as Transcript)).toEqual({
      header: {},
      turns: [{ at: '', role: 'system', text: '' }],
    });
  });

  it('keeps "__proto__" as an ordinary redaction kind', () => {
    const redactions = Object.fromEntries([['__proto__', 2]]) as Record<string, number>;
    const normal = normalizeTranscript({ header: { redactions }, turns: [] });
    expect(Object.keys(normal.header.redactions!)).toEqual(['__proto__']);
  });
});

describe('isSafeHttpsUrl (the linear link check, issue 29)', () => {
  // The check as it was: the same answers, reached by quadratic backtracking. Kept only as the reference.
  // eslint-disable-next-line regexp/no-super-linear-backtracking, regexp/optimal-quantifier-concatenation -- the reference being replaced
  const QUADRATIC = /^https:\/\/[^\s/?#\\"<>`]+[^\s\\"<>`]*$/i;
  const control = (value: string) => [...value].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f');
  const before = (value: string) => QUADRATIC.test(value) && !control(value);

  // Characters each class of the pattern treats differently, so random strings reach every branch.
  const pieces = fc.constantFrom(
    ...['https://', 'HTTPS://', 'http://', 'a', 'Z', '0', '.', '-', ':', '/', '?', '#', '\\', '"', '<', '>'],
    ...['`', "'", ' ', '\t', '\n', '\u0007', '\u007f', '\u00a0', '\u2028', 'é', '😀', '%20', '@', '&', '='],
  );
  const candidates = fc.oneof(
    fc.array(pieces, { maxLength: 24 }).map((parts) => parts.join('')),
    fc.array(pieces, { maxLength: 24 }).map((parts) => `https://${parts.join('')}`),
    fc.string({ unit: 'binary', maxLength: 40 }).map((rest) => `https://${rest}`),
  );

  it('answers as the quadratic pattern did, on any string', () => {
    fc.assert(
      fc.property(candidates, (value) => {
        expect(isSafeHttpsUrl(value)).toBe(before(value));
      }),
      { numRuns: 20_000, seed: 29 },
    );
  });

  it('answers a long link ending in a refused character (the input that made it quadratic)', () => {
    const attack = `https://${'a'.repeat(200_000)}"`;
    expect(isSafeHttpsUrl(attack)).toBe(false);
    expect(isSafeHttpsUrl(attack.slice(0, -1))).toBe(true);
  });
});
