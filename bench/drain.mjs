// Drain: a backlog of handoffs against each of Dataverse's three service protection limits in turn (the
// sandbox answers 429 + Retry-After as Dataverse does: "Service protection API limits"). How close does the
// relay get to the ceiling each limit allows, and how many of its requests are refused? Target: >= 90% of the
// ceiling with <= 1% of requests answered 429.
//
// - requests: R requests per window (0x80072322); ceiling R / window, in requests/s.
// - execution: E ms of combined execution time per window (0x80072321), each operation charged C ms on top of
//   what the sandbox measured; ceiling E / window, in execution ms per second (the charged ms are summed).
// - concurrency: K requests in flight (0x80072326), each answer taking L ms; ceiling K / L, in requests/s.
//
// Against a baseline in the same run: for the windowed limits, the relay's own pace while the first budget
// lasted (first request to first 429); for concurrency, a drain with no limit and DELIVERY_WORKERS=K (the
// relay at its best with K in flight, which it cannot keep every slot busy at: each handoff's requests are
// serial, with store writes between them). The ratio compares the drain with the lower of ceiling and baseline.
//
// Usage: node bench/drain.mjs [--count 5000] [--throttles requests,execution,concurrency]
//        [--budget 3000] [--window 20] [--execution-ms 40000] [--op-ms 5] [--concurrent 4] [--latency 20]
//        [--stores embedded,postgres] [--instances 2 (PostgreSQL)] [--workers 4]
//        [--baseline <another built checkout>: every run again with its relay, in turn with this one's]
// Needs `npm run build:packages` first; PostgreSQL from RELAY_BENCH_DATABASE_URL
// (default postgres://postgres@127.0.0.1:5432/test; a throwaway schema is created and dropped).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startSandbox } from '../dataverse-sandbox/dist/index.js';
import { BENCH_DATABASE_URL, dropSchema, inTurn, relayBuilds, sandboxRelayEnv } from './bench-env.mjs';

const here = import.meta.dirname;
const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '5000' },
    throttles: { type: 'string', default: 'requests,execution,concurrency' },
    budget: { type: 'string', default: '3000' },
    window: { type: 'string', default: '20' },
    'execution-ms': { type: 'string', default: '40000' },
    'op-ms': { type: 'string', default: '5' },
    concurrent: { type: 'string', default: '4' },
    latency: { type: 'string', default: '20' },
    stores: { type: 'string', default: 'embedded,postgres' },
    instances: { type: 'string', default: '2' },
    workers: { type: 'string', default: '4' },
    baseline: { type: 'string' },
  },
});

/** A built checkout's relay, run in this process: its configuration, its relay, its stores. */
async function relayBuild({ label, root }) {
  const dist = (file) => pathToFileURL(path.join(root, 'webhook-relay/dist', file)).href;
  const { createEmbeddedStore, handoffKey, loadConfig, startRelay } = await import(dist('index.js'));
  const { createLogger } = await import(dist('observability/logger.js'));
  const { createPostgresStore } = await import(dist('store/postgres.js'));
  return {
    label,
    createEmbeddedStore,
    createPostgresStore,
    createLogger,
    handoffKey,
    loadConfig,
    startRelay,
  };
}
const builds = await Promise.all(relayBuilds(args.baseline).map(relayBuild));
const total = Number(args.count);
const windowMs = Number(args.window) * 1000;
const databaseUrl = BENCH_DATABASE_URL;
const base = JSON.parse(
  readFileSync(path.join(here, '../webhook-relay/test/fixtures/handoffs/phone-no-email.json'), 'utf8'),
);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each throttle: the sandbox's limits, its ceiling, and what one admitted request spends of it. */
const THROTTLES = {
  requests: {
    code: '0x80072322',
    unit: 'requests/s',
    limits: { requestsPerWindow: Number(args.budget), windowMs },
    ceiling: (Number(args.budget) * 1000) / windowMs,
    windowed: true,
    spent: () => 1,
    describe: `${args.budget} requests per ${args.window} s window`,
  },
  execution: {
    code: '0x80072321',
    unit: 'execution ms/s',
    limits: {
      executionMsPerWindow: Number(args['execution-ms']),
      executionMsPerOperation: Number(args['op-ms']),
      windowMs,
    },
    ceiling: (Number(args['execution-ms']) * 1000) / windowMs,
    windowed: true,
    spent: (request) => request.executionMs ?? 0,
    describe: `${args['execution-ms']} ms of execution time per ${args.window} s window, ${args['op-ms']} ms per operation`,
  },
  concurrency: {
    code: '0x80072326',
    unit: 'requests/s',
    limits: { maxConcurrent: Number(args.concurrent) },
    faults: { latencyMs: Number(args.latency) },
    ceiling: (Number(args.concurrent) * 1000) / Number(args.latency),
    windowed: false,
    spent: () => 1,
    describe: `${args.concurrent} requests in flight, each answered in ${args.latency} ms`,
  },
};

/** The concurrency baseline: the same answer time, no limit, the relay with K handoffs in flight. */
THROTTLES['concurrency baseline'] = {
  ...THROTTLES.concurrency,
  limits: {},
  workers: args.concurrent,
};

async function run(kind, throttleName, build) {
  const { createEmbeddedStore, createPostgresStore, createLogger, handoffKey, loadConfig, startRelay } =
    build;
  const throttle = THROTTLES[throttleName];
  const sandbox = await startSandbox({ limits: throttle.limits, faults: throttle.faults });
  const schema = `relay_drain_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'relay-drain-'));
  const openStore = () =>
    kind === 'postgres'
      ? createPostgresStore({ connectionString: databaseUrl, schema, poolSize: 4 })
      : createEmbeddedStore({ file: path.join(dataDir, 'relay.sqlite') });

  // The backlog is in the store before any relay starts (a relay that was down, or Dataverse that was).
  const loader = openStore();
  await loader.init();
  const now = Date.now();
  for (let i = 0; i < total; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, total - i) }, (_, j) => {
        const document = { ...base, session_id: `drain-${kind}-${throttleName}-${i + j}` };
        return loader.insert({
          key: handoffKey(document.session_id, document.handoff_at),
          kind: 'handoff',
          sessionId: document.session_id,
          payload: JSON.stringify(document),
          now,
        });
      }),
    );
  }

  // Arrival time of every request (the sandbox's log has no clock).
  const arrivals = [];
  const push = sandbox.requests.push.bind(sandbox.requests);
  sandbox.requests.push = (...entries) => {
    for (let i = 0; i < entries.length; i += 1) arrivals.push(Date.now());
    return push(...entries);
  };

  const result = loadConfig({
    ...sandboxRelayEnv(sandbox.url),
    HOST: '127.0.0.1',
    PORT: '0',
    DELIVERY_WORKERS: throttle.workers ?? args.workers,
    ...(kind === 'postgres'
      ? { RELAY_DATABASE_URL: `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}schema=${schema}` }
      : { RELAY_DATA_DIR: dataDir }),
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const count = kind === 'postgres' ? Number(args.instances) : 1;
  const startedAt = Date.now();
  const firstRequest = sandbox.requests.length;
  const relays = await Promise.all(
    Array.from({ length: count }, () => startRelay(result.config, { logger: createLogger('silent') })),
  );
  let counts;
  for (;;) {
    counts = await loader.countByStatus();
    if (counts.received + counts.fetching + counts.delivering === 0) break;
    await sleep(50);
  }
  const seconds = (Date.now() - startedAt) / 1000;
  await Promise.all(relays.map((relay) => relay.stop()));
  await loader.close();

  const requests = sandbox.requests.slice(firstRequest);
  const times = arrivals.slice(firstRequest);
  const refused = requests.filter((r) => r.status === 429);
  const admitted = requests.filter((r) => r.status !== 429);
  // Steady state. A windowed limit is rated over the complete windows from the first request (the last,
  // partial one says nothing about the ceiling: the backlog runs out in it); concurrency over the whole drain.
  const first = times[0];
  const windows = throttle.windowed ? Math.floor((times.at(-1) - first) / windowMs) : 0;
  const span = throttle.windowed ? windows * windowMs : times.at(-1) - first;
  const inSpan = requests.filter((r, i) => r.status !== 429 && times[i] < first + span);
  const steady = span > 0 ? inSpan.reduce((sum, r) => sum + throttle.spent(r), 0) / (span / 1000) : NaN;
  // The relay's own pace while the first budget lasted: what it spent from its first request to the first 429.
  const firstRefusal = requests.findIndex((r) => r.status === 429);
  const burst =
    firstRefusal > 0
      ? requests.slice(0, firstRefusal).reduce((sum, r) => sum + throttle.spent(r), 0) /
        ((times[firstRefusal] - first) / 1000)
      : NaN;
  const incidents = sandbox.state.rows('incidents').length;
  await sandbox.close();
  if (kind === 'postgres') await dropSchema(schema);
  rmSync(dataDir, { recursive: true, force: true });
  return {
    build: build.label,
    store: kind === 'postgres' ? 'PostgreSQL' : 'embedded',
    throttle: throttleName,
    instances: count,
    incidents,
    failed: counts.failed,
    requests: requests.length,
    admitted: admitted.length,
    refused: refused.length,
    seconds,
    windows,
    steady,
    burst,
    share: steady / throttle.ceiling,
    refusedShare: refused.length / requests.length,
  };
}

const throttles = args.throttles.split(',').map((t) => t.trim());
for (const t of throttles)
  if (!THROTTLES[t]) throw new Error(`unknown throttle ${t}: use ${Object.keys(THROTTLES)}`);
const results = [];
let round = 0;
for (const kind of args.stores.split(',').map((s) => s.trim()))
  for (const throttle of [
    ...throttles,
    ...(throttles.includes('concurrency') ? ['concurrency baseline'] : []),
  ])
    for (const build of inTurn(builds, round++)) results.push(await run(kind, throttle, build));

/**
 * The relay's own pace: the concurrency baseline run, or its pace while the first budget lasted; never refused,
 * the drain itself (the limit never bound: the relay was slower than the ceiling).
 */
function ownPaceOf(r) {
  if (r.throttle === 'concurrency')
    return (
      results.find((b) => b.build === r.build && b.store === r.store && b.throttle === 'concurrency baseline')
        ?.steady ?? NaN
    );
  return Number.isFinite(r.burst) ? r.burst : r.steady;
}

/** The rate the drain is compared with: the lower of the ceiling and the relay's own pace (the baseline). */
const baselineOf = (r) => Math.min(ownPaceOf(r), THROTTLES[r.throttle].ceiling);

console.log(
  `drain: ${total} handoffs waiting (phone, no email: a contact lookup and one $batch of 3 operations each), ` +
    `DELIVERY_WORKERS=${args.workers} per instance; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
for (const t of throttles)
  console.log(
    `  ${t} (${THROTTLES[t].code}): ${THROTTLES[t].describe} = ceiling ${THROTTLES[t].ceiling.toFixed(1)} ${THROTTLES[t].unit}`,
  );
console.log(
  '| build | throttle | store | instances | incidents | seconds | requests admitted | answered 429 | full windows | steady | ceiling | share of ceiling | relay unthrottled (baseline) | ratio to min(ceiling, baseline) |',
);
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results.filter((x) => x.throttle !== 'concurrency baseline')) {
  const t = THROTTLES[r.throttle];
  const own = ownPaceOf(r);
  console.log(
    `| ${r.build} | ${r.throttle} | ${r.store} | ${r.instances} | ${r.incidents} | ${r.seconds.toFixed(1)} | ${r.admitted} | ` +
      `${r.refused} (${(r.refusedShare * 100).toFixed(2)}%) | ${t.windowed ? r.windows : '—'} | ` +
      `${r.steady.toFixed(1)} ${t.unit} | ${t.ceiling.toFixed(1)} | ${(r.share * 100).toFixed(1)}% | ` +
      `${own.toFixed(1)}${Number.isFinite(r.burst) || r.throttle === 'concurrency' ? '' : ' (never refused)'} | ${(r.steady / baselineOf(r)).toFixed(2)} |`,
  );
}
console.log(
  'share of ceiling = what the admitted requests spent of the limit in the complete windows (requests, or the ' +
    'execution ms the sandbox charged) / their duration / the ceiling; for concurrency, requests admitted over ' +
    'the whole drain / its duration / (limit / answer time). Baseline: the relay while the first budget lasted ' +
    '(windowed limits; above the ceiling, the limit is what binds) or with DELIVERY_WORKERS=K and no limit ' +
    '(concurrency). A run too short for one full window shows NaN: give it a larger --count.',
);
// Side by side: this build's drain over the baseline's, per store and limit (1.00: the same).
if (builds.length > 1)
  for (const r of results.filter((x) => x.build === builds[0].label)) {
    const other = results.find(
      (x) => x.build === builds[1].label && x.store === r.store && x.throttle === r.throttle,
    );
    console.log(
      `${r.store}, ${r.throttle}: this build / baseline: steady ${(r.steady / other.steady).toFixed(2)} ` +
        `(${r.steady.toFixed(1)} / ${other.steady.toFixed(1)}), seconds ${r.seconds.toFixed(1)} / ${other.seconds.toFixed(1)}, ` +
        `answered 429 ${r.refused} / ${other.refused}, requests ${r.requests} / ${other.requests}`,
    );
  }
const measured = results.filter((r) => r.throttle !== 'concurrency baseline' && r.build === builds[0].label);
const ok = measured.every(
  (r) => r.steady / baselineOf(r) >= 0.9 && r.refusedShare <= 0.01 && r.incidents === total,
);
console.log(
  `target >= 90% of min(ceiling, baseline) with <= 1% of requests answered 429, every handoff created: ${ok ? 'met' : 'NOT met'}`,
);
process.exit(ok ? 0 : 1);
