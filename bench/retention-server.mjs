// Child process for bench/retention-purge.mjs: the relay's intake (as `opencx-relay start` builds it, no
// delivery worker) over the embedded store or PostgreSQL, with `rows` settled handoffs already stored
// (settled 8 days ago when `expired`, else just now) and the relay's retention purge, which starts when the
// parent sends 'purge' (after its warm-up). Sends its port to the parent; PAYLOAD_ENCRYPTION_KEYS from the
// environment as the relay reads it.
// Usage (by the parent, with an IPC channel): node bench/retention-server.mjs embedded|postgres <rows> expired|fresh [schema]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { BENCH_DATABASE_URL, BENCH_SECRET, handoffOfSize } from './bench-env.mjs';

const dist = path.join(import.meta.dirname, '../webhook-relay/dist');
const relay = await import(path.join(dist, 'index.js'));
const { createPostgresStore } = await import(path.join(dist, 'store/postgres.js'));
const { createRetention } = await import(path.join(dist, 'privacy/retention.js'));
const { createMetrics } = await import(path.join(dist, 'observability/metrics.js'));
const { default: Database } = await import(path.join(dist, 'store/sqlite-driver.js'));

const [mode, rowsText, age, schema] = process.argv.slice(2);
const rows = Number(rowsText);
const DAY = 86_400_000;
const now = Date.now();
const settledAt = age === 'expired' ? now - 8 * DAY : now;
// The payload of every stored row: the 4 KB handoff the intake benchmark sends.
const payload = JSON.stringify(handoffOfSize('phone-full-details.json', 4096));

const { settings, errors } = relay.readDataAtRestSettings(process.env);
if (errors.length) throw new Error(errors.join('\n'));
const vault = relay.createPayloadVault(settings);
let dataDir;
const openStore = () => {
  if (mode === 'postgres')
    return createPostgresStore({ connectionString: BENCH_DATABASE_URL, schema, vault });
  return relay.createEmbeddedStore({ file: path.join(dataDir, 'relay.sqlite'), vault });
};
if (mode !== 'postgres') dataDir = mkdtempSync(path.join(tmpdir(), 'bench-retention-'));

// The schema first (the store's own migrations), then the rows in one statement: a settled handoff as the
// worker leaves it (created, incident id and ticket number), its payload stored as the vault stores it.
let store = openStore();
await store.init();
await store.close();
const sealed = vault.sealNew({ key: 'bench', kind: 'handoff', sessionId: 'bench', payload, now });
if (mode === 'postgres') {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  await client.query(
    `INSERT INTO "${schema}".handoffs (key, kind, session_id, payload, status, attempts, next_attempt_at, incident_id,
       ticket_number, received_at, updated_at, settled_at, key_id)
     SELECT 'bench-' || i, 'handoff', 'session-' || i, $1, 'created', 1, $2, 'bench-' || i, 'CAS-' || i, $2, $2, $2, $3
     FROM generate_series(1, $4) AS i`,
    [sealed.payload, settledAt, sealed.key_id, rows],
  );
  await client.query(`ANALYZE "${schema}".handoffs`);
  await client.end();
} else {
  const db = new Database(path.join(dataDir, 'relay.sqlite'));
  db.pragma('journal_mode = WAL');
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO handoffs (key, kind, session_id, payload, status, attempts, next_attempt_at, incident_id,
       ticket_number, received_at, updated_at, settled_at, key_id)
     SELECT 'bench-' || i, 'handoff', 'session-' || i, ?, 'created', 1, ?, 'bench-' || i, 'CAS-' || i, ?, ?, ?, ?
     FROM n`,
  ).run(rows, sealed.payload, settledAt, settledAt, settledAt, settledAt, sealed.key_id);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

store = openStore();
await store.init();
const metrics = createMetrics(store);
const app = relay.buildApp({
  config: { webhookSecrets: [BENCH_SECRET], bodyLimit: 5 * 1024 * 1024 },
  store,
  metrics,
  logger: relay.createLogger(process.env.LOG_LEVEL ?? 'warn'),
});
// Purge rounds back to back while there is a backlog (the relay's timer runs a round as soon as the last
// one yields); PAYLOAD_RETENTION as configured (default 7 days: the expired rows are 8 days old).
const retention = createRetention({ store, settings: settings.retention, metrics, intervalMs: 100 });
// /metrics is served by the operations listener, as in the relay (OPS_PORT).
const ops = relay.buildOpsApp({ store, metrics });
await app.listen({ port: 0, host: '127.0.0.1' });
await ops.listen({ port: 0, host: '127.0.0.1' });
process.send({ port: app.server.address().port, opsPort: ops.server.address().port });
process.on('message', (message) => {
  if (message === 'purge') retention.start();
});
process.once('disconnect', async () => {
  await app.close();
  await ops.close();
  await retention.stop();
  await store.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
