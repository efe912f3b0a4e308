// Child process for bench/relay-intake.mjs: serves on loopback either the relay's intake as `opencx-relay
// start` builds it (its JSON logger on stdout at LOG_LEVEL, info by default; no delivery worker) over the
// embedded store or PostgreSQL, or a bare fastify route answering 204, and sends its port to the parent.
// Usage (by the parent, with an IPC channel): node bench/relay-intake-server.mjs bare|embedded|postgres [schema]
// with BENCH_RELAY_DIST=<a relay build's dist folder> to serve another build than this checkout's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { BENCH_DATABASE_URL, BENCH_SECRET } from './bench-env.mjs';

// BENCH_RELAY_DIST: another build of the relay (its dist/ folder), e.g. the previous commit's, to compare.
const dist = pathToFileURL(
  `${path.resolve(process.env.BENCH_RELAY_DIST ?? path.join(import.meta.dirname, '../webhook-relay/dist'))}/`,
);
const relay = await import(new URL('index.js', dist).href);
const { buildApp, createEmbeddedStore, createLogger } = relay;
const { createPostgresStore } = await import(new URL('store/postgres.js', dist).href);

const [mode, schema] = process.argv.slice(2);
let app;
let store;
let dataDir;
if (mode === 'bare') {
  app = Fastify();
  app.post('/v1/handoffs', async (_request, reply) => reply.code(204).send());
} else {
  // PAYLOAD_ENCRYPTION_KEYS from the environment, as `opencx-relay start` reads it (a build from before
  // encryption at rest has no vault: it stores plain text whatever the variable says).
  let vault;
  if (relay.readDataAtRestSettings) {
    const { settings, errors } = relay.readDataAtRestSettings(process.env);
    if (errors.length) throw new Error(errors.join('\n'));
    vault = relay.createPayloadVault(settings);
  }
  if (mode === 'postgres') {
    store = createPostgresStore({ connectionString: BENCH_DATABASE_URL, schema, vault });
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), 'bench-intake-'));
    store = createEmbeddedStore({ file: path.join(dataDir, 'relay.sqlite'), vault });
  }
  await store.init();
  app = buildApp({
    config: { webhookSecrets: [BENCH_SECRET], bodyLimit: 5 * 1024 * 1024 },
    store,
    logger: createLogger(process.env.LOG_LEVEL ?? 'info'),
  });
}
await app.listen({ port: 0, host: '127.0.0.1' });
process.send({ port: app.server.address().port });
process.once('disconnect', async () => {
  await app.close();
  await store?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
