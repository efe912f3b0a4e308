// Backlog: after a long outage the relay starts with handoffs waiting (intake takes everything while
// Dataverse is down). Does a case cost the relay the same CPU whether 1,000 or 50,000 are waiting? Each run
// loads the backlog into a store, starts the relay (the built CLI, in its own process) while the Dataverse
// sandbox answers 503 to everything, so that it waits with the backlog, then heals the sandbox (unthrottled)
// and lets the relay drain it. Printed per store and size: the relay's CPU per case while it drains, its
// memory (RSS) while it waits and while it drains, and the ratio of the largest backlog's CPU per case to the
// smallest's. Target: within 1.5x (issue 27: 3.7, 12.9 and 31 ms per case at 4,000, 8,000 and 20,000 before).
//
// Usage: node bench/backlog.mjs [--sizes 1000,50000] [--stores embedded,postgres] [--workers 4]
//        [--baseline <another built checkout, e.g. /work/main>: the same runs with its relay, side by side]
// Needs `npm run build:packages` first, and Linux (the relay's CPU and RSS come from /proc/<pid>).
// PostgreSQL from RELAY_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a throwaway
// schema per run). At 50,000 a run takes a few minutes per store on 2 cores; use smaller sizes for a smoke.
// The sandbox answers in this process, and it looks for a case's active queue item among every queue item:
// its CPU per case grows with the cases made (printed too), the relay's is what the target is about.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startSandbox } from '../dataverse-sandbox/dist/index.js';
import {
  BENCH_DATABASE_URL,
  dropSchema,
  freePort,
  handoffOfSize,
  sandboxRelayEnv,
  spawnRelay,
} from './bench-env.mjs';

const here = import.meta.dirname;
const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,50000' },
    stores: { type: 'string', default: 'embedded,postgres' },
    workers: { type: 'string', default: '4' },
    baseline: { type: 'string' },
  },
});

/** A built checkout's relay: its CLI, and its stores to load the backlog with (each writes its own schema). */
async function relayBuild(root, label) {
  const dist = (file) => pathToFileURL(path.join(root, 'webhook-relay/dist', file)).href;
  const lib = await import(dist('index.js'));
  const { createPostgresStore } = await import(dist('store/postgres.js'));
  const cli = path.join(root, 'webhook-relay/bin/opencx-relay.js');
  return {
    label,
    cli,
    createEmbeddedStore: lib.createEmbeddedStore,
    createPostgresStore,
    handoffKey: lib.handoffKey,
  };
}
const builds = [await relayBuild(path.join(here, '..'), 'this build')];
if (args.baseline) builds.push(await relayBuild(path.resolve(args.baseline), `baseline (${args.baseline})`));
const sizes = args.sizes.split(',').map(Number);
// 4 KB handoffs, as intake's benchmark sends: a few minutes of call each.
const base = handoffOfSize('phone-no-email.json', 4096);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** CPU time (user + system, ms) the process has used, from /proc/<pid>/stat. */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, utime 14 and stime 15 (proc(5)).
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Resident memory (MB), from /proc/<pid>/status. */
function rssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line.split(/\s+/)[1]) / 1024;
}

/** The backlog, in the store before the relay starts: received a millisecond apart, as an outage's intake. */
async function load(build, store, total, kind) {
  await store.init();
  const start = Date.now() - total;
  for (let i = 0; i < total; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, total - i) }, (_, j) => {
        const document = { ...base, session_id: `backlog-${kind}-${total}-${i + j}` };
        return store.insert({
          key: build.handoffKey(document.session_id, document.handoff_at),
          kind: 'handoff',
          sessionId: document.session_id,
          payload: JSON.stringify(document),
          now: start + i + j,
        });
      }),
    );
  }
  await store.close();
}

async function run(build, kind, total) {
  const schema = `relay_backlog_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relay-backlog-'));
  const loadStarted = Date.now();
  await load(
    build,
    kind === 'postgres'
      ? build.createPostgresStore({ connectionString: BENCH_DATABASE_URL, schema, poolSize: 4 })
      : build.createEmbeddedStore({ file: path.join(dataDir, 'relay.sqlite') }),
    total,
    kind,
  );
  const loadSeconds = (Date.now() - loadStarted) / 1000;

  // Dataverse down: the relay starts, listens and waits with the backlog.
  const sandbox = await startSandbox();
  sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
  const url = BENCH_DATABASE_URL;
  const relay = await spawnRelay(
    {
      ...sandboxRelayEnv(sandbox.url),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DELIVERY_WORKERS: args.workers,
      // The gate retries its metadata reads quickly, so that draining starts as soon as Dataverse is back.
      DELIVERY_BACKOFF_BASE_MS: '100',
      DELIVERY_BACKOFF_MAX_MS: '500',
      ...(kind === 'postgres'
        ? { RELAY_DATABASE_URL: `${url}${url.includes('?') ? '&' : '?'}schema=${schema}` }
        : { RELAY_DATA_DIR: dataDir }),
    },
    await freePort(),
    build.cli,
  );
  if (!relay.listening) throw new Error(`the relay did not start:\n${relay.output}`);
  const pid = relay.child.pid;
  const waiting = [];
  for (let i = 0; i < 12; i++) {
    await sleep(250);
    waiting.push(rssMb(pid));
  }

  // Dataverse back, unthrottled: the drain, from the first request to the last case.
  const cpuBefore = cpuMs(pid);
  const benchBefore = process.cpuUsage();
  const startedAt = Date.now();
  sandbox.setFaults({});
  const draining = [];
  const deadline = startedAt + 300_000 + total * 100;
  const incidents = sandbox.state.table('incidents');
  let cases = 0;
  while (cases < total && Date.now() < deadline) {
    await sleep(250);
    draining.push(rssMb(pid));
    cases = incidents.size;
  }
  const cpu = cpuMs(pid) - cpuBefore;
  const bench = process.cpuUsage(benchBefore);
  const seconds = (Date.now() - startedAt) / 1000;
  relay.child.kill('SIGTERM');
  await new Promise((resolve) => relay.child.once('exit', resolve));
  await sandbox.close();
  if (kind === 'postgres') await dropSchema(schema);
  rmSync(dataDir, { recursive: true, force: true });
  draining.sort((a, b) => a - b);
  return {
    build: build.label,
    store: kind === 'postgres' ? 'PostgreSQL' : 'embedded',
    total,
    cases,
    loadSeconds,
    seconds,
    cpuPerCase: cpu / Math.max(1, cases),
    // The sandbox answers in this process: where the time goes when the relay is not the bottleneck.
    sandboxCpuPerCase: (bench.user + bench.system) / 1000 / Math.max(1, cases),
    rssWaiting: Math.max(...waiting),
    rssDrainMedian: draining[Math.floor(draining.length / 2)],
    rssDrainPeak: draining.at(-1),
  };
}

const results = [];
for (const kind of args.stores.split(',').map((s) => s.trim()))
  for (const total of sizes)
    for (const build of builds) {
      const result = await run(build, kind, total);
      results.push(result);
      console.log(
        `backlog: ${result.build}, ${result.store}, ${total} waiting: ${result.cases} cases in ` +
          `${result.seconds.toFixed(1)} s, ${result.cpuPerCase.toFixed(2)} ms CPU per case`,
      );
    }

console.log(
  `\nbacklog: the relay (built CLI, own process, DELIVERY_WORKERS=${args.workers}) drains a backlog against an ` +
    `unthrottled Dataverse sandbox (4 KB phone handoffs, no email: a contact lookup and one $batch per case); ` +
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
console.log(
  '| build | store | waiting | cases | drain s | cases/s | relay CPU per case | RSS waiting | RSS draining (median / peak) | sandbox CPU per case |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results)
  console.log(
    `| ${r.build} | ${r.store} | ${r.total} | ${r.cases} | ${r.seconds.toFixed(1)} | ${(r.cases / r.seconds).toFixed(0)} | ` +
      `${r.cpuPerCase.toFixed(2)} ms | ${r.rssWaiting.toFixed(0)} MB | ` +
      `${r.rssDrainMedian.toFixed(0)} / ${r.rssDrainPeak.toFixed(0)} MB | ${r.sandboxCpuPerCase.toFixed(2)} ms |`,
  );
const mine = results.filter((r) => r.build === builds[0].label);
let ok = mine.every((r) => r.cases === r.total);
for (const build of builds)
  for (const store of new Set(results.map((r) => r.store))) {
    const runs = results.filter((r) => r.build === build.label && r.store === store);
    runs.sort((a, b) => a.total - b.total);
    if (runs.length < 2) continue;
    const ratio = runs.at(-1).cpuPerCase / runs[0].cpuPerCase;
    if (build === builds[0]) ok &&= ratio <= 1.5;
    console.log(
      `${build.label}, ${store}: CPU per case at ${runs.at(-1).total} waiting / at ${runs[0].total} waiting = ` +
        ratio.toFixed(2),
    );
  }
console.log(
  `target: every case created, CPU per case within 1.5x across backlog sizes: ${ok ? 'met' : 'NOT met'}`,
);
process.exit(ok ? 0 : 1);
