/**
 * The store's transitions of the records a worker delivers, each named once (as graphile/worker keeps one
 * file per job transition): claim and renew the leases, save progress, settle, release for a later attempt,
 * reschedule (the retry policy decides when, or dead-letters), pause the fleet, and release every lease at
 * stop. Every write a worker makes to a record it holds goes through here, under its owner id.
 */
import type { RelayConfig } from '../config/types.js';
import type { Logger } from '../observability/logger.js';
import type { RelayMetrics } from '../observability/metrics.js';
import type {
  HandoffError,
  HandoffPatch,
  HandoffRecord,
  HandoffStore,
  TerminalStatus,
} from '../store/types.js';
import type { RetryLater } from './opencx-step.js';
import { dataversePauseScope, decideRetry } from './retry-policy.js';

export interface TransitionDeps {
  config: Pick<RelayConfig, 'delivery' | 'dataverseUrl' | 'auth'>;
  store: HandoffStore;
  /** The lease owner: this worker. */
  owner: string;
  metrics?: RelayMetrics;
  logger?: Logger;
  random: () => number;
}

/** What `release` writes besides the status: when the record is due again, and why it was put back. */
type Release = HandoffPatch & { nextAttemptAt: number; lastError: HandoffError };

export class Transitions {
  private readonly pauseScope: string;

  constructor(private readonly deps: TransitionDeps) {
    this.pauseScope = dataversePauseScope(deps.config);
  }

  /** Takes up to `limit` due records under a lease of DELIVERY_LEASE_MS. */
  claim(limit: number, now: number): Promise<HandoffRecord[]> {
    return this.deps.store.claim(this.deps.owner, limit, now, this.deps.config.delivery.leaseMs);
  }

  /** Extends the leases of `keys`; the keys whose lease this worker still holds. */
  renew(keys: readonly string[], now: number): Promise<string[]> {
    return this.deps.store.renew(this.deps.owner, keys, now, this.deps.config.delivery.leaseMs);
  }

  /** Gives back every lease this worker holds (at stop). */
  async releaseAll(now: number): Promise<void> {
    await this.deps.store.releaseAll(this.deps.owner, now);
  }

  /** Until when every worker on this Dataverse application user pauses (0 or past: no pause). */
  pausedUntil(): Promise<number> {
    return this.deps.store.getPauseUntil(this.pauseScope);
  }

  /** Pauses every worker on this application user until `untilMs` (only ever moves the pause later). */
  pauseFleet(untilMs: number): Promise<void> {
    return this.deps.store.setPauseUntil(this.pauseScope, untilMs);
  }

  /** Progress on the way, the lease kept: `fetching`, `delivering`, a payload fetched or redacted. */
  async save(record: HandoffRecord, patch: HandoffPatch, now: number): Promise<void> {
    await this.deps.store.update(record.key, this.deps.owner, patch, now);
  }

  /** Records how a record ended and counts it in the metrics: every terminal status goes through here. */
  async settle(
    record: HandoffRecord,
    patch: HandoffPatch & { status: TerminalStatus },
    now: number,
  ): Promise<void> {
    await this.deps.store.update(record.key, this.deps.owner, patch, now);
    // A routing step ends a case's routing, not a handoff: opencx_relay_handoffs_total counts handoffs.
    if (record.kind !== 'route') this.deps.metrics?.outcomes.inc({ status: patch.status });
  }

  /** Back to `received`, due at `nextAttemptAt`, the lease released so that any worker may take it then. */
  async release(record: HandoffRecord, patch: Release, now: number): Promise<void> {
    await this.deps.store.update(
      record.key,
      this.deps.owner,
      { ...patch, status: 'received', releaseLease: true },
      now,
    );
  }

  /**
   * Back to `received` for a later attempt (when the server said, else as the retry policy decides), or
   * dead-lettered when the attempts are used up. `patch` is written with it (what a read that gave up keeps).
   * `message`: the log line (every step but unified routing logs the OpenCX fetch's, as it always has).
   */
  async reschedule(
    record: HandoffRecord,
    later: Pick<RetryLater, 'error' | 'atMs' | 'countsAsAttempt'>,
    now: number,
    patch: HandoffPatch = {},
    message = 'OpenCX fetch failed, will retry',
  ): Promise<void> {
    const { error } = later;
    const attempts = record.attempts + (later.countsAsAttempt ? 1 : 0);
    const decision =
      later.atMs !== undefined
        ? ({ kind: 'retry', atMs: later.atMs } as const)
        : decideRetry(
            {
              httpStatus: error.httpStatus ?? 0,
              code: error.code ?? '',
              message: error.message,
              reason: error.reason,
              retryable: true,
            },
            attempts,
            now,
            this.deps.config.delivery,
            this.deps.random,
          );
    if (decision.kind === 'dead-letter') {
      await this.settle(record, { ...patch, status: 'failed', attempts, lastError: error }, now);
      return;
    }
    const at = decision.kind === 'retry' ? decision.atMs : decision.untilMs;
    await this.release(record, { ...patch, attempts, nextAttemptAt: at, lastError: error }, now);
    this.deps.logger?.warn({ handoffKey: record.key, code: error.code, attempts }, message);
  }
}
