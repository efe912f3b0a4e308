/**
 * A fleet on PostgreSQL renews its leases while it works, so DELIVERY_LEASE_MS can be short (15 s by
 * default) without a slow Dataverse call letting a second instance deliver a handoff that is still being
 * delivered. Two workers on one schema, one clock injected into both: worker A's Dataverse call is held
 * open past its first lease; A renews; worker B, claiming after the first lease would have run out, gets
 * nothing; A's call finishes and its case is the only one.
 */
import { SEED_IDS, startSandbox } from '@opencx-d365/dataverse-sandbox';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createDataverseClient, type DataverseClient } from '../../src/dataverse/client.js';
import { prepareDelivery } from '../../src/delivery/metadata.js';
import { createDeliveryWorker } from '../../src/delivery/worker.js';
import { createPostgresStore } from '../../src/store/postgres.js';
import type { HandoffStore } from '../../src/store/types.js';
import { NOW, onCleanup, phoneHandoffs, sandboxEnv } from '../helpers.js';
import { postgresForTests, TEST_DATABASE_URL } from '../store-contract/postgres-env.js';

const pgt = await postgresForTests('lease');

/** `real`, except that its first GET (the caller lookup) is held until `release()`; `inFlight` says it began. */
function heldDataverse(real: DataverseClient) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  const slow: DataverseClient = {
    async get<T>(path: string) {
      started();
      await gate;
      return real.get<T>(path);
    },
    post: (path, body) => real.post(path, body),
    batch: (operations, gets) => real.batch(operations, gets),
  };
  return { slow, inFlight, release };
}

describe.runIf(pgt.available)('lease renewal in a PostgreSQL fleet', () => {
  afterEach(() => vi.useRealTimers());

  it('renews on its own every third of DELIVERY_LEASE_MS while the worker runs', async () => {
    const sandbox = await startSandbox();
    onCleanup(() => sandbox.close());
    const result = loadConfig(sandboxEnv(sandbox.url));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const config = result.config;
    const inner = createPostgresStore({
      connectionString: TEST_DATABASE_URL,
      schema: pgt.schema(),
      poolSize: 2,
    });
    await inner.init();
    onCleanup(() => inner.close());
    // The store's renew, observed: each call resolves the next waiter with what it renewed.
    const renewals: Array<(keys: string[]) => void> = [];
    const store: HandoffStore = Object.assign(Object.create(inner) as HandoffStore, {
      async renew(owner: string, keys: readonly string[], now: number, leaseMs: number) {
        const held = await inner.renew(owner, keys, now, leaseMs);
        renewals.shift()?.(held);
        return held;
      },
    });
    const nextRenewal = () => new Promise<string[]>((resolve) => renewals.push(resolve));
    const real = createDataverseClient({ url: config.dataverseUrl, auth: config.auth, timeoutMs: 5000 });
    const prepared = await prepareDelivery(config, real);
    if (!prepared.ok) throw new Error(prepared.errors.join('\n'));
    const { slow, inFlight, release } = heldDataverse(real);
    let now = NOW;
    // Only the renewal timer is faked: the worker's own loop keeps real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const worker = createDeliveryWorker({
      config,
      store,
      dataverse: slow,
      metadata: prepared.metadata,
      clock: () => now,
      ownerId: 'instance-a',
    });
    const { documentFor, keyOf } = phoneHandoffs('lease-timer');
    const document = documentFor('timer');
    const key = keyOf(document);
    await inner.insert({
      key,
      kind: 'handoff',
      sessionId: document.session_id,
      payload: JSON.stringify(document),
      now,
    });
    worker.start();
    onCleanup(() => worker.stop());
    await inFlight;
    now = NOW + 5_000;
    const first = nextRenewal();
    vi.advanceTimersByTime(config.delivery.leaseMs / 3);
    expect(await first).toEqual([key]);
    expect((await inner.get(key))?.leaseUntil).toBe(NOW + 5_000 + config.delivery.leaseMs);
    release();
  });

  it('keeps a handoff with the instance whose Dataverse call outlasts the first lease', async () => {
    const sandbox = await startSandbox();
    onCleanup(() => sandbox.close());
    const result = loadConfig(sandboxEnv(sandbox.url));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const config = result.config;
    expect(config.delivery.leaseMs).toBe(15_000); // the default: short, because it is renewed
    const schema = pgt.schema();
    const open = async () => {
      const store = createPostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 });
      await store.init();
      onCleanup(() => store.close());
      return store;
    };
    const [storeA, storeB] = [await open(), await open()];
    const real = createDataverseClient({ url: config.dataverseUrl, auth: config.auth, timeoutMs: 5000 });
    const prepared = await prepareDelivery(config, real);
    if (!prepared.ok) throw new Error(prepared.errors.join('\n'));

    // A's first Dataverse request (the caller lookup) is held until the test lets it go.
    const { slow, inFlight, release } = heldDataverse(real);
    let requestsByB = 0;
    const counted: DataverseClient = {
      get<T>(path: string) {
        requestsByB += 1;
        return real.get<T>(path);
      },
      post(path, body) {
        requestsByB += 1;
        return real.post(path, body);
      },
      batch(operations, gets) {
        requestsByB += 1;
        return real.batch(operations, gets);
      },
    };
    let now = NOW;
    const clock = () => now;
    const common = { config, metadata: prepared.metadata, clock, random: () => 0.5 };
    const a = createDeliveryWorker({ ...common, store: storeA, dataverse: slow, ownerId: 'instance-a' });
    const b = createDeliveryWorker({ ...common, store: storeB, dataverse: counted, ownerId: 'instance-b' });

    const { documentFor, keyOf } = phoneHandoffs('lease');
    const document = documentFor('slow-call');
    const key = keyOf(document);
    await storeA.insert({
      key,
      kind: 'handoff',
      sessionId: document.session_id,
      payload: JSON.stringify(document),
      now,
    });

    const roundA = a.runOnce();
    await inFlight;
    expect(await storeA.get(key)).toMatchObject({ leaseOwner: 'instance-a', leaseUntil: NOW + 15_000 });

    now = NOW + 10_000; // two thirds into the lease, A's call still running: A renews (its timer's work)
    expect(await a.renewLeases()).toBe(1);
    expect((await storeA.get(key))?.leaseUntil).toBe(NOW + 25_000);

    now = NOW + 20_000; // the first lease would have run out here
    expect(await b.runOnce()).toBe(0);
    expect(requestsByB).toBe(0);

    release();
    expect(await roundA).toBe(1);
    expect(await storeB.get(key)).toMatchObject({ status: 'created', incidentId: key });
    expect(sandbox.state.rows('incidents').filter((row) => row.incidentid === key)).toHaveLength(1);
    expect(
      sandbox.state.rows('queueitems').filter((row) => row._queueid_value === SEED_IDS.voiceQueue),
    ).toHaveLength(1);
  });
});
