/**
 * AES-256-GCM for the values the relay keeps at rest (node:crypto). A sealed value names the key that sealed
 * it, so any key listed in PAYLOAD_ENCRYPTION_KEYS opens it while the first one seals new values (rotation).
 * The associated data binds a value to its place (the handoff key and the column): a payload copied into
 * another row, or a note moved into the payload column, fails its tag check instead of being read.
 *
 * Stored form: `\u0002ocx1:<key id>:<base64 of iv (12 bytes) | tag (16) | ciphertext>`. Without keys the
 * value is stored as given; the rare plain value that itself starts with \u0002 is prefixed with
 * `\u0002plain:` so that it can never be mistaken for a sealed one.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config/data-at-rest.js';

const SEALED = '\u0002ocx1:';
const ESCAPED = '\u0002plain:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A stored value that could not be opened: sealed under a key not listed, or altered. */
export class SealedValueError extends Error {
  override readonly name = 'SealedValueError';
  constructor(
    message: string,
    /** The key id the value names (undefined when it is not even well-formed). */
    readonly keyId?: string,
  ) {
    super(message);
  }
}

export interface Cipher {
  /** The key that seals new values; undefined: values are stored in plain text. */
  readonly primary: EncryptionKey | undefined;
  seal(text: string, aad: string): string;
  /** Throws SealedValueError when the value is sealed under an unknown key or does not authenticate. */
  open(stored: string, aad: string): string;
  /** The key id a stored value is sealed under; undefined for a plain value. */
  keyIdOf(stored: string): string | undefined;
  /** Whether `id` is one of the configured keys. */
  knows(id: string): boolean;
}

/**
 * Random 96-bit IVs, drawn 256 at a time: one randomBytes call per seal was a visible share of the intake
 * path. Random IVs under one key stay far below GCM's limit of 2^32 invocations (NIST SP 800-38D, 8.3) for
 * any rotation period a relay would keep a key.
 */
let ivPool = Buffer.alloc(0);
let ivOffset = 0;
function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * 256);
    ivOffset = 0;
  }
  ivOffset += IV_BYTES;
  return ivPool.subarray(ivOffset - IV_BYTES, ivOffset);
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED);
}

export function createCipher(keys: readonly EncryptionKey[]): Cipher {
  const byId = new Map(keys.map((key) => [key.id, key]));
  const primary = keys[0];
  const keyIdOf = (stored: string) => {
    if (!stored.startsWith(SEALED)) return undefined;
    const end = stored.indexOf(':', SEALED.length);
    return end > SEALED.length ? stored.slice(SEALED.length, end) : '';
  };
  return {
    primary,
    knows: (id) => byId.has(id),
    keyIdOf,
    seal(text, aad) {
      if (!primary) return text.startsWith('\u0002') ? ESCAPED + text : text;
      const iv = nextIv();
      const cipher = createCipheriv('aes-256-gcm', primary.key, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      const sealed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
      return `${SEALED}${primary.id}:${sealed}`;
    },
    open(stored, aad) {
      if (stored.startsWith(ESCAPED)) return stored.slice(ESCAPED.length);
      const id = keyIdOf(stored);
      if (id === undefined) return stored;
      const key = byId.get(id);
      if (!key) throw new SealedValueError(`sealed under key id "${id}", which is not configured`, id);
      const bytes = Buffer.from(stored.slice(SEALED.length + id.length + 1), 'base64');
      if (bytes.length < IV_BYTES + TAG_BYTES)
        throw new SealedValueError(`the value sealed under key id "${id}" is truncated`, id);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(aad, 'utf8'));
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new SealedValueError(
          `the value sealed under key id "${id}" does not authenticate (another key with that id, or moved from another row)`,
          id,
        );
      }
    },
  };
}
