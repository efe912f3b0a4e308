/**
 * Customer data at rest (issue 25), end to end through the built CLI against the Dataverse sandbox:
 * - retention: with PAYLOAD_RETENTION=2s the transcript, name, email and phone leave every file of the data
 *   directory (WAL included) once the case exists; a re-delivery under a new webhook id gets a 2xx and no
 *   second case; past HANDOFF_RECORD_RETENTION the same handoff is new to the relay, and Dataverse refuses
 *   the second case (the incident id is the handoff key): still one case. The same on PostgreSQL, by query.
 * - encryption: with PAYLOAD_ENCRYPTION_KEYS no word of the call is in any file (or row), while Dataverse is
 *   down, after a kill -9, and after delivery; rotation: rows under the old key are read with the new one
 *   first, `store rekey` moves them, and the old key can then go.
 * - erasure: `handoffs erase --phone` removes a delivered, a dead-lettered and (with the flag) a pending
 *   handoff of one caller, leaves another caller's, lists the cases, and audits without the phone.
 * - file modes: under umask 022 the data directory is 0700 and every file in it 0600.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Sandbox } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it, vi } from 'vitest';
import { handoffKey } from '../../src/handoff/key.js';
import { postSignedHandoff, tempDir, testSandbox } from '../helpers.js';
import { admin, postgresForTests, TEST_DATABASE_URL } from '../store-contract/postgres-env.js';
import { keyEntry } from '../store-contract/vaults.js';
import { cliRelayEnv, metric, runCliAsync, startCliRelay, type CliRelay } from './cli-relay.js';

const pgt = await postgresForTests('customer_data');

/** What must not be readable at rest: the caller's name, email and phone (as given and as digits), and the call's words. */
const SECRETS = [
  'Priya',
  'Raman',
  'priya.raman@example.com',
  '415-555-0103',
  '4155550103',
  'marmalade',
  'quokka',
  'sourdough',
];

interface Caller {
  name: string;
  email?: string;
  phone: string;
}
const PRIYA: Caller = { name: 'Priya Raman', email: 'priya.raman@example.com', phone: '+1 415-555-0103' };
const MARCUS: Caller = { name: 'Marcus Ohene', phone: '+44 20 7946 0958' };

function callDocument(label: string, caller: Caller = PRIYA) {
  return {
    session_id: `customer-data-${label}-${randomBytes(4).toString('hex')}`,
    handoff_at: '2026-11-24T14:05:09Z',
    channel: 'phone_voice',
    classification: 'Order question',
    customer: caller,
    messages: [
      {
        at: '2026-11-24T14:02:11Z',
        role: 'contact',
        text: 'My marmalade order for the quokka sanctuary has not arrived.',
      },
      {
        at: '2026-11-24T14:02:20Z',
        role: 'ai',
        text: 'I am sorry: I will pass you to a colleague with the sourdough order too.',
      },
    ],
  };
}
const keyOf = (document: { session_id: string; handoff_at: string }) =>
  handoffKey(document.session_id, document.handoff_at);

/** The secrets found in any file of `dir`, byte for byte (the WAL, its index and the lock files included). */
function secretsInFiles(dir: string, secrets: readonly string[] = SECRETS): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const bytes = readFileSync(path.join(dir, name));
    for (const secret of secrets)
      if (bytes.includes(Buffer.from(secret, 'utf8'))) found.push(`${secret} in ${name}`);
  }
  return found;
}

/** The secrets found in any row of any table of a PostgreSQL schema, as a query reads them. */
async function secretsInRows(schema: string, secrets: readonly string[] = SECRETS): Promise<string[]> {
  const found: string[] = [];
  for (const table of [
    'handoffs',
    'webhook_ids',
    'pauses',
    'relay_secrets',
    'audit',
    'relay_schema_migrations',
  ]) {
    const { rows } = await admin<{ text: string | null }>(
      `SELECT string_agg(t::text, E'\\n') AS text FROM "${schema}".${table} t`,
    );
    const text = rows[0]?.text ?? '';
    for (const secret of secrets) if (text.includes(secret)) found.push(`${secret} in ${table}`);
  }
  return found;
}

/** `handoffs show --json` of one handoff (undefined once its record is gone). */
async function shown(key: string, env: Record<string, string>): Promise<Record<string, unknown> | undefined> {
  const result = await runCliAsync(['handoffs', 'show', key, '--json'], env);
  return result.status === 0 ? (JSON.parse(result.stdout) as Record<string, unknown>) : undefined;
}

const incidents = (sandbox: Sandbox) => sandbox.state.rows('incidents').length;
const waitFor = (check: () => unknown, timeout = 20_000) => vi.waitFor(check, { timeout, interval: 100 });

/** A PostgreSQL URL naming a fresh schema for one relay. */
function postgresUrl(schema: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

const RETENTION_ENV = {
  PAYLOAD_RETENTION: '2s',
  DEAD_LETTER_RETENTION: '2s',
  HANDOFF_RECORD_RETENTION: '6s',
};

/**
 * Delivers one call, waits for its payload to expire and checks the store with `scan`; then a re-delivery
 * gets a 2xx and no case, and past the record's lifetime the relay takes it again and Dataverse refuses a
 * second case.
 */
async function retentionRun(
  sandbox: Sandbox,
  relay: CliRelay,
  env: Record<string, string>,
  scan: () => Promise<string[]>,
) {
  const document = callDocument('retention');
  const key = keyOf(document);
  expect((await postSignedHandoff(relay.url, document)).status).toBe(202);
  await waitFor(() => expect(incidents(sandbox)).toBe(1));
  await waitFor(async () =>
    expect(await metric(relay.opsUrl, 'opencx_relay_purged_total{what="payload"}')).toBe(1),
  );
  expect(await scan()).toEqual([]);
  expect(await shown(key, env)).toMatchObject({
    status: 'created',
    incidentId: key,
    ticketNumber: expect.any(String) as string,
    sessionId: '',
    payloadBytes: 0,
    payloadRemoved: { reason: 'expired' },
  });
  // The same handoff again, under a new webhook id: answered from the small record, nothing created.
  const again = await postSignedHandoff(relay.url, document);
  expect(again.status).toBe(200);
  expect(incidents(sandbox)).toBe(1);
  // Past HANDOFF_RECORD_RETENTION the relay has forgotten it and takes it again; the incident id is the
  // handoff key, so Dataverse answers the second create 412 and the relay records a duplicate.
  await waitFor(async () => expect(await shown(key, env)).toBeUndefined(), 30_000);
  expect((await postSignedHandoff(relay.url, document)).status).toBe(202);
  await waitFor(async () => expect((await shown(key, env))?.status).toBe('duplicate'));
  expect(incidents(sandbox)).toBe(1);
}

describe('customer data at rest, through the built CLI', () => {
  it('embedded, PAYLOAD_RETENTION=2s: the call leaves every file after delivery; a re-delivery creates no second case', async () => {
    const sandbox = await testSandbox();
    const env = cliRelayEnv(sandbox.url, RETENTION_ENV);
    const relay = await startCliRelay(env);
    expect(relay.logLines('payloads are stored in plain text')).toHaveLength(1);
    await retentionRun(sandbox, relay, env, () => Promise.resolve(secretsInFiles(env.RELAY_DATA_DIR)));
    expect(await relay.kill('SIGTERM')).toBe(0);
  }, 90_000);

  it('embedded, PAYLOAD_ENCRYPTION_KEYS set: no word of the call in any file while Dataverse is down, after kill -9, or after delivery', async () => {
    const sandbox = await testSandbox();
    sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
    const env = cliRelayEnv(sandbox.url, { PAYLOAD_ENCRYPTION_KEYS: keyEntry('2026a') });
    const first = await startCliRelay(env);
    expect(first.logLines('payloads are encrypted at rest')).toEqual([
      expect.objectContaining({ keyId: '2026a' }),
    ]);
    const documents = [callDocument('sealed-1'), callDocument('sealed-2')];
    for (const document of documents) expect((await postSignedHandoff(first.url, document)).status).toBe(202);
    expect(secretsInFiles(env.RELAY_DATA_DIR)).toEqual([]);
    expect(await first.kill('SIGKILL')).toBeNull();
    expect(secretsInFiles(env.RELAY_DATA_DIR)).toEqual([]);
    // Held, readable with the key: its size shows, nothing of its text.
    expect(await shown(keyOf(documents[0]), env)).toMatchObject({
      status: 'received',
      payloadBytes: expect.any(Number) as number,
    });
    const second = await startCliRelay(env);
    sandbox.setFaults({});
    await waitFor(() => expect(incidents(sandbox)).toBe(2));
    await waitFor(async () => expect((await shown(keyOf(documents[1]), env))?.status).toBe('created'));
    expect(secretsInFiles(env.RELAY_DATA_DIR)).toEqual([]);
    expect(await second.kill('SIGTERM')).toBe(0);
  }, 60_000);

  it('rotation: rows under the old key are read with the new key first, store rekey moves them, then the old key can go', async () => {
    const sandbox = await testSandbox();
    sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
    const base = cliRelayEnv(sandbox.url);
    const old = { ...base, PAYLOAD_ENCRYPTION_KEYS: keyEntry('old') };
    const relay = await startCliRelay(old);
    const documents = ['r1', 'r2', 'r3'].map((label) => callDocument(label));
    for (const document of documents) expect((await postSignedHandoff(relay.url, document)).status).toBe(202);
    expect(await relay.kill('SIGTERM')).toBe(0);

    const rotated = { ...base, PAYLOAD_ENCRYPTION_KEYS: `${keyEntry('new')},${keyEntry('old')}` };
    const rekey = await runCliAsync(['store', 'rekey', '--batch', '2'], rotated);
    expect(rekey.status).toBe(0);
    expect(rekey.stdout).toContain('Resealed 3 stored handoff(s) under key "new"');
    expect(rekey.stderr).toContain('rekey: 3/3');
    const files = secretsInFiles(base.RELAY_DATA_DIR, ['\u0002ocx1:old:', '\u0002ocx1:new:']);
    expect(files.filter((hit) => hit.startsWith('\u0002ocx1:old:'))).toEqual([]);
    expect(files.some((hit) => hit.startsWith('\u0002ocx1:new:'))).toBe(true);
    const audit = await runCliAsync(['store', 'audit', '--json'], rotated);
    expect(JSON.parse(audit.stdout.split('\n')[0]) as unknown).toMatchObject({
      action: 'rekey',
      counts: { resealed: 3 },
    });

    // Only the new key from here on: the relay starts, reads and delivers what the old key sealed.
    const onlyNew = { ...base, PAYLOAD_ENCRYPTION_KEYS: keyEntry('new') };
    const after = await startCliRelay(onlyNew);
    sandbox.setFaults({});
    await waitFor(() => expect(incidents(sandbox)).toBe(3));
    expect(new Set(sandbox.state.rows('incidents').map((row) => row.incidentid))).toEqual(
      new Set(documents.map(keyOf)),
    );
    expect(await after.kill('SIGTERM')).toBe(0);
  }, 60_000);

  it('handoffs erase --phone: a delivered, a dead-lettered and (with the flag) a pending handoff of one caller; another caller untouched; the cases listed', async () => {
    const sandbox = await testSandbox();
    const env = cliRelayEnv(sandbox.url, {
      DELIVERY_MAX_ATTEMPTS: '1',
      PAYLOAD_ENCRYPTION_KEYS: keyEntry('k1'),
    });
    const relay = await startCliRelay(env);
    const delivered = callDocument('delivered');
    const marcus = callDocument('marcus', MARCUS);
    for (const document of [delivered, marcus])
      expect((await postSignedHandoff(relay.url, document)).status).toBe(202);
    await waitFor(() => expect(incidents(sandbox)).toBe(2));
    sandbox.setFaults({ errorRate: 1, errorStatus: 500 });
    const dead = callDocument('dead');
    expect((await postSignedHandoff(relay.url, dead)).status).toBe(202);
    await waitFor(async () => expect((await shown(keyOf(dead), env))?.status).toBe('failed'));
    // Dataverse now throttles with a long Retry-After: the next one stays pending, not attempted.
    sandbox.setFaults({ throttleNext: 1_000_000, throttleRetryAfterSeconds: 300 });
    const pending = callDocument('pending');
    expect((await postSignedHandoff(relay.url, pending)).status).toBe(202);
    // Tried once, answered 429: back to received, not leased, waiting for the end of the pause.
    await waitFor(async () =>
      expect(await shown(keyOf(pending), env)).toMatchObject({
        status: 'received',
        lastError: { httpStatus: 429 },
      }),
    );

    const dryRun = await runCliAsync(
      ['handoffs', 'erase', '--phone', '(415) 555-0103', '--dry-run', '--json'],
      env,
    );
    const planned = JSON.parse(dryRun.stdout) as { dryRun: boolean; erased: string[]; pendingKept: string[] };
    expect(planned).toMatchObject({ dryRun: true, pendingKept: [keyOf(pending)] });
    expect(planned.erased.sort()).toEqual([keyOf(delivered), keyOf(dead)].sort());
    expect((await shown(keyOf(dead), env))?.payloadRemoved).toBeUndefined();

    const first = await runCliAsync(['handoffs', 'erase', '--phone', '(415) 555-0103'], env);
    expect(first.status).toBe(0);
    const ticket = String((await shown(keyOf(delivered), env))?.ticketNumber);
    expect(first.stdout).toContain('Matched 3 stored handoff(s) of this caller by phone');
    expect(first.stdout).toContain('Erased the payload and personal fields of 2 handoff(s)');
    expect(first.stdout).toContain('Left 1 pending handoff(s) as they are');
    expect(first.stdout).toContain(`${ticket}  incident ${keyOf(delivered)}`);
    expect(first.stdout).not.toContain(keyOf(marcus));

    const second = await runCliAsync(
      ['handoffs', 'erase', '--phone', '+14155550103', '--include-pending', '--json'],
      env,
    );
    expect(JSON.parse(second.stdout) as unknown).toMatchObject({
      by: 'phone',
      erased: [keyOf(pending)],
      pendingKept: [],
      busy: [],
    });
    expect(await shown(keyOf(delivered), env)).toMatchObject({
      status: 'created',
      ticketNumber: ticket,
      payloadRemoved: { reason: 'erased' },
    });
    expect(await shown(keyOf(dead), env)).toMatchObject({
      status: 'failed',
      payloadBytes: 0,
      payloadRemoved: { reason: 'erased' },
    });
    // Erased before delivery: it ends skipped, and its case is never created.
    expect(await shown(keyOf(pending), env)).toMatchObject({
      status: 'skipped',
      payloadRemoved: { reason: 'erased' },
    });
    expect((await shown(keyOf(marcus), env))?.payloadRemoved).toBeUndefined();
    expect((await runCliAsync(['handoffs', 'retry', keyOf(dead)], env)).stdout).toContain(
      'erased on request',
    );

    const audit = await runCliAsync(['store', 'audit'], env);
    expect(audit.stdout.match(/ erase /g)).toHaveLength(2);
    expect(audit.stdout).toContain('retry');
    for (const selector of ['555-0103', '4155550103']) expect(audit.stdout).not.toContain(selector);
    expect(await relay.kill('SIGTERM')).toBe(0);
    expect(incidents(sandbox)).toBe(2);
  }, 90_000);

  it('under umask 022 the data directory is 0700 and every file in it 0600; a readable one left by an older relay is tightened, and the log says so', async () => {
    const sandbox = await testSandbox();
    const mode = (file: string) => statSync(file).mode & 0o777;
    const fresh = cliRelayEnv(sandbox.url, { RELAY_DATA_DIR: path.join(tempDir(), 'data') });
    const loose = cliRelayEnv(sandbox.url);
    chmodSync(loose.RELAY_DATA_DIR, 0o755);
    mkdirSync(path.join(loose.RELAY_DATA_DIR, 'backup-notes'), { mode: 0o755 });
    writeFileSync(path.join(loose.RELAY_DATA_DIR, 'relay.sqlite'), '');
    chmodSync(path.join(loose.RELAY_DATA_DIR, 'relay.sqlite'), 0o644);
    const previous = process.umask(0o022); // the children inherit it
    let relays: CliRelay[];
    try {
      relays = [await startCliRelay(fresh), await startCliRelay(loose)];
    } finally {
      process.umask(previous);
    }
    for (const relay of relays)
      expect((await postSignedHandoff(relay.url, callDocument('modes'))).status).toBe(202);
    for (const dir of [fresh.RELAY_DATA_DIR, loose.RELAY_DATA_DIR]) {
      expect(mode(dir)).toBe(0o700);
      const files = readdirSync(dir).filter((name) => statSync(path.join(dir, name)).isFile());
      expect(files).toEqual(
        expect.arrayContaining([
          'relay.lock',
          'relay.owner.json',
          'relay.sqlite',
          'relay.sqlite-wal',
          'relay.sqlite-shm',
        ]),
      );
      for (const name of files) expect([name, mode(path.join(dir, name))]).toEqual([name, 0o600]);
    }
    expect(relays[0].logLines('Tightened the data directory')).toEqual([]);
    expect(relays[1].logLines('Tightened the data directory')).toEqual([
      expect.objectContaining({ directoryWas: '0755', files: ['relay.sqlite'] }),
    ]);
    for (const relay of relays) expect(await relay.kill('SIGTERM')).toBe(0);
  }, 60_000);
});

describe.runIf(pgt.available)('customer data at rest on PostgreSQL, through the built CLI', () => {
  it('PAYLOAD_RETENTION=2s: after delivery no row holds the call; a re-delivery creates no second case', async () => {
    const sandbox = await testSandbox();
    const schema = pgt.schema();
    const env = cliRelayEnv(sandbox.url, { ...RETENTION_ENV, RELAY_DATABASE_URL: postgresUrl(schema) });
    const relay = await startCliRelay(env);
    await retentionRun(sandbox, relay, env, () => secretsInRows(schema));
    expect(await relay.kill('SIGTERM')).toBe(0);
  }, 90_000);

  it('PAYLOAD_ENCRYPTION_KEYS set: no row holds a word of the call, pending or delivered', async () => {
    const sandbox = await testSandbox();
    sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
    const schema = pgt.schema();
    const env = cliRelayEnv(sandbox.url, {
      RELAY_DATABASE_URL: postgresUrl(schema),
      PAYLOAD_ENCRYPTION_KEYS: keyEntry('pg'),
    });
    const relay = await startCliRelay(env);
    const document = callDocument('pg-sealed');
    expect((await postSignedHandoff(relay.url, document)).status).toBe(202);
    expect(await secretsInRows(schema)).toEqual([]);
    // The scan does read the rows: the handoff key (no personal data) is there in plain text.
    expect(await secretsInRows(schema, [keyOf(document)])).toContain(`${keyOf(document)} in handoffs`);
    sandbox.setFaults({});
    await waitFor(async () => expect((await shown(keyOf(document), env))?.status).toBe('created'));
    expect(await secretsInRows(schema)).toEqual([]);
    expect(await relay.kill('SIGTERM')).toBe(0);
  }, 60_000);
});
