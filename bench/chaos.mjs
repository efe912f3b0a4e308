// Chaos: N handoffs through 2 relay instances on PostgreSQL and through 1 on the embedded store, while the
// Dataverse sandbox answers 5xx, 429 storms and drops connections before and after committing, and relay
// processes (`opencx-relay start`, real child processes) are killed with SIGKILL and restarted at random.
// Every acknowledged handoff must become exactly one case with one queue item (one contact per caller),
// and nothing may stay undelivered. Before each chaos run, the same setup without any fault, storm or kill
// gives the baseline throughput the chaos run is compared with.
//
// It also prints, for the chaos runs, the worst handoff-to-case time of the handoffs in flight at each kill
// (target <= 20 s with the default DELIVERY_LEASE_MS), the failed starts (a relay process that exited before
// listening) and the intake downtime (no instance listening); then, per store, a start while Dataverse
// answers 503, then 429, to everything (--outage seconds), with the same two counts.
//
// Usage: node bench/chaos.mjs [--count 6000] [--rate 80] [--stores postgres,embedded] [--seed 1] [--deadline 600]
//        [--baseline-count <same as --count> (0: no baseline)] [--senders 24] [--workers 16]
//        [--storm-every 6-12] [--kill-every 4-8] (seconds between storms / kills; 0 turns them off)
//        [--outage 5] (seconds of Dataverse down at relay start; 0: no such phase) [--quick]
//        [--baseline <another built checkout>: every run again with its relay, in turn with this one's; the
//        same seed, so both builds meet the same faults, storms and kills]
// CHAOS_DEBUG=1 prints why each failed start failed.
// --deadline bounds the whole run (seconds, split between the runs still to do); what is still pending
// when a run hits its share is printed and counted as stuck.
// Needs `npm run build:packages` first, and PostgreSQL for the postgres run (RELAY_BENCH_DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/test; a throwaway schema is created and dropped).
// Exit code 0 only when every run reports 0 lost, 0 duplicated, 0 stuck.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Webhook } from 'standardwebhooks';
import { mulberry32, startSandbox } from '../dataverse-sandbox/dist/index.js';
import { createEmbeddedStore, handoffKey } from '../webhook-relay/dist/index.js';
import { createPostgresStore } from '../webhook-relay/dist/store/postgres.js';
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
    count: { type: 'string' },
    // Handoffs per second offered by the senders (a busy contact centre's peak, below what one instance
    // delivers without faults on the 2-core machine), so that a handoff's time to its case measures the
    // faults and kills rather than a backlog of the benchmark's own making; 0 sends as fast as intake takes.
    rate: { type: 'string', default: '80' },
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
    // Seconds of Dataverse answering 503 (then 429) to everything at relay start, per store; 0: none.
    outage: { type: 'string' },
    // 1,000 handoffs, a 3 s outage: a smoke run of the benchmark itself (figures not comparable).
    quick: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});
const builds = relayBuilds(args.baseline);
/** Which build and store a line is about (the build only when two are compared). */
const who = (r) => (builds.length > 1 ? `${r.build}, ${r.store}` : r.store);
const outageSeconds = Number(args.outage ?? (args.quick ? 3 : 5));
const total = Number(args.count ?? (args.quick ? 1000 : 6000));
const rate = Number(args.rate);
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

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));

/**
 * Intake downtime: the time during which no instance of a run was listening, i.e. no handoff could be
 * accepted anywhere. `reset()` starts the count (after the first start-up of a run, or at an outage's start).
 */
function intakeTracker() {
  const tracker = { instances: [], downMs: 0, longestMs: 0, downSince: undefined };
  tracker.update = () => {
    const anyUp = tracker.instances.some((i) => i.up);
    if (anyUp && tracker.downSince !== undefined) {
      tracker.downMs += Date.now() - tracker.downSince;
      tracker.longestMs = Math.max(tracker.longestMs, Date.now() - tracker.downSince);
      tracker.downSince = undefined;
    } else if (!anyUp && tracker.downSince === undefined) tracker.downSince = Date.now();
  };
  tracker.reset = () => {
    tracker.downMs = 0;
    tracker.longestMs = 0;
    tracker.downSince = tracker.instances.some((i) => i.up) ? undefined : Date.now();
  };
  tracker.total = () =>
    tracker.downMs + (tracker.downSince === undefined ? 0 : Date.now() - tracker.downSince);
  return tracker;
}

/** One relay instance: a child process on a fixed port, killed and restarted by the chaos loop. */
function relayInstance(name, env, port, giveUpAt, tracker, cli) {
  let up = false;
  const instance = {
    name,
    port,
    child: undefined,
    failedStarts: 0,
    get up() {
      return up;
    },
    set up(value) {
      up = value;
      tracker?.update();
    },
  };
  tracker?.instances.push(instance);
  /** Starts the process and resolves once it listens; false when it could not before `giveUpAt`. */
  instance.start = async function start() {
    for (;;) {
      const { child, listening, output } = await spawnRelay(env, port, cli);
      instance.child = child;
      if (listening) {
        instance.up = true;
        child.once('exit', () => (instance.up = false));
        return true;
      }
      // A process that exits before listening is a failed start (the relay listens before it reads anything
      // from Dataverse, so a faulty sandbox should cause none): try again, as systemd would.
      instance.failedStarts += 1;
      instance.lastOutput = output;
      if (process.env.CHAOS_DEBUG)
        process.stderr.write(`chaos: ${name} exited before listening: ${output.slice(0, 400)}\n`);
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
async function run(kind, { calm, count, deadline, build }) {
  const random = mulberry32(seed * 7919 + (kind === 'postgres' ? 1 : 2) + (calm ? 100 : 0));
  const sandbox = await startSandbox();
  const schema = `relay_chaos_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'relay-chaos-'));
  const env = {
    ...sandboxRelayEnv(sandbox.url),
    HOST: '127.0.0.1',
    DELIVERY_WORKERS: args.workers,
    // Short backoff so that a bounded run can absorb many faults and kills; many attempts so that no
    // handoff is dead-lettered by the injected 5xx alone.
    DELIVERY_BACKOFF_BASE_MS: '50',
    DELIVERY_BACKOFF_MAX_MS: '1000',
    DELIVERY_MAX_ATTEMPTS: '1000',
    // DELIVERY_LEASE_MS is the default (15 s): what a handoff claimed by a killed instance waits at most.
    DATAVERSE_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'fatal',
    ...(kind === 'postgres'
      ? { RELAY_DATABASE_URL: `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}schema=${schema}` }
      : { RELAY_DATA_DIR: dataDir }),
  };
  const size = kind === 'postgres' ? 2 : 1;
  const tracker = intakeTracker();
  const instances = [];
  for (let i = 0; i < size; i += 1)
    instances.push(relayInstance(`${kind}-${i + 1}`, env, await freePort(), deadline, tracker, build.cli));
  const startedOk = await Promise.all(instances.map((i) => i.start()));
  if (!startedOk.every(Boolean))
    throw new Error(`a ${kind} relay never started:\n${instances.map((i) => i.lastOutput).join('\n')}`);
  const inspector = await openInspector(kind, kind === 'postgres' ? schema : dataDir);
  tracker.reset();
  const startsBefore = instances.reduce((n, i) => n + i.failedStarts, 0);

  // Handoff to case: when each handoff was first acknowledged, and when its case came into being (the
  // sandbox stores the incident under the handoff key); the handoffs in flight at each kill.
  const ackedAt = new Map();
  const createdAt = new Map();
  const put = sandbox.state.put.bind(sandbox.state);
  sandbox.state.put = (entitySet, id, row) => {
    if (entitySet === 'incidents' && !createdAt.has(id)) createdAt.set(id, Date.now());
    return put(entitySet, id, row);
  };
  const killSnapshots = [];

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
      killSnapshots.push([...ackedAt.keys()].filter((key) => !createdAt.has(key)));
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
        const index = next;
        const document = documents[index];
        next += 1;
        // Paced: handoff i leaves no earlier than i / rate seconds after the start (0: as fast as possible).
        const due = started + (rate > 0 ? (index * 1000) / rate : 0);
        if (due > Date.now()) await sleep(due - Date.now());
        const sends = random() < 0.1 ? 2 : 1;
        for (let s = 0; s < sends; s += 1) {
          if (await deliverWebhook(instances, document, random, stats, deadline)) {
            stats.webhooks += 1;
            acknowledged.add(document.session_id);
            const key = handoffKey(document.session_id, document.handoff_at);
            if (!ackedAt.has(key)) ackedAt.set(key, Date.now());
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
  const downMs = tracker.total();
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
    build: build.label,
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
    failedStarts: instances.reduce((n, i) => n + i.failedStarts, 0) - startsBefore,
    intakeDownSeconds: downMs / 1000,
    longestDownSeconds: tracker.longestMs / 1000,
    // Worst handoff-to-case time among the handoffs acknowledged but not yet a case at a kill (a handoff
    // that never became one counts as the whole run).
    worstAfterKill:
      Math.max(
        0,
        ...killSnapshots.flat().map((key) => (createdAt.get(key) ?? drainedAt) - ackedAt.get(key)),
      ) / 1000,
    inFlightAtKills: killSnapshots.reduce((n, keys) => n + keys.length, 0),
    // The slowest of them, as the store last saw it (attempts and last error say what held it up).
    worstRecord: (() => {
      const keys = killSnapshots.flat();
      const time = (key) => (createdAt.get(key) ?? drainedAt) - ackedAt.get(key);
      const key = keys.reduce((a, b) => (a === undefined || time(b) > time(a) ? b : a), undefined);
      return key ? records.get(key) : undefined;
    })(),
    toCase: (() => {
      const times = [...ackedAt]
        .map(([key, at]) => ((createdAt.get(key) ?? drainedAt) - at) / 1000)
        .sort((a, b) => a - b);
      const q = (p) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)] ?? 0;
      return { p50: q(0.5), p99: q(0.99), max: times.at(-1) ?? 0 };
    })(),
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

/**
 * Dataverse down while the relay starts (issue 17): every Dataverse request is answered 503, or 429 (a
 * service-protection budget of zero), from before the instances start until `seconds` later. Instances are
 * started as a supervisor would (again at once when one exits); handoffs are sent all along. Counts the
 * failed starts (a process that exited before listening) and the intake downtime (no instance listening),
 * and checks that every acknowledged handoff still becomes its case once Dataverse is back.
 */
async function outage(kind, mode, seconds, deadline, build) {
  const sandbox = await startSandbox();
  const schema = `relay_outage_${randomBytes(4).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'relay-outage-'));
  const env = {
    ...sandboxRelayEnv(sandbox.url),
    HOST: '127.0.0.1',
    DELIVERY_BACKOFF_BASE_MS: '50',
    DELIVERY_BACKOFF_MAX_MS: '1000',
    DELIVERY_MAX_ATTEMPTS: '1000',
    DATAVERSE_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'fatal',
    ...(kind === 'postgres'
      ? { RELAY_DATABASE_URL: `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}schema=${schema}` }
      : { RELAY_DATA_DIR: dataDir }),
  };
  // 'healthy' is the baseline: the same start with Dataverse answering, so that the time a process takes to
  // boot and listen is not mistaken for downtime that Dataverse caused.
  const down = () =>
    mode === '503'
      ? sandbox.setFaults({ errorRate: 1, errorStatus: 503 })
      : mode === '429'
        ? sandbox.setLimits({ requestsPerWindow: 0, windowMs: seconds * 1000 })
        : undefined;
  const heal = () =>
    mode === '503' ? sandbox.setFaults({}) : mode === '429' ? sandbox.setLimits({}) : undefined;
  down();
  const tracker = intakeTracker();
  const size = kind === 'postgres' ? 2 : 1;
  const instances = [];
  for (let i = 0; i < size; i += 1)
    instances.push(relayInstance(`${kind}-${i + 1}`, env, await freePort(), deadline, tracker, build.cli));
  const createdAt = new Map();
  const put = sandbox.state.put.bind(sandbox.state);
  sandbox.state.put = (entitySet, id, row) => {
    if (entitySet === 'incidents' && !createdAt.has(id)) createdAt.set(id, Date.now());
    return put(entitySet, id, row);
  };
  const began = Date.now();
  tracker.reset();
  const startups = instances.map((i) => i.start());
  const starting = Promise.all(startups);
  // Until the first instance listens the process is booting (as it does with Dataverse healthy: the
  // baseline row); from then on, any time with no instance listening is intake downtime.
  let firstListenMs = 0;
  const firstListen = Promise.race(startups).then(() => {
    firstListenMs = Date.now() - began;
    tracker.reset();
  });
  const healing = sleep(seconds * 1000).then(heal);
  const random = mulberry32(seed * 31 + (mode === '503' ? 3 : 4));
  const stats = { refused: 0, connectionErrors: 0 };
  const ackedAt = new Map();
  const documents = Array.from({ length: 50 }, (_, i) => ({
    ...base,
    session_id: `outage-${kind}-${mode}-${seed}-${i}`,
  }));
  // One handoff every 100 ms from the start of the outage, each sent until an instance acknowledges it.
  await Promise.all(
    documents.map(async (document, i) => {
      await sleep(i * 100);
      if (await deliverWebhook(instances, document, random, stats, deadline))
        ackedAt.set(handoffKey(document.session_id, document.handoff_at), Date.now());
    }),
  );
  await Promise.all([starting, healing, firstListen]);
  const downAfterListening = tracker.total();
  while ([...ackedAt.keys()].some((key) => !createdAt.has(key)) && Date.now() < deadline) await sleep(100);
  await Promise.all(instances.map((i) => i.kill('SIGTERM')));
  await sandbox.close();
  if (kind === 'postgres') await dropSchema(schema);
  rmSync(dataDir, { recursive: true, force: true });
  const times = [...ackedAt].map(([key, at]) => ((createdAt.get(key) ?? Date.now()) - at) / 1000);
  return {
    build: build.label,
    store: kind === 'postgres' ? 'PostgreSQL' : 'embedded',
    mode,
    instances: size,
    seconds,
    failedStarts: instances.reduce((n, i) => n + i.failedStarts, 0),
    firstListenSeconds: firstListenMs / 1000,
    intakeDownSeconds: downAfterListening / 1000,
    acknowledged: ackedAt.size,
    sent: documents.length,
    cases: [...ackedAt.keys()].filter((key) => createdAt.has(key)).length,
    worstToCase: Math.max(0, ...times),
    totalSeconds: (Date.now() - began) / 1000,
  };
}

const plan = stores.flatMap((kind, round) =>
  inTurn(builds, round).flatMap((build) => [
    ...(baselineCount > 0 ? [{ kind, build, calm: true, count: baselineCount }] : []),
    { kind, build, calm: false, count: total },
  ]),
);
// Each run's share of what is left of the deadline, by its number of handoffs (a baseline is smaller).
const began = Date.now();
const results = [];
for (const [index, step] of plan.entries()) {
  const left = deadlineMs - (Date.now() - began);
  const still = plan.slice(index).reduce((n, s) => n + s.count, 0);
  const deadline = Date.now() + (left * step.count) / still;
  const label = `${builds.length > 1 ? `${step.build.label}, ` : ''}${step.kind}${step.calm ? ' baseline' : ''}`;
  process.stderr.write(
    `chaos: ${label} run, ${step.count} handoffs, ${((deadline - Date.now()) / 1000).toFixed(0)} s at most\n`,
  );
  results.push(await run(step.kind, { ...step, deadline }));
}
const outages = [];
let round = 0;
if (outageSeconds > 0)
  for (const kind of stores)
    for (const mode of ['healthy', '503', '429'])
      for (const build of inTurn(builds, round++)) {
        const which = builds.length > 1 ? `${build.label}, ${kind}` : kind;
        process.stderr.write(
          mode === 'healthy'
            ? `chaos: ${which}, the same start with Dataverse healthy (baseline)\n`
            : `chaos: ${which}, Dataverse answering ${mode} to everything for ${outageSeconds} s at start\n`,
        );
        const deadline = Date.now() + outageSeconds * 1000 + 90_000;
        outages.push(await outage(kind, mode, outageSeconds, deadline, build));
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
    `${storms}; ${kills}; one handoff in ten sent twice; offered at ${rate > 0 ? `${rate}/s` : 'full speed'}; ` +
    `DELIVERY_WORKERS=${args.workers} per instance, DELIVERY_LEASE_MS default; load average at the end ${loadavg()[0].toFixed(2)}; ` +
    `baseline: ${baselineCount ? `${baselineCount} handoffs, same setup, no fault` : 'none'}`,
);
console.log(
  '| build | store | run | instances | handoffs sent | incidents created | duplicates | lost | stuck | 429 share of Dataverse requests | 5xx / dropped before / after commit | storms | SIGKILLs | seconds (sending / total) | handoffs/s |',
);
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.build} | ${r.store} | ${r.calm ? 'baseline' : 'chaos'} | ${r.instances} | ${r.sent} | ${r.incidents} | ${r.duplicates} | ${r.lost} | ${r.stuck} | ` +
      `${percent(r.share429)} of ${r.requests} | ${r.injected5xx} / ${r.droppedBefore} / ${r.droppedAfter} | ` +
      `${r.storms} | ${r.kills} | ${r.sendSeconds.toFixed(0)} / ${r.seconds.toFixed(0)} | ${r.rate.toFixed(1)} |`,
  );
}
for (const r of results.filter((x) => !x.calm)) {
  const baseline = results.find((x) => x.calm && x.store === r.store && x.build === r.build);
  console.log(
    `${who(r)}: ${r.webhooks} webhooks acknowledged for ${r.sent} handoffs; the store holds ${r.stored} ` +
      `(created ${r.created}, duplicate ${r.duplicateStatus}: created by an earlier attempt whose answer a kill or a dropped connection lost); ` +
      `${r.failedStarts} restarts refused while the sandbox was faulty; ${r.intakeRetries} webhook sends retried by the sender` +
      (baseline
        ? `; throughput ${r.rate.toFixed(1)} handoffs/s against ${baseline.rate.toFixed(1)} without faults (ratio ${(r.rate / baseline.rate).toFixed(2)})`
        : ''),
  );
}
for (const r of results)
  console.log(
    `${who(r)} ${r.calm ? 'baseline' : 'chaos'}: handoff to case (first acknowledgement to the case existing) ` +
      `p50 ${r.toCase.p50.toFixed(2)} s, p99 ${r.toCase.p99.toFixed(2)} s, max ${r.toCase.max.toFixed(2)} s`,
  );
for (const r of results.filter((x) => !x.calm))
  console.log(
    `${who(r)} chaos: ${r.kills} SIGKILLs with ${r.inFlightAtKills} handoffs in flight (acknowledged, no case yet) at them; ` +
      `worst handoff-to-case among those: ${r.worstAfterKill.toFixed(1)} s (target <= 20 s: ${r.worstAfterKill <= 20 ? 'met' : 'NOT met'}); ` +
      `failed starts (a relay process that exited before listening): ${r.failedStarts}; ` +
      `intake downtime (no instance listening): ${r.intakeDownSeconds.toFixed(1)} s of ${r.seconds.toFixed(0)} s, ` +
      `the longest ${r.longestDownSeconds.toFixed(1)} s` +
      (r.worstRecord
        ? `; the slowest handoff: ${r.worstRecord.attempts} failed attempts${r.worstRecord.lastError ? `, last error ${[r.worstRecord.lastError.httpStatus, r.worstRecord.lastError.code, r.worstRecord.lastError.message].filter(Boolean).join(' ')}` : ''}`
        : ''),
  );
// Side by side: the same runs with this build's relay and the baseline build's.
if (builds.length > 1)
  for (const store of new Set(results.map((r) => r.store)))
    for (const calm of [true, false]) {
      const [mine, theirs] = builds.map((b) =>
        results.find((r) => r.store === store && r.calm === calm && r.build === b.label),
      );
      if (!mine || !theirs) continue;
      const pair = (f) => `${f(mine)} / ${f(theirs)}`;
      console.log(
        `${store} ${calm ? 'baseline' : 'chaos'}, this build / baseline build: ` +
          `handoffs/s ${pair((r) => r.rate.toFixed(1))} (ratio ${(mine.rate / theirs.rate).toFixed(2)}), ` +
          `handoff to case p50 ${pair((r) => r.toCase.p50.toFixed(2))} s, p99 ${pair((r) => r.toCase.p99.toFixed(2))} s, ` +
          `lost / duplicated / stuck ${pair((r) => `${r.lost}/${r.duplicates}/${r.stuck}`)}` +
          (calm ? '' : `, worst after a kill ${pair((r) => r.worstAfterKill.toFixed(1))} s`),
      );
    }
if (outages.length) {
  console.log(
    `\nDataverse down at relay start: every request answered 503 (errors) or 429 (a budget of zero) for ${outageSeconds} s from before the instances start; ` +
      'a supervisor restarts any instance that exits; 50 handoffs sent from the start, one every 100 ms, each until acknowledged',
  );
  console.log(
    '| build | store | Dataverse at start | instances | failed starts | first instance listening after s | intake downtime after that s | handoffs acknowledged | cases | worst handoff-to-case s |',
  );
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const o of outages)
    console.log(
      `| ${o.build} | ${o.store} | ${o.mode === 'healthy' ? 'healthy (baseline)' : `${o.mode} for ${o.seconds} s`} | ${o.instances} | ${o.failedStarts} | ` +
        `${o.firstListenSeconds.toFixed(1)} | ${o.intakeDownSeconds.toFixed(1)} | ` +
        `${o.acknowledged} of ${o.sent} | ${o.cases} | ${o.worstToCase.toFixed(1)} |`,
    );
}
for (const r of results) {
  const label = `${who(r)} ${r.calm ? 'baseline' : 'chaos'}`;
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
const ok =
  results.every(
    (r) => r.lost === 0 && r.duplicates === 0 && r.stuck === 0 && r.unparsed === 0 && r.incidents === r.sent,
  ) && outages.every((o) => o.cases === o.acknowledged);
console.log(`result: ${ok ? 'PASS' : 'FAIL'}: 0 lost / 0 duplicated / 0 stuck required on every store`);
process.exit(ok ? 0 : 1);
