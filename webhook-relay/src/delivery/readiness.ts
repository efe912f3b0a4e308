/**
 * The delivery gate: intake never waits for Dataverse, delivery does. The relay listens first; this gate
 * then reads what delivery needs from the org (prepareDelivery) and keeps trying, with backoff and full
 * jitter, while Dataverse is down, throttling, or refusing the relay's token. It says why it waits (a log
 * line every so often, /readyz, a metric) and opens by itself when Dataverse answers. A configuration the
 * org refuses (a priority that is not an option, an unknown ticket property) closes it for good: only the
 * operator can fix that, and a restart reads the fixed configuration. Handoffs taken meanwhile stay in the
 * store and are delivered once the gate opens.
 */
import { DataverseRequestError } from '../dataverse/client.js';
import { messages } from '../messages.js';
import type { Logger } from '../observability/logger.js';
import type { RelayMetrics } from '../observability/metrics.js';
import type { DeliveryMetadata } from './plan.js';

/** Why delivery waits, as /readyz and the `opencx_relay_delivery_waiting` metric name it. */
export const WAIT_REASONS = [
  'dataverse_unavailable',
  'throttled',
  'token_refused',
  'refused',
  'relay_error',
  'config_invalid',
] as const;
export type WaitReason = (typeof WAIT_REASONS)[number];

export type DeliveryStatus =
  | { state: 'starting' }
  | { state: 'ready'; since: number }
  | {
      state: 'waiting';
      reason: Exclude<WaitReason, 'config_invalid'>;
      detail: string;
      since: number;
      attempts: number;
      nextAttemptAt: number;
    }
  | { state: 'stopped'; reason: 'config_invalid'; problems: string[]; since: number };

/**
 * What the public `/readyz` (on the intake port, which the internet reaches) says of delivery: its state
 * and reason code only. Dataverse's and Entra ID's own words (an AADSTS message can name the app), the
 * configuration problems and the timings are for the operations listener and the logs.
 */
export type PublicDeliveryStatus = { state: DeliveryStatus['state']; reason?: WaitReason };

export function publicDeliveryStatus(status: DeliveryStatus): PublicDeliveryStatus {
  return 'reason' in status ? { state: status.state, reason: status.reason } : { state: status.state };
}

export type Preparation = { ok: true; metadata: DeliveryMetadata } | { ok: false; errors: string[] };

export interface GateOptions {
  prepare: () => Promise<Preparation>;
  onReady: (metadata: DeliveryMetadata) => void;
  backoffBaseMs: number;
  /** The longest wait between two tries (the smaller of DELIVERY_BACKOFF_MAX_MS and one minute). */
  backoffMaxMs: number;
  logger?: Logger;
  metrics?: RelayMetrics;
  clock?: () => number;
  random?: () => number;
  /** Resolves after `ms`, or early when `signal` aborts (tests inject their own). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** At most one "still waiting" log line per this many ms (the first failure is always logged). */
  logEveryMs?: number;
}

export interface DeliveryGate {
  status(): DeliveryStatus;
  /** Starts trying; resolves once the first try has an outcome (ready, waiting or stopped). */
  start(): Promise<void>;
  stop(): void;
}

const GATE_MAX_WAIT_MS = 60_000;

function realSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // A gate stopped while it was preparing: an already aborted signal never fires 'abort' again.
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    // A wait must never keep the process alive on its own.
    timer.unref();
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Why a try failed: Dataverse's answer (a failure to get a token from Entra ID comes as one too: the client
 * reports it as a 401 `token_unavailable`, dataverse/client.ts), or anything else, which is the relay's own
 * error (a bug): `relay_error`, logged whole by the gate.
 */
export function waitReasonOf(error: unknown): {
  reason: Exclude<WaitReason, 'config_invalid'>;
  detail: string;
  retryAfterMs?: number;
} {
  if (error instanceof DataverseRequestError) {
    const f = error.failure;
    const detail = `${f.httpStatus}${f.code ? ` ${f.code}` : ''}: ${f.message || f.reason}`;
    if (f.httpStatus === 429)
      return {
        reason: 'throttled',
        detail,
        retryAfterMs: f.retryAfterSeconds !== undefined ? f.retryAfterSeconds * 1000 : undefined,
      };
    if (f.httpStatus === 401) return { reason: 'token_refused', detail };
    if (f.httpStatus === 0 || f.httpStatus === 408 || f.httpStatus >= 500)
      return { reason: 'dataverse_unavailable', detail };
    return { reason: 'refused', detail };
  }
  return { reason: 'relay_error', detail: error instanceof Error ? error.message : String(error) };
}

export function createDeliveryGate(options: GateOptions): DeliveryGate {
  const clock = options.clock ?? Date.now;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  const logEveryMs = options.logEveryMs ?? 60_000;
  const cap = Math.min(options.backoffMaxMs, GATE_MAX_WAIT_MS);
  const abort = new AbortController();
  const m = messages.delivery;
  let status: DeliveryStatus = { state: 'starting' };
  let loop: Promise<void> | undefined;

  const setWaitingMetric = (active: WaitReason | undefined) => {
    for (const reason of WAIT_REASONS)
      options.metrics?.deliveryWaiting.set({ reason }, reason === active ? 1 : 0);
  };

  async function run(firstDone: () => void): Promise<void> {
    let attempts = 0;
    let waitingSince = 0;
    let lastLog = -Infinity;
    while (!abort.signal.aborted) {
      attempts += 1;
      let outcome: Preparation | undefined;
      let failure: ReturnType<typeof waitReasonOf> | undefined;
      try {
        outcome = await options.prepare();
      } catch (error) {
        failure = waitReasonOf(error);
        // Not Dataverse's answer: the relay's own error, logged whole (stack included) every time.
        if (failure.reason === 'relay_error') options.logger?.error({ err: error }, m.relayError);
      }
      const now = clock();
      if (outcome?.ok) {
        if (status.state === 'waiting')
          options.logger?.info(
            { attempts, waitedSeconds: Math.round((now - waitingSince) / 1000) },
            m.resumed(attempts, Math.round((now - waitingSince) / 1000)),
          );
        status = { state: 'ready', since: now };
        setWaitingMetric(undefined);
        options.onReady(outcome.metadata);
        firstDone();
        return;
      }
      if (outcome && !outcome.ok) {
        status = { state: 'stopped', reason: 'config_invalid', problems: outcome.errors, since: now };
        setWaitingMetric('config_invalid');
        options.logger?.error({ problems: outcome.errors }, m.configInvalid(outcome.errors));
        firstDone();
        return;
      }
      const { reason, detail, retryAfterMs } = failure!;
      const exponential = Math.min(cap, options.backoffBaseMs * 2 ** Math.min(attempts - 1, 30));
      // Full jitter, so a fleet restarted together does not knock on Dataverse in step; a 429's
      // Retry-After is a floor, never shortened.
      const delay = Math.max(retryAfterMs ?? 0, Math.max(1, Math.floor(random() * exponential)));
      if (status.state !== 'waiting') waitingSince = now;
      status = {
        state: 'waiting',
        reason,
        detail,
        since: waitingSince,
        attempts,
        nextAttemptAt: now + delay,
      };
      setWaitingMetric(reason);
      if (now - lastLog >= logEveryMs) {
        lastLog = now;
        options.logger?.warn(
          { reason, detail, attempts, waitingSeconds: Math.round((now - waitingSince) / 1000) },
          m.waiting(reason, attempts, Math.round((now - waitingSince) / 1000)),
        );
      }
      firstDone();
      await sleep(delay, abort.signal);
    }
  }

  return {
    status: () => status,
    start() {
      return new Promise<void>((resolve) => {
        loop ??= run(resolve);
        void loop.then(resolve);
      });
    },
    stop() {
      abort.abort();
    },
  };
}
