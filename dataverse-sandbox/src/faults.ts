/**
 * Fault injection and service-protection limits, switchable per test. Randomness comes from a seeded
 * PRNG so a failing run can be replayed.
 */
export interface SandboxFaults {
  /** Probability (0–1) that a request is answered with a 5xx before doing anything. */
  errorRate?: number;
  errorStatus?: 500 | 502 | 503;
  /** The next N requests are answered 429 (a storm), with `throttleRetryAfterSeconds`. */
  throttleNext?: number;
  throttleRetryAfterSeconds?: number;
  /** Added latency per request (ms). */
  latencyMs?: number;
  /** Probability that the connection is dropped before the request is processed (nothing committed). */
  dropBeforeCommitRate?: number;
  /** Probability that the request is processed (committed) and then the connection dropped: the unknown outcome. */
  dropAfterCommitRate?: number;
  /** Bearer tokens received after this instant (ms since epoch, sandbox clock) are answered 401: token expiry. */
  tokensExpireAt?: number;
  /** Seed of the PRNG deciding the random faults. */
  seed?: number;
}

/**
 * Service protection limits (Service protection API limits: How Service Protection API Limits are enforced),
 * per user, each off unless set. Dataverse's defaults are 6,000 requests and 1,200,000 ms of execution time in
 * a 300 s sliding window, and 52 concurrent requests.
 */
export interface SandboxLimits {
  /** Number of requests (0x80072322); a `$batch` counts as one request. */
  requestsPerWindow?: number;
  /** Combined execution time (0x80072321), in ms, of the requests admitted in the window. */
  executionMsPerWindow?: number;
  /** The sliding window both of the above are evaluated in (default 300,000 ms). */
  windowMs?: number;
  /** Number of concurrent requests (0x80072326). */
  maxConcurrent?: number;
  /**
   * Execution time charged per operation, on top of the time the sandbox measured for the request: the
   * sandbox answers in microseconds where Dataverse spends milliseconds, and a `$batch` of N operations costs
   * N times the work ("Batch operations … can be very demanding", Execution time).
   */
  executionMsPerOperation?: number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Refusal =
  | { kind: 'requests'; retryAfterSeconds: number }
  | { kind: 'execution-time'; retryAfterSeconds: number }
  | { kind: 'concurrency'; retryAfterSeconds: number };

/** One admitted request within a user's window: when it was admitted, and its execution time once answered. */
export interface Admission {
  at: number;
  executionMs: number;
}

const DEFAULT_WINDOW_MS = 300_000;

/**
 * The three service protection limits, per user (Service protection API limits). The requests and
 * execution-time limits are evaluated in a sliding window ("within a 5 minute (300 second) sliding window");
 * concurrency "will immediately return an error".
 *
 * Assumptions (the page leaves them open): Retry-After is the time until enough of the window's load has aged
 * out for one more request (the page says only that it "will depend on the nature of the operations … sent in
 * the preceding 5 minute period"); a concurrency refusal says 1 s, the time a request in flight takes to end;
 * refused requests are not counted.
 */
export class ServiceProtection {
  private readonly entries = new Map<string, Admission[]>();
  private readonly inFlight = new Map<string, number>();
  /** The first request under these limits: a budget of zero refuses for one window from it. */
  private firstAt: number | undefined;

  constructor(private limits: SandboxLimits) {}

  setLimits(limits: SandboxLimits): void {
    this.limits = limits;
    this.entries.clear();
    this.firstAt = undefined;
  }

  private windowMs(): number {
    return this.limits.windowMs ?? DEFAULT_WINDOW_MS;
  }

  /** The user's entries still inside the window (older ones dropped). */
  private current(user: string, now: number): Admission[] {
    const list = this.entries.get(user) ?? [];
    const from = now - this.windowMs();
    let drop = 0;
    while (drop < list.length && list[drop].at <= from) drop += 1;
    if (drop) list.splice(0, drop);
    this.entries.set(user, list);
    return list;
  }

  /**
   * Seconds until `entry` leaves the window (at least 1); with no entry to wait for (a limit of zero), until
   * one window has passed since the first request under these limits (an outage of one window).
   */
  private until(entry: Admission | undefined, now: number): number {
    return Math.max(1, Math.ceil(((entry?.at ?? this.firstAt ?? now) + this.windowMs() - now) / 1000));
  }

  /**
   * Admits a request (counting it and its concurrency) or says which limit refuses it and for how long.
   * Answers an entry to `release` with the request's execution time once it is answered.
   */
  admit(user: string, now: number): { refusal: Refusal } | { admission: Admission } {
    const { requestsPerWindow, executionMsPerWindow, maxConcurrent } = this.limits;
    this.firstAt ??= now;
    if (maxConcurrent !== undefined && (this.inFlight.get(user) ?? 0) >= maxConcurrent)
      return { refusal: { kind: 'concurrency', retryAfterSeconds: 1 } };
    const list = this.current(user, now);
    if (requestsPerWindow !== undefined && list.length >= requestsPerWindow) {
      // Room for one more once the oldest `length - limit + 1` entries have left.
      const freeing = list.at(list.length - requestsPerWindow);
      return { refusal: { kind: 'requests', retryAfterSeconds: this.until(freeing, now) } };
    }
    if (executionMsPerWindow !== undefined) {
      let spent = list.reduce((sum, e) => sum + e.executionMs, 0);
      if (spent >= executionMsPerWindow) {
        let index = 0;
        while (index < list.length - 1 && spent >= executionMsPerWindow) spent -= list[index++].executionMs;
        return {
          refusal: {
            kind: 'execution-time',
            retryAfterSeconds: this.until(list.at(Math.max(0, index - 1)), now),
          },
        };
      }
    }
    const entry: Admission = { at: now, executionMs: 0 };
    list.push(entry);
    this.inFlight.set(user, (this.inFlight.get(user) ?? 0) + 1);
    return { admission: entry };
  }

  /**
   * Ends an admitted request: frees its concurrency slot and charges its execution time (what it took, from
   * admission to `now`, plus the configured cost of each of its operations), which it answers.
   */
  release(user: string, admission: Admission, now: number, operations: number): number {
    this.inFlight.set(user, Math.max(0, (this.inFlight.get(user) ?? 1) - 1));
    admission.executionMs =
      Math.max(0, now - admission.at) + operations * (this.limits.executionMsPerOperation ?? 0);
    return admission.executionMs;
  }

  /** The configured ceiling in requests per second (the number-of-requests limit), for drain benchmarks. */
  ceilingPerSecond(): number | undefined {
    const { requestsPerWindow } = this.limits;
    return requestsPerWindow === undefined ? undefined : (requestsPerWindow * 1000) / this.windowMs();
  }

  /** The window's limits as configured (for a benchmark's own ceilings). */
  configured(): SandboxLimits {
    return { ...this.limits, windowMs: this.windowMs() };
  }
}
