/**
 * The embedded store's writer: a worker thread with its own SQLite connection to the same file (WAL,
 * synchronous=FULL) that commits batches of new handoffs, and runs the retention purge. A FULL commit waits
 * for an fsync (about 2 ms on the development machines); on the main thread that wait stopped the event
 * loop, so requests were neither parsed nor answered meanwhile (a quarter of the relay's time under load,
 * measured by bench/relay-intake.mjs with --cpu-prof). Here the main thread keeps taking requests while a
 * batch is being flushed, and everything that arrived meanwhile goes into the next batch (group commit).
 * Each caller still hears back only after its batch is committed and on disk.
 *
 * The purge runs here too, one small round at a time between insert batches, so that it never holds the
 * event loop and takes its turn with intake instead of competing for SQLite's one write lock. Once a purge
 * backlog is done, `wal_checkpoint(TRUNCATE)` copies the zeroed pages into the database file and empties the
 * WAL, so no removed text stays in any file of the data directory (secure_delete zeroes the freed space in
 * the pages themselves). A truncate that readers prevent is tried again at the next round.
 *
 * The thread runs plain JavaScript (`eval`), so that it starts the same way from the built package and from
 * the TypeScript sources under test; its statements are the ones the store's contract tests cover.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { CLEAR_PERSONAL_FIELDS, SETTLED_SQL } from './personal-fields.js';
import { SQLITE_DRIVER } from './sqlite-driver.js';
import type { PurgeCutoffs, PurgeResult } from './types.js';

/** One new handoff as the thread receives it: its columns as the vault sealed them. */
export interface WriterItem {
  key: string;
  kind: string;
  sessionId: string;
  payload: string;
  keyId: string | null;
  phoneHash: string | null;
  emailHash: string | null;
  sessionHash: string | null;
  webhookId?: string;
  now: number;
}

/** `inserted`, or the row already stored under the key or the webhook id (snake_case, as SQLite has it). */
export type WriterResult = { inserted: true } | { inserted: false; row: Record<string, unknown> };

/** A failure the thread reported, with SQLite's code when there was one. */
export class WriterError extends Error {
  override readonly name = 'WriterError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const CLEAR = ${JSON.stringify(CLEAR_PERSONAL_FIELDS)};
const SETTLED = ${JSON.stringify(SETTLED_SQL)};
const BUSY_TIMEOUT = 5000;
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = ' + BUSY_TIMEOUT);
db.pragma('secure_delete = ON');
const seenById = db.prepare(
  'SELECT h.* FROM webhook_ids w JOIN handoffs h ON h.key = w.key WHERE w.webhook_id = ?',
);
const byKey = db.prepare('SELECT * FROM handoffs WHERE key = ?');
const add = db.prepare(
  'INSERT INTO handoffs (key, kind, session_id, payload, status, attempts, next_attempt_at, received_at, ' +
    'updated_at, key_id, phone_hash, email_hash, session_hash) ' +
    "VALUES (?, ?, ?, ?, 'received', 0, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
);
const remember = db.prepare(
  'INSERT OR IGNORE INTO webhook_ids (webhook_id, key, received_at) VALUES (?, ?, ?)',
);
function insertOne(item) {
  if (item.webhookId) {
    const seen = seenById.get(item.webhookId);
    if (seen) return { inserted: false, row: seen };
  }
  const added = add.run(
    item.key, item.kind, item.sessionId, item.payload, item.now, item.now, item.now,
    item.keyId, item.phoneHash, item.emailHash, item.sessionHash,
  ).changes;
  if (item.webhookId) remember.run(item.webhookId, item.key, item.now);
  return added ? { inserted: true } : { inserted: false, row: byKey.get(item.key) };
}
const insertAll = db.transaction((items) => items.map(insertOne));

const expire = (statuses) =>
  db.prepare(
    'UPDATE handoffs SET ' + CLEAR + ", payload_removed_at = @now, payload_removal = 'expired', updated_at = @now " +
      'WHERE key IN (SELECT key FROM handoffs WHERE status IN (' + statuses + ') AND payload_removed_at IS NULL ' +
      'AND settled_at IS NOT NULL AND settled_at <= @before ORDER BY settled_at LIMIT @limit)',
  );
const expireSettled = expire(SETTLED);
const expireFailed = expire("'failed'");
const dropRecords = db.prepare(
  'DELETE FROM handoffs WHERE key IN (SELECT key FROM handoffs WHERE payload_removed_at IS NOT NULL ' +
    'AND settled_at <= @before ORDER BY settled_at LIMIT @limit)',
);
const forgetIds = db.prepare(
  'DELETE FROM webhook_ids WHERE webhook_id IN (SELECT webhook_id FROM webhook_ids WHERE received_at <= @before ' +
    'ORDER BY received_at LIMIT @limit)',
);
const purgeRound = db.transaction(({ cutoffs, limit, now }) => ({
  payloads: expireSettled.run({ now, before: cutoffs.settledBefore, limit }).changes,
  deadLetters: expireFailed.run({ now, before: cutoffs.failedBefore, limit }).changes,
  records: dropRecords.run({ before: cutoffs.recordsBefore, limit }).changes,
  webhookIds: forgetIds.run({ before: cutoffs.webhookIdsBefore, limit }).changes,
}));
// Removed text lives on in WAL frames until a checkpoint copies the zeroed pages over it and the WAL is
// emptied: at the end of a purge backlog (a round that removed less than its limit), every 5 s while a long
// one lasts, and once a minute regardless, for what a CLI command (handoffs erase, store rekey) removed.
let walDirty = false;
let truncatedAt = 0;
function truncateWal() {
  db.pragma('busy_timeout = 250');
  try {
    const [row] = db.pragma('wal_checkpoint(TRUNCATE)');
    return row.busy === 0;
  } finally {
    db.pragma('busy_timeout = ' + BUSY_TIMEOUT);
  }
}
function purge(message) {
  const purged = purgeRound.immediate(message);
  const removed = purged.payloads + purged.deadLetters + purged.records;
  if (removed > 0) walDirty = true;
  const backlogDone = Math.max(purged.payloads, purged.deadLetters, purged.records, purged.webhookIds) < message.limit;
  const since = Date.now() - truncatedAt;
  if ((walDirty && (backlogDone || since > 5000)) || since > 60000) {
    truncatedAt = Date.now();
    if (truncateWal()) walDirty = false;
  }
  return purged;
}

parentPort.on('message', (message) => {
  if (message.op === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const reply = message.op === 'purge' ? { purged: purge(message) } : { results: insertAll.immediate(message.items) };
    parentPort.postMessage({ id: message.id, ...reply });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: { code: error.code, message: error.message } });
  }
});
`;

type Reply =
  | { id: number; results: WriterResult[] }
  | { id: number; purged: PurgeResult }
  | { id: number; error: { code?: string; message: string } };

export interface Writer {
  insert(items: WriterItem[]): Promise<WriterResult[]>;
  purge(cutoffs: PurgeCutoffs, limit: number, now: number): Promise<PurgeResult>;
  /** Closes the thread's connection once what it was given is done. */
  close(): Promise<void>;
}

/**
 * Starts the writer thread on `file` (the schema must exist). `onExit` hears once that the thread is gone:
 * with an error when it failed or exited without being asked (every request still waiting is rejected
 * with it), without one after `close()`.
 */
export function startWriter(
  file: string,
  onExit: (error?: Error) => void,
  /** The thread's source; tests give one that misbehaves. */
  source: string = SOURCE,
): Writer {
  const worker = new Worker(source, {
    eval: true,
    workerData: { file, driver: createRequire(import.meta.url).resolve(SQLITE_DRIVER) },
  });
  const waiting = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  let ids = 0;
  let closing = false;
  let gone: Error | undefined;
  // An idle thread must not keep a process alive by itself (a store that was not closed); a request being
  // served must, or a script that awaits an insert would exit before hearing back.
  worker.unref();
  worker.on('message', (reply: Reply) => {
    const caller = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (waiting.size === 0) worker.unref();
    caller?.resolve(reply);
  });
  const fail = (error: Error) => {
    gone ??= error;
    for (const caller of waiting.values()) caller.reject(gone);
    waiting.clear();
  };
  worker.on('error', fail);
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      // Exiting without being asked is a failure even when the thread raised no error event.
      if (!closing) fail(new WriterError(`the writer thread exited unexpectedly (code ${code})`));
      onExit(closing && !gone ? undefined : gone);
      resolve();
    }),
  );
  const request = (message: Record<string, unknown>): Promise<Reply> => {
    if (gone) return Promise.reject(gone);
    ids += 1;
    const id = ids;
    return new Promise<Reply>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...message, id });
    }).then((reply) => {
      if ('error' in reply) throw new WriterError(reply.error.message, reply.error.code);
      return reply;
    });
  };
  return {
    async insert(items) {
      const reply = await request({ op: 'insert', items });
      return 'results' in reply ? reply.results : [];
    },
    async purge(cutoffs, limit, now) {
      const reply = await request({ op: 'purge', cutoffs, limit, now });
      if (!('purged' in reply)) throw new WriterError('the writer thread answered a purge with no result');
      return reply.purged;
    },
    async close() {
      if (!closing) {
        closing = true;
        worker.ref();
        worker.postMessage({ op: 'close' });
      }
      await exited;
    },
  };
}
