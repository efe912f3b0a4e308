import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCipher, isSealed, SealedValueError } from '../../src/store/payload-cipher.js';
import { keyMaterial } from '../store-contract/vaults.js';

const key = (id: string) => ({ id, key: createSecretKey(keyMaterial(id)) });
const TEXT = '{"customer":{"name":"Priya Raman"},"text":"héllo 👋 \\u0000"}';

describe('the payload cipher (AES-256-GCM)', () => {
  it('seals under the first key, naming it, and opens with any listed key', () => {
    const sealed = createCipher([key('old')]).seal(TEXT, 'k1/payload');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('Priya');
    const rotated = createCipher([key('new'), key('old')]);
    expect(rotated.keyIdOf(sealed)).toBe('old');
    expect(rotated.open(sealed, 'k1/payload')).toBe(TEXT);
    expect(rotated.keyIdOf(rotated.seal(TEXT, 'k1/payload'))).toBe('new');
  });

  it('never seals the same text twice alike (a fresh IV each time)', () => {
    const cipher = createCipher([key('a')]);
    expect(cipher.seal(TEXT, 'x')).not.toBe(cipher.seal(TEXT, 'x'));
  });

  it('refuses a value moved to another row or column, altered, or sealed under a key not listed', () => {
    const cipher = createCipher([key('a')]);
    const sealed = cipher.seal(TEXT, 'opencx-relay/v1\u0000k1\u0000payload');
    expect(() => cipher.open(sealed, 'opencx-relay/v1\u0000k2\u0000payload')).toThrow(SealedValueError);
    expect(() => cipher.open(sealed, 'opencx-relay/v1\u0000k1\u0000note')).toThrow(/does not authenticate/);
    const bytes = Buffer.from(sealed.slice(sealed.lastIndexOf(':') + 1), 'base64');
    bytes[bytes.length - 1] ^= 1;
    const altered = `${sealed.slice(0, sealed.lastIndexOf(':') + 1)}${bytes.toString('base64')}`;
    expect(() => cipher.open(altered, 'opencx-relay/v1\u0000k1\u0000payload')).toThrow(SealedValueError);
    let refused: unknown;
    try {
      createCipher([key('b')]).open(sealed, 'opencx-relay/v1\u0000k1\u0000payload');
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({
      keyId: 'a',
      message: expect.stringContaining('not configured') as string,
    });
    // Another key under the same id (a re-generated key) is caught by the tag, not read as garbage.
    const impostor = { id: 'a', key: createSecretKey(keyMaterial('not a')) };
    expect(() => createCipher([impostor]).open(sealed, 'opencx-relay/v1\u0000k1\u0000payload')).toThrow(
      /does not authenticate/,
    );
  });

  it('without keys keeps values as they are, and never mistakes a plain value for a sealed one', () => {
    const plain = createCipher([]);
    expect(plain.primary).toBeUndefined();
    expect(plain.seal(TEXT, 'x')).toBe(TEXT);
    const tricky = '\u0002ocx1:a:AAAA';
    const stored = plain.seal(tricky, 'x');
    expect(isSealed(stored)).toBe(false);
    expect(plain.open(stored, 'x')).toBe(tricky);
    expect(createCipher([key('a')]).open(stored, 'x')).toBe(tricky);
  });
});
