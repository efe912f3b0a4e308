/**
 * The audit trail (issue 25): every operator action that changes stored data — `handoffs retry`,
 * `handoffs erase`, `store rekey`, and the relay's own retention purge totals — writes one entry to the
 * store's `audit` table: what, when, who (OS user and host of the process), how many. Never the selector's
 * value nor anything of a payload. In the store, so that it is kept, backed up and shared by a fleet exactly
 * like the data it describes; `opencx-relay store audit` reads it.
 */
import { hostname, userInfo } from 'node:os';
import type { AuditAction, AuditEntry, HandoffStore } from '../store/types.js';

/** Who acts: the OS user (uid when the platform has no name for it) and the host. */
export function currentActor(): Pick<AuditEntry, 'user' | 'host'> {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A container may run as a uid with no passwd entry.
    user = typeof process.getuid === 'function' ? `uid:${process.getuid()}` : 'unknown';
  }
  return { user, host: hostname() };
}

export async function recordAudit(
  store: Pick<HandoffStore, 'audit'>,
  action: AuditAction,
  counts: Record<string, number>,
  at: number,
  actor: Pick<AuditEntry, 'user' | 'host'> = currentActor(),
): Promise<AuditEntry> {
  const entry: AuditEntry = { at, action, ...actor, counts };
  await store.audit(entry);
  return entry;
}

/** One entry as `store audit` prints it: `2026-11-24T14:06:00.000Z  erase   ops@relay-1  matched=3 erased=2`. */
export function formatAuditEntry(entry: AuditEntry): string {
  const counts = Object.entries(entry.counts)
    .map(([name, n]) => `${name}=${n}`)
    .join(' ');
  return `${new Date(entry.at).toISOString()}  ${entry.action.padEnd(6)}  ${entry.user}@${entry.host}  ${counts}`;
}
