// Handoff to case: how long a caller waits between OpenCX's webhook and the case existing in Dataverse,
// at a steady rate, when every Dataverse request costs a network round trip (the sandbox's latency fault,
// `latencyMs`, applied to every request). The floor is what no relay can beat: the Dataverse requests on a
// handoff's path (counted in this run) times the round trip. Relays are real `opencx-relay start` processes.
//
// Usage: node bench/latency.mjs [--rate 10] [--count 300] [--rtt 50] [--stores embedded,postgres]
//        [--pg-instances 2] [--quick (60 handoffs)]
//        [--baseline <another built checkout>: the same runs with its relay, in turn with this one's]
// Needs `npm run build:packages` first; PostgreSQL from RELAY_BENCH_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test; a throwaway schema is created and dropped).
// Targets: p50 <= 1.2 x floor and p99 <= 1.5 x floor on both stores. Exit code 1 when a handoff never
// became a case.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { startSandbox } from '../dataverse-sandbox/dist/index.js';
import { handoffKey } from '../webhook-relay/dist/index.js';
import {
  BENCH_DATABASE_URL,
  BENCH_SECRET,
  dropSchema,
  freePort,
  inTurn,
  relayBuilds,
  sandboxRelayEnv,
  spawnRelay,
} from './bench-env.mjs';

const here = import.meta.dirname;
const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '10' },
    count: { type: 'string' },
    rtt: { type: 'string', default: '50' },
    stores: { type: 'string', default: 'embedded,postgres' },
    'pg-instances': { type: 'string', default: '2' },
    quick: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});
const builds = relayBuilds(args.baseline);
const rate = Number(args.rate);
const count = Number(args.count ?? (args.quick ? 60 : 300));
const rtt = Number(args.rtt);
const webhook = new Webhook(BENCH_SECRET);
const base = JSON.parse(
  readFileSync(path.join(here, '../webhook-relay/test/fixtures/handoffs/phone-full-details.json'), 'utf8'),
);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startRelayProcess(env, cli) {
  const port = await freePort();
  const { child, listening, output } = await spawnRelay(env, port, cli);
  if (!listening) throw new Error(`the relay did not start:\n${output}`);
  return { child, port };
}

async function stopRelayProcess({ child }) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

async function run(kind, build) {
  const sandbox = await startSandbox({ faults: { latencyMs: rtt } });
  const schema = `relay_latency_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'relay-latency-'));
  const env = {
    ...sandboxRelayEnv(sandbox.url),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...(kind === 'postgres'
      ? {
          RELAY_DATABASE_URL: `${BENCH_DATABASE_URL}${BENCH_DATABASE_URL.includes('?') ? '&' : '?'}schema=${schema}`,
        }
      : { RELAY_DATA_DIR: dataDir }),
  };
  const size = kind === 'postgres' ? Number(args['pg-instances']) : 1;
  const relays = [];
  for (let i = 0; i < size; i += 1) relays.push(await startRelayProcess(env, build.cli));

  // When each case came into being: the sandbox stores the incident (its id is the handoff key).
  const createdAt = new Map();
  const put = sandbox.state.put.bind(sandbox.state);
  sandbox.state.put = (entitySet, id, row) => {
    if (entitySet === 'incidents' && !createdAt.has(id)) createdAt.set(id, performance.now());
    return put(entitySet, id, row);
  };
  // When each Dataverse request arrived (the sandbox logs it on arrival, before the injected round trip).
  const arrivedAt = new WeakMap();
  const push = sandbox.requests.push.bind(sandbox.requests);
  sandbox.requests.push = (...entries) => {
    for (const entry of entries) arrivedAt.set(entry, performance.now());
    return push(...entries);
  };
  const ackedAt = new Map();
  const firstRequest = sandbox.requests.length;
  const sentAt = new Map();
  const refused = [];
  const load = loadavg()[0].toFixed(2);
  const tag = randomBytes(3).toString('hex');
  const started = performance.now();
  const sends = [];
  for (let i = 0; i < count; i += 1) {
    // A steady rate: handoff i leaves at started + i / rate, whatever the previous ones are doing.
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const document = { ...base, session_id: `latency-${kind}-${tag}-${i}` };
    const key = handoffKey(document.session_id, document.handoff_at);
    const body = JSON.stringify(document);
    const id = `msg_${tag}_${i}`;
    const now = new Date();
    const relay = relays[i % relays.length];
    sentAt.set(key, performance.now());
    sends.push(
      fetch(`http://127.0.0.1:${relay.port}/v1/handoffs`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(now / 1000)),
          'webhook-signature': webhook.sign(id, now, body),
        },
        body,
      }).then(async (response) => {
        await response.arrayBuffer();
        ackedAt.set(key, performance.now());
        if (response.status !== 202) refused.push(response.status);
      }),
    );
  }
  await Promise.all(sends);
  const deadline = performance.now() + 30_000;
  while ([...sentAt.keys()].some((key) => !createdAt.has(key)) && performance.now() < deadline)
    await sleep(20);
  await Promise.all(relays.map(stopRelayProcess));
  const requests = sandbox.requests.length - firstRequest;
  await sandbox.close();
  if (kind === 'postgres') await dropSchema(schema);
  rmSync(dataDir, { recursive: true, force: true });

  const latencies = [...sentAt]
    .filter(([key]) => createdAt.has(key))
    .map(([key, at]) => createdAt.get(key) - at)
    .sort((a, b) => a - b);
  // Where the time goes: until the 202, and from the 202 to the $batch that creates the case leaving.
  const batchAt = new Map();
  for (const entry of sandbox.requests.slice(firstRequest))
    for (const operation of entry.operations ?? []) {
      const key = /incidents\(([0-9a-f-]{36})\)/i.exec(operation.url)?.[1] ?? undefined;
      if (key && !batchAt.has(key)) batchAt.set(key, arrivedAt.get(entry));
    }
  const median = (values) =>
    quantile(
      values.sort((a, b) => a - b),
      0.5,
    );
  const keys = [...sentAt.keys()];
  const toAck = median(keys.filter((k) => ackedAt.has(k)).map((k) => ackedAt.get(k) - sentAt.get(k)));
  const toBatch = median(
    keys.filter((k) => batchAt.has(k) && ackedAt.has(k)).map((k) => batchAt.get(k) - ackedAt.get(k)),
  );
  const perHandoff = requests / count;
  const floor = perHandoff * rtt;
  return {
    kind,
    build: build.label,
    instances: size,
    delivered: latencies.length,
    refused: refused.length,
    perHandoff,
    floor,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: latencies.at(-1),
    toAck,
    toBatch,
    load,
  };
}

const results = [];
for (const [round, kind] of args.stores
  .split(',')
  .map((s) => s.trim())
  .entries())
  for (const build of inTurn(builds, round)) results.push(await run(kind, build));
console.log(
  `handoff to case: ${count} handoffs at ${rate}/s, ${rtt} ms injected on every Dataverse request; ${process.version}; ` +
    `uptime: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`,
);
console.log(
  '| build | store | instances | cases | Dataverse requests per handoff | floor ms | p50 ms | p99 ms | max ms | p50 / floor | p99 / floor | median to 202 ms | median 202 to $batch sent ms | load average at start |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
const name = { embedded: 'embedded', postgres: 'PostgreSQL' };
for (const r of results)
  console.log(
    `| ${r.build} | ${name[r.kind]} | ${r.instances} | ${r.delivered} of ${count} | ${r.perHandoff.toFixed(2)} | ${r.floor.toFixed(0)} | ` +
      `${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.max.toFixed(0)} | ${(r.p50 / r.floor).toFixed(2)} | ${(r.p99 / r.floor).toFixed(2)} | ` +
      `${r.toAck?.toFixed(1) ?? '-'} | ${r.toBatch?.toFixed(1) ?? '-'} | ${r.load} |`,
  );
for (const r of results)
  console.log(
    `${r.build}, ${name[r.kind]}: target p50 <= 1.2 x floor and p99 <= 1.5 x floor: ${r.p50 <= 1.2 * r.floor && r.p99 <= 1.5 * r.floor ? 'met' : 'NOT met'}`,
  );
// Side by side: this build's p50 and p99 over the baseline's, per store (1.00: the same).
if (builds.length > 1)
  for (const kind of new Set(results.map((r) => r.kind))) {
    const [mine, theirs] = builds.map((b) => results.find((r) => r.kind === kind && r.build === b.label));
    console.log(
      `${name[kind]}: this build / baseline: p50 ${(mine.p50 / theirs.p50).toFixed(2)}, p99 ${(mine.p99 / theirs.p99).toFixed(2)}, ` +
        `Dataverse requests per handoff ${mine.perHandoff.toFixed(2)} / ${theirs.perHandoff.toFixed(2)}`,
    );
  }
const complete = results.every((r) => r.delivered === count && r.refused === 0);
if (!complete) console.log('FAIL: a handoff was refused or never became a case within 30 s');
process.exit(complete ? 0 : 1);
