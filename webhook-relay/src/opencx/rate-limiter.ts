/**
 * A token bucket for OpenCX's API (about 100 requests a minute per key). Shared by every worker of a
 * relay process; a fleet divides the budget with OPENCX_RATE_LIMIT_PER_MINUTE per instance.
 */
export interface RateLimiter {
  /** Resolves when a request may be sent. */
  take(): Promise<void>;
}

export function createRateLimiter(options: {
  perMinute: number;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}): RateLimiter {
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const capacity = Math.max(1, options.perMinute);
  const perMs = capacity / 60_000;
  let tokens = capacity;
  let updated = clock();
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const now = clock();
    tokens = Math.min(capacity, tokens + (now - updated) * perMs);
    updated = now;
  };

  return {
    take() {
      // One waiter at a time, in order: fair between workers.
      const turn = queue.then(async () => {
        refill();
        while (tokens < 1) {
          await sleep(Math.ceil((1 - tokens) / perMs));
          refill();
        }
        tokens -= 1;
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}
