import { describe, expect, it } from 'vitest';
import { decideRetry } from '../../src/delivery/retry-policy.js';
import { placeCase, titleOf } from '../../src/delivery/plan.js';
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
    // A plug-in's refusal is final whatever status carries it.
    [classify(400, '0x80040265', 'Cases need a product.'), 1, { kind: 'dead-letter' }],
    [classify(500, '0x80040265', 'Cases need a product.'), 1, { kind: 'dead-letter' }],
  ])('%j after attempt %i → %j', (failure, attempts, expected) => {
    expect(decideRetry(failure, attempts, 0, policy, () => 0.5)).toEqual(expected);
  });
});

describe('placeCase', () => {
  const key = '0d7b3c5e-8f21-5a44-9c3e-6b1f2a9d4e70';
  const queue = '7b0c0d6e-1c1a-4e5f-9d2a-0000000000d1';
  const target = { '@odata.type': 'Microsoft.Dynamics.CRM.incident', incidentid: key };
  it('puts the case in DEFAULT_QUEUE_ID with AddToQueue, bound to the queue', () => {
    expect(placeCase(key, { defaultQueueId: queue, applyRoutingRules: false })).toEqual({
      method: 'POST',
      url: `/api/data/v9.2/queues(${queue})/Microsoft.Dynamics.CRM.AddToQueue`,
      body: { Target: target },
      contentType: 'application/json',
    });
  });
  it("applies the org's routing rules without a queue when asked, and otherwise places nothing", () => {
    expect(placeCase(key, { applyRoutingRules: true })).toMatchObject({
      url: '/api/data/v9.2/ApplyRoutingRule',
      body: { Target: target },
    });
    expect(placeCase(key, { applyRoutingRules: false })).toBeUndefined();
  });
  it("names the plug-in's message as the reason", () => {
    expect(classify(400, '0x80040265', 'Cases need a product.').reason).toContain('"Cases need a product."');
  });
});
