/**
 * Which better-sqlite3 the embedded store loads, by the running Node:
 * - Node 22 and later: better-sqlite3 13 (installed as `better-sqlite3-napi`), a Node-API addon whose
 *   binaries ship inside the npm package (prebuilds/), so nothing is compiled. Version 12 must not run
 *   there: its classes derive from node::ObjectWrap, whose destructor on Node 24 asserts that a Node
 *   environment is current, and a statement or database garbage-collected outside one aborts the process
 *   (`Assertion failed: (env) != nullptr` in node::RemoveEnvironmentCleanupHook; the relay died so before
 *   it listened, in CI's Node 24 run).
 * - Node 20: better-sqlite3 12, compiled from source at install (13 declares Node >= 22 and crashes on 20).
 * Both have the same API; @types/better-sqlite3 describes it.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);
const major = Number(process.versions.node.split('.')[0]);

export const SQLITE_DRIVER = major >= 22 ? 'better-sqlite3-napi' : 'better-sqlite3';

const Database = require(SQLITE_DRIVER) as typeof BetterSqlite3;
// The types under the same name as better-sqlite3's default import, so `Database.Database` still names a
// connection where the store imports this module instead of better-sqlite3.
// eslint-disable-next-line @typescript-eslint/no-namespace
declare namespace Database {
  type Database = BetterSqlite3.Database;
  type Statement<P extends unknown[] | object = unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;
  type Transaction<F extends (...args: never[]) => unknown> = BetterSqlite3.Transaction<F>;
}
export default Database;
