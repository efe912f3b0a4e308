// What the relay benchmarks share: the relay's environment against a Dataverse sandbox, the webhook secret
// they sign with, the PostgreSQL server and throwaway schemas of the store benchmarks, and relay processes.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { SEED_IDS } from '../dataverse-sandbox/dist/index.js';

const cli = path.join(import.meta.dirname, '../webhook-relay/bin/opencx-relay.js');

export const BENCH_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const BENCH_DATABASE_URL =
  process.env.RELAY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The relay's environment against a sandbox at `url` (no token: the sandbox is on loopback); its operations
 * listener (/metrics) on a free loopback port, so that several relays run side by side.
 */
export function sandboxRelayEnv(url) {
  return {
    OPS_PORT: '0',
    DATAVERSE_URL: url,
    DATAVERSE_AUTH: 'none',
    DEFAULT_QUEUE_ID: SEED_IDS.voiceQueue,
    DEFAULT_OWNER_ID: SEED_IDS.owner,
    UNIDENTIFIED_CUSTOMER_ID: SEED_IDS.unidentifiedCaller,
    WEBHOOK_SECRETS: BENCH_SECRET,
  };
}

/**
 * A handoff document of at least `bytes` (4 KB is a few minutes of call): the fixture `name` (in
 * webhook-relay/test/fixtures/handoffs) with its conversation repeated.
 */
export function handoffOfSize(name, bytes) {
  const file = path.join(import.meta.dirname, '../webhook-relay/test/fixtures/handoffs', name);
  const base = JSON.parse(readFileSync(file, 'utf8'));
  const messages = [...base.messages];
  while (JSON.stringify({ ...base, messages }).length < bytes)
    messages.push(base.messages[messages.length % base.messages.length]);
  return { ...base, messages };
}

export async function dropSchema(schema) {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

/** A free TCP port on loopback (the relay processes get fixed ports so that a restart keeps its address). */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The relay builds a benchmark compares: this checkout's and, given `--baseline <checkout>` (another built
 * checkout, e.g. the commit before a refactoring), that one's, side by side in the same run.
 */
export function relayBuilds(baseline) {
  const builds = [{ label: 'this build', root: path.join(import.meta.dirname, '..'), cli }];
  if (baseline) {
    const root = path.resolve(baseline);
    builds.push({
      label: `baseline (${baseline})`,
      root,
      cli: path.join(root, 'webhook-relay/bin/opencx-relay.js'),
    });
  }
  return builds;
}

/** The builds in the order of the `index`th round (A B, then B A, ...), so that the machine's drift hits both. */
export const inTurn = (builds, index) => (index % 2 ? [...builds].reverse() : builds);

// Never leave a relay process behind, whatever ends the benchmark (Ctrl+C, a crash, a closed pipe).
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * Starts `opencx-relay start` (the built CLI, or `cliPath`: another checkout's, for a baseline) with `env`
 * on `port`. Resolves once it listens (`listening` true, with `opsUrl`: its operations listener, /metrics)
 * or exits first (false), with the tail of what it
 * printed.
 */
export async function spawnRelay(env, port, cliPath = cli) {
  const child = spawn(process.execPath, [cliPath, 'start'], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  const listening = await new Promise((resolve) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (/opencx-relay listening on/.test(output)) resolve(true);
    });
    child.stderr.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
    child.once('exit', () => resolve(false));
  });
  const opsUrl = /opencx-relay operations on (\S+)/.exec(output)?.[1];
  return { child, listening, output, opsUrl };
}
