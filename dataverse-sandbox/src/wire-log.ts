/**
 * Records every request the sandbox receives, for the wire-ledger check in CI (wire-ledger.ts). Off
 * unless OPENCX_WIRE_LOG names a directory (the test run's globalSetup creates it); each process appends
 * JSON lines to its own file, so sandboxes in child processes (the quick start, the CLI) are recorded too.
 * OPENCX_WIRE_SUITE names the test file that was running, to say which suite sent a request.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';

export interface WirePartLog {
  place: 'batch-part' | 'changeset';
  /** The MIME part's own headers (Content-Type, Content-Transfer-Encoding, Content-ID). */
  part: Record<string, string>;
  method: string;
  target: string;
  headers: Record<string, string>;
}

export interface WireLogEntry {
  suite: string;
  method: string;
  /** The request target as received: path and query. */
  target: string;
  headers: Record<string, string>;
  /** For `$batch`: the change sets' Content-Type headers and every inner request. */
  changesets?: string[];
  parts?: WirePartLog[];
  /** For a `$batch` body the sandbox could not read: why. */
  unreadable?: string;
}

/** The headers that make a request's shape; the rest (Authorization, Host, …) are left out. */
const RECORDED =
  /^(?:accept|content-type|prefer|if-match|if-none-match|odata-version|odata-maxversion|mscrm\..*)$/i;

export function recordedHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !RECORDED.test(name)) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** A writer for this process's log file, or undefined when recording is off. */
export function wireLogWriter(
  env: NodeJS.ProcessEnv = process.env,
): ((entry: Omit<WireLogEntry, 'suite'>) => void) | undefined {
  const dir = env.OPENCX_WIRE_LOG;
  if (!dir) return undefined;
  const file = path.join(dir, `${process.pid}.jsonl`);
  return (entry) => {
    // Read at each request: a test runner sets the suite per test file within one process.
    const line = JSON.stringify({ suite: process.env.OPENCX_WIRE_SUITE ?? 'unknown', ...entry });
    try {
      appendFileSync(file, `${line}\n`);
    } catch {
      // The run's log directory is gone (its check has run): a sandbox that outlived the run still answers.
    }
  };
}
