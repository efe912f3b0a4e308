/**
 * vitest globalSetup: the wire-ledger check. Creates a log directory and names it in OPENCX_WIRE_LOG, so
 * every Dataverse sandbox started by the run (in a test worker or in a child process such as `npm start`)
 * records the requests it receives; at the end, fails the run on any request that fits no row of the
 * ledger (dataverse-sandbox/src/wire-ledger.ts), naming the request and the suite that sent it. Either way it
 * prints how many requests it checked against how many rows: a check that printed nothing when it passed could
 * not be told apart from one that never ran.
 * The sandbox's own tests are left out: they send refused shapes on purpose, to test the refusals.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkRecorded, coverageLine, coverageOf } from '../dataverse-sandbox/src/wire-ledger.js';
import type { WireLogEntry } from '../dataverse-sandbox/src/wire-log.js';

const EXEMPT = /^dataverse-sandbox\/test\//;

export default function setup(): (() => void) | undefined {
  // Another project's globalSetup of the same run already owns the directory: it checks at the end.
  if (process.env.OPENCX_WIRE_LOG) return undefined;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opencx-wire-'));
  process.env.OPENCX_WIRE_LOG = dir;
  return () => {
    delete process.env.OPENCX_WIRE_LOG;
    const entries: WireLogEntry[] = [];
    for (const file of readdirSync(dir)) {
      for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as WireLogEntry;
        if (!EXEMPT.test(entry.suite)) entries.push(entry);
      }
    }
    rmSync(dir, { recursive: true, force: true });
    const misses = checkRecorded(entries);
    console.log(coverageLine(coverageOf(entries), misses.length));
    if (misses.length === 0) return;
    const lines = misses.map((m) => `  - [${m.suite}] ${m.request}\n      ${m.reason}`);
    throw new Error(
      `Wire ledger: ${misses.length} Dataverse request shape(s) sent in this run are not in the ledger ` +
        `(dataverse-sandbox/src/wire-ledger.ts; see docs/dataverse-wire-ledger.md):\n${lines.join('\n')}`,
    );
  };
}
