import { describe, expect, it } from 'vitest';
import { decideRetry } from '../../src/delivery/retry-policy.js';
import { titleOf } from '../../src/delivery/plan.js';
import { classify } from '../../src/dataverse/errors.js';
import type { HandoffDocument } from '../../src/handoff/document.js';

const doc = (extra: Partial<HandoffDocument>): HandoffDocument => ({
  session_id: 's',
  handoff_at: '2026-11-24T14:05:09Z',
  messages: [],
  ...extra,
});

describe('titleOf', () => {
  it.each([
    [
      { classification: 'Delivery change', customer: { name: 'Dana', phone: '+1', email: 'd@x' } },
      'Delivery change - Dana',
    ],
    [{ contact_reason: 'Billing', customer: { phone: '+14155550134' } }, 'Billing - +14155550134'],
    [{ customer: { email: 'd@example.com' } }, 'Support - d@example.com'],
    [{}, 'Support - Anonymous'],
    [{ classification: '  ', customer: { name: ' ' } }, 'Support - Anonymous'],
  ])('%j → %s', (extra, title) => expect(titleOf(doc(extra))).toBe(title));
});

describe('decideRetry', () => {
  const policy = { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 10_000 };
  it.each([
    [classify(429, '0x80072322', '', '30'), 1, { kind: 'pause', untilMs: 30_000 }],
    [classify(503, '', ''), 1, { kind: 'retry', atMs: 500 }],
    [classify(401, '', ''), 1, { kind: 'pause', untilMs: 5000 }],
    [classify(401, '', ''), 3, { kind: 'pause', untilMs: 5000 }],
    [classify(503, '', ''), 3, { kind: 'dead-letter' }],
    [classify(0, '', 'reset'), 2, { kind: 'retry', atMs: 1000 }],
    [classify(400, '0x8004431a', ''), 1, { kind: 'dead-letter' }],
    [classify(403, '0x80040220', ''), 1, { kind: 'dead-letter' }],
    [classify(500, '0x80040333', ''), 1, { kind: 'dead-letter' }],
  ])('%j after attempt %i → %j', (failure, attempts, expected) => {
    expect(decideRetry(failure, attempts, 0, policy, () => 0.5)).toEqual(expected);
  });
});
