/**
 * Two relay instances (startRelay, each with its own intake, worker, pool and metrics) on one PostgreSQL
 * schema, against one Dataverse sandbox: a 429 answered to one instance pauses the other through the store,
 * and N handoffs, each delivered to both instances, under 5xx and dropped-after-commit faults, become N
 * incidents with one queue item each.
 */
import { startSandbox, type Sandbox } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { startRelay, type RunningRelay } from '../../src/server.js';
import { createPostgresStore } from '../../src/store/postgres.js';
import type { HandoffStore } from '../../src/store/types.js';
import { FAST_RETRY_ENV, onCleanup, phoneHandoffs, postSignedHandoff, sandboxEnv } from '../helpers.js';
import { postgresForTests, TEST_DATABASE_URL } from '../store-contract/postgres-env.js';

const pgt = await postgresForTests('fleet');

const { documentFor, keyOf } = phoneHandoffs('fleet');

async function fleet(sandbox: Sandbox, size: number) {
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', pgt.schema());
  const result = loadConfig({
    ...sandboxEnv(sandbox.url),
    RELAY_DATABASE_URL: url.toString(),
    PORT: '0',
    HOST: '127.0.0.1',
    ...FAST_RETRY_ENV,
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const config = result.config;
  // Started together: both run the migrations at once, the advisory lock makes them take turns.
  const relays = await Promise.all(
    Array.from({ length: size }, () => startRelay(config, { logger: createLogger('silent') })),
  );
  for (const relay of relays) onCleanup(() => relay.stop());
  return { relays, config, inspect: await openInspector(url) };
}

async function openInspector(url: URL): Promise<HandoffStore> {
  const schema = url.searchParams.get('schema') ?? undefined;
  const plain = new URL(url);
  plain.searchParams.delete('schema');
  const store = createPostgresStore({ connectionString: plain.toString(), schema, poolSize: 2 });
  await store.init();
  onCleanup(() => store.close());
  return store;
}

const post = async (relay: RunningRelay, document: object): Promise<number> =>
  (await postSignedHandoff(relay.url, document)).status;

/** One series of an instance's Prometheus metrics, e.g. `opencx_relay_throttle_pauses_total`. */
async function metric(relay: RunningRelay, series: string): Promise<number> {
  const text = await (await fetch(`${relay.opsUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const settled = async (store: HandoffStore, total: number) => {
  const counts = await store.countByStatus();
  expect(counts.created + counts.duplicate).toBe(total);
};

describe.runIf(pgt.available)('two relay instances on one PostgreSQL schema', () => {
  it('pauses both when Dataverse answers 429 to one of them', async () => {
    const sandbox = await startSandbox();
    onCleanup(() => sandbox.close());
    const { relays, config, inspect } = await fleet(sandbox, 2);
    const scope = `dataverse:${config.dataverseUrl}:none`;

    sandbox.setFaults({ throttleNext: 1, throttleRetryAfterSeconds: 3 });
    expect(await post(relays[0], documentFor('first'))).toBe(202);
    // The metric moves after the pause is written to the store, so once it shows, the pause is there.
    const pausesOf = () => Promise.all(relays.map((r) => metric(r, 'opencx_relay_throttle_pauses_total')));
    await vi.waitFor(async () => expect((await pausesOf()).reduce((a, b) => a + b)).toBe(1), {
      timeout: 5000,
      interval: 10,
    });
    const pauseUntil = await inspect.getPauseUntil(scope);
    expect(pauseUntil).toBeGreaterThan(Date.now());
    const pauses = await pausesOf();
    const [pausedBy, other] = pauses[0] === 1 ? relays : [relays[1], relays[0]];
    expect(await metric(pausedBy, 'opencx_relay_throttle_pauses_total')).toBe(1); // exactly one saw the 429

    // The other instance's intake wakes its worker at once; only the shared pause can hold it back.
    const later = Array.from({ length: 10 }, (_, i) => documentFor(`later-${i}`));
    expect(Date.now()).toBeLessThan(pauseUntil - 1000);
    for (const document of later) expect(await post(other, document)).toBe(202);
    await vi.waitFor(() => settled(inspect, 11), { timeout: 15_000, interval: 50 });

    for (const document of later) {
      const incident = sandbox.state.get('incidents', keyOf(document));
      expect(Date.parse(String(incident?.createdon))).toBeGreaterThanOrEqual(pauseUntil);
    }
    expect(await metric(other, 'opencx_relay_throttle_pauses_total')).toBe(0);
    expect(await metric(other, 'opencx_relay_dataverse_requests_total{status="429"}')).toBe(0);
    expect(sandbox.requests.filter((r) => r.status === 429)).toHaveLength(1);
  }, 30_000);

  it('turns N handoffs, each delivered to both instances, into N incidents under faults', async () => {
    const sandbox = await startSandbox();
    onCleanup(() => sandbox.close());
    const { relays, inspect } = await fleet(sandbox, 2);
    sandbox.setFaults({ errorRate: 0.1, errorStatus: 503, dropAfterCommitRate: 0.05, seed: 3 });

    const total = 150;
    const documents = Array.from({ length: total }, (_, i) => ({
      ...documentFor(`n-${i}`),
      customer: i % 4 === 0 ? { name: `Caller ${i}`, email: `caller${i % 10}@example.com` } : undefined,
    }));
    for (let i = 0; i < total; i += 10) {
      const statuses = await Promise.all(
        documents
          .slice(i, i + 10)
          .flatMap((document, j) => [post(relays[j % 2], document), post(relays[(j + 1) % 2], document)]),
      );
      expect(statuses.every((s) => s === 200 || s === 202)).toBe(true);
    }
    await vi.waitFor(() => settled(inspect, total), { timeout: 60_000, interval: 100 });

    const perKey = new Map<string, number>();
    for (const incident of sandbox.state.rows('incidents'))
      perKey.set(String(incident.incidentid), (perKey.get(String(incident.incidentid)) ?? 0) + 1);
    expect(documents.filter((d) => perKey.get(keyOf(d)) !== 1)).toEqual([]);
    expect(sandbox.state.rows('incidents')).toHaveLength(total);
    const queued = sandbox.state.rows('queueitems').map((q) => String(q._objectid_value));
    expect(queued).toHaveLength(total);
    expect(new Set(queued).size).toBe(total);
    const emails = sandbox.state
      .rows('contacts')
      .map((c) => c.emailaddress1)
      .filter((e) => typeof e === 'string' && e.startsWith('caller'));
    expect(emails).toHaveLength(new Set(emails).size); // one contact per caller, never two
    // Both instances took part in delivery (work is shared through the store, not split by intake).
    const delivered = await Promise.all(
      relays.map(
        async (r) =>
          (await metric(r, 'opencx_relay_handoffs_total{status="created"}')) +
          (await metric(r, 'opencx_relay_handoffs_total{status="duplicate"}')),
      ),
    );
    expect(delivered.every((n) => n > 0)).toBe(true);
    expect(delivered[0] + delivered[1]).toBeGreaterThanOrEqual(total);
  }, 90_000);
});
