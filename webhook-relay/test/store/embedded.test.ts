/**
 * What only the embedded store has: its numbered migrations from a file an older relay made, the modes of
 * its files, and its writer thread's failures. The behaviour both stores share is in store-contract/.
 */
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secureDataDir } from '../../src/store/data-dir.js';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import { EMBEDDED_MIGRATIONS } from '../../src/store/embedded-migrations.js';
import { takeOwnership } from '../../src/store/embedded-owner.js';
import { startWriter } from '../../src/store/embedded-writer.js';
import Database from '../../src/store/sqlite-driver.js';
import { NOW, onCleanup, tempDir } from '../helpers.js';
import { sealingVault } from '../store-contract/vaults.js';

const mode = (file: string) => statSync(file).mode & 0o777;

describe('the embedded store', () => {
  it('upgrades a relay.sqlite made before migrations in place: its handoffs, webhook ids and error codes stay', async () => {
    const file = path.join(tempDir(), 'relay.sqlite');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec(EMBEDDED_MIGRATIONS[0].sql); // the schema as it stood, user_version 0
    old
      .prepare(
        `INSERT INTO handoffs (key, kind, session_id, payload, status, attempts, next_attempt_at, last_error, received_at, updated_at)
         VALUES (?, 'handoff', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        'old-failed',
        's1',
        '{"customer":{"phone":"+14155550103"}}',
        'failed',
        8,
        NOW,
        JSON.stringify({ code: '0x80040265', message: 'm\u0000', reason: 'r' }),
        NOW,
        NOW + 5,
      );
    old.prepare('INSERT INTO webhook_ids (webhook_id, key) VALUES (?, ?)').run('msg_old', 'old-failed');
    old.close();

    const store = createEmbeddedStore({ file, vault: sealingVault(['k1']) });
    await store.init();
    onCleanup(() => store.close());
    expect(await store.get('old-failed')).toMatchObject({
      payload: '{"customer":{"phone":"+14155550103"}}',
      settledAt: NOW + 5,
      lastError: { code: '0x80040265', message: 'm\u0000' },
    });
    expect((await store.findByWebhookId('msg_old'))?.key).toBe('old-failed');
    expect(await store.dataAtRest()).toMatchObject({ plain: 1, byKeyId: {} });
    expect(await store.rekey(undefined, 10)).toMatchObject({ resealed: 1 });
    // Hashes are written with payloads: a row from before has none until its payload is written again.
    expect(await store.findCaller({ session: 's1' }, NOW)).toEqual([]);
    expect(
      await store.purge(
        { settledBefore: 0, failedBefore: NOW + 5, recordsBefore: 0, webhookIdsBefore: NOW },
        10,
        NOW + 9,
      ),
    ).toEqual({
      payloads: 0,
      deadLetters: 1,
      records: 0,
      webhookIds: 1,
    });
    const reopened = new Database(file, { readonly: true });
    expect(reopened.pragma('user_version', { simple: true })).toBe(EMBEDDED_MIGRATIONS.at(-1)!.version);
    reopened.close();
  });

  it('refuses a file written by a newer relay, naming both versions', async () => {
    const file = path.join(tempDir(), 'relay.sqlite');
    const future = new Database(file);
    future.pragma('user_version = 999');
    future.close();
    const store = createEmbeddedStore({ file });
    onCleanup(() => store.close());
    const newest = Math.max(...EMBEDDED_MIGRATIONS.map((migration) => migration.version));
    await expect(store.init()).rejects.toThrow(`schema version 999, newer than this relay knows (${newest})`);
  });

  describe('under umask 022', () => {
    let previous: number;
    beforeEach(() => {
      previous = process.umask(0o022);
    });
    afterEach(() => {
      process.umask(previous);
    });

    it('creates the data directory 0700 and every file in it 0600', async () => {
      const dir = path.join(tempDir(), 'data');
      const ownership = takeOwnership(dir);
      onCleanup(() => ownership.release());
      const store = createEmbeddedStore({ file: path.join(dir, 'relay.sqlite') });
      await store.init();
      onCleanup(() => store.close());
      await store.insert({ key: 'k1', kind: 'handoff', sessionId: 's', payload: '{}', now: NOW });
      const files = readdirSync(dir).sort();
      // relay.lock-journal too: the lock's database keeps its journal while it holds the lock.
      expect(files).toEqual(
        expect.arrayContaining([
          'relay.lock',
          'relay.owner.json',
          'relay.sqlite',
          'relay.sqlite-shm',
          'relay.sqlite-wal',
        ]),
      );
      expect(mode(dir)).toBe(0o700);
      for (const name of files) expect([name, mode(path.join(dir, name))]).toEqual([name, 0o600]);
    });

    it('tightens a directory and files an older relay left readable, and says what it changed', () => {
      const dir = path.join(tempDir(), 'data');
      mkdirSync(dir, { mode: 0o755 });
      writeFileSync(path.join(dir, 'relay.sqlite'), '');
      chmodSync(path.join(dir, 'relay.sqlite'), 0o644);
      expect(secureDataDir(dir)).toEqual({ directoryWas: 0o755, files: ['relay.sqlite'] });
      expect(mode(dir)).toBe(0o700);
      expect(mode(path.join(dir, 'relay.sqlite'))).toBe(0o600);
      expect(secureDataDir(dir)).toEqual({ files: [] });
    });
  });

  it('fails what waits on a writer thread that exits without being asked, even with no error event', async () => {
    let exited: Error | undefined;
    const writer = startWriter(
      path.join(tempDir(), 'x.sqlite'),
      (error) => (exited = error),
      `
      const { parentPort } = require('node:worker_threads');
      parentPort.once('message', () => process.exit(3));
    `,
    );
    await expect(writer.insert([])).rejects.toThrow(/exited unexpectedly \(code 3\)/);
    expect(exited?.message).toMatch(/exited unexpectedly/);
    await expect(writer.insert([])).rejects.toThrow(/exited unexpectedly/);
    await writer.close(); // resolves at once: the thread is gone
  });
});
