import { describe, expect, it } from 'vitest';
import { gateDelay } from '../../src/delivery/readiness.js';

describe("the delivery gate's wait between two tries", () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6].map((n) => gateDelay(n, 1000, 10_000, undefined, top))).toEqual([
      999, 1999, 3999, 7999, 9999, 9999,
    ]);
    expect(gateDelay(3, 1000, 10_000, undefined, () => 0)).toBe(1);
  });

  it("never waits less than a 429's Retry-After", () => {
    expect(gateDelay(1, 1000, 10_000, 30_000, () => 0.5)).toBe(30_000);
    expect(gateDelay(4, 1000, 10_000, 100, () => 0.5)).toBe(4000);
  });
});
