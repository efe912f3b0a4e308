/**
 * The embedded store's schema, as numbered migrations applied in order at open; SQLite's `user_version`
 * holds the version reached. Version 1 is the schema as it stood before migrations existed, written with
 * `IF NOT EXISTS`, so a `relay.sqlite` made by an older relay (version 0, tables present) upgrades in place.
 * The whole upgrade is one IMMEDIATE transaction: a CLI command and the relay opening the file at once take
 * turns, and a failed migration leaves nothing half-applied.
 */
import type Database from './sqlite-driver.js';

export interface EmbeddedMigration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: a shipped migration is never edited, a change is a new version. */
export const EMBEDDED_MIGRATIONS: readonly EmbeddedMigration[] = [
  {
    version: 1,
    name: 'handoffs, webhook ids, pauses',
    sql: `
      CREATE TABLE IF NOT EXISTS handoffs (
        key TEXT PRIMARY KEY, kind TEXT NOT NULL, session_id TEXT NOT NULL, payload TEXT NOT NULL,
        status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
        last_error TEXT, incident_id TEXT, ticket_number TEXT, note TEXT,
        received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER
      );
      CREATE INDEX IF NOT EXISTS handoffs_due ON handoffs (status, next_attempt_at);
      CREATE INDEX IF NOT EXISTS handoffs_received ON handoffs (received_at DESC, key DESC);
      CREATE TABLE IF NOT EXISTS webhook_ids (webhook_id TEXT PRIMARY KEY, key TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS pauses (scope TEXT PRIMARY KEY, until INTEGER NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'customer data at rest: retention, sealed values, caller hashes, audit',
    // settled_at starts the retention clock (the last update of a record already settled is the best
    // reading of when it settled); error_code keeps a dead letter's cause readable once the rest of its
    // error is sealed or removed; key_id names the key a row was written under (NULL: plain text), so that
    // `store rekey` finds what to reseal. The two partial indexes keep a purge round from scanning rows it
    // has nothing to do with; webhook ids expire by their own receipt time.
    sql: `
      ALTER TABLE handoffs ADD COLUMN settled_at INTEGER;
      ALTER TABLE handoffs ADD COLUMN payload_removed_at INTEGER;
      ALTER TABLE handoffs ADD COLUMN payload_removal TEXT;
      ALTER TABLE handoffs ADD COLUMN error_code TEXT;
      ALTER TABLE handoffs ADD COLUMN key_id TEXT;
      ALTER TABLE handoffs ADD COLUMN phone_hash TEXT;
      ALTER TABLE handoffs ADD COLUMN email_hash TEXT;
      ALTER TABLE handoffs ADD COLUMN session_hash TEXT;
      UPDATE handoffs SET settled_at = updated_at
        WHERE status IN ('created', 'duplicate', 'failed', 'skipped');
      UPDATE handoffs SET error_code = json_extract(last_error, '$.code')
        WHERE last_error IS NOT NULL AND json_valid(last_error);
      CREATE INDEX handoffs_payload_expiry ON handoffs (status, settled_at)
        WHERE payload_removed_at IS NULL AND settled_at IS NOT NULL;
      CREATE INDEX handoffs_record_expiry ON handoffs (settled_at) WHERE payload_removed_at IS NOT NULL;
      ALTER TABLE webhook_ids ADD COLUMN received_at INTEGER NOT NULL DEFAULT 0;
      UPDATE webhook_ids
        SET received_at = COALESCE((SELECT h.received_at FROM handoffs h WHERE h.key = webhook_ids.key), 0);
      CREATE INDEX webhook_ids_received ON webhook_ids (received_at);
      CREATE TABLE relay_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, action TEXT NOT NULL,
        os_user TEXT NOT NULL, host TEXT NOT NULL, counts TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'claim index in the claim order',
    // The claim reads the due handoffs in its own order from an index holding only those still to deliver,
    // so its cost per case does not grow with the backlog (embedded.ts CLAIM_SQL, bench/backlog.mjs). The
    // status list is literal so that SQLite can prove the claim's WHERE implies the index's. IF NOT EXISTS:
    // a relay of the release before migrations existed may have made it already.
    sql: `
      CREATE INDEX IF NOT EXISTS handoffs_claim ON handoffs (next_attempt_at, received_at)
        WHERE status IN ('received', 'fetching', 'delivering');
    `,
  },
];

export class EmbeddedSchemaTooNewError extends Error {
  override readonly name = 'EmbeddedSchemaTooNewError';
}

/** Brings the open database up to the newest migration; returns the versions it applied. */
export function migrateEmbedded(
  db: Database.Database,
  migrations: readonly EmbeddedMigration[] = EMBEDDED_MIGRATIONS,
): number[] {
  const newest = Math.max(0, ...migrations.map((migration) => migration.version));
  const apply = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > newest)
      throw new EmbeddedSchemaTooNewError(
        `the embedded store ${db.name} is at schema version ${current}, newer than this relay knows (${newest}): run the newer relay, or upgrade this one`,
      );
    const done: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      done.push(migration.version);
    }
    if (done.length) db.pragma(`user_version = ${newest}`);
    return done;
  });
  return apply.immediate();
}
