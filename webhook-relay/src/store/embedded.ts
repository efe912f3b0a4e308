/**
 * The embedded store: one SQLite file (better-sqlite3) in WAL mode with synchronous=FULL, so a handoff is
 * on disk before the intake answers 202 and survives kill -9 or a power cut.
 *
 * Why better-sqlite3: durable under kill -9 (WAL + FULL lost nothing in our trials), ~4,500 awaited durable
 * commits/s on these 2-core machines against ~3,000/s for PGlite, and it installs on a fresh machine
 * without any download (npm builds it from source with the machine's compiler; the root package.json's
 * `allowScripts` lets its install script run). Its calls are synchronous, which makes claims atomic.
 *
 * What is written goes through the payload vault (payload-vault.ts): sealed when keys are configured, with
 * the caller's keyed hashes beside it. The file and its WAL are created 0600 in a 0700 directory
 * (data-dir.ts); the schema is migrated in numbered steps (embedded-migrations.ts).
 */
import path from 'node:path';
import { messages } from '../messages.js';
import Database from './sqlite-driver.js';
import { secureDataDir, privateFile } from './data-dir.js';
import { migrateEmbedded } from './embedded-migrations.js';
import { startWriter, WriterError, type Writer, type WriterItem } from './embedded-writer.js';
import {
  createPayloadVault,
  settleLookupKey,
  type PayloadVault,
  type SealedColumns,
  type StoredRow,
} from './payload-vault.js';
import { CLEAR_PERSONAL_FIELDS } from './personal-fields.js';
import {
  CALLER_COLUMNS,
  callerMatches,
  countsByKey,
  resealEach,
  sessionHashes,
  readableClaims,
  type CallerRow,
} from './common.js';
import {
  ACTIVE_STATUSES,
  HANDOFF_STATUSES,
  isTerminal,
  StoreUnavailableError,
  type AuditAction,
  type EraseResult,
  type HandoffPatch,
  type HandoffStatus,
  type HandoffStore,
  type InsertResult,
  type ListFilter,
  type NewHandoff,
  newRecord,
} from './types.js';

type Row = StoredRow & { key_id: string | null; session_hash: string | null };

export interface EmbeddedStoreOptions {
  /** The database file, `<RELAY_DATA_DIR>/relay.sqlite`. */
  file: string;
  /** What is sealed and hashed (default: plain text, hashes only). */
  vault?: PayloadVault;
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
 * The index is embedded migration 3; handoffs_due stays for countByStatus and listing by status.
 */
export const CLAIM_SQL = `SELECT * FROM handoffs INDEXED BY handoffs_claim
  WHERE status IN (${ACTIVE_SQL}) AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
  ORDER BY next_attempt_at, received_at LIMIT ?`;

export function createEmbeddedStore({
  file,
  vault = createPayloadVault(),
}: EmbeddedStoreOptions): HandoffStore {
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
    /^SQLITE_(?:BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT)/.test(code ?? '');
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
  const toRecord = (row: Row) => vault.open(row);

  type Waiting = {
    item: WriterItem;
    handoff: NewHandoff;
    resolve: (r: InsertResult) => void;
    reject: (e: unknown) => void;
  };
  let pending: Waiting[] = [];
  let flushScheduled = false;
  let claimDue:
    Database.Transaction<(owner: string, limit: number, now: number, leaseMs: number) => Row[]> | undefined;
  // Inserts go through the writer thread (embedded-writer.ts), one batch at a time: what arrives while a
  // batch is being committed waits for it and then goes in the next one.
  let writer: Writer | undefined;
  let inFlight = false;
  let idleWaiters: Array<() => void> = [];

  const writerOf = (): Writer => {
    if (writer) return writer;
    const started = startWriter(file, () => {
      if (writer === started) writer = undefined; // the next request starts a new thread
    });
    writer = started;
    return started;
  };
  const failure = (error: unknown): unknown => {
    if (!(error instanceof WriterError)) return error;
    if (error.code === undefined || unavailable(error.code))
      return new StoreUnavailableError(
        `embedded store: ${error.code ?? `the intake writer stopped (${error.message})`}`,
      );
    return Object.assign(new Error(error.message), { code: error.code });
  };
  const schedule = () => {
    if (flushScheduled || inFlight || !pending.length) return;
    flushScheduled = true;
    setImmediate(flush);
  };
  const notifyIdle = () => {
    if (inFlight || pending.length) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };

  function flush(): void {
    flushScheduled = false;
    if (inFlight || !pending.length) return notifyIdle();
    const batch = pending;
    pending = [];
    let target: Writer;
    try {
      open();
      target = writerOf();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return notifyIdle();
    }
    inFlight = true;
    target
      .insert(batch.map(({ item }) => item))
      .then(
        (results) =>
          batch.forEach((waiting, index) => {
            const result = results[index];
            // What was just written, without reading it back.
            if (result.inserted) waiting.resolve({ inserted: true, record: newRecord(waiting.handoff) });
            else waiting.resolve({ inserted: false, record: toRecord(result.row as unknown as Row) });
          }),
        (error: unknown) => {
          const reason = failure(error);
          for (const waiting of batch) waiting.reject(reason);
        },
      )
      .finally(() => {
        inFlight = false;
        schedule();
        notifyIdle();
      });
  }

  /** Empties the WAL after this connection removed text (erase, rekey); a busy WAL is left to the writer's next round. */
  const truncateWal = (d: Database.Database) => {
    d.pragma('busy_timeout = 250');
    try {
      const [row] = d.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      return row?.busy === 0;
    } finally {
      d.pragma('busy_timeout = 5000');
    }
  };

  const get = (key: string) =>
    guard((d) => sql<[string], Row>(d, 'SELECT * FROM handoffs WHERE key = ?').get(key));

  const store: HandoffStore = {
    async init() {
      secureDataDir(path.dirname(file));
      privateFile(file); // 0600 before SQLite opens it; its -wal and -shm take the same mode
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      // Zero freed space, so that removed and replaced text (redaction, retention, erasure) does not linger
      // in the database file; WAL frames go at the next truncating checkpoint.
      db.pragma('secure_delete = ON');
      migrateEmbedded(db);
      const d = db;
      const lookup = "SELECT value FROM relay_secrets WHERE name = 'lookup-key'";
      await settleLookupKey(vault, {
        read: () => Promise.resolve(d.prepare<[], { value: string }>(lookup).get()?.value),
        insertIfAbsent: (value) => {
          d.prepare("INSERT OR IGNORE INTO relay_secrets (name, value) VALUES ('lookup-key', ?)").run(value);
          return Promise.resolve();
        },
        replace: (old, value) => {
          d.prepare("UPDATE relay_secrets SET value = ? WHERE name = 'lookup-key' AND value = ?").run(
            value,
            old,
          );
          return Promise.resolve();
        },
      });
      writerOf();
    },
    async close() {
      // What was acknowledged as taken in is committed first; nothing new is taken after this point.
      if (inFlight || pending.length) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      const closing = writer;
      writer = undefined;
      await closing?.close();
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
      const sealed = vault.sealNew(handoff);
      const item: WriterItem = {
        key: handoff.key,
        kind: handoff.kind,
        sessionId: sealed.session_id,
        payload: sealed.payload,
        keyId: sealed.key_id,
        phoneHash: sealed.phone_hash,
        emailHash: sealed.email_hash,
        sessionHash: sealed.session_hash,
        webhookId: handoff.webhookId,
        now: handoff.now,
      };
      return new Promise<InsertResult>((resolve, reject) => {
        pending.push({ item, handoff, resolve, reject });
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
    async claim(owner, limit, now, leaseMs) {
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
      return readableClaims(store, rows.map(toRecord), owner, now);
    },
    update(key, owner, patch: HandoffPatch, now) {
      const changed = guard((d) => {
        const sets: string[] = ['updated_at = ?'];
        const params: Array<string | number | null> = [now];
        const set = (column: string, value: string | number | null) => {
          sets.push(`${column} = ?`);
          params.push(value);
        };
        if (patch.status !== undefined) {
          set('status', patch.status);
          set('settled_at', isTerminal(patch.status) ? now : null);
        }
        if (patch.attempts !== undefined) set('attempts', patch.attempts);
        if (patch.nextAttemptAt !== undefined) set('next_attempt_at', patch.nextAttemptAt);
        if (patch.incidentId !== undefined) set('incident_id', patch.incidentId);
        if (patch.ticketNumber !== undefined) set('ticket_number', patch.ticketNumber);
        for (const [column, value] of Object.entries(vault.sealPatch(key, patch)))
          if (value !== undefined) set(column, value as string | null);
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
               settled_at = NULL, lease_owner = NULL, lease_until = NULL
             WHERE key = ? AND status IN ('failed', 'skipped') AND payload_removed_at IS NULL`,
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

    async purge(cutoffs, limit, now) {
      open();
      try {
        return await writerOf().purge(cutoffs, limit, now);
      } catch (error) {
        throw failure(error);
      }
    },
    deadLettersExpiring(failedBefore, limit) {
      const where =
        "status = 'failed' AND payload_removed_at IS NULL AND settled_at IS NOT NULL AND settled_at <= ?";
      return Promise.resolve(
        guard((d) => ({
          count: sql<[number], { n: number }>(d, `SELECT COUNT(*) AS n FROM handoffs WHERE ${where}`).get(
            failedBefore,
          )!.n,
          keys: sql<[number, number], { key: string }>(
            d,
            `SELECT key FROM handoffs WHERE ${where} ORDER BY settled_at LIMIT ?`,
          )
            .all(failedBefore, limit)
            .map((row) => row.key),
        })),
      );
    },
    findCaller(selector, now) {
      const target = vault.selectorHash(selector);
      if (!target) return Promise.resolve([]);
      const rows = guard((d) => {
        const direct = sql<[string], CallerRow>(
          d,
          `SELECT ${CALLER_COLUMNS} FROM handoffs WHERE ${target.column} = ? AND payload_removed_at IS NULL`,
        ).all(target.hash);
        // The same sessions' other records: append jobs and closed-session events carry no phone or email.
        const sessions = sessionHashes(direct);
        const related = sessions.length
          ? d
              .prepare<string[], CallerRow>(
                `SELECT ${CALLER_COLUMNS} FROM handoffs
                 WHERE session_hash IN (${sessions.map(() => '?').join(',')}) AND payload_removed_at IS NULL`,
              )
              .all(...sessions)
          : [];
        return [...direct, ...related];
      });
      return Promise.resolve(callerMatches(rows, now));
    },
    erase(keys, now, { includePending }) {
      const result: EraseResult = { erased: [], pendingKept: [], busy: [] };
      guard((d) => {
        d.transaction(() => {
          for (const key of keys) {
            const row = sql<
              [string],
              { status: HandoffStatus; lease_until: number | null; payload_removed_at: number | null }
            >(d, 'SELECT status, lease_until, payload_removed_at FROM handoffs WHERE key = ?').get(key);
            if (!row || row.payload_removed_at !== null) continue;
            const pending = ACTIVE_STATUSES.includes(row.status);
            if (pending && !includePending) result.pendingKept.push(key);
            else if (pending && row.lease_until !== null && row.lease_until > now) result.busy.push(key);
            else {
              sql(
                d,
                `UPDATE handoffs SET ${CLEAR_PERSONAL_FIELDS}, payload_removed_at = @now, payload_removal = 'erased',
                   updated_at = @now WHERE key = @key`,
              ).run({ now, key });
              // Erased before delivery: it ends here and its case is never created.
              if (pending)
                sql(
                  d,
                  `UPDATE handoffs SET status = 'skipped', settled_at = @now, lease_owner = NULL, lease_until = NULL
                   WHERE key = @key`,
                ).run({ now, key });
              result.erased.push(key);
            }
          }
        }).immediate();
        if (result.erased.length) truncateWal(d);
      });
      return Promise.resolve(result);
    },
    dataAtRest() {
      const rows = guard((d) =>
        sql<[], { key_id: string | null; n: number }>(
          d,
          'SELECT key_id, COUNT(*) AS n FROM handoffs WHERE payload_removed_at IS NULL GROUP BY key_id',
        ).all(),
      );
      return Promise.resolve({ ...countsByKey(rows), ...vault.status() });
    },
    async rekey(after, limit) {
      const primary = vault.primaryKeyId;
      if (!primary) throw new Error(messages.dataAtRest.rekeyNeedsKeys);
      const rows = guard((d) =>
        sql<[string, string, number], SealedColumns & { key: string }>(
          d,
          `SELECT key, session_id, payload, note, last_error FROM handoffs
           WHERE payload_removed_at IS NULL AND (key_id IS NULL OR key_id <> ?) AND key > ? ORDER BY key LIMIT ?`,
        ).all(primary, after ?? '', limit),
      );
      // Written only if the row is as read: a worker that rewrote it meanwhile wins, and the row is left
      // for the next pass.
      const outcome = await resealEach(vault, rows, (row, sealed) =>
        guard(
          (d) =>
            sql(
              d,
              `UPDATE handoffs SET session_id = ?, payload = ?, note = ?, last_error = ?, key_id = ?
               WHERE key = ? AND session_id IS ? AND payload IS ? AND note IS ? AND last_error IS ?`,
            ).run(
              sealed.session_id,
              sealed.payload,
              sealed.note,
              sealed.last_error,
              primary,
              row.key,
              row.session_id,
              row.payload,
              row.note,
              row.last_error,
            ).changes,
        ),
      );
      if (outcome.resealed) guard(truncateWal);
      return { ...outcome, ...(rows.length === limit ? { lastKey: rows.at(-1)!.key } : {}) };
    },
    audit(entry) {
      guard((d) =>
        sql(d, 'INSERT INTO audit (at, action, os_user, host, counts) VALUES (?, ?, ?, ?, ?)').run(
          entry.at,
          entry.action,
          entry.user,
          entry.host,
          JSON.stringify(entry.counts),
        ),
      );
      return Promise.resolve();
    },
    auditTrail(limit) {
      const rows = guard((d) =>
        sql<[number], { at: number; action: AuditAction; os_user: string; host: string; counts: string }>(
          d,
          'SELECT at, action, os_user, host, counts FROM audit ORDER BY id DESC LIMIT ?',
        ).all(limit),
      );
      return Promise.resolve(
        rows.map((row) => ({
          at: row.at,
          action: row.action,
          user: row.os_user,
          host: row.host,
          counts: JSON.parse(row.counts) as Record<string, number>,
        })),
      );
    },
  };

  return store;
}
