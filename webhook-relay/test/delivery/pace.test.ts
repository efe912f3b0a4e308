import { describe, expect, it } from 'vitest';
import {
  afterCaseDelivered,
  afterCleanClaim,
  afterConcurrencyRefused,
  afterPauseRead,
  startingPace,
} from '../../src/delivery/pace.js';
import { RAISE_AFTER } from '../../src/delivery/concurrency-limit.js';

describe('the pace of the delivery loop', () => {
  it('starts with DELIVERY_WORKERS in flight and no pause seen', () => {
    expect(startingPace(4)).toEqual({ ramp: 4, concurrency: { cap: 4, clean: 0 }, pausedUntil: 0 });
  });

  it('starts the ramp again at one after a pause it had not seen, and only then', () => {
    const paused = afterPauseRead(startingPace(4), 5_000);
    expect(paused).toMatchObject({ ramp: 1, pausedUntil: 5_000 });
    const grown = afterCleanClaim(afterCleanClaim(paused));
    expect(afterPauseRead(grown, 5_000)).toBe(grown);
    expect(afterPauseRead(grown, 0)).toBe(grown);
  });

  it('doubles after each clean claim, up to the concurrency cap', () => {
    let pace = afterPauseRead(startingPace(8), 1);
    const ramps = [];
    for (let i = 0; i < 5; i += 1) ramps.push((pace = afterCleanClaim(pace)).ramp);
    expect(ramps).toEqual([2, 4, 8, 8, 8]);
  });

  it('after a concurrency refusal keeps one fewer than were in flight, and the ramp no higher', () => {
    const refused = afterConcurrencyRefused(startingPace(4), 4);
    expect(refused).toMatchObject({ ramp: 3, concurrency: { cap: 3, clean: 0 } });
    expect(afterCleanClaim(refused).ramp).toBe(3);
    // A ramp already below the new cap stays where it is.
    const ramping = afterPauseRead(startingPace(4), 1);
    expect(afterConcurrencyRefused(ramping, 4).ramp).toBe(1);
  });

  it('raises a lowered cap by one after a long run of deliveries', () => {
    let pace = afterConcurrencyRefused(startingPace(4), 4);
    for (let i = 0; i < RAISE_AFTER; i += 1) pace = afterCaseDelivered(pace, 4);
    expect(pace.concurrency.cap).toBe(4);
    expect(afterCleanClaim(pace).ramp).toBe(4);
  });
});
