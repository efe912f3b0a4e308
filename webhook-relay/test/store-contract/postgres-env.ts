/**
 * PostgreSQL for tests: the server from RELAY_TEST_DATABASE_URL (default: the local trust-auth server, as CI
 * starts it), one schema prefix per test file, dropped afterwards. When the server cannot be reached the
 * PostgreSQL tests are skipped with a loud warning on a developer machine, and fail when CI=true.
 * scripts/ci/pgbouncer.sh runs the PostgreSQL suites through PgBouncer in transaction pooling mode: the
 * stores then reach the server through it (`?pool_mode=transaction`), while set-up, inspection and
 * pg_terminate_backend go straight to the server (RELAY_TEST_ADMIN_DATABASE_URL), as an operator's psql would.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, it } from 'vitest';

export const TEST_DATABASE_URL =
  process.env.RELAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The server itself, never through a pooler. */
const ADMIN_DATABASE_URL = process.env.RELAY_TEST_ADMIN_DATABASE_URL ?? TEST_DATABASE_URL;
/** True when the stores under test reach the server through a pooler in transaction mode. */
export const THROUGH_POOLER = new URL(TEST_DATABASE_URL).searchParams.get('pool_mode') === 'transaction';

async function reachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One-off statement on its own connection (setup, inspection, pg_terminate_backend). */
export async function admin<R extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await client.query<R>(text, values);
  } finally {
    await client.end();
  }
}

export interface PostgresForTests {
  available: boolean;
  /** Unique per test file; every schema whose name starts with it is dropped after the file. */
  prefix: string;
  /** `<prefix>_<n>`: a new, not yet created schema name under the prefix. */
  schema(): string;
}

/**
 * Call at the top of a test file. Wrap the file's suites in `describe.runIf(pgt.available)`; this registers
 * the CI failure and the cleanup.
 */
export async function postgresForTests(label: string): Promise<PostgresForTests> {
  const problem = await reachable();
  const prefix = `relay_t_${label}_${randomBytes(4).toString('hex')}`;
  let n = 0;
  if (problem !== undefined) {
    const message = `PostgreSQL is not reachable at ${TEST_DATABASE_URL} (${problem})`;
    if (process.env.CI === 'true') {
      describe('PostgreSQL', () => {
        it('is reachable (CI=true requires it)', () => {
          throw new Error(`${message}. CI must run the PostgreSQL store tests.`);
        });
      });
    } else {
      const bar = '!'.repeat(100);
      console.warn(
        `\n${bar}\n!! ${message}.\n!! SKIPPING the PostgreSQL tests of ${label}. Start PostgreSQL or set RELAY_TEST_DATABASE_URL.\n${bar}\n`,
      );
    }
  } else {
    afterAll(async () => {
      const { rows } = await admin<{ nspname: string }>(
        'SELECT nspname FROM pg_namespace WHERE left(nspname, length($1)) = $1',
        [prefix],
      );
      for (const { nspname } of rows) await admin(`DROP SCHEMA "${nspname}" CASCADE`);
    });
  }
  return {
    available: problem === undefined,
    prefix,
    schema: () => `${prefix}_${(n += 1)}`,
  };
}
