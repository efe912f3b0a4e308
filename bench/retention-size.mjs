// The embedded store's size under steady load with retention (issue 25): `--count` handoffs (4 KB) offered at
// `--rate` per second to two relays side by side (`opencx-relay start`, each with its own data directory),
// which differ only in what they keep:
//   retention  PAYLOAD_RETENTION=--retention (the small records and webhook ids for twice that), delivering
//              to a Dataverse sandbox, so that its handoffs settle and expire;
//   baseline   nothing removed: its Dataverse never answers, so every handoff stays (pending handoffs are
//              never purged), as a store without retention keeps them.
// Every `--sample` seconds it prints each store's file size (relay.sqlite + its WAL) and how many handoffs the
// retention relay has settled and still has pending. The load generator runs in a process of its own
// (bench/steady-load.mjs) and sends each handoff to both relays at the same moment.
//
// Usage: node bench/retention-size.mjs [--count 100000] [--rate 100] [--retention 60s] [--sample 10]
//        [--quick (1,500 handoffs at 30/s, 10 s retention, 2 s samples)]
// Needs `npm run build:packages` first. Target: with retention the file stays flat once the retention
// relay is in its steady state (three retention periods in): the largest size in the second half of the load
// within 1.2x of the first half's, while the baseline grows with every handoff. If the retention relay's
// pending count keeps growing, delivery did not keep up (a busy machine): lower --rate.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { startSandbox } from '../dataverse-sandbox/dist/index.js';
import { freePort, sandboxRelayEnv, spawnRelay } from './bench-env.mjs';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string' },
    rate: { type: 'string' },
    retention: { type: 'string' },
    sample: { type: 'string' },
    quick: { type: 'boolean', default: false },
  },
});
const count = Number(args.count ?? (args.quick ? 1500 : 100_000));
const rate = Number(args.rate ?? (args.quick ? 30 : 100));
const retention = args.retention ?? (args.quick ? '10s' : '60s');
const sampleSeconds = Number(args.sample ?? (args.quick ? 2 : 10));
const retentionSeconds = Number(/^(\d+)s$/.exec(retention)?.[1] ?? NaN);
if (!Number.isFinite(retentionSeconds)) throw new Error('--retention must be given in seconds, e.g. 60s');

const sandbox = await startSandbox();
const nowhere = `http://127.0.0.1:${await freePort()}`; // nothing listens: the baseline never delivers
const VARIANTS = [
  {
    label: 'retention',
    title: `PAYLOAD_RETENTION=${retention}, records ${retentionSeconds * 2}s`,
    dataverse: sandbox.url,
    env: {
      PAYLOAD_RETENTION: retention,
      DEAD_LETTER_RETENTION: retention,
      HANDOFF_RECORD_RETENTION: `${retentionSeconds * 2}s`,
      DELIVERY_WORKERS: '16',
    },
  },
  { label: 'baseline', title: 'nothing removed', dataverse: nowhere, env: {} },
];

const relays = [];
for (const variant of VARIANTS) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-size-'));
  const port = await freePort();
  const env = {
    ...sandboxRelayEnv(variant.dataverse),
    RELAY_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    ...variant.env,
  };
  const started = await spawnRelay(env, port);
  if (!started.listening) throw new Error(`the ${variant.label} relay did not start:\n${started.output}`);
  relays.push({ ...variant, ...started, dataDir, port });
}

const sizeOf = (file) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};
const mb = (bytes) => (bytes / 1e6).toFixed(1);
const storeBytes = (relay) =>
  sizeOf(path.join(relay.dataDir, 'relay.sqlite')) + sizeOf(path.join(relay.dataDir, 'relay.sqlite-wal'));
/** Handoffs the relay has settled, and those still pending (from its /metrics). */
async function progressOf(relay) {
  const text = await (await fetch(`${relay.opsUrl}/metrics`)).text();
  const sum = (pattern) =>
    text
      .split('\n')
      .filter((line) => pattern.test(line))
      .reduce((n, line) => n + Number(line.split(' ').at(-1)), 0);
  return {
    settled: sum(/^opencx_relay_handoffs_total\{status="(?:created|duplicate)"\} /),
    pending: sum(/^opencx_relay_queue_depth\{status="(?:received|fetching|delivering)"\} /),
  };
}

const load = spawn(
  process.execPath,
  [
    path.join(import.meta.dirname, 'steady-load.mjs'),
    '--ports',
    relays.map((r) => r.port).join(','),
    '--count',
    String(count),
    '--rate',
    String(rate),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let progress = { sent: 0, skipped: 0, accepted: 0, other: 0, errors: 0 };
let loadDone = false;
readline.createInterface({ input: load.stdout }).on('line', (line) => {
  const parsed = JSON.parse(line);
  progress = parsed;
  if (parsed.done) loadDone = true;
});
const loadExited = new Promise((resolve) => load.once('exit', resolve));

console.log(
  `store size under steady load: ${count.toLocaleString('en-US')} handoffs (4 KB) at ${rate}/s to each of ${relays.length} relays (embedded store, ` +
    `delivering to the sandbox); ${process.version}; load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
);
console.log('| s | sent | retention: MB | retention: settled / pending | baseline: MB |');
console.log('|---:|---:|---:|---:|---:|');
const samples = [];
const started = Date.now();
let tail = 0;
// After the load, long enough for the last payloads to expire and be purged.
const tailSamples = Math.ceil((retentionSeconds * 1.5) / sampleSeconds) + 1;
while (tail < tailSamples) {
  await new Promise((resolve) => setTimeout(resolve, sampleSeconds * 1000));
  // The sandbox keeps every row and request in memory: only the relay's store is measured here.
  for (const table of ['incidents', 'annotations', 'queueitems']) sandbox.state.table(table).clear();
  sandbox.requests.length = 0;
  const seconds = Math.round((Date.now() - started) / 1000);
  const sizes = relays.map(storeBytes);
  const { settled, pending } = await progressOf(relays[0]);
  samples.push({ seconds, sent: progress.sent, sizes, loading: !loadDone, pending });
  console.log(
    `| ${seconds} | ${progress.sent} | ${mb(sizes[0])} | ${settled} / ${pending} | ${mb(sizes[1])} |`,
  );
  if (loadDone) tail += 1;
}
await loadExited;
for (const relay of relays) {
  const exited = new Promise((resolve) => relay.child.once('exit', resolve));
  relay.child.kill('SIGTERM');
  await exited;
  rmSync(relay.dataDir, { recursive: true, force: true });
}
await sandbox.close();

// Flat: in the steady state (three retention periods in: payloads expired, then their records), the largest
// size in the second half of the load within 1.2x of the largest in its first half.
const loading = samples.filter((s) => s.loading && s.seconds >= retentionSeconds * 3 + sampleSeconds);
const half = Math.floor(loading.length / 2);
let flat = false;
console.log(
  `offered ${progress.sent}, answered 202 ${progress.accepted} (over ${relays.length} relays), other ${progress.other}, errors ${progress.errors}, skipped ${progress.skipped}`,
);
if (half >= 1) {
  for (const [i, relay] of relays.entries()) {
    const first = Math.max(...loading.slice(0, half).map((s) => s.sizes[i]));
    const second = Math.max(...loading.slice(half).map((s) => s.sizes[i]));
    const sentSecond = loading.at(-1).sent - loading[half - 1].sent;
    const perHandoff = (loading.at(-1).sizes[i] - loading[half - 1].sizes[i]) / Math.max(1, sentSecond);
    console.log(
      `${relay.label} (${relay.title}): largest ${mb(first)} MB in the first half of the steady load, ${mb(second)} MB in the second (ratio ${(second / Math.max(1, first)).toFixed(2)}); ` +
        `${(perHandoff / 1024).toFixed(2)} KB per handoff sent over the second half; ${mb(samples.at(-1).sizes[i])} MB at the end`,
    );
    if (relay.label === 'retention') flat = second <= first * 1.2;
  }
  console.log(
    `retention: file size flat under steady load (second half within 1.2x of the first): ${flat ? 'met' : 'NOT met'}`,
  );
} else console.log('the load was too short to judge flatness: raise --count or lower --retention');
const clean = progress.errors === 0 && progress.other === 0 && progress.skipped === 0;
if (!clean) console.log('FAIL: the load generator had errors, non-202 answers or skipped sends');
process.exit(clean && flat ? 0 : 1);
