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

export interface SandboxLimits {
  /** Requests per user per window; a `$batch` counts as one request. */
  requestsPerWindow?: number;
  windowMs?: number;
  /** Concurrent requests per user. */
  maxConcurrent?: number;
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

/** Fixed-window request budget and a concurrency gauge per user. */
export class ServiceProtection {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly inFlight = new Map<string, number>();

  constructor(private limits: SandboxLimits) {}

  setLimits(limits: SandboxLimits): void {
    this.limits = limits;
    this.windows.clear();
  }

  /** Returns the Retry-After seconds when the request must be refused, else undefined (and counts it). */
  admit(
    user: string,
    now: number,
  ): { kind: 'requests' | 'concurrency'; retryAfterSeconds: number } | undefined {
    const { requestsPerWindow, windowMs = 300_000, maxConcurrent } = this.limits;
    if (maxConcurrent !== undefined && (this.inFlight.get(user) ?? 0) >= maxConcurrent) {
      return { kind: 'concurrency', retryAfterSeconds: 1 };
    }
    if (requestsPerWindow !== undefined) {
      let window = this.windows.get(user);
      if (!window || now - window.start >= windowMs) {
        window = { start: now, count: 0 };
        this.windows.set(user, window);
      }
      if (window.count >= requestsPerWindow) {
        return {
          kind: 'requests',
          retryAfterSeconds: Math.max(1, Math.ceil((window.start + windowMs - now) / 1000)),
        };
      }
      window.count += 1;
    }
    this.inFlight.set(user, (this.inFlight.get(user) ?? 0) + 1);
    return undefined;
  }

  release(user: string): void {
    this.inFlight.set(user, Math.max(0, (this.inFlight.get(user) ?? 1) - 1));
  }

  /** The configured ceiling in requests per second, for drain benchmarks. */
  ceilingPerSecond(): number | undefined {
    const { requestsPerWindow, windowMs = 300_000 } = this.limits;
    return requestsPerWindow === undefined ? undefined : (requestsPerWindow * 1000) / windowMs;
  }
}
