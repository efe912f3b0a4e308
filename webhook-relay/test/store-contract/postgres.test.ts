import net from 'node:net';
import pg from 'pg';
import { startSandbox } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import { createDataverseClient } from '../../src/dataverse/client.js';
import { prepareDelivery } from '../../src/delivery/metadata.js';
import { createDeliveryWorker } from '../../src/delivery/worker.js';
import { createPostgresStore, type PostgresStoreOptions } from '../../src/store/postgres.js';
import { migrate, MIGRATIONS } from '../../src/store/postgres-migrations.js';
import { StoreUnavailableError, type HandoffStore } from '../../src/store/types.js';
import { NOW, onCleanup, readFixture, sandboxEnv, SECRET, sign } from '../helpers.js';
import { handoff, storeContract, type OpenFixture } from './contract.js';
import { admin, postgresForTests, TEST_DATABASE_URL, THROUGH_POOLER } from './postgres-env.js';
import { startTcpProxy } from './tcp-proxy.js';
import { sealingVault } from './vaults.js';

const pgt = await postgresForTests('store');

/** Opens (and on cleanup closes) a PostgreSQL store; `init: false` leaves init to the test. */
async function openStore(
  options: Partial<PostgresStoreOptions> & { init?: boolean } = {},
): Promise<HandoffStore> {
  const { init = true, ...rest } = options;
  const store = createPostgresStore({ connectionString: TEST_DATABASE_URL, poolSize: 4, ...rest });
  onCleanup(() => store.close());
  if (init) await store.init();
  return store;
}

/** The test server's URL with another host:port (a proxy, or a port nobody listens on). */
function urlVia(port: number): string {
  const url = new URL(TEST_DATABASE_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function proxiedStore(poolSize: number) {
  const target = new URL(TEST_DATABASE_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  onCleanup(() => proxy.close());
  const store = await openStore({ connectionString: urlVia(proxy.port), schema: pgt.schema(), poolSize });
  return { proxy, store };
}

const unavailable = { name: 'StoreUnavailableError' };

describe.runIf(pgt.available)('PostgreSQL store', () => {
  const open: OpenFixture = async (vault) => {
    const schema = pgt.schema();
    const store = await openStore({ schema, vault: vault?.() });
    return {
      store,
      another: (make) => openStore({ schema, vault: (make ?? vault)?.() }),
      async reopen(make) {
        await store.close();
        return openStore({ schema, vault: (make ?? vault)?.() });
      },
      // Every row of every table, as a query reads it.
      async raw() {
        const tables = ['handoffs', 'webhook_ids', 'pauses', 'relay_secrets', 'audit'];
        const texts = await Promise.all(
          tables.map(
            async (table) =>
              (
                await admin<{ text: string | null }>(
                  `SELECT string_agg(t::text, E'\\n') AS text FROM "${schema}".${table} t`,
                )
              ).rows[0]?.text ?? '',
          ),
        );
        return Buffer.from(texts.join('\n'), 'utf8');
      },
    };
  };
  storeContract('PostgreSQL', open);
  storeContract('PostgreSQL', open, { sealed: true });

  describe('migrations', () => {
    it('migrates once when several instances start at the same moment', async () => {
      const schema = pgt.schema();
      const stores = await Promise.all(
        Array.from({ length: 6 }, () => openStore({ schema, init: false, poolSize: 1 })),
      );
      await Promise.all(stores.map((store) => store.init()));
      const { rows } = await admin<{ version: number }>(
        `SELECT version FROM "${schema}".relay_schema_migrations ORDER BY version`,
      );
      expect(rows.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
      await stores[0].insert(handoff('k1'));
      expect((await stores[5].get('k1'))?.key).toBe('k1');
    });

    it('upgrades a schema at version 1 in place: its handoffs, webhook ids and error codes stay', async () => {
      const schema = pgt.schema();
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      try {
        await migrate(client as unknown as pg.PoolClient, schema, MIGRATIONS.slice(0, 1));
        await client.query(
          `INSERT INTO "${schema}".handoffs (key, kind, session_id, payload, status, attempts, next_attempt_at,
             last_error, received_at, updated_at) VALUES ($1, 'handoff', 's1', $2, 'failed', 8, $3, $4, $3, $5)`,
          [
            'old-failed',
            '{"customer":{"phone":"+14155550103"}}',
            NOW,
            JSON.stringify({ code: '0x80040265', message: 'm\u0000', reason: 'r' }),
            NOW + 5,
          ],
        );
        await client.query(
          `INSERT INTO "${schema}".webhook_ids (webhook_id, key) VALUES ('msg_old', 'old-failed')`,
        );
      } finally {
        await client.end();
      }
      const store = await openStore({ schema, vault: sealingVault(['k1']) });
      expect(await store.get('old-failed')).toMatchObject({
        payload: '{"customer":{"phone":"+14155550103"}}',
        settledAt: NOW + 5,
        lastError: { code: '0x80040265', message: 'm\u0000' },
      });
      expect((await store.findByWebhookId('msg_old'))?.key).toBe('old-failed');
      expect(await store.dataAtRest()).toMatchObject({ plain: 1, byKeyId: {} });
      expect(await store.rekey(undefined, 10)).toMatchObject({ resealed: 1 });
      expect(
        await store.purge(
          { settledBefore: 0, failedBefore: NOW + 5, recordsBefore: 0, webhookIdsBefore: NOW },
          10,
          NOW + 9,
        ),
      ).toEqual({ payloads: 0, deadLetters: 1, records: 0, webhookIds: 1 });
      expect((await store.get('old-failed'))?.lastError?.code).toBe('0x80040265');
    });

    it('refuses a schema written by a newer relay, naming both versions', async () => {
      const schema = pgt.schema();
      await openStore({ schema });
      await admin(`INSERT INTO "${schema}".relay_schema_migrations (version, name) VALUES (999, 'future')`);
      const older = await openStore({ schema, init: false });
      const newest = Math.max(...MIGRATIONS.map((m) => m.version));
      await expect(older.init()).rejects.toThrow(`version 999, newer than this relay knows (${newest})`);
    });

    it('keeps the data of two schemas apart on one database', async () => {
      const first = await openStore({ schema: pgt.schema() });
      const second = await openStore({ schema: pgt.schema() });
      await first.insert(handoff('only-in-first'));
      await first.setPauseUntil('app-user', NOW + 1000);
      expect(await second.get('only-in-first')).toBeUndefined();
      expect(await second.getPauseUntil('app-user')).toBe(0);
    });

    it('refuses a schema name that is not a plain identifier', () => {
      expect(() => createPostgresStore({ connectionString: TEST_DATABASE_URL, schema: 'x"; DROP' })).toThrow(
        /not a usable PostgreSQL schema name/,
      );
    });
  });

  describe('losing the server', () => {
    it('reports a server nobody listens on as StoreUnavailableError, on every call', async () => {
      const store = await openStore({
        connectionString: urlVia(await closedPort()),
        schema: pgt.schema(),
        init: false,
        connectTimeoutMs: 2000,
      });
      await expect(store.init()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.ping()).rejects.toMatchObject(unavailable);
      await expect(store.insert(handoff('k1'))).rejects.toMatchObject(unavailable);
      await expect(store.claim('w1', 1, NOW, 1000)).rejects.toMatchObject(unavailable);
      await expect(store.getPauseUntil('app-user')).rejects.toMatchObject(unavailable);
    });

    it('is unavailable while the network is cut and recovers by itself once it is back', async () => {
      const { proxy, store } = await proxiedStore(1);
      await store.insert(handoff('before'));
      proxy.cut();
      await expect(store.ping()).rejects.toMatchObject(unavailable);
      await expect(store.insert(handoff('during'))).rejects.toMatchObject(unavailable);
      await expect(store.claim('w1', 5, NOW, 1000)).rejects.toMatchObject(unavailable);
      proxy.restore();
      await expect(store.ping()).resolves.toBeUndefined();
      expect((await store.insert(handoff('after'))).inserted).toBe(true);
      expect((await store.list()).map((r) => r.key).sort()).toEqual(['after', 'before']);
    });

    it('survives the server terminating its connections (pg_terminate_backend)', async () => {
      const applicationName = `${pgt.prefix}_victim`;
      const store = await openStore({ schema: pgt.schema(), poolSize: 1, applicationName });
      await store.insert(handoff('k1'));
      const { rows } = await admin<{ terminated: boolean }>(
        'SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      // Through a pooler, the server connections this store's transactions ran on (PgBouncer names each
      // after the client it last served): one, or two when its init and its insert ran on different ones.
      if (THROUGH_POOLER) expect(rows.length).toBeGreaterThanOrEqual(1);
      else expect(rows).toHaveLength(1);
      expect(rows.every((row) => row.terminated)).toBe(true);
      // The pool may or may not have noticed yet: the first call either works on a new connection or
      // reports the loss; no call after it fails, and nothing crashes the process.
      await store.get('k1').then(
        (record) => expect(record?.key).toBe('k1'),
        (error: unknown) => expect(error).toBeInstanceOf(StoreUnavailableError),
      );
      expect((await store.get('k1'))?.key).toBe('k1');
      expect((await store.insert(handoff('k2'))).inserted).toBe(true);
    });

    it('makes intake answer 503 with Retry-After during the cut, and 202 after', async () => {
      const { proxy, store } = await proxiedStore(2);
      const app = buildApp({ config: { webhookSecrets: [SECRET], bodyLimit: 5_000_000 }, store });
      onCleanup(() => app.close());
      const body = readFixture('handoffs/phone-no-email.json').toString('utf8');
      const post = () =>
        app.inject({
          method: 'POST',
          url: '/v1/handoffs',
          payload: body,
          headers: { 'content-type': 'application/json', ...sign(body, { at: Date.now() }) },
        });
      proxy.cut();
      const refused = await post();
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
      proxy.restore();
      expect((await post()).statusCode).toBe(202);
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    });

    it('lets the delivery worker skip rounds during the cut and deliver once the store is back', async () => {
      const sandbox = await startSandbox();
      onCleanup(() => sandbox.close());
      const result = loadConfig(sandboxEnv(sandbox.url));
      if (!result.ok) throw new Error(result.errors.join('\n'));
      const config = result.config;
      const dataverse = createDataverseClient({
        url: config.dataverseUrl,
        auth: config.auth,
        timeoutMs: 5000,
      });
      const prepared = await prepareDelivery(config, dataverse);
      if (!prepared.ok) throw new Error(prepared.errors.join('\n'));
      const { proxy, store } = await proxiedStore(2);
      const document = readFixture('handoffs/phone-no-email.json').toString('utf8');
      await store.insert(handoff('b6a0e2a4-8a51-5f7b-9d5e-2f1f0f6b7c11', { payload: document }));
      const worker = createDeliveryWorker({
        config,
        store,
        dataverse,
        metadata: prepared.metadata,
        pollIntervalMs: 10,
      });
      proxy.cut();
      await expect(worker.runOnce()).rejects.toMatchObject(unavailable);
      worker.start(); // the loop logs the failed rounds and keeps going
      onCleanup(() => worker.stop());
      expect(sandbox.state.rows('incidents')).toHaveLength(0);
      proxy.restore();
      await vi.waitFor(
        async () =>
          expect(await store.get('b6a0e2a4-8a51-5f7b-9d5e-2f1f0f6b7c11')).toMatchObject({
            status: 'created',
          }),
        { timeout: 10_000, interval: 20 },
      );
      expect(sandbox.state.rows('incidents')).toHaveLength(1);
    });
  });
});
