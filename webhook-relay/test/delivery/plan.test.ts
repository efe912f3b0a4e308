import { describe, expect, it } from 'vitest';
import { decideRetry } from '../../src/delivery/retry-policy.js';
import {
  customerLookup,
  planIncident,
  resolveCustomer,
  placeCase,
  titleOf,
  usableForMatch,
} from '../../src/delivery/plan.js';
import type { ContactMatchRule } from '../../src/config/types.js';
import { contactIdForEmail } from '../../src/handoff/key.js';
import { parse } from '@opencx-d365/transcript-format';
import { classify, DUPLICATE_KEY } from '../../src/dataverse/errors.js';
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

describe('stated details and CONTACT_MATCH', () => {
  const stated = doc({
    customer: {
      name: 'Priya Raman',
      email: 'priya@example.com',
      phone: '+1 415-555-0103',
      verification: { name: 'verified', email: 'stated' },
    },
  });
  const lookup = (document: HandoffDocument, contactMatch: ContactMatchRule[]) =>
    customerLookup(document, { contactMatch, phoneDefaultCountry: 'US' });

  it.each<[string, ContactMatchRule[], 'email' | 'phone' | undefined]>([
    ['the default skips a stated email and finds the caller by phone', ['email', 'phone'], 'phone'],
    ['email only: a stated email finds nobody', ['email'], undefined],
    ['stated-email lets it find the contact', ['email', 'stated-email', 'phone'], 'email'],
  ])('%s', (_what, contactMatch, kind) => {
    expect(lookup(stated, contactMatch)?.kind).toBe(kind);
  });

  it('uses an email without a mark, or a verified one, as before marks existed', () => {
    const unmarked = doc({ customer: { email: 'priya@example.com', phone: '+14155550103' } });
    const verified = doc({ customer: { email: 'priya@example.com', verification: { email: 'verified' } } });
    expect(lookup(unmarked, ['email', 'phone'])?.kind).toBe('email');
    expect(lookup(verified, ['email'])?.kind).toBe('email');
  });

  it('gates a stated phone the same way (stated-phone)', () => {
    const phone = doc({ customer: { phone: '+14155550103', verification: { phone: 'stated' } } });
    expect(lookup(phone, ['email', 'phone'])).toBeUndefined();
    expect(lookup(phone, ['email', 'phone', 'stated-phone'])?.kind).toBe('phone');
    expect(usableForMatch(phone, 'phone', ['email'])).toBe(false);
  });

  it('never creates a contact from a stated email it may not use: the placeholder instead', () => {
    const onlyEmail = doc({ customer: { email: 'priya@example.com', verification: { email: 'stated' } } });
    const none = lookup(onlyEmail, ['email', 'phone']);
    expect(none).toBeUndefined();
    expect(resolveCustomer(onlyEmail, none, [], 'US')).toEqual({ kind: 'placeholder' });
    const allowed = lookup(onlyEmail, ['email', 'stated-email', 'phone']);
    expect(resolveCustomer(onlyEmail, allowed, [], 'US')).toMatchObject({
      kind: 'create',
      id: contactIdForEmail('priya@example.com'),
    });
  });

  it('writes the marks into the header, and a link through a stated email says so', () => {
    const config = {
      defaultQueueId: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000a1',
      applyRoutingRules: false as const,
      defaultOwner: { kind: 'systemuser' as const, id: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000a2' },
      defaultPriority: 2,
      ticketProperties: {},
      unidentifiedCustomerId: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000a3',
      caseOriginByChannel: { phone_voice: 1 },
      opencx: {},
    };
    const metadata = { titleMaxLength: 200, descriptionMaxLength: 2000, noteMaxLength: 100_000 };
    const contactId = '7b0c0d6e-1c1a-4e5f-9d2a-0000000000a4';
    const plan = planIncident(
      '7b0c0d6e-1c1a-4e5f-9d2a-0000000000a5',
      stated,
      { kind: 'contact', id: contactId, match: 'email' },
      config,
      metadata,
    );
    const incident = plan.operations.find((op) => op.url.endsWith('incidents'))!;
    const body = incident.body;
    expect(body['customerid_contact@odata.bind']).toBe(`/contacts(${contactId})`);
    const description = String(body.description);
    expect(description).toContain(
      [
        'Customer name: Priya Raman (verified by OpenCX)',
        'Customer email: priya@example.com (stated by the caller)',
        'Customer phone: +1 415-555-0103',
        'Contact: matched by email',
      ].join('\n'),
    );
    const parsed = parse(description);
    expect(parsed.kind === 'transcript' && parsed.transcript.header.customer?.verification).toEqual({
      name: 'verified',
      email: 'stated',
    });
  });
});

describe('classify', () => {
  it('recognises the duplicate key reported with an empty code, and only that empty-code 412', () => {
    expect(classify(412, '', 'A record with matching key values already exists.')).toMatchObject({
      code: DUPLICATE_KEY,
      retryable: false,
    });
    expect(classify(412, '0x80040237', 'A record with matching key values already exists.').code).toBe(
      DUPLICATE_KEY,
    );
    // The etag mismatch is also a 412 with an empty code: not a duplicate.
    expect(
      classify(412, '', "The version of the existing record doesn't match the RowVersion property provided.")
        .code,
    ).toBe('');
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
  it("names the owner's default queue as SourceQueue when the relay knows the case starts there", () => {
    const owners = '7b0c0d6e-1c1a-4e5f-9d2a-0000000000d3';
    expect(placeCase(key, { defaultQueueId: queue, applyRoutingRules: false }, owners)?.body).toEqual({
      Target: target,
      SourceQueue: { queueid: owners },
    });
  });
  it('applies the legacy routing rule set in the change set (legacy, or true as it first meant), and nothing for unified routing or no routing', () => {
    expect(placeCase(key, { applyRoutingRules: 'legacy' })).toMatchObject({
      url: '/api/data/v9.2/ApplyRoutingRule',
      body: { Target: target },
    });
    // Unified routing is asked once the case exists, in a request of its own (delivery/route-step.ts).
    expect(placeCase(key, { applyRoutingRules: 'unified' })).toBeUndefined();
    expect(placeCase(key, { applyRoutingRules: false })).toBeUndefined();
  });
  it("names the plug-in's message as the reason", () => {
    expect(classify(400, '0x80040265', 'Cases need a product.').reason).toContain('"Cases need a product."');
  });
});

describe('planIncident: the insights columns (spec §3.10)', () => {
  const key = '7b0c0d6e-1c1a-4e5f-9d2a-0000000000b5';
  const config = {
    applyRoutingRules: false as const,
    defaultOwner: { kind: 'systemuser' as const, id: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000b2' },
    defaultPriority: 2,
    ticketProperties: { casetypecode: 2 },
    unidentifiedCustomerId: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000b3',
    caseOriginByChannel: { phone_voice: 1 },
    opencx: {},
  };
  const metadata = { titleMaxLength: 200, descriptionMaxLength: 2000, noteMaxLength: 100_000 };
  const handoff = doc({
    session_id: 'bca1',
    reason: 'human_agent_decided_to_take_over',
    sentiment: 'frustrated',
    messages: [{ at: '2026-11-24T14:04:09Z', role: 'contact', text: 'hi' }],
  });
  const incidentBody = (meta: Parameters<typeof planIncident>[4]) =>
    planIncident(key, handoff, { kind: 'placeholder' }, config, meta).operations.find((op) =>
      op.url.endsWith('/incidents'),
    )!.body;
  const installed = {
    columns: ['opencx_sessionid', 'opencx_handoffreason', 'opencx_aihandlingseconds'],
    options: { opencx_handoffreason: [672630000, 672630003, 672630004] },
    sessionIdMaxLength: 100,
    mismatched: [],
  };

  it('an org without the columns gets the same create as before they existed', () => {
    const without = incidentBody(metadata);
    expect(incidentBody({ ...metadata, insights: { ...installed, columns: [], options: {} } })).toEqual(
      without,
    );
    expect(Object.keys(without).filter((name) => name.startsWith('opencx_'))).toEqual([]);
  });

  it('fills the columns the org has in the same create, next to TICKET_PROPERTIES', () => {
    const body = incidentBody({ ...metadata, insights: installed });
    expect(body).toMatchObject({
      casetypecode: 2,
      opencx_sessionid: 'bca1',
      opencx_handoffreason: 672630003,
      opencx_aihandlingseconds: 60,
    });
    expect(body).not.toHaveProperty('opencx_sentimentathandoff');
  });
});
