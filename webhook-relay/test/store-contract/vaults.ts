/** Vaults for store tests: keys derived from their ids, so that two stores given the same ids share keys. */
import { createHash, createSecretKey } from 'node:crypto';
import { createPayloadVault, type PayloadVault } from '../../src/store/payload-vault.js';

/** A 256-bit key for `id` as PAYLOAD_ENCRYPTION_KEYS holds it (`id:base64`). */
export const keyMaterial = (id: string) => createHash('sha256').update(`test key ${id}`).digest();
export const keyEntry = (id: string) => `${id}:${keyMaterial(id).toString('base64')}`;

/** A vault sealing with the first of `ids`, opening with any of them. */
export function sealingVault(ids: string[]): PayloadVault {
  return createPayloadVault(
    { keys: ids.map((id) => ({ id, key: createSecretKey(keyMaterial(id)) })) },
    { phoneDefaultCountry: 'US' },
  );
}

export const plainVault = (): PayloadVault => createPayloadVault({ keys: [] }, { phoneDefaultCountry: 'US' });

/** Whether the stored bytes hold `text` (as UTF-8). */
export const holds = (raw: Buffer, text: string) => raw.includes(Buffer.from(text, 'utf8'));
