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
const m = messages.delivery;

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
  const gate = new Gate(options);
  return {
    status: () => gate.status,
    start: () => gate.start(),
    stop: () => gate.stop(),
  };
}

/**
 * The wait before the next try: exponential up to `cap`, with full jitter, so a fleet restarted together
 * does not knock on Dataverse in step; a 429's Retry-After is a floor, never shortened.
 */
export function gateDelay(
  attempts: number,
  backoffBaseMs: number,
  cap: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  const exponential = Math.min(cap, backoffBaseMs * 2 ** Math.min(attempts - 1, 30));
  return Math.max(retryAfterMs ?? 0, Math.max(1, Math.floor(random() * exponential)));
}

class Gate {
  status: DeliveryStatus = { state: 'starting' };
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly clock: () => number;
  private attempts = 0;
  private waitingSince = 0;
  private lastLog = -Infinity;

  constructor(private readonly options: GateOptions) {
    this.clock = options.clock ?? Date.now;
  }

  start(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.loop ??= this.run(resolve);
      void this.loop.then(resolve);
    });
  }

  stop(): void {
    this.abort.abort();
  }

  private async run(firstDone: () => void): Promise<void> {
    const sleep = this.options.sleep ?? realSleep;
    while (!this.abort.signal.aborted) {
      this.attempts += 1;
      let outcome: Preparation | undefined;
      let failure: ReturnType<typeof waitReasonOf> | undefined;
      try {
        outcome = await this.options.prepare();
      } catch (error) {
        failure = waitReasonOf(error);
        // Not Dataverse's answer: the relay's own error, logged whole (stack included) every time.
        if (failure.reason === 'relay_error') this.options.logger?.error({ err: error }, m.relayError);
      }
      const now = this.clock();
      if (outcome) {
        if (outcome.ok) this.ready(outcome.metadata, now);
        else this.stopped(outcome.errors, now);
        firstDone();
        return;
      }
      const delay = this.waiting(failure!, now);
      firstDone();
      await sleep(delay, this.abort.signal);
    }
  }

  private ready(metadata: DeliveryMetadata, now: number): void {
    const { attempts } = this;
    if (this.status.state === 'waiting') {
      const waitedSeconds = Math.round((now - this.waitingSince) / 1000);
      this.options.logger?.info({ attempts, waitedSeconds }, m.resumed(attempts, waitedSeconds));
    }
    this.status = { state: 'ready', since: now };
    this.setWaitingMetric(undefined);
    this.options.onReady(metadata);
  }

  private stopped(problems: string[], now: number): void {
    this.status = { state: 'stopped', reason: 'config_invalid', problems, since: now };
    this.setWaitingMetric('config_invalid');
    this.options.logger?.error({ problems }, m.configInvalid(problems));
  }

  /** Records why delivery waits (status, metric, a log line every so often); the wait before the next try. */
  private waiting({ reason, detail, retryAfterMs }: ReturnType<typeof waitReasonOf>, now: number): number {
    const { options, attempts } = this;
    const cap = Math.min(options.backoffMaxMs, GATE_MAX_WAIT_MS);
    const delay = gateDelay(
      attempts,
      options.backoffBaseMs,
      cap,
      retryAfterMs,
      options.random ?? Math.random,
    );
    if (this.status.state !== 'waiting') this.waitingSince = now;
    const since = this.waitingSince;
    this.status = { state: 'waiting', reason, detail, since, attempts, nextAttemptAt: now + delay };
    this.setWaitingMetric(reason);
    if (now - this.lastLog >= (options.logEveryMs ?? 60_000)) {
      this.lastLog = now;
      const waitingSeconds = Math.round((now - since) / 1000);
      options.logger?.warn(
        { reason, detail, attempts, waitingSeconds },
        m.waiting(reason, attempts, waitingSeconds),
      );
    }
    return delay;
  }

  private setWaitingMetric(active: WaitReason | undefined): void {
    for (const reason of WAIT_REASONS)
      this.options.metrics?.deliveryWaiting.set({ reason }, reason === active ? 1 : 0);
  }
}
