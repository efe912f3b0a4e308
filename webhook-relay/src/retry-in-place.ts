/**
 * Retrying one read where it failed, before the job it belongs to gives up. A long read is many requests
 * (twelve pages of an OpenCX history, a case's description and then its note): when one of them meets a
 * transient failure, trying that request again a few times costs a second or two, while giving the whole
 * job up would repeat every request already answered and count an attempt against it. A wait the server
 * asks for (Retry-After) is honoured; one longer than the policy allows is not waited here, so the job is
 * given up and rescheduled for then instead of holding a worker.
 */

export interface InPlacePolicy {
  /** Tries of one request, the first included. */
  tries: number;
  /** The backoff's first step: the waits are about 1, 2, 4… times this (jittered between half and all). */
  baseMs: number;
  /** A wait longer than this (asked for by the server) gives the job up instead. */
  maxWaitMs: number;
}

/** 5 tries: with one request in six failing, a page gives up about once in 8,000 pages. */
export const IN_PLACE: InPlacePolicy = { tries: 5, baseMs: 500, maxWaitMs: 30_000 };

/** What a failure says about trying the same request again. */
export type Judgement = { again: false } | { again: true; serverWaitMs?: number };

/**
 * Pure: how long to wait before trying again after `failures` failed tries (1 after the first), or
 * undefined to give up. Equal jitter: never less than half the step, so retries spread out but never
 * come back at once.
 */
export function waitBeforeNextTry(
  failures: number,
  serverWaitMs: number | undefined,
  policy: InPlacePolicy,
  random: () => number,
): number | undefined {
  if (failures >= policy.tries) return undefined;
  if (serverWaitMs !== undefined)
    return serverWaitMs > policy.maxWaitMs ? undefined : Math.max(0, serverWaitMs);
  const step = policy.baseMs * 2 ** (failures - 1);
  return Math.min(policy.maxWaitMs, Math.round(step / 2 + random() * (step / 2)));
}

export interface InPlaceOptions {
  policy?: InPlacePolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `read`, trying it again while `judge` says so and the policy allows; else throws its last error. */
export async function retryInPlace<T>(
  read: () => Promise<T>,
  judge: (error: unknown) => Judgement,
  options: InPlaceOptions = {},
): Promise<T> {
  const policy = options.policy ?? IN_PLACE;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let failures = 1; ; failures++) {
    try {
      return await read();
    } catch (error) {
      const judgement = judge(error);
      if (!judgement.again) throw error;
      const wait = waitBeforeNextTry(failures, judgement.serverWaitMs, policy, random);
      if (wait === undefined) throw error;
      if (wait > 0) await sleep(wait);
    }
  }
}
