/**
 * The embedded store: one SQLite file (better-sqlite3) in WAL mode with synchronous=FULL, so a handoff is
 * on disk before the intake answers 202 and survives kill -9 or a power cut.
 *
 * Why better-sqlite3: durable under kill -9 (WAL + FULL lost nothing in our trials), ~4,500 awaited durable
 * commits/s on these 2-core machines against ~3,000/s for PGlite, and it installs on a fresh machine
 * without any download (npm builds it from source with the machine's compiler; the root package.json's
 * `allowScripts` lets its install script run). Its calls are synchronous, which makes claims atomic.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from './sqlite-driver.js';
import { startWriter, type Writer, type WriterReply } from './embedded-writer.js';
import {
  ACTIVE_STATUSES,
  HANDOFF_STATUSES,
  StoreUnavailableError,
  type HandoffError,
  type HandoffPatch,
  type HandoffRecord,
  type HandoffStatus,
  type HandoffStore,
  type InsertResult,
  type ListFilter,
  type NewHandoff,
  newRecord,
} from './types.js';

interface Row {
  key: string;
  kind: string;
  session_id: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  incident_id: string | null;
  ticket_number: string | null;
  note: string | null;
  received_at: number;
  updated_at: number;
  lease_owner: string | null;
  lease_until: number | null;
}

function toRecord(row: Row): HandoffRecord {
  const record: HandoffRecord = {
    key: row.key,
    kind: row.kind as HandoffRecord['kind'],
    sessionId: row.session_id,
    payload: row.payload,
    status: row.status as HandoffStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
  };
  if (row.last_error) record.lastError = JSON.parse(row.last_error) as HandoffError;
  if (row.incident_id) record.incidentId = row.incident_id;
  if (row.ticket_number) record.ticketNumber = row.ticket_number;
  if (row.note) record.note = row.note;
  if (row.lease_owner) record.leaseOwner = row.lease_owner;
  if (row.lease_until !== null) record.leaseUntil = row.lease_until;
  return record;
}

/** Literal list, so that SQLite can prove the claim's WHERE implies the partial index's. */
const ACTIVE_SQL = ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * The claim reads the due handoffs in the order it takes them, straight from an index holding only the
 * ones still to deliver: its cost per case does not grow with the backlog (bench/backlog.mjs). With
 * `status IN (…)` on the (status, next_attempt_at) index, SQLite searched each status and sorted every due
 * row in a temporary B-tree for each claim: 40% of the relay's CPU draining 20,000 waiting handoffs.
 * EXPLAIN QUERY PLAN (test/store-contract/claim-plans.test.ts):
 *   before: SEARCH handoffs USING INDEX handoffs_due (status=? AND next_attempt_at<?) + USE TEMP B-TREE FOR ORDER BY
 *   now:    SEARCH handoffs USING INDEX handoffs_claim (next_attempt_at<?)
 * INDEXED BY is there to fail loudly, not to tune: SQLite's planner, without statistics, still prefers
 * handoffs_due, and a schema change that made the index unusable raises an error instead of sorting again.
 * Idempotent DDL in init (IF NOT EXISTS); handoffs_due stays for countByStatus and listing by status.
 */
export const CLAIM_INDEX_SQL = `CREATE INDEX IF NOT EXISTS handoffs_claim ON handoffs (next_attempt_at, received_at)
  WHERE status IN (${ACTIVE_SQL});`;
export const CLAIM_SQL = `SELECT * FROM handoffs INDEXED BY handoffs_claim
  WHERE status IN (${ACTIVE_SQL}) AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
  ORDER BY next_attempt_at, received_at LIMIT ?`;

export function createEmbeddedStore({ file }: { file: string }): HandoffStore {
  let db: Database.Database | undefined;
  // Every statement is compiled once per open database and reused: compiling four statements per insert
  // was the relay's largest cost after the fsync under load (bench/relay-intake.mjs).
  let statements = new Map<string, Database.Statement>();
  const sql = <P extends unknown[] = unknown[], R = unknown>(d: Database.Database, text: string) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = d.prepare(text);
      statements.set(text, statement);
    }
    return statement as Database.Statement<P, R>;
  };

  const unavailable = (code: string | undefined) =>
    /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT)/.test(code ?? '');
  const open = (): Database.Database => {
    if (!db) throw new StoreUnavailableError('the embedded store is not open');
    return db;
  };
  const guard = <T>(work: (db: Database.Database) => T): T => {
    try {
      return work(open());
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      const code = (error as { code?: string }).code ?? '';
      if (unavailable(code)) {
        throw new StoreUnavailableError(`embedded store: ${code}`);
      }
      throw error;
    }
  };
  type Waiting = { handoff: NewHandoff; resolve: (r: InsertResult) => void; reject: (e: unknown) => void };
  let pending: Waiting[] = [];
  let flushScheduled = false;
  let claimDue:
    Database.Transaction<(owner: string, limit: number, now: number, leaseMs: number) => Row[]> | undefined;
  // Inserts go through the writer thread (embedded-writer.ts), one batch at a time: what arrives while a
  // batch is being committed waits for it and then goes in the next one.
  let writer: Writer | undefined;
  let inFlight: { id: number; batch: Waiting[] } | undefined;
  let batches = 0;

  const schedule = () => {
    if (flushScheduled || inFlight || !pending.length) return;
    flushScheduled = true;
    setImmediate(flush);
  };
  const failInFlight = (error: unknown) => {
    const batch = inFlight?.batch ?? [];
    inFlight = undefined;
    for (const item of batch) item.reject(error);
  };

  function onReply(reply: WriterReply): void {
    if (!inFlight || reply.id !== inFlight.id) return;
    const { batch } = inFlight;
    inFlight = undefined;
    if ('error' in reply) {
      const { code, message } = reply.error;
      const error = unavailable(code)
        ? new StoreUnavailableError(`embedded store: ${code}`)
        : Object.assign(new Error(message), { code });
      for (const item of batch) item.reject(error);
    } else {
      batch.forEach((item, index) => {
        const result = reply.results[index];
        const handoff = item.handoff;
        if (result.inserted) {
          // What was just written, without reading it back.
          item.resolve({ inserted: true, record: newRecord(handoff) });
        } else item.resolve({ inserted: false, record: toRecord(result.row as unknown as Row) });
      });
    }
    schedule();
  }

  function onWriterFailure(error: Error): void {
    writer = undefined;
    failInFlight(new StoreUnavailableError(`embedded store: the intake writer stopped (${error.message})`));
    schedule();
  }

  function flush(): void {
    flushScheduled = false;
    if (inFlight || !pending.length) return;
    const batch = pending;
    pending = [];
    try {
      open();
      writer ??= startWriter(file, onReply, onWriterFailure);
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    batches += 1;
    inFlight = { id: batches, batch };
    writer.write(
      batches,
      batch.map(({ handoff }) => ({
        key: handoff.key,
        kind: handoff.kind,
        sessionId: handoff.sessionId,
        payload: handoff.payload,
        webhookId: handoff.webhookId,
        now: handoff.now,
      })),
    );
  }

  const get = (key: string) =>
    guard((d) => sql<[string], Row>(d, 'SELECT * FROM handoffs WHERE key = ?').get(key));

  return {
    init() {
      mkdirSync(path.dirname(file), { recursive: true });
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      // Redaction replaces a payload once a worker takes it: zero the freed pages so the original text
      // does not linger in the database file (WAL frames go at the next checkpoint).
      db.pragma('secure_delete = ON');
      db.exec(`
        CREATE TABLE IF NOT EXISTS handoffs (
          key TEXT PRIMARY KEY, kind TEXT NOT NULL, session_id TEXT NOT NULL, payload TEXT NOT NULL,
          status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
          last_error TEXT, incident_id TEXT, ticket_number TEXT, note TEXT,
          received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER
        );
        CREATE INDEX IF NOT EXISTS handoffs_due ON handoffs (status, next_attempt_at);
        CREATE INDEX IF NOT EXISTS handoffs_received ON handoffs (received_at DESC, key DESC);
        ${CLAIM_INDEX_SQL}
        CREATE TABLE IF NOT EXISTS webhook_ids (webhook_id TEXT PRIMARY KEY, key TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS pauses (scope TEXT PRIMARY KEY, until INTEGER NOT NULL);
      `);
      writer ??= startWriter(file, onReply, onWriterFailure);
      return Promise.resolve();
    },
    async close() {
      // What was acknowledged as taken in is committed first; nothing new is taken after this point.
      while (inFlight || pending.length) {
        if (!inFlight) flush();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await writer?.close();
      writer = undefined;
      db?.close();
      db = undefined;
      statements = new Map();
      claimDue = undefined;
    },
    ping() {
      guard((d) => sql(d, 'SELECT 1').get());
      return Promise.resolve();
    },
    insert(handoff: NewHandoff): Promise<InsertResult> {
      // Group commit: inserts arriving in the same turn of the event loop share one transaction and one
      // fsync. Each caller's promise resolves only after that commit, so a 202 still means "on disk".
      return new Promise<InsertResult>((resolve, reject) => {
        pending.push({ handoff, resolve, reject });
        schedule();
      });
    },
    get(key) {
      const row = get(key);
      return Promise.resolve(row ? toRecord(row) : undefined);
    },
    findByWebhookId(webhookId) {
      const row = guard((d) =>
        sql<[string], Row>(
          d,
          'SELECT h.* FROM webhook_ids w JOIN handoffs h ON h.key = w.key WHERE w.webhook_id = ?',
        ).get(webhookId),
      );
      return Promise.resolve(row ? toRecord(row) : undefined);
    },
    list(filter: ListFilter = {}) {
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (filter.status) {
        where.push('status = ?');
        params.push(filter.status);
      }
      if (filter.before) {
        where.push('(received_at < ? OR (received_at = ? AND key < ?))');
        params.push(filter.before.receivedAt, filter.before.receivedAt, filter.before.key);
      }
      params.push(filter.limit ?? 100);
      const rows = guard((d) =>
        sql<typeof params, Row>(
          d,
          `SELECT * FROM handoffs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC, key DESC LIMIT ?`,
        ).all(...params),
      );
      return Promise.resolve(rows.map(toRecord));
    },
    countByStatus() {
      const counts = Object.fromEntries(HANDOFF_STATUSES.map((s) => [s, 0])) as Record<HandoffStatus, number>;
      const rows = guard((d) =>
        sql<[], { status: HandoffStatus; n: number }>(
          d,
          'SELECT status, COUNT(*) AS n FROM handoffs GROUP BY status',
        ).all(),
      );
      for (const row of rows) counts[row.status] = row.n;
      return Promise.resolve(counts);
    },
    claim(owner, limit, now, leaseMs) {
      const rows = guard((d) => {
        claimDue ??= d.transaction((who: string, n: number, at: number, ms: number) => {
          const due = sql<unknown[], Row>(d, CLAIM_SQL).all(at, at, n);
          const lease = sql(
            d,
            'UPDATE handoffs SET lease_owner = ?, lease_until = ?, updated_at = ? WHERE key = ?',
          );
          for (const row of due) {
            lease.run(who, at + ms, at, row.key);
            row.lease_owner = who;
            row.lease_until = at + ms;
          }
          return due;
        });
        return claimDue.immediate(owner, limit, now, leaseMs);
      });
      return Promise.resolve(rows.map(toRecord));
    },
    update(key, owner, patch: HandoffPatch, now) {
      const changed = guard((d) => {
        const sets: string[] = ['updated_at = ?'];
        const params: Array<string | number | null> = [now];
        const set = (column: string, value: string | number | null) => {
          sets.push(`${column} = ?`);
          params.push(value);
        };
        if (patch.status !== undefined) set('status', patch.status);
        if (patch.attempts !== undefined) set('attempts', patch.attempts);
        if (patch.nextAttemptAt !== undefined) set('next_attempt_at', patch.nextAttemptAt);
        if (patch.lastError !== undefined)
          set('last_error', patch.lastError ? JSON.stringify(patch.lastError) : null);
        if (patch.incidentId !== undefined) set('incident_id', patch.incidentId);
        if (patch.ticketNumber !== undefined) set('ticket_number', patch.ticketNumber);
        if (patch.note !== undefined) set('note', patch.note);
        if (patch.payload !== undefined) set('payload', patch.payload);
        const terminal = patch.status !== undefined && !ACTIVE_STATUSES.includes(patch.status);
        if (patch.releaseLease ?? terminal) {
          sets.push('lease_owner = NULL', 'lease_until = NULL');
        }
        params.push(key, owner);
        return sql(d, `UPDATE handoffs SET ${sets.join(', ')} WHERE key = ? AND lease_owner = ?`).run(
          ...params,
        ).changes;
      });
      return Promise.resolve(changed === 1);
    },
    releaseAll(owner, now) {
      const changed = guard(
        (d) =>
          sql(
            d,
            'UPDATE handoffs SET lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE lease_owner = ?',
          ).run(now, owner).changes,
      );
      return Promise.resolve(changed);
    },
    renew(owner, keys, now, leaseMs) {
      const held = guard((d) => {
        const extend = sql(
          d,
          'UPDATE handoffs SET lease_until = ? WHERE key = ? AND lease_owner = ? AND status IN (?, ?, ?)',
        );
        return keys.filter((key) => extend.run(now + leaseMs, key, owner, ...ACTIVE_STATUSES).changes === 1);
      });
      return Promise.resolve(held);
    },
    releaseEveryLease(now) {
      const changed = guard(
        (d) =>
          sql(
            d,
            'UPDATE handoffs SET lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE lease_owner IS NOT NULL',
          ).run(now).changes,
      );
      return Promise.resolve(changed);
    },
    retry(key, now) {
      const changed = guard(
        (d) =>
          sql(
            d,
            `UPDATE handoffs SET status = 'received', attempts = 0, next_attempt_at = ?, updated_at = ?,
               lease_owner = NULL, lease_until = NULL WHERE key = ? AND status IN ('failed', 'skipped')`,
          ).run(now, now, key).changes,
      );
      const row = changed ? get(key) : undefined;
      return Promise.resolve(row ? toRecord(row) : undefined);
    },
    getPauseUntil(scope) {
      const row = guard((d) =>
        sql<[string], { until: number }>(d, 'SELECT until FROM pauses WHERE scope = ?').get(scope),
      );
      return Promise.resolve(row?.until ?? 0);
    },
    setPauseUntil(scope, until) {
      guard((d) =>
        sql(
          d,
          'INSERT INTO pauses (scope, until) VALUES (?, ?) ON CONFLICT(scope) DO UPDATE SET until = MAX(until, excluded.until)',
        ).run(scope, until),
      );
      return Promise.resolve();
    },
  };
}
