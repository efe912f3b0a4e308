/**
 * How many handoffs this worker keeps in flight after Dataverse refused one for concurrency (429 0x80072326,
 * "Number of concurrent requests exceeded the limit": Service protection API limits). The pause alone does not
 * help: once Retry-After has passed the ramp doubles back to DELIVERY_WORKERS and meets the same refusal,
 * which pauses everyone again. So the worker remembers one fewer than it had in flight when refused, and
 * only creeps back up after a long run without a refusal ("gradually increase … until you start hitting the
 * service protection API limits", Service protection API limits: How to maximize throughput). Pure.
 */

/** Dataverse's concurrency refusal (Service protection API limits: Concurrent requests). */
export const CONCURRENCY_LIMIT = '0x80072326';
/** Deliveries without a concurrency refusal before the cap rises by one. */
export const RAISE_AFTER = 500;

export interface ConcurrencyLimit {
  /** Handoffs in flight at most. */
  cap: number;
  /** Deliveries since the cap last moved. */
  clean: number;
}

export const unlimited = (workers: number): ConcurrencyLimit => ({ cap: workers, clean: 0 });

/** Refused with `inFlight` handoffs in flight (the refused one included): one fewer from now on. */
export function afterConcurrencyRefusal(limit: ConcurrencyLimit, inFlight: number): ConcurrencyLimit {
  return { cap: Math.max(1, Math.min(limit.cap, inFlight - 1)), clean: 0 };
}

/** A delivery went through: after RAISE_AFTER of them, one more in flight (up to DELIVERY_WORKERS). */
export function afterDelivered(limit: ConcurrencyLimit, workers: number): ConcurrencyLimit {
  if (limit.cap >= workers) return limit;
  const clean = limit.clean + 1;
  return clean >= RAISE_AFTER ? { cap: limit.cap + 1, clean: 0 } : { cap: limit.cap, clean };
}
