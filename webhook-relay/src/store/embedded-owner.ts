/**
 * One relay per embedded store. The relay holds an exclusive lock on `relay.lock` in the data directory
 * for as long as it runs: SQLite's own file lock (locking_mode=EXCLUSIVE), which the operating system drops
 * the moment the process dies, kill -9 included, so a crash never leaves a stale lock behind. A second
 * relay on the same directory is refused with the holder's process id and host (from `relay.owner.json`,
 * written once the lock is held). Because the holder is the store's only user, whatever claims it finds
 * at start are its dead predecessor's, and it takes them over at once instead of waiting for their leases.
 * Read-only tools (`opencx-relay handoffs …`, backups) do not take the lock.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import Database from './sqlite-driver.js';
import { messages } from '../messages.js';
import { privateFile, secureDataDir } from './data-dir.js';

export class StoreOwnedError extends Error {
  override readonly name = 'StoreOwnedError';
}

export interface Ownership {
  release(): void;
}

interface OwnerFile {
  pid: number;
  host: string;
  since: string;
}

const m = messages.store;

function describeOwner(file: string): string {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as OwnerFile;
    return m.owner(owner.pid, owner.host, owner.since);
  } catch {
    return m.ownerUnknown;
  }
}

/** Takes the data directory for this process, or throws StoreOwnedError naming the live holder. */
export function takeOwnership(dataDir: string, now: number = Date.now()): Ownership {
  secureDataDir(dataDir);
  const lockFile = path.join(dataDir, 'relay.lock');
  const ownerFile = path.join(dataDir, 'relay.owner.json');
  privateFile(lockFile); // 0600 before SQLite opens it, as every file in the data directory
  // timeout 0: a held lock is answered SQLITE_BUSY at once, not waited for.
  const db = new Database(lockFile, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write in exclusive locking mode takes the EXCLUSIVE lock and keeps it until close.
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, at INTEGER NOT NULL)');
    db.prepare('INSERT INTO holder (pid, at) VALUES (?, ?)').run(process.pid, now);
    db.exec('DELETE FROM holder WHERE rowid < (SELECT max(rowid) FROM holder)');
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY'))
      throw new StoreOwnedError(m.ownedElsewhere(dataDir, describeOwner(ownerFile)));
    throw error;
  }
  const owner: OwnerFile = { pid: process.pid, host: hostname(), since: new Date(now).toISOString() };
  privateFile(ownerFile);
  writeFileSync(ownerFile, `${JSON.stringify(owner)}\n`);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      // The description goes first: once the lock is released, the next holder writes its own.
      rmSync(ownerFile, { force: true });
      db.close();
    },
  };
}
