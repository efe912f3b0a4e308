/**
 * The PostgreSQL store's schema, as numbered migrations applied in order at start. Each instance of a fleet
 * runs `migrate` when it starts; a transaction-scoped advisory lock makes the instances take turns, so the
 * first one migrates and the others find the work done. DDL is transactional in PostgreSQL, so a migration
 * that fails leaves nothing half-applied.
 */
import type { PoolClient } from 'pg';

export interface Migration {
  version: number;
  name: string;
  /** Statements to run; `s` is the quoted schema name. */
  sql: (s: string) => string;
}

/** Append only: a shipped migration is never edited, a change is a new version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'handoffs, webhook ids, pauses',
    // Times are epoch ms (bigint) supplied by the relay, as in the embedded store, so tests inject clocks.
    // `key` uses the "C" collation so keyset pagination orders keys bytewise, like SQLite does.
    // Payload and last_error stay text: the JSON must come back byte for byte (jsonb would reorder keys
    // and refuses \u0000).
    sql: (s) => `
      CREATE TABLE ${s}.handoffs (
        key text COLLATE "C" PRIMARY KEY,
        kind text NOT NULL,
        session_id text NOT NULL,
        payload text NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at bigint NOT NULL,
        last_error text,
        incident_id text,
        ticket_number text,
        note text,
        received_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        lease_owner text,
        lease_until bigint
      );
      CREATE INDEX handoffs_due ON ${s}.handoffs (next_attempt_at, received_at)
        WHERE status IN ('received', 'fetching', 'delivering');
      CREATE INDEX handoffs_received ON ${s}.handoffs (received_at DESC, key DESC);
      CREATE INDEX handoffs_status_received ON ${s}.handoffs (status, received_at DESC, key DESC);
      CREATE INDEX handoffs_lease_owner ON ${s}.handoffs (lease_owner) WHERE lease_owner IS NOT NULL;
      CREATE TABLE ${s}.webhook_ids (webhook_id text PRIMARY KEY, key text COLLATE "C" NOT NULL);
      CREATE TABLE ${s}.pauses (scope text PRIMARY KEY, until bigint NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'customer data at rest: retention, sealed values, caller hashes, audit',
    // As the embedded store's version 2 (embedded-migrations.ts): settled_at starts the retention clock,
    // error_code keeps a dead letter's cause readable once the rest is sealed or removed (read from the
    // stored JSON with a pattern, not a cast: a jsonb cast refuses the \u0000 a message may hold), key_id
    // names the key a row was written under (NULL: plain text), the hashes find a caller for erasure. The
    // partial indexes keep purge rounds off rows they have nothing to do with.
    sql: (s) => `
      ALTER TABLE ${s}.handoffs
        ADD COLUMN settled_at bigint,
        ADD COLUMN payload_removed_at bigint,
        ADD COLUMN payload_removal text,
        ADD COLUMN error_code text,
        ADD COLUMN key_id text,
        ADD COLUMN phone_hash text,
        ADD COLUMN email_hash text,
        ADD COLUMN session_hash text;
      UPDATE ${s}.handoffs SET settled_at = updated_at
        WHERE status IN ('created', 'duplicate', 'failed', 'skipped');
      UPDATE ${s}.handoffs SET error_code = substring(last_error from '"code":"([^"\\\\]*)"')
        WHERE last_error IS NOT NULL;
      CREATE INDEX handoffs_payload_expiry ON ${s}.handoffs (status, settled_at)
        WHERE payload_removed_at IS NULL AND settled_at IS NOT NULL;
      CREATE INDEX handoffs_record_expiry ON ${s}.handoffs (settled_at) WHERE payload_removed_at IS NOT NULL;
      ALTER TABLE ${s}.webhook_ids ADD COLUMN received_at bigint NOT NULL DEFAULT 0;
      UPDATE ${s}.webhook_ids w SET received_at = h.received_at FROM ${s}.handoffs h WHERE h.key = w.key;
      CREATE INDEX webhook_ids_received ON ${s}.webhook_ids (received_at);
      CREATE TABLE ${s}.relay_secrets (name text PRIMARY KEY, value text NOT NULL);
      CREATE TABLE ${s}.audit (
        id bigserial PRIMARY KEY, at bigint NOT NULL, action text NOT NULL,
        os_user text NOT NULL, host text NOT NULL, counts text NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'claim index in the claim order',
    // The claim orders by (next_attempt_at, received_at, key): with the key in the index too, it reads the
    // first due rows in order and stops, whatever the backlog (EXPLAIN in postgres.ts). Built inside the
    // migration's transaction: writes wait for it, a few seconds per million rows. handoffs_due goes: the new
    // index has its columns and its WHERE, so a relay not yet upgraded (rolling upgrade) claims through it too.
    sql: (s) => `
      CREATE INDEX handoffs_claim ON ${s}.handoffs (next_attempt_at, received_at, key)
        WHERE status IN ('received', 'fetching', 'delivering');
      DROP INDEX ${s}.handoffs_due;
    `,
  },
];

/** Identifier for an advisory lock that only relay instances on the same schema compete for. */
const LOCK_CLASS = 0x4f43_5852; // "OCXR"

export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
}

/**
 * Brings `schema` up to the newest migration. Returns the versions it applied (empty when another instance
 * had already done it). Refuses a schema newer than this relay knows: an older relay must not write to it.
 */
export async function migrate(
  client: PoolClient,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const s = quoteIdent(schema);
  await client.query('BEGIN');
  try {
    // Held until COMMIT/ROLLBACK, and released by the server if this connection dies.
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.relay_schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(
      `SELECT version FROM ${s}.relay_schema_migrations`,
    );
    const applied = new Set(rows.map((row) => row.version));
    const newest = Math.max(0, ...migrations.map((m) => m.version));
    const ahead = [...applied].filter((version) => version > newest);
    if (ahead.length) {
      throw new SchemaTooNewError(
        `the PostgreSQL schema "${schema}" is at version ${Math.max(...ahead)}, newer than this relay knows (${newest}): run the newer relay, or upgrade this one`,
      );
    }
    const done: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql(s));
      await client.query(`INSERT INTO ${s}.relay_schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      done.push(migration.version);
    }
    await client.query('COMMIT');
    return done;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Schema names are configuration, not input, but still only plain identifiers are accepted. */
export function checkSchemaName(schema: string): string {
  if (!/^[A-Z_]\w{0,62}$/i.test(schema)) {
    throw new Error(
      `"${schema}" is not a usable PostgreSQL schema name: use letters, digits and _ (at most 63), not starting with a digit`,
    );
  }
  return schema;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
