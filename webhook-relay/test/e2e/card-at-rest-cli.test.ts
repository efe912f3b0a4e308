/**
 * Customer data at rest (issue 25), through the built CLI. A card number — typed in groups, in one piece
 * and read digit by digit — arrives in a handoff (its messages and summary), in the turns after it
 * (APPEND_AFTER_HANDOFF) and in OpenCX events (the envelope's summary; the history OpenCX's API returns)
 * while Dataverse answers 503; every one is answered 202; then the relay is killed with SIGKILL. Every byte
 * of every file in the data directory (relay.sqlite, its -wal and -shm, the lock, the owner file) holds no
 * form of the card number; on PostgreSQL, no column of any row of the relay's schema does, nor the WAL the
 * server wrote meanwhile. The caller's name (a detail never redacted) is found by the same scans: they see
 * what the store holds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Sandbox } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it, vi } from 'vitest';
import type { HandoffDocument } from '../../src/handoff/document.js';
import { handoffKey } from '../../src/handoff/key.js';
import type { OpenCxHistoryItem } from '../../src/opencx/client.js';
import { postSigned, readFixture, tempDir, testSandbox } from '../helpers.js';
import { startFakeOpenCxApi } from '../opencx/fake-opencx-api.js';
import { fixtureSession, INCIDENT, json, KEY } from '../opencx/relay-harness.js';
import { CARD, cardForms, randomCard } from '../redaction/leaks.js';
import { admin, postgresForTests, TEST_DATABASE_URL } from '../store-contract/postgres-env.js';
import { cliRelayEnv, startCliRelay, storedHandoff, type CliRelay } from './cli-relay.js';

const pgt = await postgresForTests('cardrest');

/** The card, and one no other test on a shared server writes (the PostgreSQL WAL scan looks for it). */
const FIXED = cardForms(CARD);
const OWN = cardForms(randomCard());
const CARD_FORMS = [...Object.values(FIXED), ...Object.values(OWN)];

const base = JSON.parse(readFixture('handoffs/phone-full-details.json').toString('utf8')) as HandoffDocument;

/** A word only the stored payloads carry, in a detail redaction keeps: the caller's name. */
const marker = () => `Quillfeather${Math.random().toString(36).slice(2, 10)}`;

/** Which of `probes` the bytes hold. */
const held = (bytes: readonly Buffer[], probes: readonly string[]) =>
  probes.filter((probe) => bytes.some((b) => b.includes(probe)));

/** Every file of the embedded store's data directory, byte for byte. */
const dataFiles = (dir: string) => readdirSync(dir).map((name) => readFileSync(path.join(dir, name)));

/** Each column of each row of the relay's tables in `schema`, as PostgreSQL prints the row. */
async function schemaRows(schema: string): Promise<Buffer[]> {
  const { rows: tables } = await admin<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
    [schema],
  );
  expect(tables.length).toBeGreaterThan(0);
  const rows: Buffer[] = [];
  for (const { table_name: table } of tables) {
    const { rows: found } = await admin<{ row: string }>(
      `SELECT t::text AS row FROM "${schema}"."${table}" t`,
    );
    rows.push(...found.map(({ row }) => Buffer.from(row)));
  }
  return rows;
}

/** The server's WAL from `start` to `end` (LSNs), read from pg_wal (the test user is a superuser). */
async function walBetween(start: string, end: string): Promise<Buffer> {
  const size = Number(
    (await admin<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"))
      .rows[0].setting,
  );
  const where = async (lsn: string, plus: number) =>
    (
      await admin<{ file_name: string; file_offset: number }>(
        'SELECT file_name, file_offset FROM pg_walfile_name_offset($1::pg_lsn + $2::numeric)',
        [lsn, plus],
      )
    ).rows[0];
  const span = Number(
    (await admin<{ bytes: string }>('SELECT pg_wal_lsn_diff($2, $1) AS bytes', [start, end])).rows[0].bytes,
  );
  const first = await where(start, 0);
  const last = await where(end, 0);
  const parts: Buffer[] = [];
  for (let plus = 0; ; plus += size) {
    const at = plus === 0 ? first : await where(start, plus - first.file_offset);
    const file = (
      await admin<{ bytes: Buffer }>('SELECT pg_read_binary_file($1) AS bytes', [`pg_wal/${at.file_name}`])
    ).rows[0].bytes;
    const isLast = at.file_name === last.file_name || plus > span;
    parts.push(file.subarray(plus === 0 ? first.file_offset : 0, isLast ? last.file_offset : file.length));
    if (isLast) return Buffer.concat(parts);
  }
}

/** The store a scenario runs on, and how to read back what it holds. */
interface Store {
  env: Record<string, string>;
  /** Every byte the store holds for this test (for PostgreSQL: the rows, then the WAL written). */
  scan(): Promise<{ rows: Buffer[]; wal?: Buffer }>;
}

function embedded(): Store {
  const dir = tempDir();
  return { env: { RELAY_DATA_DIR: dir }, scan: () => Promise.resolve({ rows: dataFiles(dir) }) };
}

async function postgres(): Promise<Store> {
  const schema = pgt.schema();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', schema);
  const start = (await admin<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
  return {
    env: { RELAY_DATABASE_URL: url.toString() },
    async scan() {
      const end = (await admin<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn')).rows[0]
        .lsn;
      return { rows: await schemaRows(schema), wal: await walBetween(start, end) };
    },
  };
}

/** The relay through the CLI on `store`, against `sandbox` and the fake OpenCX API, posts signed. */
async function relayOn(store: Store, sandbox: Sandbox, session = fixtureSession()) {
  const api = await startFakeOpenCxApi({
    keys: { [KEY]: { scopes: ['chat-sessions:read'] } },
    sessions: [session],
  });
  const env = cliRelayEnv(sandbox.url, {
    APPEND_AFTER_HANDOFF: 'true',
    OPENCX_API_URL: api.url,
    OPENCX_API_KEY: KEY,
    ...store.env,
  });
  const relay = await startCliRelay(env);
  const post = async (route: string, body: object) => (await postSigned(relay.url, route, body)).status;
  return { api, env, relay, post };
}

async function expectNothingButTheName(store: Store, relay: CliRelay, name: string) {
  expect(await relay.kill('SIGKILL')).toBeNull();
  const { rows, wal } = await store.scan();
  expect(held(rows, [...CARD_FORMS, name])).toEqual([name]);
  // The WAL is the server's, shared by every test running: only this test's own card number is looked for.
  if (wal) expect(held([wal], [...Object.values(OWN), name])).toEqual([name]);
}

const event = json<{ event: string; organization_id: string; data: Record<string, unknown> }>(
  'event-handoff-to-human',
);

/** With Dataverse down from the start, no worker ever takes anything: only intake stands between. */
async function takenDuringAnOutage(store: Store) {
  const sandbox = await testSandbox();
  sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
  const { relay, post } = await relayOn(store, sandbox);
  const name = marker();
  const handoff: HandoffDocument = {
    ...base,
    summary: `Caller wants to pay the redelivery with ${FIXED.grouped}.`,
    customer: { ...base.customer, name },
    messages: [
      ...base.messages,
      { at: '2026-11-24T14:03:00Z', role: 'contact', text: `My card is ${FIXED.grouped}, expiry 12/27.` },
      { at: '2026-11-24T14:03:10Z', role: 'contact', text: `Without spaces: ${FIXED.plain}.` },
      { at: '2026-11-24T14:03:20Z', role: 'contact', text: `Slowly: ${FIXED.spoken}.` },
      {
        at: '2026-11-24T14:03:30Z',
        role: 'contact',
        text: `Or my other card, ${OWN.grouped}, ${OWN.plain}.`,
      },
    ],
  };
  expect(await post('/v1/handoffs', handoff)).toBe(202);
  const turns = [
    { at: '2026-11-24T14:06:00Z', role: 'contact', text: `The agent asked again: ${OWN.spoken}.` },
    { at: '2026-11-24T14:06:10Z', role: 'contact', text: `And ${FIXED.plain} for the first one.` },
  ];
  expect(
    await post(`/v1/handoffs/${handoffKey(base.session_id, base.handoff_at)}/messages`, { messages: turns }),
  ).toBe(202);
  const summary = `Caller read ${FIXED.grouped} and ${OWN.spoken} to the AI.`;
  expect(await post('/v1/opencx/events', { ...event, data: { ...event.data, summary } })).toBe(202);
  await expectNothingButTheName(store, relay, name);
}

/** OpenCX's history carries the card: the worker fetches it and stores the document, then Dataverse fails. */
async function fetchedFromOpenCx(store: Store) {
  const sandbox = await testSandbox();
  const name = marker();
  const said = (at: string, text: string): OpenCxHistoryItem => ({
    id: `evt_${at}`,
    created_at: at,
    event: { type: 'message', sender: { type: 'contact' }, content: { type: 'text', text } },
  });
  const session = fixtureSession({ contact: { ...fixtureSession().session.contact, name } });
  // A short call: PostgreSQL compresses a value of more than about 2 KB (TOAST), which no byte scan of the
  // WAL could read, and the name would tell (it must be found).
  session.history = [
    said('2026-11-24T12:03:00Z', `My card is ${FIXED.grouped}; ${FIXED.plain} without spaces.`),
    said('2026-11-24T12:03:10Z', `Read out: ${FIXED.spoken}.`),
    said('2026-11-24T12:03:20Z', `The other one: ${OWN.grouped}, ${OWN.spoken}.`),
  ];
  const { api, env, relay, post } = await relayOn(store, sandbox, session);
  // Delivery runs (the worker fetches from OpenCX), then Dataverse refuses every case.
  await vi.waitFor(
    async () => {
      const ready = (await (await fetch(`${relay.opsUrl}/readyz`)).json()) as { delivery: { state: string } };
      expect(ready.delivery.state).toBe('ready');
    },
    { timeout: 10_000, interval: 50 },
  );
  sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
  expect(await post('/v1/opencx/events', event)).toBe(202);
  await vi.waitFor(
    async () => {
      expect(api.requests.some((request) => request.path.endsWith('/history'))).toBe(true);
      expect((await storedHandoff(INCIDENT, env)).attempts).toBeGreaterThanOrEqual(1);
    },
    { timeout: 15_000, interval: 100 },
  );
  expect(sandbox.state.rows('incidents')).toHaveLength(0);
  await expectNothingButTheName(store, relay, name);
}

describe('no card number at rest, through the built CLI, killed with SIGKILL', () => {
  it('embedded store: taken while Dataverse answers 503 (handoff, appended turns, OpenCX event)', async () => {
    await takenDuringAnOutage(embedded());
  }, 60_000);

  it("embedded store: OpenCX's history fetched, then the case refused with 503", async () => {
    await fetchedFromOpenCx(embedded());
  }, 60_000);

  describe.runIf(pgt.available)('PostgreSQL', () => {
    it('taken while Dataverse answers 503: no row of the schema, no WAL record holds it', async () => {
      await takenDuringAnOutage(await postgres());
    }, 60_000);

    it("OpenCX's history fetched, then the case refused with 503: no row, no WAL record holds it", async () => {
      await fetchedFromOpenCx(await postgres());
    }, 60_000);
  });
});
