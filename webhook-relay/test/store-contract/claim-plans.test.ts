/**
 * The claim's cost per case must not grow with the backlog (issue 27: draining 20,000 waiting handoffs,
 * 40% of the embedded relay's CPU sorted every due row at each claim). What the databases say they do
 * with the claim, kept as a test: each reads the due rows in order from the claim index and stops at the
 * limit, with no sort, whatever the backlog. bench/backlog.mjs measures the CPU per case itself.
 */
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { CLAIM_SQL, createEmbeddedStore } from '../../src/store/embedded.js';
import { claimSql, createPostgresStore, takePoolMode } from '../../src/store/postgres.js';
import Database from '../../src/store/sqlite-driver.js';
import { NOW, onCleanup, tempDir } from '../helpers.js';
import { handoff } from './contract.js';
import { postgresForTests, TEST_DATABASE_URL } from './postgres-env.js';

const pgt = await postgresForTests('plans');

/** The claim's plan, as SQLite reports it, on the store's file. */
function claimPlan(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${CLAIM_SQL}`)
      .all(NOW, NOW, 4)
      .map((row) => row.detail);
  } finally {
    db.close();
  }
}

describe("the embedded store's claim", () => {
  it('searches the claim index in order, with no temporary B-tree for the ORDER BY', async () => {
    const file = path.join(tempDir(), 'relay.sqlite');
    const store = createEmbeddedStore({ file });
    await store.init();
    for (let i = 0; i < 50; i++) await store.insert(handoff(`k${i}`));
    await store.close();
    expect(claimPlan(file)).toEqual(['SEARCH handoffs USING INDEX handoffs_claim (next_attempt_at<?)']);
  });

  it('gets the claim index on a store an earlier relay made, and claims what was waiting there', async () => {
    const file = path.join(tempDir(), 'relay.sqlite');
    const earlier = new Database(file);
    earlier.exec(`
      CREATE TABLE handoffs (
        key TEXT PRIMARY KEY, kind TEXT NOT NULL, session_id TEXT NOT NULL, payload TEXT NOT NULL,
        status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
        last_error TEXT, incident_id TEXT, ticket_number TEXT, note TEXT,
        received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER
      );
      CREATE INDEX handoffs_due ON handoffs (status, next_attempt_at);
      CREATE INDEX handoffs_received ON handoffs (received_at DESC, key DESC);
      INSERT INTO handoffs (key, kind, session_id, payload, status, next_attempt_at, received_at, updated_at)
        VALUES ('waiting', 'handoff', 's', '{}', 'received', ${NOW}, ${NOW}, ${NOW});`);
    earlier.close();
    const store = createEmbeddedStore({ file });
    await store.init();
    onCleanup(() => store.close());
    expect(claimPlan(file)).toEqual(['SEARCH handoffs USING INDEX handoffs_claim (next_attempt_at<?)']);
    expect((await store.claim('w', 4, NOW, 1000)).map((r) => r.key)).toEqual(['waiting']);
  });
});

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}
const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

describe.runIf(pgt.available)("the PostgreSQL store's claim", () => {
  it.each(['force_custom_plan', 'force_generic_plan'])(
    'reads 4 rows of the claim index for a claim of 4 among 5,000 waiting, with no sort and no scan of the table (%s)',
    async (mode) => {
      const schema = pgt.schema();
      const store = createPostgresStore({ connectionString: TEST_DATABASE_URL, schema, poolSize: 1 });
      await store.init();
      onCleanup(() => store.close());
      const client = new pg.Client({ connectionString: takePoolMode(TEST_DATABASE_URL).connectionString });
      await client.connect();
      onCleanup(() => client.end());
      const table = `"${schema}".handoffs`;
      // 5,000 waiting (ten to a millisecond, as intake takes them in a burst) and 2,000 already created.
      await client.query(
        `INSERT INTO ${table} (key, kind, session_id, payload, status, attempts, next_attempt_at, received_at, updated_at)
         SELECT 'k' || i, 'handoff', 's' || i, repeat('x', 2000), CASE WHEN i <= 2000 THEN 'created' ELSE 'received' END,
           0, $1::bigint + i / 10, $1::bigint + i / 10, $1::bigint FROM generate_series(1, 7000) i`,
        [NOW],
      );
      await client.query(`ANALYZE ${table}`);
      // One transaction, so that it runs on one server connection through a pooler too; the statement is
      // deallocated in it, since a prepared statement outlives a rollback.
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL plan_cache_mode = ${mode}`);
        await client.query(`PREPARE claim(text, bigint, bigint, int) AS ${claimSql(table)}`);
        const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE claim('w', ${NOW + 10_000}, 1000, 4)`,
        );
        await client.query('DEALLOCATE claim');
        const plan = nodes(rows[0]['QUERY PLAN'][0].Plan);
        const pick = plan.find((node) => node['Index Name'] === 'handoffs_claim');
        expect(pick).toMatchObject({ 'Node Type': 'Index Scan', 'Actual Rows': 4 });
        expect(plan.filter((node) => /Sort|Seq Scan/.test(node['Node Type']))).toEqual([]);
        expect(plan[0]).toMatchObject({ 'Node Type': 'ModifyTable', 'Actual Rows': 4 });
      } finally {
        await client.query('ROLLBACK');
      }
    },
  );
});
