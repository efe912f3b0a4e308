// Chaos: N handoffs through 2 relay instances on PostgreSQL and through 1 on the embedded store, while the
// Dataverse sandbox answers 5xx, 429 storms and drops connections before and after committing, and relay
// processes (`opencx-relay start`, real child processes) are killed with SIGKILL and restarted at random.
// Every acknowledged handoff must become exactly one case with one queue item (one contact per caller),
// and nothing may stay undelivered. Before each chaos run, the same setup without any fault, storm or kill
// gives the baseline throughput the chaos run is compared with.
//
// Usage: node bench/chaos.mjs [--count 10000] [--stores postgres,embedded] [--seed 1] [--deadline 600]
//        [--baseline-count <same as --count> (0: no baseline)] [--senders 24] [--workers 16]
//        [--storm-every 6-12] [--kill-every 4-8] (seconds between storms / kills; 0 turns them off)
// --deadline bounds the whole run (seconds, split between the runs still to do); what is still pending
// when a run hits its share is printed and counted as stuck.
// Needs `npm run build:packages` first, and PostgreSQL for the postgres run (RELAY_BENCH_DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/test; a throwaway schema is created and dropped).
// Exit code 0 only when every run reports 0 lost, 0 duplicated, 0 stuck.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { mulberry32, startSandbox } from '../dataverse-sandbox/dist/index.js';
import { createEmbeddedStore, handoffKey } from '../webhook-relay/dist/index.js';
import { createPostgresStore } from '../webhook-relay/dist/store/postgres.js';
import { BENCH_DATABASE_URL, BENCH_SECRET, dropSchema, sandboxRelayEnv } from './bench-env.mjs';

const here = import.meta.dirname;
const cli = path.join(here, '../webhook-relay/bin/opencx-relay.js');
const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    // The baseline runs as many handoffs as the chaos run: the sandbox slows down as it fills up, so a
    // smaller baseline would flatter it.
    'baseline-count': { type: 'string' },
    stores: { type: 'string', default: 'postgres,embedded' },
    seed: { type: 'string', default: '1' },
    deadline: { type: 'string', default: '600' },
    senders: { type: 'string', default: '24' },
    workers: { type: 'string', default: '16' },
    'storm-every': { type: 'string', default: '6-12' },
    'kill-every': { type: 'string', default: '4-8' },
  },
});
const total = Number(args.count);
const baselineCount = Math.min(total, Number(args['baseline-count'] ?? total));
const seed = Number(args.seed);
const deadlineMs = Number(args.deadline) * 1000;
const stores = args.stores.split(',').map((s) => s.trim());
const databaseUrl = BENCH_DATABASE_URL;
const secret = BENCH_SECRET;
const webhook = new Webhook(secret);
const base = JSON.parse(
  readFileSync(path.join(here, '../webhook-relay/test/fixtures/handoffs/phone-no-email.json'), 'utf8'),
);

const FAULTS = { errorRate: 0.05, dropBeforeCommitRate: 0.01, dropAfterCommitRate: 0.02 };
// A storm is either a burst (the next `size` requests answered 429) or an exhausted budget: for `forMs`
// every request is answered 429 with the Retry-After of the sandbox's service-protection window.
const range = (text) => {
  const [low, high = low] = text.split('-').map((n) => Number(n) * 1000);
  return [low, high];
};
const STORM = { every: range(args['storm-every']), size: 5, retryAfterSeconds: 1, forMs: [500, 2000] };
const KILL = { every: range(args['kill-every']), downFor: [100, 1500] };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Never leave a relay process behind, whatever ends this one (Ctrl+C, a crash, a closed pipe).
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/** One relay instance: a child process on a fixed port, killed and restarted by the chaos loop. */
function relayInstance(name, env, port, giveUpAt) {
  const instance = { name, port, child: undefined, up: false, failedStarts: 0 };
  /** Starts the process and resolves once it listens; false when it could not before `giveUpAt`. */
  instance.start = async function start() {
    for (;;) {
      const child = spawn(process.execPath, [cli, 'start'], {
        env: { ...process.env, ...env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      instance.child = child;
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
      if (listening) {
        instance.up = true;
        child.once('exit', () => (instance.up = false));
        return true;
      }
      // Startup reads metadata from the faulty sandbox and may be refused: try again, as systemd would.
      instance.failedStarts += 1;
      instance.lastOutput = output;
      if (Date.now() > giveUpAt) return false;
      await sleep(50);
    }
  };
  instance.kill = async function kill(signal) {
    const child = instance.child;
    instance.up = false;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  return instance;
}

/**
 * Sends one signed webhook to any live instance until it is acknowledged (200/202), as OpenCX retries.
 * Resolves false when the deadline passed first (never acknowledged: not counted as lost).
 */
async function deliverWebhook(instances, document, random, stats, deadline) {
  const body = JSON.stringify(document);
  for (let attempt = 0; Date.now() < deadline; attempt += 1) {
    const live = instances.filter((i) => i.up);
    const target = live.length ? live[Math.floor(random() * live.length)] : undefined;
    if (target) {
      const id = `msg_${randomBytes(8).toString('hex')}`;
      const now = new Date();
      try {
        const response = await fetch(`http://127.0.0.1:${target.port}/v1/handoffs`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(now / 1000)),
            'webhook-signature': webhook.sign(id, now, body),
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        if (response.status === 200 || response.status === 202) return true;
        stats.refused += 1;
      } catch {
        stats.connectionErrors += 1; // the instance died under us: the sender retries
      }
    }
    await sleep(Math.min(200, 10 * (attempt + 1)));
  }
  return false;
}

async function openInspector(kind, location) {
  const store =
    kind === 'postgres'
      ? createPostgresStore({ connectionString: databaseUrl, schema: location, poolSize: 2 })
      : createEmbeddedStore({ file: path.join(location, 'relay.sqlite') });
  await store.init();
  return store;
}

/** Counts per key; `extra` is how many rows beyond the first any key has. */
function tally(rows, keyOf) {
  const map = new Map();
  for (const row of rows) {
    const key = keyOf(row);
    map.set(key, (map.get(key) ?? 0) + 1);
  }
  return map;
}
const extra = (map) => [...map.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);

/** One run: `calm` is the baseline (no faults, storms nor kills), otherwise chaos. */
async function run(kind, { calm, count, deadline }) {
  const random = mulberry32(seed * 7919 + (kind === 'postgres' ? 1 : 2) + (calm ? 100 : 0));
  const sandbox = await startSandbox();
  const schema = `relay_chaos_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'relay-chaos-'));
  const env = {
    ...sandboxRelayEnv(sandbox.url),
    HOST: '127.0.0.1',
    DELIVERY_WORKERS: args.workers,
    // Short backoff and lease so that a bounded run can absorb many faults and kills; many attempts so
    // that no handoff is dead-lettered by the injected 5xx alone.
    DELIVERY_BACKOFF_BASE_MS: '50',
    DELIVERY_BACKOFF_MAX_MS: '1000',
    DELIVERY_MAX_ATTEMPTS: '1000',
    DELIVERY_LEASE_MS: '3000',
    DATAVERSE_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'fatal',
    ...(kind === 'postgres'
      ? { RELAY_DATABASE_URL: `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}schema=${schema}` }
      : { RELAY_DATA_DIR: dataDir }),
  };
  const size = kind === 'postgres' ? 2 : 1;
  const instances = [];
  for (let i = 0; i < size; i += 1)
    instances.push(relayInstance(`${kind}-${i + 1}`, env, await freePort(), deadline));
  const startedOk = await Promise.all(instances.map((i) => i.start()));
  if (!startedOk.every(Boolean))
    throw new Error(`a ${kind} relay never started:\n${instances.map((i) => i.lastOutput).join('\n')}`);
  const inspector = await openInspector(kind, kind === 'postgres' ? schema : dataDir);

  const faults = (more = {}) =>
    sandbox.setFaults({
      ...FAULTS,
      errorStatus: [500, 502, 503][Math.floor(random() * 3)],
      seed: Math.floor(random() * 2 ** 31),
      ...more,
    });
  if (!calm) faults();
  const started = Date.now();
  let chaos = !calm;
  let kills = 0;
  let storms = 0;
  const stats = { refused: 0, connectionErrors: 0, webhooks: 0, unacknowledged: 0 };

  // 429 storms: a burst of refusals, or every request refused for a moment (an exhausted budget).
  const storming = (async () => {
    while (chaos && STORM.every[0] > 0) {
      await sleep(STORM.every[0] + random() * (STORM.every[1] - STORM.every[0]));
      if (!chaos) break;
      storms += 1;
      if (storms % 2) {
        faults({ throttleNext: STORM.size, throttleRetryAfterSeconds: STORM.retryAfterSeconds });
      } else {
        const forMs = STORM.forMs[0] + random() * (STORM.forMs[1] - STORM.forMs[0]);
        sandbox.setLimits({ requestsPerWindow: 0, windowMs: forMs });
        await sleep(forMs);
        sandbox.setLimits({});
      }
    }
  })();
  // SIGKILL a random instance at random moments, restart it after a random outage.
  const killing = (async () => {
    while (chaos && KILL.every[0] > 0) {
      await sleep(KILL.every[0] + random() * (KILL.every[1] - KILL.every[0]));
      if (!chaos) break;
      const victim = instances[Math.floor(random() * instances.length)];
      if (!victim.up) continue;
      await victim.kill('SIGKILL');
      kills += 1;
      await sleep(KILL.downFor[0] + random() * (KILL.downFor[1] - KILL.downFor[0]));
      if (!(await victim.start())) break; // past the deadline: reported below as pending
    }
  })();

  // Senders: every handoff once, one in ten a second time (a duplicate webhook delivery, new webhook id).
  // One caller in five gives an email, 200 callers in all: their contacts must be created once each.
  const documents = Array.from({ length: count }, (_, i) => ({
    ...base,
    session_id: `chaos-${kind}-${calm ? 'calm' : 'chaos'}-${seed}-${i}`,
    customer:
      i % 5 === 0 ? { name: `Caller ${i % 200}`, email: `caller${i % 200}@example.com` } : base.customer,
  }));
  const acknowledged = new Set();
  let next = 0;
  await Promise.all(
    Array.from({ length: Number(args.senders) }, async () => {
      while (next < documents.length) {
        const document = documents[next];
        next += 1;
        const sends = random() < 0.1 ? 2 : 1;
        for (let s = 0; s < sends; s += 1) {
          if (await deliverWebhook(instances, document, random, stats, deadline)) {
            stats.webhooks += 1;
            acknowledged.add(document.session_id);
          } else stats.unacknowledged += 1;
        }
      }
    }),
  );
  const sentAt = Date.now();

  // Keep the chaos going until 90% is delivered, then let the rest drain under faults only.
  const active = (c) => c.received + c.fetching + c.delivering;
  for (;;) {
    const counts = await inspector.countByStatus().catch(() => undefined);
    if (!chaos || (counts && counts.created + counts.duplicate >= 0.9 * count)) break;
    if (Date.now() > deadline) break;
    await sleep(200);
  }
  chaos = false;
  await Promise.all([storming, killing]);
  await Promise.all(instances.filter((i) => !i.up).map((i) => i.start()));
  let counts;
  for (;;) {
    counts = await inspector.countByStatus();
    if (active(counts) === 0 || Date.now() > deadline) break;
    await sleep(100);
  }
  const drainedAt = Date.now();
  const hitDeadline = active(counts) > 0;
  await Promise.all(instances.map((i) => i.kill('SIGTERM')));
  counts = await inspector.countByStatus();
  const records = new Map((await inspector.list({ limit: count * 2 })).map((r) => [r.key, r]));
  await inspector.close();

  // What Dataverse holds. Cases are counted by the session id their description names, not by their id
  // (an id is unique by construction, so counting ids could never show a second case for one handoff).
  const sessionOf = (incident) => /^Session ID: (.+)$/m.exec(String(incident.description ?? ''))?.[1];
  const incidentRows = sandbox.state.rows('incidents');
  const incidentsBySession = tally(incidentRows, sessionOf);
  const incidentIds = new Set(incidentRows.map((row) => String(row.incidentid)));
  const queueItems = tally(sandbox.state.rows('queueitems'), (row) => String(row._objectid_value));
  const notes = tally(sandbox.state.rows('annotations'), (row) => String(row._objectid_value));
  const contacts = tally(
    sandbox.state.rows('contacts').filter((c) => String(c.emailaddress1 ?? '').startsWith('caller')),
    (row) => String(row.emailaddress1),
  );
  const done = (key) => ['created', 'duplicate'].includes(records.get(key)?.status);
  const sent = documents.filter((d) => acknowledged.has(d.session_id));
  const keyOf = (d) => handoffKey(d.session_id, d.handoff_at);
  // Lost: acknowledged, yet not in the store, or delivered by the store's account while Dataverse has no
  // case or no queue item for it. Stuck: acknowledged and still waiting (or dead-lettered).
  const lostDocuments = sent.filter((d) => {
    const key = keyOf(d);
    return (!incidentIds.has(key) || !queueItems.has(key)) && (!records.has(key) || done(key));
  });
  const stuckRecords = sent.map(keyOf).filter((key) => records.has(key) && !done(key));
  const duplicates = extra(incidentsBySession) + extra(queueItems) + extra(notes) + extra(contacts);
  const requests = sandbox.requests;
  const throttled = requests.filter((r) => r.status === 429).length;
  const result = {
    store: kind === 'postgres' ? 'PostgreSQL' : 'embedded',
    calm,
    instances: size,
    sent: sent.length,
    unacknowledged: stats.unacknowledged,
    webhooks: stats.webhooks,
    stored: records.size,
    incidents: incidentRows.length,
    unparsed: incidentsBySession.get(undefined) ?? 0,
    duplicates,
    lost: lostDocuments.length,
    stuck: stuckRecords.length,
    pending: stuckRecords.slice(0, 10).map((key) => records.get(key)),
    lostSample: lostDocuments.slice(0, 5).map((d) => d.session_id),
    hitDeadline,
    created: counts.created,
    duplicateStatus: counts.duplicate,
    requests: requests.length,
    share429: throttled / requests.length,
    injected5xx: requests.filter((r) => r.status >= 500).length,
    droppedBefore: requests.filter((r) => r.status === -1).length,
    droppedAfter: requests.filter((r) => r.status === -2).length,
    storms,
    kills,
    failedStarts: instances.reduce((n, i) => n + i.failedStarts, 0),
    intakeRetries: stats.refused + stats.connectionErrors,
    sendSeconds: (sentAt - started) / 1000,
    seconds: (drainedAt - started) / 1000,
  };
  result.rate = result.incidents / result.seconds;
  await sandbox.close();
  if (kind === 'postgres') await dropSchema(schema);
  rmSync(dataDir, { recursive: true, force: true });
  return result;
}

const plan = stores.flatMap((kind) => [
  ...(baselineCount > 0 ? [{ kind, calm: true, count: baselineCount }] : []),
  { kind, calm: false, count: total },
]);
// Each run's share of what is left of the deadline, by its number of handoffs (a baseline is smaller).
const began = Date.now();
const results = [];
for (const [index, step] of plan.entries()) {
  const left = deadlineMs - (Date.now() - began);
  const still = plan.slice(index).reduce((n, s) => n + s.count, 0);
  const deadline = Date.now() + (left * step.count) / still;
  const label = `${step.kind}${step.calm ? ' baseline' : ''}`;
  process.stderr.write(
    `chaos: ${label} run, ${step.count} handoffs, ${((deadline - Date.now()) / 1000).toFixed(0)} s at most\n`,
  );
  results.push(await run(step.kind, { ...step, deadline }));
}

const percent = (n) => `${(n * 100).toFixed(1)}%`;
const seconds = ([low, high]) => `${low / 1000}-${high / 1000} s`;
const storms =
  STORM.every[0] > 0
    ? `a 429 storm every ${seconds(STORM.every)} (in turn a burst of ${STORM.size}, or every request for ${seconds(STORM.forMs)})`
    : 'no 429 storm';
const kills =
  KILL.every[0] > 0
    ? `SIGKILL of a random relay instance every ${seconds(KILL.every)}, restarted ${seconds(KILL.downFor)} later`
    : 'no SIGKILL';
console.log(
  `chaos: ${total} handoffs per store, seed ${seed}; sandbox faults ${percent(FAULTS.errorRate)} 5xx, ` +
    `${percent(FAULTS.dropBeforeCommitRate)} dropped before commit, ${percent(FAULTS.dropAfterCommitRate)} dropped after commit; ` +
    `${storms}; ${kills}; one handoff in ten sent twice; DELIVERY_WORKERS=${args.workers} per instance; ` +
    `baseline: ${baselineCount ? `${baselineCount} handoffs, same setup, no fault` : 'none'}`,
);
console.log(
  '| store | run | instances | handoffs sent | incidents created | duplicates | lost | stuck | 429 share of Dataverse requests | 5xx / dropped before / after commit | storms | SIGKILLs | seconds (sending / total) | handoffs/s |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.store} | ${r.calm ? 'baseline' : 'chaos'} | ${r.instances} | ${r.sent} | ${r.incidents} | ${r.duplicates} | ${r.lost} | ${r.stuck} | ` +
      `${percent(r.share429)} of ${r.requests} | ${r.injected5xx} / ${r.droppedBefore} / ${r.droppedAfter} | ` +
      `${r.storms} | ${r.kills} | ${r.sendSeconds.toFixed(0)} / ${r.seconds.toFixed(0)} | ${r.rate.toFixed(1)} |`,
  );
}
for (const r of results.filter((x) => !x.calm)) {
  const baseline = results.find((x) => x.calm && x.store === r.store);
  console.log(
    `${r.store}: ${r.webhooks} webhooks acknowledged for ${r.sent} handoffs; the store holds ${r.stored} ` +
      `(created ${r.created}, duplicate ${r.duplicateStatus}: created by an earlier attempt whose answer a kill or a dropped connection lost); ` +
      `${r.failedStarts} restarts refused while the sandbox was faulty; ${r.intakeRetries} webhook sends retried by the sender` +
      (baseline
        ? `; throughput ${r.rate.toFixed(1)} handoffs/s against ${baseline.rate.toFixed(1)} without faults (ratio ${(r.rate / baseline.rate).toFixed(2)})`
        : ''),
  );
}
for (const r of results) {
  const label = `${r.store} ${r.calm ? 'baseline' : 'chaos'}`;
  if (r.hitDeadline) console.log(`${label}: DEADLINE reached with handoffs still pending (counted as stuck)`);
  if (r.unacknowledged)
    console.log(`${label}: ${r.unacknowledged} webhook sends never acknowledged before the deadline`);
  if (r.unparsed)
    console.log(`${label}: ${r.unparsed} cases without a readable session id in their description`);
  for (const p of r.pending)
    console.log(
      `${label}: pending ${p.key} ${p.status} attempts=${p.attempts} next=${new Date(p.nextAttemptAt).toISOString()}` +
        `${p.leaseOwner ? ` lease=${p.leaseOwner}` : ''}${p.lastError ? ` last error: ${[p.lastError.httpStatus, p.lastError.code, p.lastError.message].filter(Boolean).join(' ')}` : ''}`,
    );
  if (r.stuck > r.pending.length) console.log(`${label}: … and ${r.stuck - r.pending.length} more pending`);
  for (const id of r.lostSample) console.log(`${label}: lost ${id}`);
}
const ok = results.every(
  (r) => r.lost === 0 && r.duplicates === 0 && r.stuck === 0 && r.unparsed === 0 && r.incidents === r.sent,
);
console.log(`result: ${ok ? 'PASS' : 'FAIL'}: 0 lost / 0 duplicated / 0 stuck required on every store`);
process.exit(ok ? 0 : 1);
