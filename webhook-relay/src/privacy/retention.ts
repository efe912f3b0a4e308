/**
 * Retention in the running relay (issue 25): a timer beside intake that removes, in small rounds, the
 * payload and personal fields of handoffs settled longer than PAYLOAD_RETENTION ago, of dead letters past
 * DEAD_LETTER_RETENTION, and then records and webhook ids past HANDOFF_RECORD_RETENTION. Pending handoffs are
 * never touched. Each round is one store call (the embedded store runs it on its writer thread, between
 * intake batches; PostgreSQL instances skip each other's rows), and the loop yields to intake between rounds.
 * Dead letters about to lose their payload are counted (a gauge) and named in one log line each.
 */
import type { RetentionSettings } from '../config/data-at-rest.js';
import { formatDuration } from '../config/data-at-rest.js';
import { messages } from '../messages.js';
import type { Logger } from '../observability/logger.js';
import type { RelayMetrics } from '../observability/metrics.js';
import type { AuditEntry, HandoffStore, PurgeCutoffs, PurgeResult } from '../store/types.js';
import { currentActor, recordAudit } from './audit.js';

/** Rows per category and round: a round stays a few milliseconds, so intake batches are never held long. */
export const PURGE_BATCH = 200;
const MAX_ROUNDS_PER_RUN = 1000;
const DAY = 86_400_000;

/** What may go at `now`: everything settled or received at or before each cutoff. */
export function purgeCutoffs(settings: RetentionSettings, now: number): PurgeCutoffs {
  return {
    settledBefore: now - settings.payloadMs,
    failedBefore: now - settings.deadLetterMs,
    recordsBefore: now - settings.recordMs,
    webhookIdsBefore: now - settings.recordMs,
  };
}

/** How long before its payload goes a dead letter is announced: a tenth of its retention, at most 3 days. */
export function warningWindowMs(settings: RetentionSettings): number {
  return Math.min(3 * DAY, Math.floor(settings.deadLetterMs / 10));
}

/** Half the shortest retention, between 250 ms and a minute: a payload outlives its retention by at most that. */
export function purgeIntervalMs(settings: RetentionSettings): number {
  return Math.min(60_000, Math.max(250, Math.floor(Math.min(settings.payloadMs, settings.deadLetterMs) / 2)));
}

export interface RetentionDeps {
  store: HandoffStore;
  settings: RetentionSettings;
  logger?: Logger;
  metrics?: RelayMetrics;
  clock?: () => number;
  batchSize?: number;
  intervalMs?: number;
  actor?: Pick<AuditEntry, 'user' | 'host'>;
}

export interface Retention {
  start(): void;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
  /** One run: rounds until nothing is left to remove (or the run's cap), then the dead-letter warning. */
  runOnce(): Promise<PurgeResult>;
}

const add = (a: PurgeResult, b: PurgeResult): PurgeResult => ({
  payloads: a.payloads + b.payloads,
  deadLetters: a.deadLetters + b.deadLetters,
  records: a.records + b.records,
  webhookIds: a.webhookIds + b.webhookIds,
});
const NOTHING: PurgeResult = { payloads: 0, deadLetters: 0, records: 0, webhookIds: 0 };
/**
 * Between rounds the purge rests as long as the round took, so a long purge (a first start with months of
 * records, a retention just shortened) takes at most half of the store's time: on PostgreSQL every round is
 * work for the same server that commits intake's inserts, and without the rest 100,000 rows purged beside
 * intake raised its p99 1.5x (bench/retention-purge.mjs). A round that took under a millisecond just yields.
 * Measured with the monotonic clock, not the injected one: this is pacing, not a decision.
 */
const restAfter = (roundMs: number) =>
  new Promise<void>((resolve) => (roundMs < 1 ? setImmediate(resolve) : setTimeout(resolve, roundMs)));
const m = messages.dataAtRest;

export function createRetention(deps: RetentionDeps): Retention {
  const { store, settings } = deps;
  const clock = deps.clock ?? Date.now;
  const batch = deps.batchSize ?? PURGE_BATCH;
  const actor = deps.actor ?? currentActor();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  const warned = new Set<string>();

  function countPurged(removed: PurgeResult): void {
    deps.metrics?.purged.inc({ what: 'payload' }, removed.payloads);
    deps.metrics?.purged.inc({ what: 'dead_letter' }, removed.deadLetters);
    deps.metrics?.purged.inc({ what: 'record' }, removed.records);
    deps.metrics?.purged.inc({ what: 'webhook_id' }, removed.webhookIds);
  }

  async function warnDeadLetters(now: number): Promise<void> {
    const window = warningWindowMs(settings);
    const expiring = await store.deadLettersExpiring(now - settings.deadLetterMs + window, 20);
    deps.metrics?.deadLettersExpiring.set(expiring.count);
    const fresh = expiring.keys.filter((key) => !warned.has(key));
    if (fresh.length) {
      for (const key of fresh) warned.add(key);
      deps.logger?.warn(
        { deadLetters: expiring.count, keys: fresh, within: formatDuration(window) },
        m.deadLettersExpiring(expiring.count, formatDuration(window)),
      );
    }
    // Forget keys that are gone, so the set stays as small as the warning list.
    if (warned.size > 1000)
      for (const key of [...warned]) if (!expiring.keys.includes(key)) warned.delete(key);
  }

  async function runOnce(): Promise<PurgeResult> {
    let total = NOTHING;
    for (let round = 0; round < MAX_ROUNDS_PER_RUN; round += 1) {
      const now = clock();
      const started = performance.now();
      const removed = await store.purge(purgeCutoffs(settings, now), batch, now);
      total = add(total, removed);
      // Counted round by round, so that /metrics shows a long purge's progress while it runs.
      countPurged(removed);
      if (Math.max(removed.payloads, removed.deadLetters, removed.records, removed.webhookIds) < batch) break;
      await restAfter(performance.now() - started);
    }
    const now = clock();
    if (total.payloads + total.deadLetters + total.records + total.webhookIds > 0) {
      await recordAudit(store, 'purge', { ...total }, now, actor);
      deps.logger?.info({ ...total }, m.purged);
    }
    await warnDeadLetters(now);
    return total;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        running = runOnce()
          .catch((error: unknown) => deps.logger?.warn({ err: (error as Error).message }, m.purgeFailed))
          .finally(() => {
            running = undefined;
            schedule();
          });
      },
      deps.intervalMs ?? purgeIntervalMs(settings),
    );
    timer.unref();
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    runOnce,
  };
}
