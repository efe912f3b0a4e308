// Intake while the retention purge runs (issue 25): signed 4 KB handoffs, each stored durably (202), driven by
// autocannon in a process of its own (bench/intake-load.mjs), against a store already holding `--rows`
// settled handoffs. Baseline: those rows were settled just now, so the purge finds nothing. Purge: the same
// rows settled 8 days ago (PAYLOAD_RETENTION 7 days), so the relay's purge removes them in rounds beside
// intake, started after the warm-up. Same run, same load; the purge's progress is read from /metrics.
//
// Usage: node bench/retention-purge.mjs [--rows 100000] [--seconds 10] [--connections 32]
//        [--stores embedded,postgres] [--warmup 2] [--quick (10,000 rows, 3 s runs)]
// Needs `npm run build:packages` first; PostgreSQL from RELAY_BENCH_DATABASE_URL (a throwaway schema).
// PAYLOAD_ENCRYPTION_KEYS in the environment seals the stored rows and the new handoffs alike.
// Target: intake p99 during the purge within 1.5x of p99 without it.
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dropSchema } from './bench-env.mjs';

const here = import.meta.dirname;
const { values: args } = parseArgs({
  options: {
    rows: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '32' },
    stores: { type: 'string', default: 'embedded,postgres' },
    warmup: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
const rows = Number(args.rows ?? (args.quick ? 10_000 : 100_000));
const seconds = Number(args.seconds ?? (args.quick ? 3 : 10));
const warmup = Number(args.warmup ?? (args.quick ? 1 : 2));
const connections = Number(args.connections);
const stores = args.stores.split(',').map((s) => s.trim());
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

function startServer(mode, age, schema) {
  const child = fork(
    path.join(here, 'retention-server.mjs'),
    [mode, String(rows), age, ...(schema ? [schema] : [])],
    {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('message', ({ port, opsPort }) => resolve({ child, port, opsPort }));
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code}) before listening`)));
  });
}

function drive(port, label, runSeconds) {
  const out = execFileSync(
    process.execPath,
    [
      path.join(here, 'intake-load.mjs'),
      ...['--port', String(port), '--seconds', String(runSeconds), '--connections', String(connections)],
      ...['--label', label, '--rate-hint', '7000'],
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

async function purged(opsPort) {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('opencx_relay_purged_total{what="payload"} '));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function measure(mode, age) {
  const schema = mode === 'postgres' ? `relay_purge_${randomBytes(4).toString('hex')}` : undefined;
  const started = Date.now();
  const { child, port, opsPort } = await startServer(mode, age, schema);
  const prefillSeconds = (Date.now() - started) / 1000;
  const tag = randomBytes(3).toString('hex');
  try {
    drive(port, `${mode}-${age}-warm-${tag}`, warmup);
    child.send('purge');
    const before = await purged(opsPort);
    const loadBefore = load();
    const result = drive(port, `${mode}-${age}-${tag}`, seconds);
    const during = (await purged(opsPort)) - before;
    return { mode, age, ...result, purgedDuring: during, prefillSeconds, load: loadBefore };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
    if (schema) await dropSchema(schema);
  }
}

const results = [];
for (const store of stores) {
  results.push(await measure(store, 'fresh'));
  results.push(await measure(store, 'expired'));
}

console.log(
  `intake during a retention purge: ${rows.toLocaleString('en-US')} settled 4 KB handoffs stored; ${seconds} s per run after ${warmup} s ` +
    `of warm-up; autocannon, ${connections} connections, own process; ${process.env.PAYLOAD_ENCRYPTION_KEYS ? 'payloads encrypted' : 'payloads in plain text'}; ` +
    `${process.version}; uptime: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`,
);
console.log(
  '| store | stored rows | requests | req/s | p50 ms | p99 ms | max ms | payloads purged during the run | p99 ratio to baseline | load average before |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---|');
let met = true;
for (const store of stores) {
  const [base, purge] = ['fresh', 'expired'].map((age) =>
    results.find((r) => r.mode === store && r.age === age),
  );
  for (const r of [base, purge]) {
    const ratio = r.p99 / Math.max(1, base.p99);
    console.log(
      `| ${store} | ${r.age === 'fresh' ? 'settled now (baseline: nothing to purge)' : 'settled 8 days ago (purge running)'} | ${r.requests} | ${r.rate.toFixed(0)} | ` +
        `${r.p50} | ${r.p99} | ${r.max} | ${r.purgedDuring.toLocaleString('en-US')} | ${r === base ? '1.00' : ratio.toFixed(2)} | ${r.load} |`,
    );
  }
  const ratio = purge.p99 / Math.max(1, base.p99);
  const ok = ratio <= 1.5 && purge.purgedDuring > 0;
  met &&= ok;
  console.log(
    `${store}: p99 ${purge.p99} ms during the purge against ${base.p99} ms without (ratio ${ratio.toFixed(2)}, target <= 1.5): ${ok ? 'met' : 'NOT met'}` +
      `${purge.purgedDuring < rows ? `; the purge was still running when the run ended (${purge.purgedDuring.toLocaleString('en-US')} of ${rows.toLocaleString('en-US')} removed)` : '; the purge finished within the run'}`,
  );
}
const clean = results.every((r) => r.errors === 0 && r.accepted === r.requests);
if (!clean) console.log('FAIL: a run had connection errors, or the relay answered something other than 202');
process.exit(clean && met ? 0 : 1);
