/**
 * The one place that decides what of a handoff is stored, and how (style.md: "one place decides what is
 * stored"). Both stores call it on every write and read of a row, so that intake and the delivery worker
 * never know whether payloads are encrypted:
 *
 * - sealed (AES-256-GCM, payload-cipher.ts) when PAYLOAD_ENCRYPTION_KEYS is set: every column that can carry
 *   what a caller said or who they are — the payload, the session id, the note (it may name the session),
 *   and the last error (Dataverse and plug-in messages can echo a value); the error's code stays readable
 *   in `error_code`, so a dead letter's cause shows without the key and outlives the payload;
 * - keyed hashes (HMAC-SHA256) of the caller's phone, email and session, recomputed on every payload write,
 *   which `handoffs erase` matches without opening any payload (an OpenCX event learns the phone only when
 *   the worker stores the fetched session);
 * - the lookup key those hashes use: random, made once per store and kept in it sealed under the first
 *   encryption key (re-sealed when that key changes), so it survives key rotation and a copy of the store
 *   without the keys cannot test phone numbers against the hashes.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { DataAtRestSettings } from '../config/data-at-rest.js';
import { messages } from '../messages.js';
import {
  identifiersOf,
  identifiersOfValue,
  normaliseSelector,
  type CallerSelector,
  type IdentifierKind,
} from './caller-identifiers.js';
import { createCipher, SealedValueError } from './payload-cipher.js';
import type {
  HandoffError,
  HandoffPatch,
  HandoffRecord,
  HandoffStatus,
  NewHandoff,
  PayloadRemoval,
} from './types.js';

/** A row as both stores hand it to the vault: numbers as numbers, text as the store keeps it. */
export interface StoredRow {
  key: string;
  kind: string;
  session_id: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  error_code: string | null;
  incident_id: string | null;
  ticket_number: string | null;
  note: string | null;
  received_at: number;
  updated_at: number;
  settled_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  payload_removed_at: number | null;
  payload_removal: string | null;
}

/** The sealed columns of one row, as `store rekey` reads and rewrites them. */
export interface SealedColumns {
  session_id: string;
  payload: string;
  note: string | null;
  last_error: string | null;
}

/** A new row's columns the vault decides. */
export interface NewRowColumns {
  session_id: string;
  payload: string;
  /** The key the row was written under (null: plain text). */
  key_id: string | null;
  phone_hash: string | null;
  email_hash: string | null;
  session_hash: string | null;
}

/**
 * The columns a patch writes that the vault decides. A hash left undefined keeps the stored one: hashes only
 * accumulate, so a payload rewrite that no longer names the caller (redaction never removes them) cannot
 * hide a record from erasure.
 */
export interface PatchColumns {
  payload?: string;
  note?: string;
  last_error?: string | null;
  error_code?: string | null;
  phone_hash?: string;
  email_hash?: string;
  session_hash?: string;
}

export const HASH_COLUMNS = {
  phone: 'phone_hash',
  email: 'email_hash',
  session: 'session_hash',
} as const satisfies Record<IdentifierKind, string>;

export interface VaultStatus {
  encrypting: boolean;
  /** The key new values are sealed under. */
  primaryKeyId?: string;
  /** Why the vault cannot hash callers (the lookup key is sealed under a key that is not configured). */
  lookupKeyProblem?: string;
}

export interface PayloadVault {
  readonly encrypting: boolean;
  readonly primaryKeyId: string | undefined;
  status(): VaultStatus;
  knowsKey(id: string): boolean;

  sealNew(handoff: NewHandoff): NewRowColumns;
  sealPatch(key: string, patch: HandoffPatch): PatchColumns;
  /** The record a row stands for; a value sealed under an unknown key reads empty, with `sealedUnder` set. */
  open(row: StoredRow): HandoffRecord;
  /** A row's sealed columns, opened and sealed again under the first key (`store rekey`). Throws SealedValueError. */
  reseal(key: string, columns: SealedColumns): SealedColumns;
  /** The hash column and value that find `selector`; undefined for an empty selector. */
  selectorHash(
    selector: CallerSelector,
  ): { column: (typeof HASH_COLUMNS)[IdentifierKind]; hash: string } | undefined;

  /** A new lookup key, sealed for storing (the store keeps the first one written). */
  newLookupKey(): string;
  /** Takes the stored lookup key; returns it sealed again when it is not under the first key (to store). */
  adoptLookupKey(stored: string): { rewrap?: string };
}

const aad = (key: string, column: string) => `opencx-relay/v1\u0000${key}\u0000${column}`;
const LOOKUP_AAD = aad('relay', 'lookup-key');
const m = messages.dataAtRest;

export function createPayloadVault(
  settings: Pick<DataAtRestSettings, 'keys'> = { keys: [] },
  options: { phoneDefaultCountry?: string } = {},
): PayloadVault {
  const cipher = createCipher(settings.keys);
  const country = options.phoneDefaultCountry ?? 'US';
  const primaryKeyId = cipher.primary?.id;
  let lookupKey: Buffer | undefined;
  let lookupKeyProblem: string | undefined;

  const hash = (kind: IdentifierKind, value: string) => {
    if (!lookupKey) throw new Error(lookupKeyProblem ?? m.lookupKeyMissing);
    return createHmac('sha256', lookupKey)
      .update(`${kind}\u0000${value}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  };
  const openOr = (key: string, column: string, stored: string, sealed: { under?: string }) => {
    try {
      return cipher.open(stored, aad(key, column));
    } catch (error) {
      if (!(error instanceof SealedValueError)) throw error;
      sealed.under ??= error.keyId ?? '?';
      return undefined;
    }
  };
  const sealJson = (key: string, error: HandoffError) =>
    cipher.seal(JSON.stringify(error), aad(key, 'last_error'));

  return {
    encrypting: cipher.primary !== undefined,
    primaryKeyId,
    status: () => ({
      encrypting: cipher.primary !== undefined,
      ...(primaryKeyId ? { primaryKeyId } : {}),
      ...(lookupKeyProblem ? { lookupKeyProblem } : {}),
    }),
    knowsKey: (id) => cipher.knows(id),

    sealNew(handoff) {
      const found =
        handoff.value === undefined
          ? identifiersOf(handoff.payload, country)
          : identifiersOfValue(handoff.value, country);
      const session = found.session ?? (handoff.sessionId.trim() || undefined);
      return {
        session_id: cipher.seal(handoff.sessionId, aad(handoff.key, 'session_id')),
        payload: cipher.seal(handoff.payload, aad(handoff.key, 'payload')),
        key_id: primaryKeyId ?? null,
        phone_hash: found.phone ? hash('phone', found.phone) : null,
        email_hash: found.email ? hash('email', found.email) : null,
        session_hash: session ? hash('session', session) : null,
      };
    },

    sealPatch(key, patch) {
      const columns: PatchColumns = {};
      if (patch.payload !== undefined) {
        columns.payload = cipher.seal(patch.payload, aad(key, 'payload'));
        const found = identifiersOf(patch.payload, country);
        if (found.phone) columns.phone_hash = hash('phone', found.phone);
        if (found.email) columns.email_hash = hash('email', found.email);
        if (found.session) columns.session_hash = hash('session', found.session);
      }
      if (patch.note !== undefined) columns.note = cipher.seal(patch.note, aad(key, 'note'));
      if (patch.lastError !== undefined) {
        columns.last_error = patch.lastError ? sealJson(key, patch.lastError) : null;
        columns.error_code = patch.lastError?.code ?? null;
      }
      return columns;
    },

    open(row) {
      const sealed: { under?: string } = {};
      const sessionId = openOr(row.key, 'session_id', row.session_id, sealed) ?? '';
      const payload = openOr(row.key, 'payload', row.payload, sealed) ?? '';
      const record: HandoffRecord = {
        key: row.key,
        kind: row.kind as HandoffRecord['kind'],
        sessionId,
        payload,
        status: row.status as HandoffStatus,
        attempts: row.attempts,
        nextAttemptAt: row.next_attempt_at,
        receivedAt: row.received_at,
        updatedAt: row.updated_at,
      };
      const lastError = row.last_error ? openOr(row.key, 'last_error', row.last_error, sealed) : undefined;
      if (lastError) record.lastError = JSON.parse(lastError) as HandoffError;
      else if (row.error_code || (row.last_error && sealed.under)) {
        // Details removed with the payload, or sealed under a key this process lacks: the code remains.
        record.lastError = {
          ...(row.error_code ? { code: row.error_code } : {}),
          message: '',
          reason: row.payload_removed_at !== null ? m.errorDetailsRemoved : m.errorDetailsSealed,
        };
      }
      if (row.incident_id) record.incidentId = row.incident_id;
      if (row.ticket_number) record.ticketNumber = row.ticket_number;
      const note = row.note ? openOr(row.key, 'note', row.note, sealed) : undefined;
      if (note) record.note = note;
      if (row.settled_at !== null) record.settledAt = row.settled_at;
      if (row.lease_owner) record.leaseOwner = row.lease_owner;
      if (row.lease_until !== null) record.leaseUntil = row.lease_until;
      if (row.payload_removed_at !== null)
        record.payloadRemoved = {
          reason: (row.payload_removal ?? 'expired') as PayloadRemoval,
          at: row.payload_removed_at,
        };
      if (sealed.under !== undefined) record.sealedUnder = sealed.under;
      return record;
    },

    reseal(key, columns) {
      const again = (column: keyof SealedColumns, stored: string) =>
        cipher.seal(cipher.open(stored, aad(key, column)), aad(key, column));
      return {
        session_id: again('session_id', columns.session_id),
        payload: again('payload', columns.payload),
        note: columns.note === null ? null : again('note', columns.note),
        last_error: columns.last_error === null ? null : again('last_error', columns.last_error),
      };
    },

    selectorHash(selector) {
      const normalised = normaliseSelector(selector, country);
      return (
        normalised && { column: HASH_COLUMNS[normalised.kind], hash: hash(normalised.kind, normalised.value) }
      );
    },

    newLookupKey() {
      return cipher.seal(randomBytes(32).toString('base64'), LOOKUP_AAD);
    },

    adoptLookupKey(stored) {
      try {
        lookupKey = Buffer.from(cipher.open(stored, LOOKUP_AAD), 'base64');
        lookupKeyProblem = undefined;
      } catch (error) {
        if (!(error instanceof SealedValueError)) throw error;
        lookupKey = undefined;
        lookupKeyProblem = cipher.primary
          ? m.lookupKeyUnreadable(error.keyId ?? '?')
          : m.lookupKeyNeedsKeys(error.keyId ?? '?');
        return {};
      }
      // Sealed under another key than the first (or plain, now that keys are set): seal it again.
      return cipher.keyIdOf(stored) !== primaryKeyId
        ? { rewrap: cipher.seal(lookupKey.toString('base64'), LOOKUP_AAD) }
        : {};
    },
  };
}

/** How a store reads and writes its one lookup key (table `relay_secrets`, name `lookup-key`). */
export interface LookupKeySlot {
  read(): Promise<string | undefined>;
  /** Writes `value` unless a lookup key is already stored (another instance made one first). */
  insertIfAbsent(value: string): Promise<void>;
  /** Replaces `old` by `value`, unless another instance has replaced it meanwhile. */
  replace(old: string, value: string): Promise<void>;
}

/** At a store's init: makes the lookup key once per store, and seals it under the current first key. */
export async function settleLookupKey(vault: PayloadVault, slot: LookupKeySlot): Promise<void> {
  let stored = await slot.read();
  if (stored === undefined) {
    await slot.insertIfAbsent(vault.newLookupKey());
    stored = await slot.read();
  }
  if (stored === undefined) throw new Error('the store kept no lookup key');
  const { rewrap } = vault.adoptLookupKey(stored);
  if (rewrap) await slot.replace(stored, rewrap);
}
