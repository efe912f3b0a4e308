/**
 * The store interface both stores implement (embedded SQLite and PostgreSQL). One contract test suite
 * runs against each. Every method that takes `now` uses it instead of the wall clock, so tests inject time.
 */

/** received → (fetching) → delivering → created | duplicate | failed; `skipped` for channels we do not turn into incidents. */
export const HANDOFF_STATUSES = [
  'received',
  'fetching',
  'delivering',
  'created',
  'duplicate',
  'failed',
  'skipped',
] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];

export const TERMINAL_STATUSES = [
  'created',
  'duplicate',
  'failed',
  'skipped',
] as const satisfies readonly HandoffStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** True once a handoff has ended: nothing more will happen to it unless an operator retries it. */
export function isTerminal(status: HandoffStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly HandoffStatus[]).includes(status);
}
export const ACTIVE_STATUSES: readonly HandoffStatus[] = ['received', 'fetching', 'delivering'];

/**
 * `handoff`: payload is a HandoffDocument. `opencx-event`: payload is the OpenCX webhook envelope (a
 * handoff, or with APPEND_AFTER_HANDOFF a session-closed event). `append`: turns after the handoff for
 * an existing case (delivery/append-step.ts). `route`: unified routing to apply to a created case
 * (delivery/route-step.ts).
 */
export type HandoffKind = 'handoff' | 'opencx-event' | 'append' | 'route';

export interface HandoffError {
  /** Dataverse (`0x…`), OpenCX or our own code (e.g. `opencx_unauthorized`). */
  code?: string;
  /** HTTP status of the failing call, when there was one. */
  httpStatus?: number;
  /** The upstream message, secrets and transcript text removed. */
  message: string;
  /** Plain-language reason and fix for the operator. */
  reason: string;
}

export interface HandoffRecord {
  /** Handoff key = incidentid (UUIDv5, see handoff/key.ts). */
  key: string;
  kind: HandoffKind;
  sessionId: string;
  /** JSON text of the payload (see HandoffKind). */
  payload: string;
  status: HandoffStatus;
  attempts: number;
  /** Epoch ms; the record is not claimed before this. */
  nextAttemptAt: number;
  lastError?: HandoffError;
  incidentId?: string;
  ticketNumber?: string;
  /** Why a record was skipped, or other operator-facing detail. */
  note?: string;
  receivedAt: number;
  updatedAt: number;
  /** Worker that holds the record, and until when (epoch ms). */
  leaseOwner?: string;
  leaseUntil?: number;
}

export interface NewHandoff {
  key: string;
  kind: HandoffKind;
  sessionId: string;
  payload: string;
  /** Standard Webhooks `webhook-id`, remembered so a replay is answered as a duplicate. */
  webhookId?: string;
  now: number;
}

/** The record a new handoff becomes when it is inserted: what both stores answer without reading it back. */
export function newRecord(handoff: NewHandoff): HandoffRecord {
  return {
    key: handoff.key,
    kind: handoff.kind,
    sessionId: handoff.sessionId,
    payload: handoff.payload,
    status: 'received',
    attempts: 0,
    nextAttemptAt: handoff.now,
    receivedAt: handoff.now,
    updatedAt: handoff.now,
  };
}

export type InsertResult =
  | { inserted: true; record: HandoffRecord }
  /** The key (or the webhook id) was already stored: `record` is the existing one. */
  | { inserted: false; record: HandoffRecord };

export interface HandoffPatch {
  status?: HandoffStatus;
  attempts?: number;
  nextAttemptAt?: number;
  /** `null` clears it. */
  lastError?: HandoffError | null;
  incidentId?: string;
  ticketNumber?: string;
  note?: string;
  payload?: string;
  /** Release the lease with this update (the default for terminal statuses). */
  releaseLease?: boolean;
}

export interface ListFilter {
  status?: HandoffStatus;
  limit?: number;
  /** Keyset pagination: records received strictly before this key's position (newest first). */
  before?: { receivedAt: number; key: string };
}

/** Thrown by any store method when the store cannot be reached; intake answers 503 + Retry-After. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export interface HandoffStore {
  /** Create or migrate the schema. Idempotent. */
  init(): Promise<void>;
  close(): Promise<void>;
  /** Throws StoreUnavailableError when the store is not reachable (readiness probe). */
  ping(): Promise<void>;

  /**
   * Durably stores a new handoff (committed and flushed before it resolves), or returns the existing one
   * when the key or the webhook id is already known. Atomic: two concurrent inserts of one key store one.
   */
  insert(handoff: NewHandoff): Promise<InsertResult>;
  get(key: string): Promise<HandoffRecord | undefined>;
  findByWebhookId(webhookId: string): Promise<HandoffRecord | undefined>;
  /** Newest first. */
  list(filter?: ListFilter): Promise<HandoffRecord[]>;
  countByStatus(): Promise<Record<HandoffStatus, number>>;

  /**
   * Claims up to `limit` active records that are due (`nextAttemptAt <= now`) and not leased by a live
   * lease (`leaseUntil <= now` or none), oldest first, setting `leaseOwner = owner` and
   * `leaseUntil = now + leaseMs`. Two workers never hold one record at once.
   */
  claim(owner: string, limit: number, now: number, leaseMs: number): Promise<HandoffRecord[]>;
  /** Applies the patch if `owner` still holds the lease; returns false (and changes nothing) otherwise. */
  update(key: string, owner: string, patch: HandoffPatch, now: number): Promise<boolean>;
  /** Releases every lease held by `owner` (graceful shutdown) so other workers take them at once. */
  releaseAll(owner: string, now: number): Promise<number>;
  /**
   * Extends `owner`'s leases on `keys` to `now + leaseMs` (a worker still at work on them); returns the keys
   * it still held. A lease can then be short, so a crashed worker's handoffs are taken over soon, without a
   * slow Dataverse call letting another worker take a handoff that is still being delivered.
   */
  renew(owner: string, keys: readonly string[], now: number, leaseMs: number): Promise<string[]>;
  /**
   * Releases every lease, whoever holds it. Only for a relay that knows it is the store's one user (the
   * embedded store's relay holds the data directory's lock): its predecessor's claims are orphans.
   */
  releaseEveryLease(now: number): Promise<number>;
  /** Operator retry: a failed (or skipped) record becomes `received`, due now, attempts reset. */
  retry(key: string, now: number): Promise<HandoffRecord | undefined>;

  /**
   * Shared throttle (spec §3.5): every relay instance on one store honours one pause per scope
   * (e.g. the Dataverse application user). `setPauseUntil` only ever moves the pause later.
   */
  getPauseUntil(scope: string): Promise<number>;
  setPauseUntil(scope: string, until: number): Promise<void>;
}
