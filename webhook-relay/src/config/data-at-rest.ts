/**
 * What the relay keeps at rest, and for how long (issue 25): PAYLOAD_ENCRYPTION_KEYS, PAYLOAD_RETENTION,
 * DEAD_LETTER_RETENTION and HANDOFF_RECORD_RETENTION. Read by config/load.ts for the relay, and on their own
 * by the CLI's store commands (`handoffs erase`, `store rekey`), which need the keys but not Dataverse.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { messages } from '../messages.js';

export interface EncryptionKey {
  /** Names the key in every value sealed with it, so that any listed key can open it (rotation). */
  id: string;
  /** AES-256 key. A KeyObject: its material never appears in a log or a JSON dump of the configuration. */
  key: KeyObject;
}

export interface RetentionSettings {
  /** How long a settled (created, duplicate, skipped) handoff keeps its payload and personal fields. */
  payloadMs: number;
  /** How long a dead letter (failed) keeps its payload for `handoffs retry`. */
  deadLetterMs: number;
  /** How long the small record without personal data, and each webhook id, are kept for idempotency. */
  recordMs: number;
}

export interface DataAtRestSettings {
  /** The first encrypts, every one decrypts; empty: payloads are stored in plain text. */
  keys: EncryptionKey[];
  retention: RetentionSettings;
}

export type Env = Record<string, string | undefined>;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DEFAULT_RETENTION = { payload: '7d', deadLetter: '30d', record: '90d' } as const;
const KEY_ID = /^[\w-]{1,32}$/;
const m = messages.dataAtRest;

/** `45s`, `30m`, `12h`, `7d` (and `ms`) as milliseconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,9})\s*(ms|[dhms])$/.exec(text.trim());
  return match ? Number(match[1]) * UNITS[match[2]] : undefined;
}

/** A duration as an operator wrote it back (`7d`, `90s`): the largest unit that divides it. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const)
    if (ms >= UNITS[unit] && ms % UNITS[unit] === 0) return `${ms / UNITS[unit]}${unit}`;
  return `${ms}ms`;
}

/** PAYLOAD_ENCRYPTION_KEYS: `id:base64`, comma-separated; never echoes key material in a message. */
export function parseEncryptionKeys(raw: string | undefined): { keys: EncryptionKey[]; errors: string[] } {
  const keys: EncryptionKey[] = [];
  const errors: string[] = [];
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const material = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (!KEY_ID.test(id)) {
      errors.push(m.keyId(id ? `${id}:…` : '…'));
      continue;
    }
    const bytes = /^[\d+/a-z]+={0,2}$/i.test(material) ? Buffer.from(material, 'base64') : Buffer.alloc(0);
    if (bytes.length !== 32) {
      errors.push(m.keyLength(id));
      continue;
    }
    if (keys.some((key) => key.id === id)) {
      errors.push(m.keyTwice(id));
      continue;
    }
    keys.push({ id, key: createSecretKey(bytes) });
  }
  return { keys, errors };
}

export function readDataAtRestSettings(env: Env): { settings: DataAtRestSettings; errors: string[] } {
  const errors: string[] = [];
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const duration = (name: string, fallback: string) => {
    const value = text(name) ?? fallback;
    const ms = parseDuration(value);
    if (ms === undefined) {
      errors.push(messages.config.invalid(name, value, m.duration));
      return parseDuration(fallback) ?? 0;
    }
    return ms;
  };
  const parsed = parseEncryptionKeys(text('PAYLOAD_ENCRYPTION_KEYS'));
  errors.push(...parsed.errors);
  const retention: RetentionSettings = {
    payloadMs: duration('PAYLOAD_RETENTION', DEFAULT_RETENTION.payload),
    deadLetterMs: duration('DEAD_LETTER_RETENTION', DEFAULT_RETENTION.deadLetter),
    recordMs: duration('HANDOFF_RECORD_RETENTION', DEFAULT_RETENTION.record),
  };
  // Dead letters wait for an operator, so they keep their payload at least as long as delivered handoffs;
  // the record outlives both, or a re-delivery after the payload went would find nothing to answer with.
  if (retention.deadLetterMs < retention.payloadMs)
    errors.push(
      messages.config.invalid(
        'DEAD_LETTER_RETENTION',
        formatDuration(retention.deadLetterMs),
        m.deadLetterShorter(formatDuration(retention.payloadMs)),
      ),
    );
  if (retention.recordMs < Math.max(retention.payloadMs, retention.deadLetterMs))
    errors.push(
      messages.config.invalid(
        'HANDOFF_RECORD_RETENTION',
        formatDuration(retention.recordMs),
        m.recordShorter(formatDuration(Math.max(retention.payloadMs, retention.deadLetterMs))),
      ),
    );
  return { settings: { keys: parsed.keys, retention }, errors };
}
