/**
 * How one attempt to create a handoff's case ended, and what follows from a failed one (pure; the handoff
 * path, delivery/handoff-path.ts, writes it): the retry policy's decision, the attempts it counts, the error
 * the record keeps, and the line operators read when every worker pauses.
 */
import { TOKEN_UNAVAILABLE } from '../dataverse/client.js';
import type { DataverseFailure } from '../dataverse/errors.js';
import { messages } from '../messages.js';
import type { HandoffError } from '../store/types.js';
import type { AppendStepOutcome } from './append-step.js';
import { decideRetry, pausesEveryWorker, type RetryDecision, type RetryPolicy } from './retry-policy.js';

export type DeliveryOutcome = { status: 'created' | 'duplicate'; ticketNumber?: string } | FailedDelivery;

export interface FailedDelivery {
  status: 'retry' | 'failed' | 'paused';
  failure: DataverseFailure;
}

/** Dataverse's refusal: pauses every worker (429, 401), is worth another attempt, or never will succeed. */
export function outcomeOfFailure(failure: DataverseFailure): FailedDelivery {
  return {
    status: pausesEveryWorker(failure) ? 'paused' : failure.retryable ? 'retry' : 'failed',
    failure,
  };
}

/** Not a Dataverse answer (a bug or corrupt payload): keep it visible, never lose it. */
export function relayFailure(error: unknown): FailedDelivery {
  return {
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

/**
 * Dataverse's refusal of a step (an append, unified routing): due again when every worker pauses (not an
 * attempt) or the refusal is worth another attempt, else dead-lettered. `reason`: the operator's fix.
 */
export function stepFailure(failure: DataverseFailure, reason = failure.reason): AppendStepOutcome {
  const { code, httpStatus, message } = failure;
  const error: HandoffError = { code, httpStatus, message, reason };
  if (pausesEveryWorker(failure)) return { kind: 'retry', error, countsAsAttempt: false };
  return failure.retryable ? { kind: 'retry', error, countsAsAttempt: true } : { kind: 'failed', error };
}

/** The relay's own error (not an answer from anyone) as the error a record keeps. */
export const relayError = (error: unknown, reason: string): HandoffError => ({
  code: 'relay_error',
  message: (error as Error).message,
  reason,
});

export interface AfterFailure {
  decision: RetryDecision;
  /** The record's attempts, this one counted unless every worker pauses (nobody's fault). */
  attempts: number;
  lastError: HandoffError;
}

/** What a failed attempt leads to, for a record that had made `attempts` before it. */
export function afterFailedDelivery(
  outcome: FailedDelivery,
  attempts: number,
  now: number,
  policy: RetryPolicy,
  random: () => number,
): AfterFailure {
  const { failure } = outcome;
  const counted = attempts + (outcome.status === 'paused' ? 0 : 1);
  return {
    decision: decideRetry(failure, counted, now, policy, random),
    attempts: counted,
    lastError: {
      code: failure.code,
      httpStatus: failure.httpStatus,
      message: failure.message,
      reason: failure.reason,
    },
  };
}

/** The log line of a fleet pause: Dataverse throttled, or the token refused or not issued. */
export function pauseMessage(failure: Pick<DataverseFailure, 'httpStatus' | 'code'>): string {
  if (failure.httpStatus === 429) return 'Dataverse throttled: pausing all workers';
  return failure.code === TOKEN_UNAVAILABLE
    ? messages.delivery.tokenUnavailable
    : messages.delivery.tokenPaused;
}
