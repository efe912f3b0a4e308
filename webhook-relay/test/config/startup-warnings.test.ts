import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { databaseTlsWarning } from '../../src/config/startup-warnings.js';
import { createLogger } from '../../src/observability/logger.js';
import { startRelay } from '../../src/server.js';
import { embeddedStore, onCleanup, sandboxEnv, testSandbox } from '../helpers.js';

describe('the warning for PostgreSQL without TLS (issue 29)', () => {
  it.each([
    ['postgres://relay:pw@db.example.net:5432/relay', 'db.example.net'],
    ['postgres://relay@10.0.4.7/relay?sslmode=disable', '10.0.4.7'],
    ['postgresql://relay@db.example.net/relay?ssl=false&schema=relay', 'db.example.net'],
    ['postgres://relay@localhost/relay?host=db.internal', 'db.internal'],
  ])('is given for %s', (url, host) => {
    expect(databaseTlsWarning(url, {})).toContain(`reaches PostgreSQL on ${host} without TLS`);
  });

  it.each([
    'postgres://relay@db.example.net/relay?sslmode=verify-full',
    'postgres://relay@db.example.net/relay?sslmode=require',
    'postgres://relay@db.example.net/relay?sslmode=no-verify',
    'postgres://relay@db.example.net/relay?ssl=true',
    'postgres://relay@db.example.net/relay?sslrootcert=/etc/ssl/ca.pem',
    'postgres://postgres@127.0.0.1:5432/test',
    'postgres://postgres@localhost/test',
    'postgres://postgres@[::1]/test',
    'postgres://relay@localhost/relay?host=/var/run/postgresql',
  ])('is not given for %s (TLS, loopback or a Unix socket)', (url) => {
    expect(databaseTlsWarning(url, {})).toBeUndefined();
  });

  it('follows PGSSLMODE as node-postgres does, and stays quiet without a PostgreSQL URL', () => {
    expect(
      databaseTlsWarning('postgres://relay@db.example.net/relay', { PGSSLMODE: 'verify-full' }),
    ).toBeUndefined();
    expect(
      databaseTlsWarning('postgres://relay@db.example.net/relay', { PGSSLMODE: 'disable' }),
    ).toBeDefined();
    expect(databaseTlsWarning(undefined, {})).toBeUndefined();
  });

  it('is logged when the relay starts', async () => {
    const sandbox = await testSandbox();
    const result = loadConfig({
      ...sandboxEnv(sandbox.url),
      HOST: '127.0.0.1',
      PORT: '0',
      RELAY_DATABASE_URL: 'postgres://relay@db.example.net/relay',
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    });
    // The store is given, so nothing connects to db.example.net: only the configured URL is judged.
    const relay = await startRelay(result.config, {
      logger: createLogger('info', sink),
      store: await embeddedStore(),
    });
    onCleanup(() => relay.stop());
    const warning = logs
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .find((l) => l.msg.includes('without TLS'));
    expect(warning).toMatchObject({ level: 40 });
    expect(warning?.msg).toContain('sslmode=verify-full');
  });
});
