/**
 * The scale-out store: PostgreSQL through `pg`, shared by any number of relay instances. Same contract and
 * same semantics as the embedded store (one contract test suite runs against both):
 * - claims are one statement, `UPDATE … WHERE key IN (SELECT … FOR UPDATE SKIP LOCKED LIMIT n) RETURNING`,
 *   so two instances never take one record and never wait on each other's locks;
 * - a claim is a lease with an expiry (relay clock, as in the embedded store: keep the fleet on NTP), so the
 *   work of an instance killed with SIGKILL is claimed again when its leases run out;
 * - inserts are one statement with ON CONFLICT on the key and the webhook id: concurrent duplicates store one;
 * - the 429 pause lives in a table, so one instance's throttle pauses the fleet;
 * - every failure to reach the server is a StoreUnavailableError (intake answers 503 + Retry-After, the worker
 *   skips the round); the pool opens fresh connections on the next call, so the store recovers on its own;
 * - behind a pooler in transaction mode (`pool_mode=transaction`: PgBouncer, Azure's built-in PgBouncer),
 *   nothing depends on a connection outliving its transaction: no named statement, no session setting (see
 *   PoolMode). The migration's advisory lock is transaction-scoped; there is no LISTEN, SET or temp table.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { messages } from '../messages.js';
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
  createPayloadVault,
  settleLookupKey,
  type PayloadVault,
  type SealedColumns,
  type StoredRow,
} from './payload-vault.js';
import { CLEAR_PERSONAL_FIELDS, SETTLED_SQL } from './personal-fields.js';
import { checkSchemaName, migrate, quoteIdent } from './postgres-migrations.js';
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

/**
 * How the relay reaches PostgreSQL, as the pooler in between (if any) hands out server connections:
 * - `session` (default): one server connection per client connection for its whole life (PostgreSQL itself,
 *   or a pooler in session mode). Statements are named prepared statements, parsed and planned once per
 *   connection; the server cancels a statement after `queryTimeoutMs` (statement_timeout, a startup
 *   parameter).
 * - `transaction`: each transaction may run on another server connection (PgBouncer's transaction pooling,
 *   the default of Azure Database for PostgreSQL flexible server's built-in PgBouncer). A named statement
 *   prepared on one server connection is missing on the next (PgBouncer before 1.21 does not track them,
 *   later ones only with max_prepared_statements > 0), and PgBouncer refuses a startup parameter it does not
 *   know ("unsupported startup parameter: statement_timeout"): so statements are unnamed (planned on every
 *   call) and no statement_timeout is sent: set it on the relay's role instead (operator guide).
 */
export type PoolMode = 'session' | 'transaction';
const POOL_MODES: readonly string[] = ['session', 'transaction'] satisfies PoolMode[];

export interface PostgresStoreOptions {
  /**
   * `postgres://user:password@host:5432/database` (any libpq parameters pg understands), optionally with
   * `pool_mode=session|transaction` (taken out here: see PoolMode).
   */
  connectionString: string;
  /** Schema holding the relay's tables; created on first start. Default `public`. */
  schema?: string;
  /** Connections per relay instance. Default 10. */
  poolSize?: number;
  /** Connecting longer than this is "unavailable". Default 5 s. */
  connectTimeoutMs?: number;
  /** A statement longer than this is cancelled (server side) or abandoned (client side). Default 30 s. */
  queryTimeoutMs?: number;
  /** Shown in pg_stat_activity. Default `opencx-relay`. */
  applicationName?: string;
  /** What is sealed and hashed (default: plain text, hashes only). */
  vault?: PayloadVault;
  /** Overrides `pool_mode` in the connection string. Default `session`. */
  poolMode?: PoolMode;
}

/** `pool_mode` out of a connection string: what it says, and the string pg gets (without it). */
export function takePoolMode(url: string): { connectionString: string; poolMode?: PoolMode } {
  const parsed = new URL(url);
  const mode = parsed.searchParams.get('pool_mode') ?? undefined;
  if (mode === undefined) return { connectionString: url };
  if (!POOL_MODES.includes(mode)) throw new Error(messages.store.poolMode(mode));
  parsed.searchParams.delete('pool_mode');
  return { connectionString: parsed.toString(), poolMode: mode as PoolMode };
}

/** A row as PostgreSQL returns it: bigints as strings, text as encodeText stored it. */
interface Row {
  inserted?: boolean;
  key: string;
  kind: string;
  session_id: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  error_code: string | null;
  incident_id: string | null;
  ticket_number: string | null;
  note: string | null;
  received_at: string;
  updated_at: string;
  settled_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  payload_removed_at: string | null;
  payload_removal: string | null;
}

/**
 * The columns a record is read from, by name and type: the insert's two branches must line up column for
 * column, and naming them keeps that true whatever order a migration left the table's columns in.
 */
const ROW_COLUMNS: ReadonlyArray<readonly [keyof Row, string]> = [
  ['key', 'text'],
  ['kind', 'text'],
  ['session_id', 'text'],
  ['payload', 'text'],
  ['status', 'text'],
  ['attempts', 'integer'],
  ['next_attempt_at', 'bigint'],
  ['last_error', 'text'],
  ['error_code', 'text'],
  ['incident_id', 'text'],
  ['ticket_number', 'text'],
  ['note', 'text'],
  ['received_at', 'bigint'],
  ['updated_at', 'bigint'],
  ['settled_at', 'bigint'],
  ['lease_owner', 'text'],
  ['lease_until', 'bigint'],
  ['payload_removed_at', 'bigint'],
  ['payload_removal', 'text'],
];
const columnsOf = (alias: string) => ROW_COLUMNS.map(([column]) => `${alias}${column}`).join(', ');

/** Literal list, so the planner matches the partial index `handoffs_claim`. */
const ACTIVE_SQL = ACTIVE_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * The claim: one statement. SKIP LOCKED: rows another instance is claiming right now are passed over, not
 * waited for; the locking re-checks the WHERE clause on the newest row version, so a row just leased is not
 * taken. Its cost per case does not grow with the backlog (bench/backlog.mjs): the due rows are read in the
 * claim's order from `handoffs_claim` (migration 3: next_attempt_at, received_at, key, only the rows still to
 * deliver) and the read stops at the limit. `= ANY(ARRAY(…))` makes the pick an InitPlan, so the UPDATE
 * finds the picked rows by primary key in every plan. EXPLAIN ANALYZE, 50,000 waiting and 20,000 created
 * rows, limit 4 (test/store-contract/claim-plans.test.ts keeps checking it):
 *   before, custom plan:  Index Scan using handoffs_due (rows=500, every row of the first instant) →
 *                         Incremental Sort → LockRows → Limit
 *   before, generic plan (what a named statement may switch to after five runs): the same pick, then a
 *                         Hash Semi Join over a Seq Scan on handoffs (rows=70000): the whole table per claim
 *   now, either plan:     Index Scan using handoffs_claim (rows=4) → LockRows → Limit (InitPlan);
 *                         Bitmap Index Scan on handoffs_pkey for the UPDATE
 */
export function claimSql(handoffs: string): string {
  return `UPDATE ${handoffs} SET lease_owner = $1, lease_until = $2::bigint + $3::bigint, updated_at = $2
    WHERE key = ANY(ARRAY(
      SELECT key FROM ${handoffs}
      WHERE status IN (${ACTIVE_SQL}) AND next_attempt_at <= $2
        AND (lease_until IS NULL OR lease_until <= $2)
      ORDER BY next_attempt_at, received_at, key
      LIMIT $4
      FOR UPDATE SKIP LOCKED
    ))
    RETURNING *`;
}

/**
 * PostgreSQL text cannot hold U+0000, SQLite's can, and the contract says a store keeps what it was given.
 * A value with a NUL (or one that starts with the marker) is stored as marker + JSON string; every other
 * value is stored verbatim, so what an operator reads in psql is the real text.
 */
const MARK = '\u0001json:';
const encodeText = (value: string) =>
  value.includes('\u0000') || value.startsWith(MARK) ? MARK + JSON.stringify(value) : value;
const decodeText = (value: string) =>
  value.startsWith(MARK) ? (JSON.parse(value.slice(MARK.length)) as string) : value;
const encodeOptional = (value: string | undefined) => (value === undefined ? undefined : encodeText(value));

const number = (value: string | null) => (value === null ? null : Number(value));
const decodeOptional = (value: string | null) => (value === null ? null : decodeText(value));

/** The row as the vault reads it (payload-vault.ts StoredRow). */
function toStored(row: Row): StoredRow {
  return {
    key: row.key,
    kind: row.kind,
    session_id: decodeText(row.session_id),
    payload: decodeText(row.payload),
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: Number(row.next_attempt_at),
    last_error: row.last_error,
    error_code: decodeOptional(row.error_code),
    incident_id: decodeOptional(row.incident_id),
    ticket_number: decodeOptional(row.ticket_number),
    note: decodeOptional(row.note),
    received_at: Number(row.received_at),
    updated_at: Number(row.updated_at),
    settled_at: number(row.settled_at),
    lease_owner: row.lease_owner,
    lease_until: number(row.lease_until),
    payload_removed_at: number(row.payload_removed_at),
    payload_removal: row.payload_removal,
  };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Failures that say "the store cannot serve you now" rather than "this request is wrong": network errors,
 * SQLSTATE classes 08 (connection), 53 (resources: disk full, too many connections), 57 (operator
 * intervention: terminated backend, shutdown, statement timeout), 58 (system), 40 (serialization/deadlock,
 * transient), 25006 (read-only: a failover in progress), and authentication or database-missing errors
 * (the store is unreachable as configured; /readyz reports it).
 */
export function isUnavailable(error: unknown): boolean {
  const { code = '', message = '' } = error as { code?: string; message?: string };
  if (/^(?:08|53|57|58|40)/.test(code) || ['25006', '28000', '28P01', '3D000', '55P03'].includes(code))
    return true;
  if (NETWORK_CODES.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection error|pool after calling end|not queryable/i.test(
    message,
  );
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured PostgreSQL URL';
  }
}

/**
 * `RELAY_DATABASE_URL` may name the schema as `?schema=<name>` (as Prisma and others do); pg does not know
 * that parameter, so it is taken out here.
 */
export function parseDatabaseUrl(url: string): { connectionString: string; schema?: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

export function isPostgresUrl(url: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(url);
}

export function createPostgresStore(options: PostgresStoreOptions): HandoffStore {
  const schema = checkSchemaName(options.schema ?? 'public');
  const target = takePoolMode(options.connectionString);
  const poolMode = options.poolMode ?? target.poolMode ?? 'session';
  const s = quoteIdent(schema);
  const handoffs = `${s}.handoffs`;
  const webhookIds = `${s}.webhook_ids`;
  const pauses = `${s}.pauses`;
  const secrets = `${s}.relay_secrets`;
  const auditTable = `${s}.audit`;
  const vault = options.vault ?? createPayloadVault();
  const toRecord = (row: Row) => vault.open(toStored(row));
  let pool: pg.Pool | undefined;

  const fail = (error: unknown): never => {
    if (error instanceof StoreUnavailableError) throw error;
    if (isUnavailable(error))
      throw new StoreUnavailableError(`PostgreSQL store: ${(error as Error).message || String(error)}`);
    throw error;
  };

  // In session mode every statement is a named prepared statement: PostgreSQL parses and plans it once per
  // connection, not on every call (its name is a digest of its text, so one name never stands for two
  // texts). In transaction mode none is named: the next transaction may run on a connection without it.
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    if (poolMode === 'transaction') return undefined;
    let name = names.get(text);
    if (!name) {
      name = `opencx_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return name;
  };

  async function query<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    if (!pool) throw new StoreUnavailableError('the PostgreSQL store is not open');
    try {
      return await pool.query<R>({ name: nameOf(text), text, values });
    } catch (error) {
      return fail(error);
    }
  }

  const getRow = async (key: string) =>
    (await query<Row>(`SELECT * FROM ${handoffs} WHERE key = $1`, [key])).rows[0];

  // The lookup key the vault hashes callers with: settled at init, or at the first write after an init that
  // could not reach the server (the relay does not start then, but a store object may outlive the outage).
  let lookupKeySettled: Promise<void> | undefined;
  const lookupKeyReady = () => {
    const name = 'lookup-key';
    lookupKeySettled ??= settleLookupKey(vault, {
      read: async () =>
        (await query<{ value: string }>(`SELECT value FROM ${secrets} WHERE name = $1`, [name])).rows[0]
          ?.value,
      insertIfAbsent: async (value) => {
        await query(`INSERT INTO ${secrets} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
          name,
          value,
        ]);
      },
      replace: async (old, value) => {
        await query(`UPDATE ${secrets} SET value = $3 WHERE name = $1 AND value = $2`, [name, old, value]);
      },
    }).catch((error: unknown) => {
      lookupKeySettled = undefined;
      throw error;
    });
    return lookupKeySettled;
  };

  const store: HandoffStore = {
    async init() {
      pool ??= (() => {
        const created = new pg.Pool({
          connectionString: target.connectionString,
          max: options.poolSize ?? 10,
          connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
          // A startup parameter, which a pooler in transaction mode refuses (PoolMode).
          ...(poolMode === 'session' ? { statement_timeout: options.queryTimeoutMs ?? 30_000 } : {}),
          query_timeout: (options.queryTimeoutMs ?? 30_000) + 5000,
          application_name: options.applicationName ?? 'opencx-relay',
          keepAlive: true,
        });
        // An idle connection that dies (server restart, pg_terminate_backend, network cut) is dropped by the
        // pool, which emits it here. Without a listener Node would crash the relay; the next call simply
        // opens a new connection, and a real outage shows as StoreUnavailableError on that call.
        created.on('error', () => undefined);
        return created;
      })();
      let client: pg.PoolClient | undefined;
      try {
        client = await pool.connect();
        await migrate(client, schema);
      } catch (error) {
        fail(error);
      } finally {
        client?.release();
      }
      await lookupKeyReady();
    },
    async close() {
      const closing = pool;
      pool = undefined;
      await closing?.end();
    },
    async ping() {
      await query('SELECT 1');
    },
    async insert(handoff: NewHandoff): Promise<InsertResult> {
      // One statement: a replayed webhook id returns the record it first stored; otherwise the row is
      // inserted unless the key exists (ON CONFLICT waits for a concurrent insert of the same key to commit).
      // Two deliveries reusing one webhook id with different bodies at the same instant could both be
      // stored; Standard Webhooks ids name one message, so that needs a misbehaving sender.
      await lookupKeyReady();
      const sealed = vault.sealNew(handoff);
      const values = [
        handoff.key,
        handoff.kind,
        encodeText(sealed.session_id),
        encodeText(sealed.payload),
        handoff.now,
        handoff.webhookId ?? null,
        sealed.key_id,
        sealed.phone_hash,
        sealed.email_hash,
        sealed.session_hash,
      ];
      const { rows } = await query<Row>(
        `WITH seen AS (
           SELECT ${columnsOf('h.')} FROM ${webhookIds} w JOIN ${handoffs} h ON h.key = w.key
           WHERE $6::text IS NOT NULL AND w.webhook_id = $6::text
         ), added AS (
           INSERT INTO ${handoffs} (key, kind, session_id, payload, status, attempts, next_attempt_at, received_at,
             updated_at, key_id, phone_hash, email_hash, session_hash)
           SELECT $1::text, $2::text, $3::text, $4::text, 'received', 0, $5::bigint, $5::bigint, $5::bigint,
             $7::text, $8::text, $9::text, $10::text
           WHERE NOT EXISTS (SELECT 1 FROM seen)
           ON CONFLICT (key) DO NOTHING
           RETURNING key
         ), remembered AS (
           INSERT INTO ${webhookIds} (webhook_id, key, received_at)
           SELECT $6::text, $1::text, $5::bigint WHERE $6::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM seen)
           ON CONFLICT (webhook_id) DO NOTHING
         )
         SELECT true AS inserted, ${ROW_COLUMNS.map(([column, type]) => (column === 'key' ? 'key' : `NULL::${type} AS ${column}`)).join(', ')}
         FROM added
         UNION ALL SELECT false AS inserted, ${columnsOf('')} FROM seen`,
        values,
      );
      const first = rows[0];
      // A new row is what was just written: it is not read back (4 KB of payload the caller already has).
      if (first?.inserted) return { inserted: true, record: newRecord(handoff) };
      if (first) return { inserted: false, record: toRecord(first) };
      // The key was already there: this statement's snapshot predates it, a new one sees it.
      const existing = await getRow(handoff.key);
      if (!existing) throw new StoreUnavailableError('PostgreSQL store: the conflicting row vanished');
      return { inserted: false, record: toRecord(existing) };
    },
    async get(key) {
      const row = await getRow(key);
      return row ? toRecord(row) : undefined;
    },
    async findByWebhookId(webhookId) {
      const { rows } = await query<Row>(
        `SELECT h.* FROM ${webhookIds} w JOIN ${handoffs} h ON h.key = w.key WHERE w.webhook_id = $1`,
        [webhookId],
      );
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async list(filter: ListFilter = {}) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.status) {
        values.push(filter.status);
        where.push(`status = $${values.length}`);
      }
      if (filter.before) {
        values.push(filter.before.receivedAt, filter.before.key);
        where.push(`(received_at, key) < ($${values.length - 1}::bigint, $${values.length}::text)`);
      }
      values.push(filter.limit ?? 100);
      const { rows } = await query<Row>(
        `SELECT * FROM ${handoffs} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY received_at DESC, key DESC LIMIT $${values.length}`,
        values,
      );
      return rows.map(toRecord);
    },
    async countByStatus() {
      const counts = Object.fromEntries(HANDOFF_STATUSES.map((s) => [s, 0])) as Record<HandoffStatus, number>;
      const { rows } = await query<{ status: HandoffStatus; n: number }>(
        `SELECT status, count(*)::int AS n FROM ${handoffs} GROUP BY status`,
      );
      for (const row of rows) counts[row.status] = row.n;
      return counts;
    },
    async claim(owner, limit, now, leaseMs) {
      const { rows } = await query<Row>(claimSql(handoffs), [owner, now, leaseMs, limit]);
      return (await readableClaims(store, rows.map(toRecord), owner, now)).sort(
        (a, b) =>
          a.nextAttemptAt - b.nextAttemptAt ||
          a.receivedAt - b.receivedAt ||
          (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
      );
    },
    async update(key, owner, patch: HandoffPatch, now) {
      if (patch.payload !== undefined) await lookupKeyReady();
      const values: unknown[] = [now];
      const sets: string[] = ['updated_at = $1'];
      const set = (column: string, value: unknown) => {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      };
      if (patch.status !== undefined) {
        set('status', patch.status);
        set('settled_at', isTerminal(patch.status) ? now : null);
      }
      if (patch.attempts !== undefined) set('attempts', patch.attempts);
      if (patch.nextAttemptAt !== undefined) set('next_attempt_at', patch.nextAttemptAt);
      if (patch.incidentId !== undefined) set('incident_id', encodeOptional(patch.incidentId));
      if (patch.ticketNumber !== undefined) set('ticket_number', encodeOptional(patch.ticketNumber));
      for (const [column, value] of Object.entries(vault.sealPatch(key, patch)))
        if (value !== undefined) set(column, typeof value === 'string' ? encodeText(value) : value);
      const terminal = patch.status !== undefined && !ACTIVE_STATUSES.includes(patch.status);
      if (patch.releaseLease ?? terminal) sets.push('lease_owner = NULL', 'lease_until = NULL');
      values.push(key, owner);
      const result = await query(
        `UPDATE ${handoffs} SET ${sets.join(', ')} WHERE key = $${values.length - 1} AND lease_owner = $${values.length}`,
        values,
      );
      return result.rowCount === 1;
    },
    async releaseAll(owner, now) {
      const result = await query(
        `UPDATE ${handoffs} SET lease_owner = NULL, lease_until = NULL, updated_at = $1 WHERE lease_owner = $2`,
        [now, owner],
      );
      return result.rowCount ?? 0;
    },
    async renew(owner, keys, now, leaseMs) {
      if (!keys.length) return [];
      const { rows } = await query<{ key: string }>(
        `UPDATE ${handoffs} SET lease_until = $1::bigint + $2::bigint
         WHERE key = ANY($3::text[]) AND lease_owner = $4 AND status IN (${ACTIVE_SQL})
         RETURNING key`,
        [now, leaseMs, keys, owner],
      );
      const held = new Set(rows.map((row) => row.key));
      return keys.filter((key) => held.has(key));
    },
    async releaseEveryLease(now) {
      const result = await query(
        `UPDATE ${handoffs} SET lease_owner = NULL, lease_until = NULL, updated_at = $1 WHERE lease_owner IS NOT NULL`,
        [now],
      );
      return result.rowCount ?? 0;
    },
    async retry(key, now) {
      const { rows } = await query<Row>(
        `UPDATE ${handoffs} SET status = 'received', attempts = 0, next_attempt_at = $1, updated_at = $1,
           settled_at = NULL, lease_owner = NULL, lease_until = NULL
         WHERE key = $2 AND status IN ('failed', 'skipped') AND payload_removed_at IS NULL RETURNING *`,
        [now, key],
      );
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async getPauseUntil(scope) {
      const { rows } = await query<{ until: string }>(`SELECT until FROM ${pauses} WHERE scope = $1`, [
        scope,
      ]);
      return rows[0] ? Number(rows[0].until) : 0;
    },
    async setPauseUntil(scope, until) {
      await query(
        `INSERT INTO ${pauses} (scope, until) VALUES ($1, $2)
         ON CONFLICT (scope) DO UPDATE SET until = GREATEST(${pauses}.until, excluded.until)`,
        [scope, Math.round(until)],
      );
    },

    async purge(cutoffs, limit, now) {
      // One statement, one round trip; SKIP LOCKED lets every instance of a fleet purge at once, each taking
      // rows the others are not. The four parts share one snapshot: a record expired in this round is
      // deleted in a later one.
      const expire = (statuses: string, before: string) =>
        `UPDATE ${handoffs} SET ${CLEAR_PERSONAL_FIELDS}, payload_removed_at = $1, payload_removal = 'expired',
           updated_at = $1
         WHERE key IN (
           SELECT key FROM ${handoffs} WHERE status IN (${statuses}) AND payload_removed_at IS NULL
             AND settled_at IS NOT NULL AND settled_at <= ${before}
           ORDER BY settled_at LIMIT $6 FOR UPDATE SKIP LOCKED)
         RETURNING 1`;
      const { rows } = await query<{
        payloads: number;
        dead_letters: number;
        records: number;
        webhook_ids: number;
      }>(
        `WITH settled AS (${expire(SETTLED_SQL, '$2')}),
         failed AS (${expire("'failed'", '$3')}),
         records AS (
           DELETE FROM ${handoffs} WHERE key IN (
             SELECT key FROM ${handoffs} WHERE payload_removed_at IS NOT NULL AND settled_at <= $4
             ORDER BY settled_at LIMIT $6 FOR UPDATE SKIP LOCKED)
           RETURNING 1),
         ids AS (
           DELETE FROM ${webhookIds} WHERE webhook_id IN (
             SELECT webhook_id FROM ${webhookIds} WHERE received_at <= $5
             ORDER BY received_at LIMIT $6 FOR UPDATE SKIP LOCKED)
           RETURNING 1)
         SELECT (SELECT count(*) FROM settled)::int AS payloads, (SELECT count(*) FROM failed)::int AS dead_letters,
           (SELECT count(*) FROM records)::int AS records, (SELECT count(*) FROM ids)::int AS webhook_ids`,
        [
          now,
          cutoffs.settledBefore,
          cutoffs.failedBefore,
          cutoffs.recordsBefore,
          cutoffs.webhookIdsBefore,
          limit,
        ],
      );
      const [row] = rows;
      return {
        payloads: row.payloads,
        deadLetters: row.dead_letters,
        records: row.records,
        webhookIds: row.webhook_ids,
      };
    },
    async deadLettersExpiring(failedBefore, limit) {
      const { rows } = await query<{ key: string; n: number }>(
        `SELECT key, (count(*) OVER ())::int AS n FROM ${handoffs}
         WHERE status = 'failed' AND payload_removed_at IS NULL AND settled_at IS NOT NULL AND settled_at <= $1
         ORDER BY settled_at LIMIT $2`,
        [failedBefore, limit],
      );
      if (rows.length < limit) return { count: rows.length, keys: rows.map((row) => row.key) };
      return { count: rows[0]?.n ?? 0, keys: rows.map((row) => row.key) };
    },
    async findCaller(selector, now) {
      await lookupKeyReady();
      const target = vault.selectorHash(selector);
      if (!target) return [];
      const read = async (where: string, value: unknown) =>
        (
          await query<
            Omit<CallerRow, 'received_at' | 'lease_until'> & {
              received_at: string;
              lease_until: string | null;
            }
          >(`SELECT ${CALLER_COLUMNS} FROM ${handoffs} WHERE ${where} AND payload_removed_at IS NULL`, [
            value,
          ])
        ).rows.map((row): CallerRow => ({
          ...row,
          incident_id: decodeOptional(row.incident_id),
          ticket_number: decodeOptional(row.ticket_number),
          received_at: Number(row.received_at),
          lease_until: number(row.lease_until),
        }));
      const direct = await read(`${target.column} = $1`, target.hash);
      // The same sessions' other records: append jobs and closed-session events carry no phone or email.
      const sessions = sessionHashes(direct);
      const related = sessions.length ? await read('session_hash = ANY($1::text[])', sessions) : [];
      return callerMatches([...direct, ...related], now);
    },
    async erase(keys, now, { includePending }) {
      // One statement: the rows are locked as read, so a worker's claim either happened before (the row is
      // leased and stays) or waits and then finds it settled.
      const { rows } = await query<{ key: string; pending: boolean; leased: boolean; erased: boolean }>(
        `WITH target AS (
           SELECT key, status IN (${ACTIVE_SQL}) AS pending,
             (lease_until IS NOT NULL AND lease_until > $2) AS leased
           FROM ${handoffs} WHERE key = ANY($1::text[]) AND payload_removed_at IS NULL
           FOR UPDATE
         ), erased AS (
           UPDATE ${handoffs} h SET ${CLEAR_PERSONAL_FIELDS}, payload_removed_at = $2, payload_removal = 'erased',
             updated_at = $2,
             status = CASE WHEN t.pending THEN 'skipped' ELSE h.status END,
             settled_at = CASE WHEN t.pending THEN $2 ELSE h.settled_at END,
             lease_owner = CASE WHEN t.pending THEN NULL ELSE h.lease_owner END,
             lease_until = CASE WHEN t.pending THEN NULL ELSE h.lease_until END
           FROM target t
           WHERE h.key = t.key AND (NOT t.pending OR ($3::boolean AND NOT t.leased))
           RETURNING h.key
         )
         SELECT t.key, t.pending, t.leased, (e.key IS NOT NULL) AS erased
         FROM target t LEFT JOIN erased e ON e.key = t.key`,
        [[...keys], now, includePending],
      );
      const result: EraseResult = { erased: [], pendingKept: [], busy: [] };
      const byKey = new Map(rows.map((row) => [row.key, row]));
      for (const key of keys) {
        const row = byKey.get(key);
        if (!row) continue;
        if (row.erased) result.erased.push(key);
        else if (!includePending) result.pendingKept.push(key);
        else result.busy.push(key);
      }
      return result;
    },
    async dataAtRest() {
      const { rows } = await query<{ key_id: string | null; n: number }>(
        `SELECT key_id, count(*)::int AS n FROM ${handoffs} WHERE payload_removed_at IS NULL GROUP BY key_id`,
      );
      return { ...countsByKey(rows), ...vault.status() };
    },
    async rekey(after, limit) {
      const primary = vault.primaryKeyId;
      if (!primary) throw new Error(messages.dataAtRest.rekeyNeedsKeys);
      const { rows } = await query<SealedColumns & { key: string }>(
        `SELECT key, session_id, payload, note, last_error FROM ${handoffs}
         WHERE payload_removed_at IS NULL AND (key_id IS NULL OR key_id <> $1) AND key > $2
         ORDER BY key LIMIT $3`,
        [primary, after ?? '', limit],
      );
      // The stored text is what the update compares with; the vault reads it decoded.
      const decoded = rows.map((row) => ({
        ...row,
        session_id: decodeText(row.session_id),
        payload: decodeText(row.payload),
        note: row.note === null ? null : decodeText(row.note),
        stored: row,
      }));
      // Written only if the row is as read: a worker that rewrote it meanwhile wins, and the row is left for
      // the next pass.
      const outcome = await resealEach(vault, decoded, async (row, sealed) => {
        const result = await query(
          `UPDATE ${handoffs} SET session_id = $1, payload = $2, note = $3, last_error = $4, key_id = $5
           WHERE key = $6 AND session_id IS NOT DISTINCT FROM $7 AND payload IS NOT DISTINCT FROM $8
             AND note IS NOT DISTINCT FROM $9 AND last_error IS NOT DISTINCT FROM $10`,
          [
            encodeText(sealed.session_id),
            encodeText(sealed.payload),
            sealed.note === null ? null : encodeText(sealed.note),
            sealed.last_error,
            primary,
            row.key,
            row.stored.session_id,
            row.stored.payload,
            row.stored.note,
            row.stored.last_error,
          ],
        );
        return result.rowCount ?? 0;
      });
      return { ...outcome, ...(rows.length === limit ? { lastKey: rows.at(-1)!.key } : {}) };
    },
    async audit(entry) {
      await query(
        `INSERT INTO ${auditTable} (at, action, os_user, host, counts) VALUES ($1, $2, $3, $4, $5)`,
        [entry.at, entry.action, entry.user, entry.host, JSON.stringify(entry.counts)],
      );
    },
    async auditTrail(limit) {
      const { rows } = await query<{
        at: string;
        action: AuditAction;
        os_user: string;
        host: string;
        counts: string;
      }>(`SELECT at, action, os_user, host, counts FROM ${auditTable} ORDER BY id DESC LIMIT $1`, [limit]);
      return rows.map((row) => ({
        at: Number(row.at),
        action: row.action,
        user: row.os_user,
        host: row.host,
        counts: JSON.parse(row.counts) as Record<string, number>,
      }));
    },
  };

  return store;
}
