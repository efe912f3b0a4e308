/** What to do after a failed delivery attempt (pure; table-tested). */
import type { RelayConfig } from '../config/types.js';
import type { DataverseFailure } from '../dataverse/errors.js';

export type RetryDecision =
  | { kind: 'pause'; untilMs: number } // 429 or 401: pause every worker on this app user; not a failed attempt
  | { kind: 'retry'; atMs: number }
  | { kind: 'dead-letter' };

export interface RetryPolicy {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/**
 * 429 (service protection) and 401 (a token refused, or none issued): every handoff on this app user would
 * meet the same answer and none is at fault, so every worker pauses and no attempt is counted.
 */
export function pausesEveryWorker(failure: Pick<DataverseFailure, 'httpStatus'>): boolean {
  return failure.httpStatus === 429 || failure.httpStatus === 401;
}

/**
 * The store's pause scope for one Dataverse application user: every process that spends that user's
 * service-protection budget (the workers of every relay instance, `insights backfill`) honours one pause.
 */
export function dataversePauseScope(config: Pick<RelayConfig, 'dataverseUrl' | 'auth'>): string {
  const user = config.auth.kind === 'none' ? 'none' : (config.auth.clientId ?? 'system-assigned');
  return `dataverse:${config.dataverseUrl}:${user}`;
}

/** `attempts` counts this failed attempt. Full jitter: a random delay up to the exponential cap. */
export function decideRetry(
  failure: DataverseFailure,
  attempts: number,
  now: number,
  policy: RetryPolicy,
  random: () => number,
): RetryDecision {
  if (failure.httpStatus === 429)
    return { kind: 'pause', untilMs: now + (failure.retryAfterSeconds ?? 5) * 1000 };
  // 401: Dataverse refuses the token (a rotated secret, an expired certificate). Every handoff would meet
  // the same refusal, and none is at fault: wait like a 429 (not an attempt) and try again after a jittered
  // while, so the handoffs are delivered once the credentials are fixed instead of dead-lettered.
  if (failure.httpStatus === 401)
    return {
      kind: 'pause',
      untilMs: now + Math.max(1, Math.floor(random() * Math.min(policy.backoffMaxMs, 60_000))),
    };
  if (!failure.retryable || attempts >= policy.maxAttempts) return { kind: 'dead-letter' };
  const cap = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempts - 1));
  return { kind: 'retry', atMs: now + Math.max(1, Math.floor(random() * cap)) };
}
