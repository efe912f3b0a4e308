/**
 * The embedded store's intake writer: a worker thread with its own SQLite connection to the same file
 * (WAL, synchronous=FULL) that commits batches of new handoffs. A FULL commit waits for an fsync (about
 * 2 ms on the development machines); on the main thread that wait stopped the event loop, so requests
 * were neither parsed nor answered meanwhile (a quarter of the relay's time under load, measured by
 * bench/relay-intake.mjs with --cpu-prof). Here the main thread keeps taking requests while a batch is
 * being flushed, and everything that arrived meanwhile goes into the next batch (group commit). Each
 * caller still hears back only after its batch is committed and on disk.
 *
 * The thread runs plain JavaScript (`eval`), so that it starts the same way from the built package and from
 * the TypeScript sources under test; its statements are the ones the store's contract tests cover.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { SQLITE_DRIVER } from './sqlite-driver.js';

/** One new handoff as the thread receives it (NewHandoff). */
export interface WriterItem {
  key: string;
  kind: string;
  sessionId: string;
  payload: string;
  webhookId?: string;
  now: number;
}

/** `inserted`, or the row already stored under the key or the webhook id (snake_case, as SQLite has it). */
export type WriterResult = { inserted: true } | { inserted: false; row: Record<string, unknown> };

export type WriterReply =
  { id: number; results: WriterResult[] } | { id: number; error: { code?: string; message: string } };

const SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
db.pragma('secure_delete = ON');
const seenById = db.prepare(
  'SELECT h.* FROM webhook_ids w JOIN handoffs h ON h.key = w.key WHERE w.webhook_id = ?',
);
const byKey = db.prepare('SELECT * FROM handoffs WHERE key = ?');
const add = db.prepare(
  "INSERT INTO handoffs (key, kind, session_id, payload, status, attempts, next_attempt_at, received_at, updated_at) " +
    "VALUES (?, ?, ?, ?, 'received', 0, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
);
const remember = db.prepare('INSERT OR IGNORE INTO webhook_ids (webhook_id, key) VALUES (?, ?)');
function insertOne(item) {
  if (item.webhookId) {
    const seen = seenById.get(item.webhookId);
    if (seen) return { inserted: false, row: seen };
  }
  const added = add.run(item.key, item.kind, item.sessionId, item.payload, item.now, item.now, item.now).changes;
  if (item.webhookId) remember.run(item.webhookId, item.key);
  return added ? { inserted: true } : { inserted: false, row: byKey.get(item.key) };
}
const insertAll = db.transaction((items) => items.map(insertOne));
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: message.id, results: insertAll.immediate(message.items) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: { code: error.code, message: error.message } });
  }
});
`;

export interface Writer {
  write(id: number, items: WriterItem[]): void;
  /** Closes the thread's connection once what it was given is written. */
  close(): Promise<void>;
}

/** Starts the writer thread on `file` (the schema must exist). */
export function startWriter(
  file: string,
  onReply: (reply: WriterReply) => void,
  onFailure: (error: Error) => void,
): Writer {
  const worker = new Worker(SOURCE, {
    eval: true,
    workerData: { file, driver: createRequire(import.meta.url).resolve(SQLITE_DRIVER) },
  });
  // An idle thread must not keep a process alive by itself (a store that was not closed); a batch being
  // written must, or a script that awaits an insert would exit before hearing back.
  worker.unref();
  worker.on('message', (reply: WriterReply) => {
    worker.unref();
    onReply(reply);
  });
  worker.on('error', onFailure);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    write(id, items) {
      worker.ref();
      worker.postMessage({ id, items });
    },
    async close() {
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
