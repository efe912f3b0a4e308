/**
 * PostgreSQL behind a pooler in transaction mode (PgBouncer; Azure's built-in PgBouncer by default):
 * `pool_mode=transaction` in RELAY_DATABASE_URL, and, when scripts/ci/pgbouncer.sh runs the PostgreSQL
 * suites through a real PgBouncer, proof that they did run in transaction pooling mode.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore, StartupError } from '../../src/server.js';
import { takePoolMode } from '../../src/store/postgres.js';
import { onCleanup } from '../helpers.js';
import { postgresForTests, TEST_DATABASE_URL, THROUGH_POOLER } from './postgres-env.js';

describe('pool_mode in RELAY_DATABASE_URL', () => {
  it('is taken out of the URL pg connects with', () => {
    expect(takePoolMode('postgres://relay@db:6432/relay?pool_mode=transaction&sslmode=require')).toEqual({
      connectionString: 'postgres://relay@db:6432/relay?sslmode=require',
      poolMode: 'transaction',
    });
    expect(takePoolMode('postgres://relay@db/relay')).toEqual({
      connectionString: 'postgres://relay@db/relay',
    });
  });

  it('refuses a mode it does not know at start, naming both', () => {
    const start = () =>
      openStore({ databaseUrl: 'postgres://relay@db:6432/relay?pool_mode=statement', dataDir: 'data' });
    expect(start).toThrow(StartupError);
    expect(start).toThrow(/RELAY_DATABASE_URL: pool_mode=statement is not valid: use pool_mode=transaction/);
  });
});

const pgt = await postgresForTests('pooler');

describe.runIf(pgt.available && THROUGH_POOLER)('the PostgreSQL suites through the pooler', () => {
  /** Two client connections through the pooler, as the stores' pools hold them. */
  async function clients() {
    const url = takePoolMode(TEST_DATABASE_URL).connectionString;
    const [a, b] = [new pg.Client(url), new pg.Client(url)];
    for (const client of [a, b]) {
      await client.connect();
      onCleanup(() => client.end());
    }
    const backend = async (client: pg.Client, name?: string) =>
      (await client.query<{ pid: number }>({ name, text: 'SELECT pg_backend_pid() AS pid' })).rows[0].pid;
    return { a, b, backend };
  }

  it("run one client connection's transactions on other server connections (transaction pooling)", async () => {
    const { a, b, backend } = await clients();
    const first = await backend(a);
    // b holds the server connection a just gave back (PgBouncer hands out the last one used first):
    // a's next transaction must run on another.
    await b.query('BEGIN');
    const held = await backend(b);
    const next = await backend(a);
    await b.query('COMMIT');
    expect(held).toBe(first);
    expect(next).not.toBe(first);
  });

  it('break a named prepared statement, which is why the relay names none there', async () => {
    const { a, b, backend } = await clients();
    await backend(a, 'opencx_probe');
    await b.query('BEGIN');
    await expect(backend(a, 'opencx_probe')).rejects.toMatchObject({
      code: '26000',
      message: 'prepared statement "opencx_probe" does not exist',
    });
    await b.query('COMMIT');
  });
});
