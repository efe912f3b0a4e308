/**
 * Files only the relay's user can read (issue 25). The embedded store's directory holds every transcript it
 * has not yet purged, so it is created 0700 and each file in it 0600, whatever the process umask: SQLite
 * gives the `-wal` and `-shm` files the database file's own permissions, so creating `relay.sqlite` 0600
 * before SQLite opens it is enough for those two. A directory that already exists with looser permissions
 * is tightened at start, and the caller logs that it was.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const DIRECTORY_MODE = 0o700;
export const FILE_MODE = 0o600;

/** What `secureDataDir` had to change: the directory's mode before, and the files it tightened. */
export interface Tightened {
  directoryWas?: number;
  files: string[];
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

/**
 * Creates `dir` 0700 (with its parents as the umask says), or tightens it and every file directly in it to
 * 0700 / 0600. Windows has no such modes: there the call only creates the directory.
 */
export function secureDataDir(dir: string): Tightened {
  const tightened: Tightened = { files: [] };
  if (!existsSync(dir)) {
    mkdirSync(path.dirname(dir), { recursive: true });
    mkdirSync(dir, { mode: DIRECTORY_MODE });
  }
  if (process.platform === 'win32') return tightened;
  const was = modeOf(dir);
  if (was !== DIRECTORY_MODE) {
    chmodSync(dir, DIRECTORY_MODE);
    tightened.directoryWas = was;
  }
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    const stat = statSync(file);
    if (stat.isFile() && (stat.mode & 0o777) !== FILE_MODE) {
      chmodSync(file, FILE_MODE);
      tightened.files.push(name);
    }
  }
  return tightened;
}

/**
 * Makes sure `file` exists with mode 0600 before anything else opens it (SQLite, or a JSON write), so it is
 * never readable by others, not even between its creation and a later chmod.
 */
export function privateFile(file: string): void {
  closeSync(openSync(file, 'a', FILE_MODE));
  if (process.platform !== 'win32' && modeOf(file) !== FILE_MODE) chmodSync(file, FILE_MODE);
}

/** The mode as an operator reads it (`0755`). */
export const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;
