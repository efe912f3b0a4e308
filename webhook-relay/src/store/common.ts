/** What both stores compute the same way from the rows they read (erase matches, key counts, rekey, dead letters). */
import { messages } from '../messages.js';
import { SealedValueError } from './payload-cipher.js';
import type { PayloadVault, SealedColumns } from './payload-vault.js';
import type {
  CallerMatch,
  DataAtRestCounts,
  HandoffError,
  HandoffKind,
  HandoffRecord,
  HandoffStatus,
  HandoffStore,
} from './types.js';

/** A row of `findCaller`, as both stores select it. */
export interface CallerRow {
  key: string;
  kind: HandoffKind;
  status: HandoffStatus;
  received_at: number;
  incident_id: string | null;
  ticket_number: string | null;
  lease_until: number | null;
  session_hash: string | null;
}

export const CALLER_COLUMNS =
  'key, kind, status, received_at, incident_id, ticket_number, lease_until, session_hash';

/** One match per record, oldest first. */
export function callerMatches(rows: readonly CallerRow[], now: number): CallerMatch[] {
  const byKey = new Map<string, CallerMatch>();
  for (const row of rows)
    byKey.set(row.key, {
      key: row.key,
      kind: row.kind,
      status: row.status,
      receivedAt: row.received_at,
      ...(row.incident_id ? { incidentId: row.incident_id } : {}),
      ...(row.ticket_number ? { ticketNumber: row.ticket_number } : {}),
      leased: row.lease_until !== null && row.lease_until > now,
    });
  return [...byKey.values()].sort((a, b) => a.receivedAt - b.receivedAt || (a.key < b.key ? -1 : 1));
}

/** The session hashes of `rows`, whose other records (append jobs, closed-session events) go with them. */
export function sessionHashes(rows: readonly CallerRow[]): string[] {
  return [...new Set(rows.map((row) => row.session_hash).filter((hash): hash is string => !!hash))];
}

/** Stored payloads by the key they are sealed under (`key_id` NULL: plain text). */
export function countsByKey(rows: ReadonlyArray<{ key_id: string | null; n: number }>): DataAtRestCounts {
  const byKeyId: Record<string, number> = {};
  let plain = 0;
  for (const row of rows) {
    if (row.key_id === null) plain += row.n;
    else byKeyId[row.key_id] = row.n;
  }
  return { plain, byKeyId };
}

/**
 * Reseals each row under the first key and writes it with `write`, which answers how many rows it changed
 * (0 when a worker rewrote the row meanwhile). A row sealed under an unknown key is reported, not touched.
 */
export async function resealEach<R extends SealedColumns & { key: string }>(
  vault: PayloadVault,
  rows: readonly R[],
  write: (row: R, sealed: SealedColumns) => number | Promise<number>,
): Promise<{ resealed: number; changed: number; unreadable: string[] }> {
  const outcome = { resealed: 0, changed: 0, unreadable: [] as string[] };
  for (const row of rows) {
    let sealed: SealedColumns;
    try {
      sealed = vault.reseal(row.key, row);
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
      outcome.unreadable.push(row.key);
      continue;
    }
    if ((await write(row, sealed)) === 1) outcome.resealed += 1;
    else outcome.changed += 1;
  }
  return outcome;
}

/** The dead letter of a claimed handoff whose payload is sealed under a key this process does not have. */
export function unreadablePayloadError(keyId: string): HandoffError {
  const reason = messages.dataAtRest.payloadUnreadable(keyId);
  return { code: 'payload_unreadable', message: reason, reason };
}

/**
 * Claimed records whose payload this process cannot open (sealed under a key it is not configured with)
 * are dead-lettered at once with the reason, instead of reaching the worker as empty payloads; adding the
 * key back and `handoffs retry` delivers them.
 */
export async function readableClaims(
  store: Pick<HandoffStore, 'update'>,
  records: readonly HandoffRecord[],
  owner: string,
  now: number,
): Promise<HandoffRecord[]> {
  const ready: HandoffRecord[] = [];
  for (const record of records) {
    if (record.sealedUnder === undefined) ready.push(record);
    else
      await store.update(
        record.key,
        owner,
        { status: 'failed', lastError: unreadablePayloadError(record.sealedUnder) },
        now,
      );
  }
  return ready;
}
