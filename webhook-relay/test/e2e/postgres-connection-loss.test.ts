/**
 * A whole running relay (startRelay: intake, worker, probes) on PostgreSQL losing its database: through a
 * TCP proxy that a test cuts (the network or the server gone), and by the server terminating every one of
 * its connections in the middle of a delivery (pg_terminate_backend). Intake answers 503 with Retry-After,
 * the worker stops reaching Dataverse while it cannot record outcomes, and everything acknowledged is
 * delivered exactly once when the database is back. The store-level cases are in store-contract/.
 */
import { Writable } from 'node:stream';
import { startSandbox, type Sandbox } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { startRelay, type RunningRelay } from '../../src/server.js';
import { createPostgresStore } from '../../src/store/postgres.js';
import type { HandoffStore } from '../../src/store/types.js';
import { onCleanup, phoneHandoffs, postSignedHandoff, sandboxEnv } from '../helpers.js';
import { admin, postgresForTests, TEST_DATABASE_URL } from '../store-contract/postgres-env.js';
import { startTcpProxy } from '../store-contract/tcp-proxy.js';

const pgt = await postgresForTests('connloss');

const { documentFor, keyOf } = phoneHandoffs('connloss');

/** Log lines the relay wrote, by message, so a test can wait for "a delivery round failed" twice. */
function logCapture() {
  const messages: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        messages.push((JSON.parse(line) as { msg?: string }).msg ?? '');
      done();
    },
  });
  return {
    logger: createLogger('error', stream),
    count: (msg: string) => messages.filter((m) => m === msg).length,
  };
}
const ROUND_FAILED = 'delivery round failed; retrying';

/** A relay on `store` (opened by the test, so it can go through a proxy or carry an application name). */
async function relayOn(sandbox: Sandbox, store: HandoffStore, logger = createLogger('silent')) {
  const result = loadConfig({
    ...sandboxEnv(sandbox.url),
    PORT: '0',
    HOST: '127.0.0.1',
    DELIVERY_BACKOFF_BASE_MS: '20',
    DELIVERY_BACKOFF_MAX_MS: '200',
    DELIVERY_MAX_ATTEMPTS: '1000',
    DELIVERY_LEASE_MS: '1000',
    DATAVERSE_TIMEOUT_MS: '900',
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const relay = await startRelay(result.config, { logger, store });
  onCleanup(() => relay.stop());
  return relay;
}

/** A store of its own on the schema, straight to the server: what the relay recorded, whatever it sees. */
async function inspector(schema: string): Promise<HandoffStore> {
  const store = createPostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 1 });
  await store.init();
  onCleanup(() => store.close());
  return store;
}

const post = (relay: RunningRelay, document: object) => postSignedHandoff(relay.url, document);

/** As OpenCX does: send again until acknowledged (a 503 while the store is away is answered, not lost). */
async function deliver(relay: RunningRelay, document: object): Promise<number> {
  for (let refused = 0; ; refused += 1) {
    const response = await post(relay, document);
    if (response.status === 200 || response.status === 202) return refused;
    expect(response.status).toBe(503);
  }
}

async function settled(store: HandoffStore, total: number) {
  const counts = await store.countByStatus();
  expect(counts.created + counts.duplicate).toBe(total);
}

/** Every document is exactly one incident with exactly one queue item, and nothing else is there. */
function expectExactlyOnce(sandbox: Sandbox, documents: Array<{ session_id: string }>) {
  const incidents = sandbox.state.rows('incidents').map((row) => String(row.incidentid));
  expect(incidents.sort()).toEqual(documents.map(keyOf).sort());
  const queued = sandbox.state.rows('queueitems').map((row) => String(row._objectid_value));
  expect(queued.sort()).toEqual(documents.map(keyOf).sort());
}

describe.runIf(pgt.available)('a running relay losing PostgreSQL', () => {
  it('answers 503 + Retry-After, stops delivering while cut off, and delivers everything once back', async () => {
    const sandbox = await startSandbox();
    onCleanup(() => sandbox.close());
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    onCleanup(() => proxy.close());
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const schema = pgt.schema();
    const store = createPostgresStore({ connectionString: viaProxy.toString(), schema, poolSize: 4 });
    const { logger, count } = logCapture();
    const relay = await relayOn(sandbox, store, logger);
    const inspect = await inspector(schema);

    // Work waiting when the database goes: acknowledged, failing at Dataverse for now (every request 503).
    sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
    const waiting = Array.from({ length: 5 }, (_, i) => documentFor(`waiting-${i}`));
    for (const document of waiting) expect((await post(relay, document)).status).toBe(202);
    await vi.waitFor(
      async () => {
        const records = await Promise.all(waiting.map((d) => inspect.get(keyOf(d))));
        expect(records.every((r) => r !== undefined && r.attempts > 0)).toBe(true);
      },
      { timeout: 10_000, interval: 20 },
    );

    proxy.cut();
    const refused = await post(relay, documentFor('during'));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect((await fetch(`${relay.url}/readyz`)).status).toBe(503);
    // Two failed rounds: from then on every round fails before claiming, so none is in flight. Dataverse
    // is healthy again, yet no request reaches it while the relay could not record what it did.
    await vi.waitFor(() => expect(count(ROUND_FAILED)).toBeGreaterThanOrEqual(2), {
      timeout: 10_000,
      interval: 20,
    });
    sandbox.setFaults({});
    const requestsBefore = sandbox.requests.length;
    const failedBefore = count(ROUND_FAILED);
    await vi.waitFor(() => expect(count(ROUND_FAILED)).toBeGreaterThanOrEqual(failedBefore + 2), {
      timeout: 10_000,
      interval: 20,
    });
    expect(sandbox.requests.slice(requestsBefore).filter((r) => !r.path.endsWith('/WhoAmI()'))).toEqual([]);
    expect(sandbox.state.rows('incidents')).toHaveLength(0);

    proxy.restore();
    const after = documentFor('after');
    expect(await deliver(relay, after)).toBe(0);
    await vi.waitFor(() => settled(inspect, waiting.length + 1), { timeout: 15_000, interval: 50 });
    expect((await fetch(`${relay.url}/readyz`)).status).toBe(200);
    expectExactlyOnce(sandbox, [...waiting, after]);
  }, 40_000);

  it('delivers everything exactly once when the server terminates all its connections mid-delivery', async () => {
    const sandbox = await startSandbox();
    onCleanup(() => sandbox.close());
    const schema = pgt.schema();
    const applicationName = `${pgt.prefix}_relay`;
    const store = createPostgresStore({
      connectionString: TEST_DATABASE_URL,
      schema,
      poolSize: 4,
      applicationName,
    });
    const relay = await relayOn(sandbox, store);
    const inspect = await inspector(schema);
    // Slow Dataverse a little so that the terminations land while deliveries are under way.
    sandbox.setFaults({ latencyMs: 15 });
    const terminate = async () =>
      (
        await admin<{ terminated: boolean }>(
          'SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = $1',
          [applicationName],
        )
      ).rows.filter((row) => row.terminated).length;

    const documents = Array.from({ length: 60 }, (_, i) => documentFor(`terminated-${i}`));
    for (const document of documents.slice(0, 40)) await deliver(relay, document);
    const delivered = () => sandbox.state.rows('incidents').length;
    let terminated = 0;
    await vi.waitFor(() => expect(delivered()).toBeGreaterThanOrEqual(5), { timeout: 15_000, interval: 5 });
    terminated += await terminate();
    // Intake keeps taking handoffs (a refused one is sent again, as a sender would) during a second loss.
    const sending = (async () => {
      let refusals = 0;
      for (const document of documents.slice(40)) refusals += await deliver(relay, document);
      return refusals;
    })();
    await vi.waitFor(() => expect(delivered()).toBeGreaterThanOrEqual(20), { timeout: 15_000, interval: 5 });
    terminated += await terminate();
    await sending;

    expect(terminated).toBeGreaterThanOrEqual(2);
    await vi.waitFor(() => settled(inspect, documents.length), { timeout: 30_000, interval: 50 });
    expectExactlyOnce(sandbox, documents);
    expect((await fetch(`${relay.url}/readyz`)).status).toBe(200);
  }, 60_000);
});
