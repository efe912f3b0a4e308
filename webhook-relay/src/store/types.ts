/**
 * The store interface both stores implement (embedded SQLite and PostgreSQL). One contract test suite
 * runs against each. Every method that takes `now` uses it instead of the wall clock, so tests inject time.
 */
import type { CallerSelector } from './caller-identifiers.js';
import type { VaultStatus } from './payload-vault.js';

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
  /** When it reached a terminal status: retention counts from here (store/retention.ts). */
  settledAt?: number;
  /**
   * Its payload and every personal field are gone (`payload`, `sessionId` and `note` read empty, `lastError`
   * keeps its code): after PAYLOAD_RETENTION or DEAD_LETTER_RETENTION (`expired`), or `handoffs erase`.
   */
  payloadRemoved?: { reason: PayloadRemoval; at: number };
  /** Sealed under this key id, which this process is not configured with: the sealed fields read empty. */
  sealedUnder?: string;
}

export type PayloadRemoval = 'expired' | 'erased';

export interface NewHandoff {
  key: string;
  kind: HandoffKind;
  sessionId: string;
  payload: string;
  /**
   * The value `payload` is the JSON text of, when the caller holds it (intake): the vault reads the
   * caller's identifiers from it instead of parsing the payload a second time on the request path.
   */
  value?: unknown;
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

/** What one purge round may remove (store/retention.ts computes them from the retention settings). */
export interface PurgeCutoffs {
  /** Settled handoffs (created, duplicate, skipped) settled at or before this lose their payload. */
  settledBefore: number;
  /** Dead letters (failed) settled at or before this lose theirs. */
  failedBefore: number;
  /** Records without a payload that settled at or before this are deleted. */
  recordsBefore: number;
  /** Webhook ids received at or before this are forgotten. */
  webhookIdsBefore: number;
}

/** How many of each a purge round removed (each at most the round's limit). */
export interface PurgeResult {
  payloads: number;
  deadLetters: number;
  records: number;
  webhookIds: number;
}

/** A handoff of the caller `handoffs erase` names, and its case in Dynamics. */
export interface CallerMatch {
  key: string;
  kind: HandoffKind;
  status: HandoffStatus;
  receivedAt: number;
  incidentId?: string;
  ticketNumber?: string;
  /** A worker holds it right now (it may be creating its case): it cannot be erased at this moment. */
  leased: boolean;
}

export interface EraseResult {
  /** Payloads removed; the pending ones among them end `skipped` and never become a case. */
  erased: string[];
  /** Pending handoffs left alone (no includePending). */
  pendingKept: string[];
  /** Pending handoffs a worker held at that moment. */
  busy: string[];
}

/** Stored payloads by the key they are sealed under (`plain`: none), for the start log and `store rekey`. */
export interface DataAtRestCounts {
  plain: number;
  byKeyId: Record<string, number>;
}

export interface RekeyResult {
  /** Rows now sealed under the first key. */
  resealed: number;
  /** Rows changed by a worker meanwhile: left for the next pass. */
  changed: number;
  /** Rows sealed under a key that is not configured. */
  unreadable: string[];
  /** Resume after this key (keyset order); undefined when the pass is over. */
  lastKey?: string;
}

export type AuditAction = 'retry' | 'erase' | 'rekey' | 'purge';

/** One operator action that changed stored data: what, when, who, how many; never a selector or a payload. */
export interface AuditEntry {
  at: number;
  action: AuditAction;
  /** OS user and host of the process that acted. */
  user: string;
  host: string;
  counts: Record<string, number>;
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
  /**
   * Operator retry: a failed (or skipped) record becomes `received`, due now, attempts reset. Not one whose
   * payload was removed (expired or erased): there is nothing left to deliver.
   */
  retry(key: string, now: number): Promise<HandoffRecord | undefined>;

  /**
   * Shared throttle (spec §3.5): every relay instance on one store honours one pause per scope
   * (e.g. the Dataverse application user). `setPauseUntil` only ever moves the pause later.
   */
  getPauseUntil(scope: string): Promise<number>;
  setPauseUntil(scope: string, until: number): Promise<void>;

  /**
   * One purge round (retention): removes the payload and personal fields of up to `limit` settled handoffs
   * and of up to `limit` dead letters past their cutoffs, deletes up to `limit` records past theirs, and
   * forgets up to `limit` webhook ids. Pending handoffs are never touched. Instances purging at once skip
   * each other's rows. The embedded store leaves nothing removed in its WAL (checkpoint after).
   */
  purge(cutoffs: PurgeCutoffs, limit: number, now: number): Promise<PurgeResult>;
  /** Dead letters that still hold a payload and settled at or before `failedBefore` (oldest first, up to `limit`). */
  deadLettersExpiring(failedBefore: number, limit: number): Promise<{ count: number; keys: string[] }>;
  /**
   * The handoffs of one caller, by the keyed hash of their phone, email or session (payload-vault.ts), and
   * every other record of the same sessions (append jobs, closed-session events). Only records that still
   * hold a payload: the hashes go with it.
   */
  findCaller(selector: CallerSelector, now: number): Promise<CallerMatch[]>;
  /** Removes the payloads of `keys` (`handoffs erase`); a pending one only with `includePending`. */
  erase(keys: readonly string[], now: number, options: { includePending: boolean }): Promise<EraseResult>;
  /** Stored payloads by the key they are sealed under, and the vault's state. */
  dataAtRest(): Promise<DataAtRestCounts & VaultStatus>;
  /** Reseals up to `limit` rows not under the first key, in key order after `after` (`store rekey`). */
  rekey(after: string | undefined, limit: number): Promise<RekeyResult>;
  audit(entry: AuditEntry): Promise<void>;
  /** The newest entries first. */
  auditTrail(limit: number): Promise<AuditEntry[]>;
}
