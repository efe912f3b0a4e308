import { describe, expect, it } from 'vitest';
import {
  afterConcurrencyRefusal,
  afterDelivered,
  RAISE_AFTER,
  unlimited,
} from '../../src/delivery/concurrency-limit.js';

describe('the concurrency cap after a 0x80072326 refusal', () => {
  it('keeps one fewer in flight than when refused, never fewer than one, never more than before', () => {
    expect(afterConcurrencyRefusal(unlimited(4), 4)).toEqual({ cap: 3, clean: 0 });
    expect(afterConcurrencyRefusal({ cap: 3, clean: 7 }, 3)).toEqual({ cap: 2, clean: 0 });
    expect(afterConcurrencyRefusal({ cap: 2, clean: 0 }, 4)).toEqual({ cap: 2, clean: 0 });
    expect(afterConcurrencyRefusal({ cap: 1, clean: 0 }, 1)).toEqual({ cap: 1, clean: 0 });
  });

  it('rises by one only after a long run of deliveries without a refusal, up to DELIVERY_WORKERS', () => {
    let limit = { cap: 2, clean: 0 };
    for (let i = 0; i < RAISE_AFTER - 1; i += 1) limit = afterDelivered(limit, 4);
    expect(limit.cap).toBe(2);
    limit = afterDelivered(limit, 4);
    expect(limit).toEqual({ cap: 3, clean: 0 });
    expect(afterDelivered(unlimited(4), 4)).toEqual(unlimited(4));
  });
});
