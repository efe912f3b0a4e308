import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../src/intake/json-depth.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

/** The depth JSON.parse sees, for comparison. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, not brackets inside strings or after escaped quotes', () => {
    expect(nestsDeeperThan(bytes('{"a":[{"b":[1]}]}'), 4)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":[{"b":[[1]]}]}'), 4)).toBe(true);
    expect(nestsDeeperThan(bytes('{"a":"[[[[[[[[{{{{"}'), 1)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":"\\"[[[[","b":"\\\\"}'), 1)).toBe(false);
    expect(nestsDeeperThan(bytes('["é😀[",["x"]]'), 2)).toBe(false);
    expect(nestsDeeperThan(bytes('["é😀[",[["x"]]]'), 2)).toBe(true);
  });

  it('agrees with the depth of the parsed value on any JSON', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'large' }), fc.nat(8), (text, limit) => {
        expect(nestsDeeperThan(bytes(text), limit)).toBe(depthOf(JSON.parse(text)) > limit);
      }),
      { numRuns: 2000, seed: 29 },
    );
  });
});
