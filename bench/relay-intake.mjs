// Intake throughput and latency: signed 4 KB handoffs, each stored durably (committed, then 202), driven
// by autocannon in a process of its own (bench/intake-load.mjs), against the embedded store and PostgreSQL,
// with a bare fastify route answering 204 measured in the same run by the same load generator.
//
// Usage: node bench/relay-intake.mjs [--seconds 8] [--connections 32] [--stores embedded,postgres]
//        [--warmup 2] [--quick (3 s runs, 1 s warm-up)] [--cpu-prof <dir> (profile each relay server)]
//        [--compare-dist <another relay build's dist folder, measured in the same run>]
// Needs `npm run build:packages` first; PostgreSQL from RELAY_BENCH_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test; a throwaway schema is created and dropped).
// Targets: embedded >= 3,000 handoffs/s, >= 0.25 of the bare route, p99 <= 25 ms; PostgreSQL >= 1,500/s.
// Exit code 1 when a run had errors or a relay answered anything but 202 (a lost or duplicate handoff).
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dropSchema } from './bench-env.mjs';

const here = import.meta.dirname;
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string' },
    connections: { type: 'string', default: '32' },
    stores: { type: 'string', default: 'embedded,postgres' },
    warmup: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    // Another build of the relay (its dist/ folder, e.g. the previous commit's) measured in the same run.
    'compare-dist': { type: 'string' },
  },
});
const seconds = Number(args.seconds ?? (args.quick ? 3 : 8));
const warmup = Number(args.warmup ?? (args.quick ? 1 : 2));
const connections = Number(args.connections);
const stores = args.stores.split(',').map((s) => s.trim());
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

function startServer(mode, schema, dist) {
  const execArgv =
    args['cpu-prof'] && mode !== 'bare' ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : [];
  const child = fork(path.join(here, 'relay-intake-server.mjs'), [mode, ...(schema ? [schema] : [])], {
    execArgv,
    env: { ...process.env, ...(dist ? { BENCH_RELAY_DIST: dist } : {}) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', ({ port }) => resolve({ child, port }));
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code}) before listening`)));
  });
}

function drive(port, label, runSeconds, rateHint, repeat) {
  const out = execFileSync(
    process.execPath,
    [
      path.join(here, 'intake-load.mjs'),
      '--port',
      String(port),
      '--seconds',
      String(runSeconds),
      '--connections',
      String(connections),
      '--label',
      label,
      '--rate-hint',
      String(rateHint),
      ...(repeat ? ['--repeat'] : []),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

async function measure(mode, dist) {
  const schema = mode === 'postgres' ? `relay_intake_${randomBytes(4).toString('hex')}` : undefined;
  const { child, port } = await startServer(mode, schema, dist);
  const tag = randomBytes(3).toString('hex');
  // The bare route does not care whether bodies repeat; the relay must see every one once.
  const hint = mode === 'bare' ? 20000 : 7000;
  try {
    drive(port, `${mode}-warm-${tag}`, warmup, hint, mode === 'bare');
    const loadBefore = load();
    const result = drive(port, `${mode}-${tag}`, seconds, hint, mode === 'bare');
    return { mode, dist, ...result, load: loadBefore };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
    if (schema) await dropSchema(schema);
  }
}

const results = [await measure('bare')];
for (const store of stores) {
  results.push(await measure(store));
  if (args['compare-dist']) results.push(await measure(store, args['compare-dist']));
}
const bare = results[0];

const label = {
  bare: 'bare fastify route (204)',
  embedded: 'relay, embedded store',
  postgres: 'relay, PostgreSQL (1 instance)',
};
console.log(
  `intake: ${seconds} s per run after ${warmup} s of warm-up, autocannon with ${connections} connections in its own ` +
    `process, distinct signed 4 KB handoffs; ${process.version}; uptime: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`,
);
console.log(
  '| route | requests | req/s | p50 ms | p99 ms | max ms | ratio to bare | answered 202 | errors | load average before the run |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of results)
  console.log(
    `| ${label[r.mode]}${r.dist ? ` (build in ${r.dist})` : ''} | ${r.requests} | ${r.rate.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.max} | ${(r.rate / bare.rate).toFixed(2)} | ` +
      `${r.mode === 'bare' ? '-' : r.accepted} | ${r.errors + (r.mode === 'bare' ? r.non2xx : r.requests - r.accepted)} | ${r.load} |`,
  );
const targets = {
  embedded: (r) => r.rate >= 3000 && r.rate / bare.rate >= 0.25 && r.p99 <= 25,
  postgres: (r) => r.rate >= 1500,
};
for (const r of results.slice(1).filter((x) => !x.dist)) {
  const goal = r.mode === 'embedded' ? '>= 3,000/s, >= 0.25 of bare, p99 <= 25 ms' : '>= 1,500/s';
  console.log(`${label[r.mode]}: target ${goal}: ${targets[r.mode](r) ? 'met' : 'NOT met'}`);
}
const clean = results.every(
  (r) => r.errors === 0 && (r.mode === 'bare' ? r.non2xx === 0 : r.accepted === r.requests),
);
if (!clean) console.log('FAIL: a run had connection errors, or a relay answered something other than 202');
process.exit(clean ? 0 : 1);
