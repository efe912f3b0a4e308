/**
 * Sends one Dataverse request until it succeeds, for a multi-request run (the backfill): a transient failure
 * is retried in place with the relay's backoff, a 429 waits for `Retry-After` through the shared pause (and
 * is not an attempt), and what no retry can fix stops the run instead of being retried.
 */
import { DataverseRequestError, TOKEN_UNAVAILABLE } from '../dataverse/client.js';
import type { DataverseFailure } from '../dataverse/errors.js';
import { decideRetry, type RetryPolicy } from '../delivery/retry-policy.js';
import type { SharedPause } from './shared-pause.js';

/** A failure every further request of the run would meet too: a refused token, a missing privilege, attempts used up. */
export class RunStopped extends Error {
  constructor(readonly failure: DataverseFailure) {
    super(failure.message);
  }
}

export interface PersistDeps {
  pause: SharedPause;
  policy: RetryPolicy;
  clock: () => number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Called while a pause holds the run, with when it ends. */
  onPaused?: (until: number) => void;
  /** Counted: 429 pauses set, transient failures retried. */
  counters: { pauses: number; retries: number };
}

const PRIVILEGE = '0x80040220';

/** `persist(request)`: its answer, or DataverseRequestError (a refusal for this request only), or RunStopped. */
export function persistence(deps: PersistDeps) {
  return async function persist<T>(request: () => Promise<T>): Promise<T> {
    for (let attempts = 0; ;) {
      const pausedUntil = await deps.pause.until();
      if (pausedUntil > deps.clock()) {
        deps.onPaused?.(pausedUntil);
        await deps.sleep(pausedUntil - deps.clock());
        continue;
      }
      try {
        return await request();
      } catch (error) {
        if (!(error instanceof DataverseRequestError)) throw error;
        const failure = error.failure;
        // The client already refreshed the token once: a second 401, or no token at all, is the credentials'.
        if (failure.httpStatus === 401 || failure.code === TOKEN_UNAVAILABLE || failure.code === PRIVILEGE)
          throw new RunStopped(failure);
        if (!failure.retryable) throw error;
        if (failure.httpStatus !== 429) attempts += 1;
        const decision = decideRetry(failure, Math.max(attempts, 1), deps.clock(), deps.policy, deps.random);
        if (decision.kind === 'dead-letter') throw new RunStopped(failure);
        if (decision.kind === 'pause') {
          deps.counters.pauses += 1;
          await deps.pause.pauseUntil(decision.untilMs);
          continue;
        }
        deps.counters.retries += 1;
        await deps.sleep(decision.atMs - deps.clock());
      }
    }
  };
}
