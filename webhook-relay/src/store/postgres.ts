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
import { checkSchemaName, migrate, quoteIdent } from './postgres-migrations.js';
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
  incident_id: string | null;
  ticket_number: string | null;
  note: string | null;
  received_at: string;
  updated_at: string;
  lease_owner: string | null;
  lease_until: string | null;
}

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

function toRecord(row: Row): HandoffRecord {
  const record: HandoffRecord = {
    key: row.key,
    kind: row.kind as HandoffRecord['kind'],
    sessionId: decodeText(row.session_id),
    payload: decodeText(row.payload),
    status: row.status as HandoffStatus,
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    receivedAt: Number(row.received_at),
    updatedAt: Number(row.updated_at),
  };
  if (row.last_error) record.lastError = JSON.parse(row.last_error) as HandoffError;
  if (row.incident_id) record.incidentId = decodeText(row.incident_id);
  if (row.ticket_number) record.ticketNumber = decodeText(row.ticket_number);
  if (row.note) record.note = decodeText(row.note);
  if (row.lease_owner) record.leaseOwner = row.lease_owner;
  if (row.lease_until !== null) record.leaseUntil = Number(row.lease_until);
  return record;
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
  if (/^(08|53|57|58|40)/.test(code) || ['25006', '28000', '28P01', '3D000', '55P03'].includes(code))
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
  return /^postgres(ql)?:\/\//i.test(url);
}

export function createPostgresStore(options: PostgresStoreOptions): HandoffStore {
  const schema = checkSchemaName(options.schema ?? 'public');
  const target = takePoolMode(options.connectionString);
  const poolMode = options.poolMode ?? target.poolMode ?? 'session';
  const s = quoteIdent(schema);
  const handoffs = `${s}.handoffs`;
  const webhookIds = `${s}.webhook_ids`;
  const pauses = `${s}.pauses`;
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

  return {
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
      const values = [
        handoff.key,
        handoff.kind,
        encodeText(handoff.sessionId),
        encodeText(handoff.payload),
        handoff.now,
        handoff.webhookId ?? null,
      ];
      const { rows } = await query<Row>(
        `WITH seen AS (
           SELECT h.* FROM ${webhookIds} w JOIN ${handoffs} h ON h.key = w.key
           WHERE $6::text IS NOT NULL AND w.webhook_id = $6::text
         ), added AS (
           INSERT INTO ${handoffs} (key, kind, session_id, payload, status, attempts, next_attempt_at, received_at, updated_at)
           SELECT $1::text, $2::text, $3::text, $4::text, 'received', 0, $5::bigint, $5::bigint, $5::bigint
           WHERE NOT EXISTS (SELECT 1 FROM seen)
           ON CONFLICT (key) DO NOTHING
           RETURNING key
         ), remembered AS (
           INSERT INTO ${webhookIds} (webhook_id, key)
           SELECT $6::text, $1::text WHERE $6::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM seen)
           ON CONFLICT (webhook_id) DO NOTHING
         )
         SELECT true AS inserted, key, NULL::text AS kind, NULL::text AS session_id, NULL::text AS payload,
           NULL::text AS status, NULL::integer AS attempts, NULL::bigint AS next_attempt_at,
           NULL::text AS last_error, NULL::text AS incident_id, NULL::text AS ticket_number, NULL::text AS note,
           NULL::bigint AS received_at, NULL::bigint AS updated_at, NULL::text AS lease_owner,
           NULL::bigint AS lease_until
         FROM added
         UNION ALL SELECT false AS inserted, * FROM seen`,
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
      return rows
        .map(toRecord)
        .sort(
          (a, b) =>
            a.nextAttemptAt - b.nextAttemptAt ||
            a.receivedAt - b.receivedAt ||
            (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
        );
    },
    async update(key, owner, patch: HandoffPatch, now) {
      const values: unknown[] = [now];
      const sets: string[] = ['updated_at = $1'];
      const set = (column: string, value: unknown) => {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      };
      if (patch.status !== undefined) set('status', patch.status);
      if (patch.attempts !== undefined) set('attempts', patch.attempts);
      if (patch.nextAttemptAt !== undefined) set('next_attempt_at', patch.nextAttemptAt);
      if (patch.lastError !== undefined)
        set('last_error', patch.lastError ? JSON.stringify(patch.lastError) : null);
      if (patch.incidentId !== undefined) set('incident_id', encodeOptional(patch.incidentId));
      if (patch.ticketNumber !== undefined) set('ticket_number', encodeOptional(patch.ticketNumber));
      if (patch.note !== undefined) set('note', encodeOptional(patch.note));
      if (patch.payload !== undefined) set('payload', encodeOptional(patch.payload));
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
           lease_owner = NULL, lease_until = NULL
         WHERE key = $2 AND status IN ('failed', 'skipped') RETURNING *`,
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
  };
}
