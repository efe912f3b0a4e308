/**
 * The delivery worker: claims due handoffs from the store, resolves the customer (at most one GET),
 * creates contact + case + queue item [+ note] in one `$batch` change set with a ticket-number read-back,
 * and records the outcome. A 412 on the case means an earlier attempt already created it.
 */
import { randomUUID } from 'node:crypto';
import { queueModeOf, type RelayConfig } from '../config/types.js';
import { DataverseRequestError, TOKEN_UNAVAILABLE, type DataverseClient } from '../dataverse/client.js';
import { DUPLICATE_KEY, type DataverseFailure } from '../dataverse/errors.js';
import type { HandoffDocument } from '../handoff/document.js';
import type { Logger } from '../observability/logger.js';
import { countRedactions as countRedactionsIn, type RelayMetrics } from '../observability/metrics.js';
import type { OpenCxClient } from '../opencx/client.js';
import type { OpenCxEventPayload } from '../opencx/envelope.js';
import type {
  HandoffError,
  HandoffPatch,
  HandoffRecord,
  HandoffStore,
  TerminalStatus,
} from '../store/types.js';
import { fetchHandoffDocument, progressPatch, withDocument } from './opencx-step.js';
import {
  appendFromClosedSession,
  runAppend,
  type AppendPayload,
  type AppendStepOutcome,
  type ClosedSessionPayload,
} from './append-step.js';
import type { OpenCxEnvelope } from '../opencx/envelope.js';
import {
  customerLookup,
  planIncident,
  resolveCustomer,
  type CustomerResolution,
  type DeliveryMetadata,
} from './plan.js';
import { dataversePauseScope, decideRetry, pausesEveryWorker } from './retry-policy.js';
import { messages } from '../messages.js';
import type { RedactionCounts } from '../redaction/rules.js';
import { redactDocument, redactPayload, redactTexts } from '../redaction/payloads.js';
import { shownRedactions, turnRedactions } from './redact-step.js';
import { languageOfHandoff } from '../handoff/language.js';
import { runRoute, scheduleRouting } from './route-step.js';
import {
  afterConcurrencyRefusal,
  afterDelivered,
  CONCURRENCY_LIMIT,
  unlimited,
} from './concurrency-limit.js';

export interface WorkerDeps {
  config: RelayConfig;
  store: HandoffStore;
  dataverse: DataverseClient;
  metadata: DeliveryMetadata;
  metrics?: RelayMetrics;
  logger?: Logger;
  clock?: () => number;
  random?: () => number;
  ownerId?: string;
  pollIntervalMs?: number;
  /** OpenCX's API, for native events (absent when OPENCX_API_KEY is not set). */
  opencx?: OpenCxClient;
}

export interface DeliveryWorker {
  start(): void;
  stop(): Promise<void>;
  /** Claims and delivers one round of due handoffs; resolves with how many were handled. */
  runOnce(): Promise<number>;
  /** Renews the leases of the handoffs being delivered (on a timer while running); how many it still holds. */
  renewLeases(): Promise<number>;
  wake(): void;
}

type Outcome =
  | { status: 'created' | 'duplicate'; ticketNumber?: string }
  | { status: 'retry' | 'failed' | 'paused'; failure: DataverseFailure };

export function createDeliveryWorker(deps: WorkerDeps): DeliveryWorker {
  const clock = deps.clock ?? Date.now;
  const random = deps.random ?? Math.random;
  const owner = deps.ownerId ?? `worker-${randomUUID()}`;
  const pauseScope = dataversePauseScope(deps.config);
  const { config, store, dataverse } = deps;
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  // After a 429 pause, resume gradually: one handoff at first, doubling each good round up to the limit.
  let ramp = config.delivery.workers;
  // After a concurrency refusal, fewer in flight for a while (delivery/concurrency-limit.ts).
  let concurrency = unlimited(config.delivery.workers);
  let pausedUntil = 0;
  // Set when a round found the fleet paused: the loop sleeps until then instead of a poll interval, so
  // delivery resumes the moment Retry-After has passed (measured: bench/drain.mjs).
  let resumeAt = 0;
  const unifiedRouting = queueModeOf(config) === 'unified-routing';
  const redaction = config.redaction;
  const redacting = redaction.rules.length > 0;

  const countRedactions = (counts: RedactionCounts) => countRedactionsIn(deps.metrics, counts);
  const redactFetched = (document: HandoffDocument) => {
    const redacted = redactDocument(document, redaction);
    countRedactions(redacted.counts);
    return redacted.value;
  };
  const redactTurns = <T extends { text: string }>(turns: T[], language: string | undefined) => {
    const redacted = redactTexts(turns, redaction, language);
    countRedactions(redacted.counts);
    return redacted.value;
  };

  /**
   * Intake stores only redacted payloads, so for a record this relay took this finds nothing and writes
   * only `patch`. A record an older relay stored as it came (the backlog at an upgrade, or what a fleet's
   * not yet upgraded instances take during a rolling upgrade) is redacted here, and saved redacted in the
   * same update, before anything of it reaches Dataverse. Redacting a redacted payload changes nothing.
   */
  async function ensureRedacted(
    record: HandoffRecord,
    language?: string,
    /** Written in the same store update (one commit on the handoff's path instead of two). */
    patch: HandoffPatch = {},
  ): Promise<HandoffRecord> {
    const redacted = redactPayload(record.kind, record.payload, redaction, language);
    if (!redacted.changed) {
      if (Object.keys(patch).length) await store.update(record.key, owner, patch, clock());
      return record;
    }
    countRedactions(redacted.counts);
    await store.update(record.key, owner, { ...patch, payload: redacted.value }, clock());
    return { ...record, payload: redacted.value };
  }

  /** Records how a handoff ended and counts it in the metrics: every terminal status goes through here. */
  async function settle(
    record: HandoffRecord,
    patch: HandoffPatch & { status: TerminalStatus },
    now: number,
  ): Promise<void> {
    await store.update(record.key, owner, patch, now);
    // A routing step ends a case's routing, not a handoff: opencx_relay_handoffs_total counts handoffs.
    if (record.kind !== 'route') deps.metrics?.outcomes.inc({ status: patch.status });
  }

  async function readTicket(key: string): Promise<string | undefined> {
    const row = await dataverse.get<{ ticketnumber?: string }>(`incidents(${key})?$select=ticketnumber`);
    return row.ticketnumber;
  }

  async function deliver(record: HandoffRecord, document: HandoffDocument): Promise<Outcome> {
    try {
      const lookup = customerLookup(document, config);
      const rows = lookup
        ? (await dataverse.get<{ value: Array<{ contactid: string }> }>(lookup.path)).value
        : [];
      let customer: CustomerResolution = resolveCustomer(document, lookup, rows, config.phoneDefaultCountry);
      for (;;) {
        const plan = planIncident(record.key, document, customer, config, deps.metadata, {
          redactions: shownRedactions(document),
        });
        try {
          const results = await dataverse.batch(plan.operations, [plan.readBack]);
          const readBack = results.at(-1);
          const ticket =
            readBack?.status === 200
              ? (JSON.parse(readBack.body) as { ticketnumber?: string }).ticketnumber
              : undefined;
          return { status: 'created', ticketNumber: ticket };
        } catch (error) {
          if (!(error instanceof DataverseRequestError) || error.failure.code !== DUPLICATE_KEY) throw error;
          const contentId = (error as DataverseRequestError & { contentId?: string }).contentId;
          // 412 on the contact we create: another handoff from this caller made it; link it and resend at once.
          if (customer.kind === 'create' && contentId === '1') {
            customer = { kind: 'contact', id: customer.id, match: 'email' };
            continue;
          }
          return { status: 'duplicate', ticketNumber: await readTicket(record.key) };
        }
      }
    } catch (error) {
      if (!(error instanceof DataverseRequestError)) throw error;
      return {
        status: pausesEveryWorker(error.failure) ? 'paused' : error.failure.retryable ? 'retry' : 'failed',
        failure: error.failure,
      };
    }
  }

  /**
   * A native OpenCX event first becomes a handoff document (fetched once, then kept with the record).
   * Returns undefined when the record was settled here (skipped, dead-lettered or rescheduled).
   */
  async function documentOf(record: HandoffRecord): Promise<HandoffDocument | undefined> {
    if (record.kind !== 'opencx-event') return JSON.parse(record.payload) as HandoffDocument;
    const payload = JSON.parse(record.payload) as OpenCxEventPayload;
    if (!payload.document) await store.update(record.key, owner, { status: 'fetching' }, clock());
    const fetched = await fetchHandoffDocument(
      payload,
      deps.opencx,
      config,
      redacting ? redactTurns : undefined,
    );
    const now = clock();
    const log = deps.logger?.child({ handoffKey: record.key });
    switch (fetched.kind) {
      case 'ready': {
        if (!fetched.fetched) return fetched.document;
        // Fetched from OpenCX just now: only the redacted form is ever stored.
        const document = redactFetched(fetched.document);
        await store.update(
          record.key,
          owner,
          { payload: JSON.stringify(withDocument(payload, document)) },
          now,
        );
        return document;
      }
      case 'skip':
        await settle(
          record,
          {
            status: 'skipped',
            note: fetched.note,
            payload: JSON.stringify(withDocument(payload, redactFetched(fetched.document))),
          },
          now,
        );
        log?.info({ note: fetched.note }, 'OpenCX event skipped');
        return undefined;
      case 'failed':
        await settle(
          record,
          { status: 'failed', attempts: record.attempts + 1, lastError: fetched.error },
          now,
        );
        log?.error(
          { code: fetched.error.code, reason: fetched.error.reason },
          'OpenCX event failed for good',
        );
        return undefined;
      case 'retry': {
        const patch = progressPatch(payload, fetched);
        await reschedule(record, fetched.error, fetched.countsAsAttempt, fetched.atMs, now, patch);
        return undefined;
      }
    }
  }

  /** Back to `received` for a later attempt, or dead-lettered when the attempts are used up. */
  async function reschedule(
    record: HandoffRecord,
    error: HandoffError,
    counts: boolean,
    atMs: number | undefined,
    now: number,
    /** Written with the reschedule (what a fetch that gave up keeps). */
    patch: HandoffPatch = {},
  ) {
    const attempts = record.attempts + (counts ? 1 : 0);
    const decision =
      atMs !== undefined
        ? ({ kind: 'retry', atMs } as const)
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
            config.delivery,
            random,
          );
    if (decision.kind === 'dead-letter') {
      await settle(record, { ...patch, status: 'failed', attempts, lastError: error }, now);
      return;
    }
    const at = decision.kind === 'retry' ? decision.atMs : decision.untilMs;
    await store.update(
      record.key,
      owner,
      { ...patch, status: 'received', attempts, nextAttemptAt: at, lastError: error, releaseLease: true },
      now,
    );
    deps.logger?.warn(
      { handoffKey: record.key, code: error.code, attempts },
      'OpenCX fetch failed, will retry',
    );
  }

  /** An append job, or a session-closed event: turns after the handoff for a case that exists. */
  async function handleAppend(record: HandoffRecord, closed?: ClosedSessionPayload): Promise<void> {
    const appendDeps = {
      store,
      dataverse,
      metadata: deps.metadata,
      countRedactions: turnRedactions,
      // The turns read from OpenCX when the session closes reach Dataverse without being stored: redacted
      // here. An append job's turns were redacted by intake (or just now, by ensureRedacted).
      ...(redacting && closed ? { redact: redactTurns } : {}),
    };
    let outcome: AppendStepOutcome;
    try {
      if (closed) outcome = await appendFromClosedSession(closed, deps.opencx, appendDeps);
      else {
        // The turns after a handoff are in the handoff's language: read its spoken digits too.
        const { handoffKey } = JSON.parse(record.payload) as AppendPayload;
        const handoff = await store.get(handoffKey);
        const language = handoff ? languageOfHandoff(handoff) : undefined;
        const payload = JSON.parse((await ensureRedacted(record, language)).payload) as AppendPayload;
        outcome = await runAppend(
          { key: payload.handoffKey, messages: payload.messages, handoff },
          appendDeps,
        );
      }
    } catch (error) {
      const reason = 'The relay could not add the turns after the handoff; see the logs.';
      outcome = { kind: 'failed', error: { code: 'relay_error', message: (error as Error).message, reason } };
    }
    await settleStep(record, outcome, closed);
  }

  /** Unified routing for a created case (delivery/route-step.ts). */
  async function handleRoute(record: HandoffRecord): Promise<void> {
    let outcome: AppendStepOutcome;
    try {
      outcome = await runRoute(record, dataverse);
    } catch (error) {
      deps.logger?.error({ handoffKey: record.key, err: error }, 'routing failed');
      const reason = 'The relay could not apply unified routing; see the logs.';
      outcome = { kind: 'failed', error: { code: 'relay_error', message: (error as Error).message, reason } };
    }
    await settleStep(record, outcome);
  }

  /**
   * Records how an append or a routing step ended (done, skipped, dead-lettered, or due again); a closed
   * session's read that gave up keeps what it read (progressPatch).
   */
  async function settleStep(
    record: HandoffRecord,
    outcome: AppendStepOutcome,
    closed?: ClosedSessionPayload,
  ): Promise<void> {
    const now = clock();
    switch (outcome.kind) {
      case 'done':
        await settle(
          record,
          { status: outcome.status, incidentId: outcome.incidentId, note: outcome.note, lastError: null },
          now,
        );
        return;
      case 'skip':
        await settle(record, { status: 'skipped', note: outcome.note }, now);
        return;
      case 'failed':
        await settle(
          record,
          { status: 'failed', attempts: record.attempts + 1, lastError: outcome.error },
          now,
        );
        return;
      case 'retry': {
        const patch = closed ? progressPatch(closed, outcome) : {};
        await reschedule(record, outcome.error, outcome.countsAsAttempt, outcome.atMs, now, patch);
      }
    }
  }

  /** The handoffs this worker is delivering right now, whose leases it renews while it works. */
  const held = new Set<string>();
  let renewal: ReturnType<typeof setInterval> | undefined;

  async function handle(record: HandoffRecord): Promise<void> {
    held.add(record.key);
    try {
      await deliverRecord(record);
    } finally {
      held.delete(record.key);
    }
  }

  /**
   * Extends the leases of the handoffs still at work, every third of DELIVERY_LEASE_MS while the worker
   * runs: a lease can then be short (a crashed instance's handoffs are taken over within it), and a slow
   * Dataverse call never lets another instance deliver the same handoff meanwhile.
   */
  async function renewLeases(): Promise<number> {
    const keys = [...held];
    if (!keys.length) return 0;
    const still = await store.renew(owner, keys, clock(), config.delivery.leaseMs);
    if (still.length < keys.length)
      deps.logger?.warn(
        { lost: keys.filter((key) => !still.includes(key)) },
        'lease lost while delivering: another worker may deliver it too (Dataverse answers 412 to the second case)',
      );
    return still.length;
  }

  async function deliverRecord(record: HandoffRecord): Promise<void> {
    const log = deps.logger?.child({ handoffKey: record.key });
    if (record.kind === 'append') return handleAppend(record);
    if (record.kind === 'route') return handleRoute(record);
    if (record.kind === 'opencx-event') {
      const { envelope } = JSON.parse(record.payload) as { envelope: OpenCxEnvelope };
      if (envelope.event === 'conversation.closed') {
        const redacted = await ensureRedacted(record);
        return handleAppend(redacted, JSON.parse(redacted.payload) as ClosedSessionPayload);
      }
    }
    let document: HandoffDocument | undefined;
    // Our own handoff document needs no fetching: it is marked `delivering` (and, stored by an older relay,
    // redacted) in one update.
    const direct = record.kind === 'handoff';
    // Outside the try: a store that cannot be reached is not this handoff's fault (the round fails, the
    // lease runs out, the handoff is taken again); only a payload that cannot be read is dead-lettered.
    const stored = direct ? await ensureRedacted(record, undefined, { status: 'delivering' }) : undefined;
    try {
      document = stored
        ? (JSON.parse(stored.payload) as HandoffDocument)
        : await documentOf(await ensureRedacted(record));
    } catch (error) {
      const reason = 'The relay could not process this OpenCX event; see the logs.';
      await settle(
        record,
        { status: 'failed', lastError: { code: 'relay_error', message: (error as Error).message, reason } },
        clock(),
      );
      return;
    }
    if (!document) return;
    if (!direct) await store.update(record.key, owner, { status: 'delivering' }, clock());
    let outcome: Outcome;
    try {
      outcome = await deliver(record, document);
    } catch (error) {
      // Not a Dataverse answer (a bug or corrupt payload): keep it visible, never lose it.
      outcome = {
        status: 'failed',
        failure: {
          httpStatus: 0,
          code: 'relay_error',
          message: (error as Error).message,
          retryable: false,
          reason: 'The relay could not process this handoff; see the logs.',
        },
      };
    }
    const now = clock();
    if (!('failure' in outcome)) {
      // Unified routing is asked once the case exists, by a record of its own, stored before this one settles.
      const route = unifiedRouting ? await scheduleRouting(store, record, now) : undefined;
      await settle(
        record,
        {
          status: outcome.status,
          incidentId: record.key,
          ticketNumber: outcome.ticketNumber,
          lastError: null,
          ...(route ? { note: messages.routing.scheduled(route) } : {}),
        },
        now,
      );
      deps.metrics?.deliveryLatency.observe((now - record.receivedAt) / 1000);
      concurrency = afterDelivered(concurrency, config.delivery.workers);
      log?.info({ status: outcome.status, ticketNumber: outcome.ticketNumber }, 'case delivered');
      return;
    }
    const failure = outcome.failure;
    const lastError = {
      code: failure.code,
      httpStatus: failure.httpStatus,
      message: failure.message,
      reason: failure.reason,
    };
    const attempts = record.attempts + (outcome.status === 'paused' ? 0 : 1);
    const decision = decideRetry(failure, attempts, now, config.delivery, random);
    if (decision.kind === 'pause') {
      if (failure.code === CONCURRENCY_LIMIT) {
        concurrency = afterConcurrencyRefusal(concurrency, held.size);
        ramp = Math.min(ramp, concurrency.cap);
      }
      await store.setPauseUntil(pauseScope, decision.untilMs);
      if (failure.httpStatus === 429) deps.metrics?.throttlePauses.inc();
      else deps.metrics?.tokenPauses.inc();
      await store.update(
        record.key,
        owner,
        { status: 'received', nextAttemptAt: decision.untilMs, lastError, releaseLease: true },
        now,
      );
      // Which service-protection limit (0x80072322 requests, 0x80072321 execution time, 0x80072326 concurrency)
      // and Dataverse's own message naming it: what operators read the budget from (Service protection API limits).
      log?.warn(
        {
          until: decision.untilMs,
          status: failure.httpStatus,
          code: failure.code,
          limit: failure.message,
          retryAfterSeconds: failure.retryAfterSeconds,
        },
        failure.httpStatus === 429
          ? 'Dataverse throttled: pausing all workers'
          : failure.code === TOKEN_UNAVAILABLE
            ? messages.delivery.tokenUnavailable
            : messages.delivery.tokenPaused,
      );
    } else if (decision.kind === 'retry') {
      await store.update(
        record.key,
        owner,
        { status: 'received', attempts, nextAttemptAt: decision.atMs, lastError, releaseLease: true },
        now,
      );
      log?.warn({ attempts, code: failure.code, status: failure.httpStatus }, 'delivery failed, will retry');
    } else {
      await settle(record, { status: 'failed', attempts, lastError }, now);
      log?.error(
        { attempts, code: failure.code, status: failure.httpStatus, reason: failure.reason },
        'delivery failed for good',
      );
    }
  }

  async function runOnce(): Promise<number> {
    const now = clock();
    const pause = await store.getPauseUntil(pauseScope);
    if (pause > now) {
      resumeAt = pause;
      return 0;
    }
    if (pause > pausedUntil) {
      pausedUntil = pause;
      ramp = 1;
    }
    const claimed = await store.claim(owner, ramp, now, config.delivery.leaseMs);
    await Promise.all(claimed.map((record) => handle(record)));
    if ((await store.getPauseUntil(pauseScope)) <= pausedUntil) ramp = Math.min(concurrency.cap, ramp * 2);
    return claimed.length;
  }

  /**
   * The running loop keeps up to `ramp` handoffs in flight and claims again as soon as one finishes or
   * intake stores a new one, rather than in rounds: a handoff that arrives while others are being delivered
   * starts at once instead of waiting for the slowest of the round (bench/latency.mjs).
   */
  let inFlight = 0;
  const handling = new Set<Promise<void>>();
  let woken = false;

  /** Claims what there is room for and starts handling it; how many it claimed and how many it asked. */
  async function fill(): Promise<{ claimed: number; asked: number }> {
    const now = clock();
    const pause = await store.getPauseUntil(pauseScope);
    if (pause > now) {
      resumeAt = pause;
      return { claimed: 0, asked: 0 };
    }
    if (pause > pausedUntil) {
      pausedUntil = pause;
      ramp = 1;
    }
    const asked = ramp - inFlight;
    if (asked <= 0) return { claimed: 0, asked: 0 };
    const claimed = await store.claim(owner, asked, now, config.delivery.leaseMs);
    if (claimed.length) {
      inFlight += claimed.length;
      const pauseAtClaim = pausedUntil;
      let left = claimed.length;
      for (const record of claimed) {
        const job = handle(record)
          .catch((error: unknown) =>
            deps.logger?.error({ err: (error as Error).message, handoffKey: record.key }, 'delivery failed'),
          )
          .finally(async () => {
            inFlight -= 1;
            handling.delete(job);
            left -= 1;
            // A claim that went through without a new 429 pause lets the next one be twice as large.
            if (
              left === 0 &&
              (await store.getPauseUntil(pauseScope).catch(() => pausedUntil + 1)) <= pauseAtClaim
            )
              ramp = Math.min(concurrency.cap, ramp * 2);
            woken = true;
            wakeUp?.();
          });
        handling.add(job);
      }
    }
    return { claimed: claimed.length, asked };
  }

  async function run(): Promise<void> {
    while (running) {
      woken = false;
      let result = { claimed: 0, asked: 0 };
      try {
        result = await fill();
      } catch (error) {
        deps.logger?.error({ err: (error as Error).message }, 'delivery round failed; retrying');
      }
      // Claim again at once while there is room and the store had more; otherwise wait to be woken by
      // intake or a finished handoff, for the end of a pause, or for the poll interval.
      if (!running || (result.asked > 0 && result.claimed === result.asked && inFlight < ramp)) continue;
      if (woken) continue;
      const paused = resumeAt - clock();
      resumeAt = 0;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, paused > 0 ? paused : (deps.pollIntervalMs ?? 500));
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
    await Promise.all(handling);
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
      renewal = setInterval(() => {
        renewLeases().catch((error: unknown) =>
          deps.logger?.error({ err: (error as Error).message }, 'lease renewal failed; retrying'),
        );
      }, config.delivery.leaseMs / 3);
      renewal.unref();
    },
    async stop() {
      running = false;
      wakeUp?.();
      await loop; // the handoffs in flight finish, their leases still renewed meanwhile
      clearInterval(renewal);
      await store.releaseAll(owner, clock());
    },
    runOnce,
    renewLeases,
    wake: () => {
      woken = true;
      wakeUp?.();
    },
  };
}
