import { describe, expect, it } from 'vitest';
import { TOKEN_UNAVAILABLE } from '../../src/dataverse/client.js';
import { classify } from '../../src/dataverse/errors.js';
import {
  afterFailedDelivery,
  outcomeOfFailure,
  pauseMessage,
  relayError,
  relayFailure,
  stepFailure,
} from '../../src/delivery/delivery-outcome.js';
import { messages } from '../../src/messages.js';

const policy = { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 60_000 };
const NOW = 1_000_000;

describe('what a failed delivery leads to', () => {
  it.each([
    [429, 'paused'],
    [401, 'paused'],
    [503, 'retry'],
    [400, 'failed'],
  ])('an answer %i is %s', (status, expected) => {
    expect(outcomeOfFailure(classify(status, '', 'refused')).status).toBe(expected);
  });

  it('pauses every worker on a 429 until Retry-After, without counting an attempt', () => {
    const failure = { ...classify(429, '0x80072322', 'Number of requests exceeded'), retryAfterSeconds: 7 };
    const after = afterFailedDelivery(outcomeOfFailure(failure), 2, NOW, policy, () => 0.5);
    expect(after).toEqual({
      decision: { kind: 'pause', untilMs: NOW + 7000 },
      attempts: 2,
      lastError: {
        code: '0x80072322',
        httpStatus: 429,
        message: 'Number of requests exceeded',
        reason: failure.reason,
      },
    });
  });

  it('counts a retryable failure as an attempt, and dead-letters the last one', () => {
    const failure = classify(503, '', 'unavailable');
    expect(afterFailedDelivery(outcomeOfFailure(failure), 0, NOW, policy, () => 0.5)).toMatchObject({
      decision: { kind: 'retry', atMs: NOW + 500 },
      attempts: 1,
    });
    expect(afterFailedDelivery(outcomeOfFailure(failure), 2, NOW, policy, () => 0.5)).toMatchObject({
      decision: { kind: 'dead-letter' },
      attempts: 3,
    });
  });

  it("dead-letters the relay's own error at once, saying to read the logs", () => {
    const after = afterFailedDelivery(relayFailure(new Error('boom')), 0, NOW, policy, () => 0.5);
    expect(after).toEqual({
      decision: { kind: 'dead-letter' },
      attempts: 1,
      lastError: {
        code: 'relay_error',
        httpStatus: 0,
        message: 'boom',
        reason: 'The relay could not process this handoff; see the logs.',
      },
    });
    expect(relayError(new Error('bad'), 'why')).toEqual({
      code: 'relay_error',
      message: 'bad',
      reason: 'why',
    });
  });

  it('names the pause in the log: throttled, or the token refused or not issued', () => {
    expect(pauseMessage({ httpStatus: 429, code: '0x80072326' })).toBe(
      'Dataverse throttled: pausing all workers',
    );
    expect(pauseMessage({ httpStatus: 401, code: TOKEN_UNAVAILABLE })).toBe(
      messages.delivery.tokenUnavailable,
    );
    expect(pauseMessage({ httpStatus: 401, code: '' })).toBe(messages.delivery.tokenPaused);
  });
});

describe("what Dataverse's refusal of a step (append, unified routing) leads to", () => {
  it('is due again without counting an attempt when every worker pauses', () => {
    expect(stepFailure(classify(429, '0x80072322', 'busy'))).toMatchObject({
      kind: 'retry',
      countsAsAttempt: false,
    });
  });

  it('is due again as an attempt when retryable, dead-lettered otherwise, with the reason given', () => {
    expect(stepFailure(classify(503, '', 'down'))).toMatchObject({ kind: 'retry', countsAsAttempt: true });
    expect(stepFailure(classify(404, '0x8006088a', 'no such action'), 'not provisioned')).toEqual({
      kind: 'failed',
      error: { code: '0x8006088a', httpStatus: 404, message: 'no such action', reason: 'not provisioned' },
    });
  });
});
