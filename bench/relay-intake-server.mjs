// Child process for bench/relay-intake.mjs: serves on loopback either the relay as `opencx-relay start` runs
// it (startRelay with the configuration read from the environment: its JSON logger on stdout at LOG_LEVEL,
// info by default) over the embedded store or PostgreSQL, or a bare fastify route answering 204, and sends its
// port to the parent. The relay's Dataverse is a closed loopback port, so its delivery gate waits and no
// worker runs: what is measured is intake alone.
// Variants: `none` (REDACT=none), `redact` (the default rules), `encrypt` (the default rules and
// PAYLOAD_ENCRYPTION_KEYS: a variable the relay ignores until it implements it; the parent's scan says whether
// the transcript was stored in plain text). When the parent disconnects, the child scans the store for the
// card number and a transcript word the load generator sends, and reports what it found before it exits.
// Usage (by the parent, with an IPC channel): node bench/relay-intake-server.mjs bare | embedded|postgres
// none|redact|encrypt [schema], with BENCH_SCAN_FILE=<where the scan goes> and BENCH_RELAY_DIST=<a relay build's
// dist folder> to serve another build than this checkout's.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import pg from 'pg';
import { BENCH_DATABASE_URL, sandboxRelayEnv } from './bench-env.mjs';
import { STORE_PROBES } from './intake-handoff.mjs';

// BENCH_RELAY_DIST: another build of the relay (its dist/ folder), e.g. the previous commit's, to compare.
const dist = pathToFileURL(
  `${path.resolve(process.env.BENCH_RELAY_DIST ?? path.join(import.meta.dirname, '../webhook-relay/dist'))}/`,
);

const [mode, variant, schema] = process.argv.slice(2);

/** A loopback port nothing listens on: the relay's Dataverse, so that delivery waits and never runs. */
async function closedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Which of the load's probes (card number forms, a transcript word) the store's files or rows hold. */
async function scan(dataDir) {
  if (dataDir) {
    const files = readdirSync(dataDir).map((name) => readFileSync(path.join(dataDir, name)));
    return Object.fromEntries(
      Object.entries(STORE_PROBES).map(([name, forms]) => [
        name,
        files.some((bytes) => forms.some((form) => bytes.includes(form))),
      ]),
    );
  }
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  try {
    const { rows: tables } = await client.query(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    const found = {};
    for (const [name, forms] of Object.entries(STORE_PROBES)) {
      found[name] = false;
      for (const { table_name: table } of tables) {
        const { rows } = await client.query(
          `SELECT 1 FROM "${schema}"."${table}" t WHERE ${forms.map((_, i) => `t::text LIKE $${i + 1}`).join(' OR ')} LIMIT 1`,
          forms.map((form) => `%${form}%`),
        );
        if (rows.length) found[name] = true;
      }
    }
    return found;
  } finally {
    await client.end();
  }
}

let close;
let port;
let dataDir;
if (mode === 'bare') {
  const app = Fastify();
  app.post('/v1/handoffs', async (_request, reply) => reply.code(204).send());
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = app.server.address().port;
  close = () => app.close();
} else {
  const { createLogger, loadConfig, startRelay } = await import(new URL('index.js', dist).href);
  if (mode === 'embedded') dataDir = mkdtempSync(path.join(tmpdir(), 'bench-intake-'));
  const env = {
    ...sandboxRelayEnv(`http://127.0.0.1:${await closedPort()}`),
    PORT: '0',
    HOST: '127.0.0.1',
    ...(dataDir
      ? { RELAY_DATA_DIR: dataDir }
      : { RELAY_DATABASE_URL: `${BENCH_DATABASE_URL}?schema=${schema}` }),
    ...(variant === 'none' ? { REDACT: 'none' } : {}),
    ...(variant === 'encrypt'
      ? { PAYLOAD_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}` }
      : {}),
  };
  const config = loadConfig(env);
  if (!config.ok) throw new Error(config.errors.join('\n'));
  const relay = await startRelay(config.config, { logger: createLogger(process.env.LOG_LEVEL ?? 'info') });
  port = new URL(relay.url).port;
  close = () => relay.stop();
}
process.send({ port: Number(port) });
// The parent asks for this process's CPU time before and after a run: the server's cost per request, which
// other load on the machine disturbs far less than its rate.
process.on('message', (message) => {
  if (message === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send({ cpuMicros: user + system });
  }
});
process.once('disconnect', async () => {
  await close();
  const found = mode === 'bare' ? undefined : await scan(dataDir);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  // The IPC channel is gone and stdout is the relay's log: the parent reads the scan from a file.
  if (found && process.env.BENCH_SCAN_FILE) writeFileSync(process.env.BENCH_SCAN_FILE, JSON.stringify(found));
  process.exit(0);
});
