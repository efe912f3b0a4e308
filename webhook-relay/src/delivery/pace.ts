/**
 * How many handoffs the loop keeps in flight (pure; delivery/loop.ts holds the state). After a fleet pause (a
 * 429, or a refused token: delivery/retry-policy.ts) it resumes gradually: one handoff at first, twice as many
 * after each claim that went through without a new pause, up to the concurrency cap, which a concurrency
 * refusal lowers (delivery/concurrency-limit.ts).
 */
import {
  afterConcurrencyRefusal,
  afterDelivered,
  unlimited,
  type ConcurrencyLimit,
} from './concurrency-limit.js';

export interface Pace {
  /** Handoffs in flight at most, now. */
  ramp: number;
  concurrency: ConcurrencyLimit;
  /** The end of the latest fleet pause this worker has seen: a later one starts the ramp again at one. */
  pausedUntil: number;
}

/** A worker that has seen no pause: DELIVERY_WORKERS in flight. */
export const startingPace = (workers: number): Pace => ({
  ramp: workers,
  concurrency: unlimited(workers),
  pausedUntil: 0,
});

/** The fleet's pause as the store has it, read before a claim (and over): a new one starts the ramp at one. */
export function afterPauseRead(pace: Pace, pauseUntil: number): Pace {
  return pauseUntil > pace.pausedUntil ? { ...pace, pausedUntil: pauseUntil, ramp: 1 } : pace;
}

/** A claim went through without a new pause: the next may be twice as large, up to the cap. */
export function afterCleanClaim(pace: Pace): Pace {
  return { ...pace, ramp: Math.min(pace.concurrency.cap, pace.ramp * 2) };
}

/** A case was delivered: one step towards raising a lowered cap. */
export function afterCaseDelivered(pace: Pace, workers: number): Pace {
  return { ...pace, concurrency: afterDelivered(pace.concurrency, workers) };
}

/** Dataverse refused one for concurrency with `inFlight` in flight: a lower cap, and a ramp no higher. */
export function afterConcurrencyRefused(pace: Pace, inFlight: number): Pace {
  const concurrency = afterConcurrencyRefusal(pace.concurrency, inFlight);
  return { ...pace, concurrency, ramp: Math.min(pace.ramp, concurrency.cap) };
}
