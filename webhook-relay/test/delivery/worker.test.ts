import { parse, write } from '@opencx-d365/transcript-format';
import { SEED_IDS, startSandbox, type Sandbox, type SandboxOptions } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { RelayConfig } from '../../src/config/types.js';
import { createDataverseClient } from '../../src/dataverse/client.js';
import { prepareDelivery } from '../../src/delivery/metadata.js';
import { transcriptOf } from '../../src/delivery/transcript.js';
import { scheduleRouting } from '../../src/delivery/route-step.js';
import { createDeliveryWorker } from '../../src/delivery/worker.js';
import type { HandoffDocument } from '../../src/handoff/document.js';
import { contactIdForEmail, handoffKey, routeRecordKey } from '../../src/handoff/key.js';
import type { HandoffStore } from '../../src/store/types.js';
import { embeddedStore, handoffFixtures, NOW, onCleanup, readFixture, sandboxEnv } from '../helpers.js';

async function setup(options: { sandbox?: SandboxOptions; env?: Record<string, string> } = {}) {
  const sandbox = await startSandbox({ clock: () => NOW, ...options.sandbox });
  onCleanup(() => sandbox.close());
  const result = loadConfig({
    ...sandboxEnv(sandbox.url),
    OPENCX_SESSION_URL_TEMPLATE: 'https://platform.open.cx/sessions/{session_id}',
    DELIVERY_BACKOFF_BASE_MS: '1000',
    ...options.env,
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const config: RelayConfig = result.config;
  const store = await embeddedStore();
  const dataverse = createDataverseClient({ url: config.dataverseUrl, auth: config.auth, timeoutMs: 5000 });
  const prepared = await prepareDelivery(config, dataverse);
  if (!prepared.ok) throw new Error(prepared.errors.join('\n'));
  let now = NOW;
  const worker = createDeliveryWorker({
    config,
    store,
    dataverse,
    metadata: prepared.metadata,
    clock: () => now,
    random: () => 0.5,
    ownerId: 'test-worker',
  });
  const advance = (ms: number) => (now += ms);
  return { sandbox, config, store, worker, advance, dataverse };
}

async function enqueue(store: HandoffStore, document: HandoffDocument) {
  const key = handoffKey(document.session_id, document.handoff_at);
  await store.insert({
    key,
    kind: 'handoff',
    sessionId: document.session_id,
    payload: JSON.stringify(document),
    now: NOW,
  });
  return key;
}

const fixture = (name: string) =>
  JSON.parse(readFixture(`handoffs/${name}.json`).toString('utf8')) as HandoffDocument;

describe('delivering handoffs to the Dataverse sandbox', () => {
  it.each(handoffFixtures())('creates the case the spec describes for %s', async (name) => {
    const { sandbox, store, worker } = await setup();
    const document = fixture(name);
    const key = await enqueue(store, document);
    expect(await worker.runOnce()).toBe(1);
    const record = await store.get(key);
    expect(record).toMatchObject({ status: 'created', incidentId: key });
    expect(record!.ticketNumber).toMatch(/^CAS-/);
    const incident = sandbox.state.get('incidents', key)!;
    const topic = document.classification ?? document.contact_reason ?? 'Support';
    const c = document.customer;
    expect(incident.title).toBe(`${topic} - ${c?.name || c?.phone || c?.email || 'Anonymous'}`.slice(0, 200));
    expect(incident.prioritycode).toBe(2);
    expect(incident.caseorigincode).toBe(document.channel === 'email' ? 2 : 1);
    expect(incident._ownerid_value).toBe(SEED_IDS.owner);
    const queueItems = sandbox.state.rows('queueitems').filter((q) => q._objectid_value === key);
    expect(queueItems).toEqual([expect.objectContaining({ _queueid_value: SEED_IDS.voiceQueue })]);
    const parsed = parse(String(incident.description));
    expect(parsed.kind).toBe('transcript');
    if (parsed.kind !== 'transcript') return;
    const notes = sandbox.state.rows('annotations').filter((n) => n._objectid_value === key);
    if (parsed.omission) {
      // Shortened: the note holds the whole transcript, which parses back to every turn.
      expect(notes).toHaveLength(1);
      expect(notes[0].subject).toBe(`OpenCX transcript ${document.session_id}`);
      const full = parse(String(notes[0].notetext));
      expect(full.kind === 'transcript' && full.transcript.turns.length).toBe(document.messages.length);
    } else {
      expect(notes).toHaveLength(0);
      expect(parsed.transcript.turns).toHaveLength(document.messages.length);
      const expected = parse(
        write(
          transcriptOf(
            document,
            parsed.transcript.header.contactMatch ?? 'none',
            'https://platform.open.cx/sessions/{session_id}',
          ),
        ),
      );
      expect(parsed.transcript).toEqual(expected.kind === 'transcript' ? expected.transcript : undefined);
    }
  });

  it('links the existing contact found by email, and says so in the header', async () => {
    const { sandbox, store, worker } = await setup();
    const key = await enqueue(store, fixture('phone-full-details'));
    await worker.runOnce();
    const incident = sandbox.state.get('incidents', key)!;
    expect(incident._customerid_value).toBe(SEED_IDS.contacts.withEmail);
    const parsed = parse(String(incident.description));
    expect(parsed.kind === 'transcript' && parsed.transcript.header.contactMatch).toBe('email');
  });

  it('creates a missing contact from the email in the same change set, with a deterministic id', async () => {
    const { sandbox, store, worker } = await setup();
    const document = fixture('email-only');
    const key = await enqueue(store, document);
    await worker.runOnce();
    const contactId = contactIdForEmail(document.customer!.email!);
    expect(sandbox.state.get('contacts', contactId)).toMatchObject({
      emailaddress1: document.customer!.email,
      description: `Created from OpenCX session ${document.session_id}`,
    });
    expect(sandbox.state.get('incidents', key)!._customerid_value).toBe(contactId);
  });

  it('links the one contact whose phone matches in another format, else the placeholder', async () => {
    const { sandbox, store, worker } = await setup();
    const base = fixture('phone-no-email');
    const matched = {
      ...base,
      session_id: 'phone-match',
      customer: { name: 'Maria Lopez', phone: '+14155550101' },
    };
    const unknown = { ...base, session_id: 'phone-unknown', customer: { phone: '+14155559999' } };
    const matchedKey = await enqueue(store, matched);
    const unknownKey = await enqueue(store, unknown);
    await worker.runOnce();
    expect(sandbox.state.get('incidents', matchedKey)!._customerid_value).toBe(
      SEED_IDS.contacts.parenthesised,
    );
    expect(sandbox.state.get('incidents', unknownKey)!._customerid_value).toBe(SEED_IDS.unidentifiedCaller);
    const lookups = sandbox.requests.filter((r) => r.path.endsWith('/contacts'));
    expect(lookups.every((r) => !/contains|endswith/.test(decodeURIComponent(r.query)))).toBe(true);
  });

  it('makes at most two requests for a phone case and treats a repeat as already created', async () => {
    const { sandbox, store, worker, advance } = await setup();
    const document = fixture('phone-no-email');
    const key = await enqueue(store, document);
    const before = sandbox.requests.length;
    await worker.runOnce();
    expect(sandbox.requests.length - before).toBeLessThanOrEqual(2);
    // The same handoff again (e.g. the store lost our answer): Dataverse answers 412, we record a duplicate.
    await store.retry(key, NOW);
    const record = await store.get(key);
    expect(record!.status).toBe('created');
    advance(1);
    const second = { ...document, handoff_at: document.handoff_at };
    const otherStore = await embeddedStore();
    const otherKey = await enqueue(otherStore, second);
    const other = createDeliveryWorker({
      config: setupConfig(sandbox).config,
      store: otherStore,
      dataverse: createDataverseClient({ url: sandbox.url, auth: { kind: 'none' }, timeoutMs: 5000 }),
      metadata: { titleMaxLength: 200, descriptionMaxLength: 2000, noteMaxLength: 100_000 },
      clock: () => NOW,
    });
    await other.runOnce();
    expect(await otherStore.get(otherKey)).toMatchObject({ status: 'duplicate' });
    expect(sandbox.state.rows('incidents').filter((i) => i.incidentid === key)).toHaveLength(1);
  });

  it('retries a 5xx with backoff, pauses every worker on a 429, and dead-letters a 400 with its code', async () => {
    const { sandbox, store, worker, advance } = await setup();
    const key = await enqueue(store, fixture('phone-anonymous'));
    sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
    await worker.runOnce();
    expect(await store.get(key)).toMatchObject({
      status: 'received',
      attempts: 1,
      lastError: { httpStatus: 503 },
    });
    expect(await worker.runOnce()).toBe(0); // not due yet
    sandbox.setFaults({ throttleNext: 1, throttleRetryAfterSeconds: 30 });
    advance(1000);
    await worker.runOnce();
    expect(await store.get(key)).toMatchObject({
      status: 'received',
      attempts: 1,
      lastError: { httpStatus: 429 },
    });
    advance(29_000);
    expect(await worker.runOnce()).toBe(0); // paused
    advance(1_000);
    await worker.runOnce();
    expect(await store.get(key)).toMatchObject({ status: 'created' });

    sandbox.setAuth({ missingPrivileges: ['prvCreateIncident'] });
    const refused = await enqueue(store, { ...fixture('web-voice'), session_id: 'no-privilege' });
    await worker.runOnce();
    expect(await store.get(refused)).toMatchObject({
      status: 'failed',
      lastError: { httpStatus: 403, code: '0x80040220' },
    });
  });
});

describe('service protection: each of the three limits', () => {
  it.each([
    ['requests', { requestsPerWindow: 0, windowMs: 40_000 }, '0x80072322', 40],
    ['execution time', { executionMsPerWindow: 0, windowMs: 40_000 }, '0x80072321', 40],
    ['concurrency', { maxConcurrent: 0 }, '0x80072326', 1],
  ] as const)(
    'pauses every worker for the Retry-After of a %s refusal, counting no attempt, then delivers',
    async (_limit, limits, code, seconds) => {
      const { sandbox, store, worker, advance } = await setup();
      const key = await enqueue(store, fixture('phone-anonymous'));
      sandbox.setLimits(limits);
      await worker.runOnce();
      expect(await store.get(key)).toMatchObject({
        status: 'received',
        attempts: 0,
        lastError: { httpStatus: 429, code },
        nextAttemptAt: NOW + seconds * 1000,
      });
      sandbox.setLimits({});
      advance(seconds * 1000 - 1);
      expect(await worker.runOnce()).toBe(0); // still paused
      advance(1);
      await worker.runOnce();
      expect(await store.get(key)).toMatchObject({ status: 'created' });
    },
  );
});

describe('where the case goes', () => {
  const itemsOf = (sandbox: Sandbox, key: string) =>
    sandbox.state.rows('queueitems').filter((q) => q._objectid_value === key);
  const noQueue = (env: Record<string, string>) => ({ DEFAULT_QUEUE_ID: '', ...env });

  it("names the owner's default queue as SourceQueue where the Case table auto-routes, so AddToQueue moves it from there", async () => {
    const { sandbox, store, worker } = await setup({ sandbox: { org: { autoRouteToOwnerQueue: true } } });
    const key = await enqueue(store, fixture('phone-anonymous'));
    await worker.runOnce();
    expect(itemsOf(sandbox, key)).toEqual([expect.objectContaining({ _queueid_value: SEED_IDS.voiceQueue })]);
    const batch = sandbox.requests.find((r) => r.path.endsWith('$batch'));
    expect(batch?.operations?.map((o) => o.url)).toContain(
      `/api/data/v9.2/queues(${SEED_IDS.voiceQueue})/Microsoft.Dynamics.CRM.AddToQueue`,
    );
  });

  it('unified routing: the case is created, then a route record of its own applies unified routing, once', async () => {
    const { sandbox, store, worker } = await setup({
      sandbox: { org: { unifiedRouting: { queue: SEED_IDS.triageQueue } } },
      env: noQueue({ APPLY_ROUTING_RULES: 'unified' }),
    });
    const key = await enqueue(store, fixture('phone-anonymous'));
    await worker.runOnce();
    const route = routeRecordKey(key);
    expect(await store.get(key)).toMatchObject({
      status: 'created',
      note: expect.stringContaining(route) as string,
    });
    expect(itemsOf(sandbox, key)).toHaveLength(0);
    expect(await store.get(route)).toMatchObject({ kind: 'route', status: 'received' });
    await worker.runOnce();
    expect(await store.get(route)).toMatchObject({ status: 'created', incidentId: key });
    expect(itemsOf(sandbox, key)).toEqual([
      expect.objectContaining({ _queueid_value: SEED_IDS.triageQueue }),
    ]);
    expect(
      sandbox.requests.filter((r) => r.path.endsWith('msdyn_ApplyRoutingRuleEntityRecord')),
    ).toHaveLength(1);
  });

  it('unified routing after a crash between the create and the route record: the redelivery is a duplicate and still routes the case, once', async () => {
    const { sandbox, store, worker } = await setup({
      sandbox: { org: { unifiedRouting: { queue: SEED_IDS.triageQueue } } },
      env: noQueue({ APPLY_ROUTING_RULES: 'unified' }),
    });
    const document = fixture('phone-anonymous');
    const key = await enqueue(store, document);
    // An earlier attempt created the case, then the relay died before it stored anything.
    const created = await fetch(`${sandbox.url}/api/data/v9.2/incidents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        incidentid: key,
        title: 'Support - Anonymous',
        'customerid_contact@odata.bind': `/contacts(${SEED_IDS.unidentifiedCaller})`,
      }),
    });
    expect(created.status).toBe(204);
    await worker.runOnce();
    expect(await store.get(key)).toMatchObject({ status: 'duplicate' });
    await worker.runOnce();
    expect(await store.get(routeRecordKey(key))).toMatchObject({ status: 'created' });
    expect(itemsOf(sandbox, key)).toEqual([
      expect.objectContaining({ _queueid_value: SEED_IDS.triageQueue }),
    ]);
    // Scheduling it again (another redelivery) stores nothing new.
    await scheduleRouting(store, { key, sessionId: document.session_id }, NOW);
    expect((await store.list()).filter((r) => r.kind === 'route')).toHaveLength(1);
  });

  it('unified routing where the org has not provisioned it: the case stays created, its route record fails saying why', async () => {
    const { sandbox, store, worker } = await setup({ env: noQueue({ APPLY_ROUTING_RULES: 'unified' }) });
    const key = await enqueue(store, fixture('phone-anonymous'));
    await worker.runOnce();
    await worker.runOnce();
    expect(await store.get(key)).toMatchObject({ status: 'created' });
    expect(await store.get(routeRecordKey(key))).toMatchObject({
      status: 'failed',
      lastError: {
        httpStatus: 404,
        code: '0x8006088a',
        reason: expect.stringContaining('not provisioned') as string,
      },
    });
    expect(sandbox.state.get('incidents', key)).toBeDefined();
  });

  it('unified routing after a 503: the route record is retried with backoff, the case is not created twice', async () => {
    const { sandbox, store, worker, advance } = await setup({
      sandbox: { org: { unifiedRouting: { queue: SEED_IDS.triageQueue } } },
      env: noQueue({ APPLY_ROUTING_RULES: 'unified' }),
    });
    const key = await enqueue(store, fixture('phone-anonymous'));
    await worker.runOnce();
    sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
    await worker.runOnce();
    expect(await store.get(routeRecordKey(key))).toMatchObject({ status: 'received', attempts: 1 });
    sandbox.setFaults({});
    advance(1000);
    await worker.runOnce();
    expect(await store.get(routeRecordKey(key))).toMatchObject({ status: 'created' });
    expect(sandbox.state.rows('incidents')).toHaveLength(1);
    expect(itemsOf(sandbox, key)).toHaveLength(1);
  });
});

function setupConfig(sandbox: Sandbox) {
  const result = loadConfig(sandboxEnv(sandbox.url));
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result;
}
