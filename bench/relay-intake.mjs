// Intake throughput and latency: signed 4 KB handoffs holding a card number (bench/intake-handoff.mjs), each
// stored durably (committed, then 202), driven by autocannon in a process of its own (bench/intake-load.mjs),
// against the relay as `opencx-relay start` runs it (no delivery: its Dataverse is a closed port) on the
// embedded store and PostgreSQL, with a bare fastify route answering 204 measured in the same run by the same
// load generator. Each store runs side by side with REDACT=none, with redaction on (the default), and with
// redaction and PAYLOAD_ENCRYPTION_KEYS; after each run the store is scanned for the card number (it must be
// there only with REDACT=none) and a transcript word (plain text unless the payload is encrypted).
//
// Usage: node bench/relay-intake.mjs [--seconds 8] [--connections 32] [--stores embedded,postgres]
//        [--variants none,redact,encrypt] [--warmup 2] [--quick (3 s runs, 1 s warm-up)]
//        [--cpu-prof <dir> (profile each relay server)]
//        [--compare-dist <another relay build's dist folder, measured in the same run, redaction on>]
// Needs `npm run build:packages` first; PostgreSQL from RELAY_BENCH_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test; a throwaway schema is created and dropped).
// Targets: embedded >= 3,000 handoffs/s, >= 0.25 of the bare route, p99 <= 25 ms; PostgreSQL >= 1,500/s.
// Exit code 1 when a run had errors, a relay answered anything but 202 (a lost or duplicate handoff), or the
// store held the card number with redaction on (or did not with REDACT=none: the scan would be blind).
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { dropSchema } from './bench-env.mjs';

const here = import.meta.dirname;
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string' },
    connections: { type: 'string', default: '32' },
    stores: { type: 'string', default: 'embedded,postgres' },
    variants: { type: 'string', default: 'none,redact,encrypt' },
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
const variants = args.variants.split(',').map((s) => s.trim());
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

function startServer(mode, variant, schema, dist, scanFile) {
  const execArgv =
    args['cpu-prof'] && mode !== 'bare' ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : [];
  const child = fork(
    path.join(here, 'relay-intake-server.mjs'),
    [mode, variant ?? '-', ...(schema ? [schema] : [])],
    {
      execArgv,
      env: { ...process.env, BENCH_SCAN_FILE: scanFile, ...(dist ? { BENCH_RELAY_DIST: dist } : {}) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('message', ({ port }) => resolve({ child, port, cpu: () => cpuOf(child) }));
    child.once('exit', (code) => reject(new Error(`${mode} server exited (${code}) before listening`)));
  });
}

/** The server's CPU time so far (µs, every thread of it: the event loop and the store's writer). */
function cpuOf(child) {
  return new Promise((resolve) => {
    const answer = (message) => {
      if (message?.cpuMicros === undefined) return;
      child.off('message', answer);
      resolve(message.cpuMicros);
    };
    child.on('message', answer);
    child.send('cpu');
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

async function measure(mode, variant, dist) {
  const schema = mode === 'postgres' ? `relay_intake_${randomBytes(4).toString('hex')}` : undefined;
  const scanFile = path.join(tmpdir(), `bench-intake-scan-${randomBytes(4).toString('hex')}.json`);
  const { child, port, cpu } = await startServer(mode, variant, schema, dist, scanFile);
  const tag = randomBytes(3).toString('hex');
  // The bare route does not care whether bodies repeat; the relay must see every one once.
  const hint = mode === 'bare' ? 20000 : 7000;
  let result;
  try {
    drive(port, `${mode}-warm-${tag}`, warmup, hint, mode === 'bare');
    const loadBefore = load();
    const cpuBefore = await cpu();
    result = { mode, variant, dist, ...drive(port, `${mode}-${tag}`, seconds, hint, mode === 'bare') };
    result.cpuPerRequest = ((await cpu()) - cpuBefore) / result.requests;
    result.load = loadBefore;
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
    if (schema) await dropSchema(schema);
  }
  // What the server found in its store once the run was over (the bare route stores nothing).
  if (mode !== 'bare') {
    result.found = JSON.parse(readFileSync(scanFile, 'utf8'));
    rmSync(scanFile, { force: true });
  }
  return result;
}

const results = [await measure('bare')];
for (const store of stores) {
  for (const variant of variants) results.push(await measure(store, variant));
  if (args['compare-dist']) results.push(await measure(store, 'redact', args['compare-dist']));
}
const bare = results[0];

const label = {
  bare: 'bare fastify route (204)',
  embedded: 'relay, embedded store',
  postgres: 'relay, PostgreSQL (1 instance)',
};
const variantLabel = {
  none: 'REDACT=none',
  redact: 'redaction on (default)',
  encrypt: 'redaction on + PAYLOAD_ENCRYPTION_KEYS',
};
const name = (r) =>
  `${label[r.mode]}${r.variant ? `, ${variantLabel[r.variant]}` : ''}${r.dist ? ` (build in ${r.dist})` : ''}`;
/** The same store's REDACT=none run of this build: what redaction and encryption cost is read against it. */
const unredacted = (r) => results.find((x) => x.mode === r.mode && x.variant === 'none' && !x.dist);
const yesNo = (value) => (value === undefined ? '-' : value ? 'yes' : 'no');

console.log(
  `intake: ${seconds} s per run after ${warmup} s of warm-up, autocannon with ${connections} connections in its own ` +
    `process, distinct signed 4 KB handoffs with a card number given three ways; ${process.version}; uptime: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}`,
);
console.log(
  '| route | requests | req/s | p50 ms | p99 ms | max ms | ratio to bare | ratio to REDACT=none | server CPU µs per request | answered 202 | errors | card number in the store | transcript in plain text | load average before the run |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|');
for (const r of results) {
  const base = unredacted(r);
  console.log(
    `| ${name(r)} | ${r.requests} | ${r.rate.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.max} | ${(r.rate / bare.rate).toFixed(2)} | ` +
      `${base ? (r.rate / base.rate).toFixed(2) : '-'} | ${r.cpuPerRequest.toFixed(0)} | ${r.mode === 'bare' ? '-' : r.accepted} | ` +
      `${r.errors + (r.mode === 'bare' ? r.non2xx : r.requests - r.accepted)} | ${yesNo(r.found?.card)} | ${yesNo(r.found?.transcript)} | ${r.load} |`,
  );
}
const targets = {
  embedded: (r) => r.rate >= 3000 && r.rate / bare.rate >= 0.25 && r.p99 <= 25,
  postgres: (r) => r.rate >= 1500,
};
for (const r of results.slice(1).filter((x) => !x.dist)) {
  const goal = r.mode === 'embedded' ? '>= 3,000/s, >= 0.25 of bare, p99 <= 25 ms' : '>= 1,500/s';
  console.log(`${name(r)}: target ${goal}: ${targets[r.mode](r) ? 'met' : 'NOT met'}`);
}
for (const r of results.filter((x) => x.variant === 'encrypt' && x.found?.transcript))
  console.log(
    `${name(r)}: the transcript is in the store in plain text: this relay build does not encrypt payloads (PAYLOAD_ENCRYPTION_KEYS ignored)`,
  );
const clean = results.every(
  (r) => r.errors === 0 && (r.mode === 'bare' ? r.non2xx === 0 : r.accepted === r.requests),
);
if (!clean) console.log('FAIL: a run had connection errors, or a relay answered something other than 202');
// With redaction on, no form of the card number may be stored; with REDACT=none it must be, or the scan is blind.
const leaked = results.filter((r) => r.found && (r.variant === 'none' ? !r.found.card : r.found.card));
for (const r of leaked)
  console.log(
    `FAIL: ${name(r)}: ${r.variant === 'none' ? 'the scan did not find the card number the relay stored as sent' : 'the card number is in the store'}`,
  );
process.exit(clean && leaked.length === 0 ? 0 : 1);
