/**
 * Issue 21: a caller detail OpenCX verified and one the caller only stated stay apart from the native
 * event to the case's description, and CONTACT_MATCH decides whether a stated email may link the case.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SEED_IDS } from '@opencx-d365/dataverse-sandbox';
import { parse } from '@opencx-d365/transcript-format';
import { describe, expect, it } from 'vitest';
import { customerFromOpenCx, handoffFromOpenCx } from '../../src/opencx/to-handoff.js';
import type { OpenCxSession } from '../../src/opencx/client.js';
import { handoffKey } from '../../src/handoff/key.js';
import { fixtureSession, INCIDENT, json, setup } from './relay-harness.js';

/** A caller who gave Dana Whitfield's name and email (a contact in the sandbox) without verification. */
const STATED_CONTACT: NonNullable<OpenCxSession['contact']> = {
  id: '1cfd28d9-d580-42cd-a87d-717f959bb2d5',
  email: null,
  name: null,
  phone_number: '+14155550167',
  non_verified_name: 'Dana Whitfield',
  non_verified_email: 'dana.whitfield@example.com',
};

async function deliverNative(contact: NonNullable<OpenCxSession['contact']>, env?: Record<string, string>) {
  const relay = await setup({ sessions: [fixtureSession({ contact })], env });
  expect((await relay.post('/v1/opencx/events', json('event-handoff-to-human'))).statusCode).toBe(202);
  await relay.drain();
  expect(await relay.store.get(INCIDENT)).toMatchObject({ status: 'created' });
  const incident = relay.sandbox.state.get('incidents', INCIDENT)!;
  const description = String(incident.description);
  const parsed = parse(description);
  if (parsed.kind !== 'transcript') throw new Error(`description read as ${parsed.kind}`);
  return { relay, incident, description, header: parsed.transcript.header };
}

describe('verified or stated, from a native OpenCX event to the case', () => {
  it('keeps a detail the caller only stated apart from a verified one in the handoff document', () => {
    const { history } = fixtureSession();
    const data = json<{ data: Parameters<typeof handoffFromOpenCx>[0] }>('event-handoff-to-human').data;
    const session = { ...fixtureSession().session, contact: { ...STATED_CONTACT, name: 'Dana W.' } };
    expect(handoffFromOpenCx(data, session, history).customer).toEqual({
      name: 'Dana W.',
      email: 'dana.whitfield@example.com',
      phone: '+14155550167',
      verification: { name: 'verified', email: 'stated' },
    });
  });

  it.each<[string, NonNullable<OpenCxSession['contact']>, ReturnType<typeof customerFromOpenCx>]>([
    [
      'verified details, as OpenCX keeps them',
      { name: 'Hannah Becker', email: 'hannah@example.com', phone_number: '+14155550167' },
      {
        name: 'Hannah Becker',
        email: 'hannah@example.com',
        phone: '+14155550167',
        verification: { name: 'verified', email: 'verified' },
      },
    ],
    [
      'a verified value wins over a stated one',
      { email: 'real@example.com', non_verified_email: 'said@example.com', non_verified_name: ' Sam ' },
      { name: 'Sam', email: 'real@example.com', verification: { name: 'stated', email: 'verified' } },
    ],
    [
      'blank values are absent and take no mark',
      { name: '  ', email: null, non_verified_email: '', phone_number: '+14155550167' },
      { phone: '+14155550167' },
    ],
    ['nothing at all', {}, {}],
  ])('maps the session contact: %s', (_what, contact, customer) => {
    expect(customerFromOpenCx(contact)).toEqual(customer);
  });

  it('does not link the case through a stated email by default, and the header says "stated by the caller"', async () => {
    const { relay, incident, description, header } = await deliverNative(STATED_CONTACT);
    expect(description).toContain('Customer name: Dana Whitfield (stated by the caller)\n');
    expect(description).toContain('Customer email: dana.whitfield@example.com (stated by the caller)\n');
    // The phone carries no mark: OpenCX does not say whether anyone checked it.
    expect(description).toContain('Customer phone: +14155550167\n');
    expect(description).toContain('Contact: not linked\n');
    expect(incident._customerid_value).toBe(SEED_IDS.unidentifiedCaller);
    expect(header.customer?.verification).toEqual({ name: 'stated', email: 'stated' });
    // Neither linked nor created: a stated email must not claim the contact id derived from that email.
    expect(
      relay.sandbox.state.rows('contacts').filter((c) => c.emailaddress1 === 'dana.whitfield@example.com'),
    ).toHaveLength(1);
  });

  it('links it through the stated email when CONTACT_MATCH lists stated-email, and the header says so', async () => {
    const { incident, description, header } = await deliverNative(STATED_CONTACT, {
      CONTACT_MATCH: 'email,stated-email,phone',
    });
    expect(incident._customerid_value).toBe(SEED_IDS.contacts.withEmail);
    expect(description).toContain(
      'Customer email: dana.whitfield@example.com (stated by the caller)\nCustomer phone: +14155550167\nContact: matched by email\n',
    );
    expect(header.contactMatch).toBe('email');
    expect(header.customer?.verification?.email).toBe('stated');
  });

  it('links through an email OpenCX verified, as before, and marks it verified', async () => {
    const { incident, description } = await deliverNative({
      ...STATED_CONTACT,
      email: 'dana.whitfield@example.com',
      non_verified_email: 'someone.else@example.com',
    });
    expect(incident._customerid_value).toBe(SEED_IDS.contacts.withEmail);
    expect(description).toContain('Customer email: dana.whitfield@example.com (verified by OpenCX)\n');
    expect(description).toContain('Contact: matched by email\n');
  });
});

describe('verified or stated, from a handoff document to the case', () => {
  /** The demo's sample: a caller who says she is Dana Whitfield, from a number on no contact. */
  const example = JSON.parse(
    readFileSync(path.join(import.meta.dirname, '../../../examples/handoffs/stated-email.json'), 'utf8'),
  ) as { session_id: string; handoff_at: string };
  const key = handoffKey(example.session_id, example.handoff_at);

  it.each([
    ['the default', {}, SEED_IDS.unidentifiedCaller, 'not linked'],
    ["the demo's CONTACT_MATCH=email", { CONTACT_MATCH: 'email' }, SEED_IDS.unidentifiedCaller, 'not linked'],
    [
      'stated-email listed',
      { CONTACT_MATCH: 'email,stated-email' },
      SEED_IDS.contacts.withEmail,
      'matched by email',
    ],
  ])(
    'with %s, links the examples/handoffs/stated-email.json case as the setting says',
    async (_what, env, customer, contact) => {
      const relay = await setup({ env });
      expect((await relay.post('/v1/handoffs', example)).statusCode).toBe(202);
      await relay.drain();
      const incident = relay.sandbox.state.get('incidents', key)!;
      expect(incident._customerid_value).toBe(customer);
      const description = String(incident.description);
      expect(description).toContain('Customer email: dana.whitfield@example.com (stated by the caller)\n');
      expect(description).toContain(`Contact: ${contact}\n`);
    },
  );
});
