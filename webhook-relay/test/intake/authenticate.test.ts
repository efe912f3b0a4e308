/**
 * The relay verifies Standard Webhooks signatures with node:crypto; the `standardwebhooks` package is the
 * reference. Whatever the body, id, secret, rotation or clock, both must reach the same verdict.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createAuthenticator, TOLERANCE_SECONDS } from '../../src/intake/authenticate.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

/** The package's verdict (its clock is the system clock, pinned to NOW below). */
function reference(secrets: string[], body: Buffer, headers: Record<string, string>): boolean {
  return secrets.some((secret) => {
    try {
      new Webhook(secret).verify(body, headers, { jsonParse: false });
      return true;
    } catch {
      return false;
    }
  });
}

const secretArb = fc
  .uint8Array({ minLength: 8, maxLength: 48 })
  .map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`);
const bodyArb = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 200 }).map((text) => Buffer.from(JSON.stringify({ text }))),
  // Bytes that are not UTF-8 at all: both decode them to U+FFFD before signing.
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
);
const idArb = fc.stringMatching(/^msg_[A-Za-z0-9]{1,24}$/);
// Around both edges of the 5-minute tolerance, and far outside it.
const offsetArb = fc.oneof(
  fc.integer({ min: -TOLERANCE_SECONDS - 2, max: -TOLERANCE_SECONDS + 2 }),
  fc.integer({ min: TOLERANCE_SECONDS - 2, max: TOLERANCE_SECONDS + 2 }),
  fc.integer({ min: -100_000, max: 100_000 }),
);

describe('Standard Webhooks verification with node:crypto', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  it('agrees with the standardwebhooks package on valid, tampered, rotated and stale signatures', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(secretArb, { minLength: 1, maxLength: 3 }),
        secretArb,
        fc.nat(2),
        bodyArb,
        idArb,
        offsetArb,
        fc.constantFrom('as signed', 'body changed', 'id changed', 'signature changed', 'other secret'),
        (configured, stranger, pick, body, id, offset, tamper) => {
          // The sender signs with one of the configured secrets (any of them: rotation), or with a stranger's.
          const signer = tamper === 'other secret' ? stranger : configured[pick % configured.length];
          const at = new Date((Math.floor(NOW / 1000) + offset) * 1000);
          const signature = new Webhook(signer).sign(id, at, body.toString('utf8'));
          const headers = {
            'webhook-id': tamper === 'id changed' ? `${id}x` : id,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature':
              tamper === 'signature changed'
                ? `v1,${Buffer.from(signature.slice(3), 'base64').reverse().toString('base64')}`
                : // A sender may offer several signatures (rotation on its side): unknown versions are ignored.
                  `v2,whatever ${signature}`,
          };
          const sent = tamper === 'body changed' ? Buffer.concat([body, Buffer.from(' ')]) : body;
          const ours = createAuthenticator({ secrets: configured }).verify(headers, sent, NOW);
          expect(ours.ok).toBe(reference(configured, sent, headers));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('accepts a body signed with either secret during a rotation, and refuses the retired one after', () => {
    const [oldSecret, newSecret] = [
      'whsec_b2xkLXNlY3JldC1iZWluZy1yZXRpcmVk',
      'whsec_bmV3LXNlY3JldC1pbi11c2U=',
    ];
    const body = Buffer.from('{"session_id":"s-1"}');
    const signed = (secret: string) => ({
      'webhook-id': 'msg_rotation',
      'webhook-timestamp': String(NOW / 1000),
      'webhook-signature': new Webhook(secret).sign('msg_rotation', new Date(NOW), body.toString()),
    });
    const during = createAuthenticator({ secrets: [newSecret, oldSecret] });
    expect(during.verify(signed(oldSecret), body, NOW)).toEqual({ ok: true, webhookId: 'msg_rotation' });
    expect(during.verify(signed(newSecret), body, NOW)).toEqual({ ok: true, webhookId: 'msg_rotation' });
    const after = createAuthenticator({ secrets: [newSecret] });
    expect(after.verify(signed(oldSecret), body, NOW)).toMatchObject({ ok: false, failure: 'mismatch' });
  });

  it('names the failure: too old, too new, malformed timestamp, missing header', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const auth = createAuthenticator({ secrets: [secret] });
    const body = Buffer.from('{}');
    const at = (seconds: number) => ({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(seconds),
      'webhook-signature': new Webhook(secret).sign('msg_1', new Date(seconds * 1000), '{}'),
    });
    const now = NOW / 1000;
    expect(auth.verify(at(now - TOLERANCE_SECONDS), body, NOW).ok).toBe(true);
    expect(auth.verify(at(now - TOLERANCE_SECONDS - 1), body, NOW)).toMatchObject({ failure: 'too-old' });
    expect(auth.verify(at(now + TOLERANCE_SECONDS), body, NOW).ok).toBe(true);
    expect(auth.verify(at(now + TOLERANCE_SECONDS + 1), body, NOW)).toMatchObject({ failure: 'too-new' });
    expect(auth.verify({ ...at(now), 'webhook-timestamp': '12a' }, body, NOW)).toMatchObject({
      failure: 'malformed-timestamp',
    });
    expect(auth.verify({ 'webhook-id': 'msg_1' }, body, NOW)).toMatchObject({ failure: 'missing' });
  });

  it('refuses a secret the standardwebhooks package refuses', () => {
    expect(() => createAuthenticator({ secrets: ['whsec_'] })).toThrow();
  });
});

describe('bearer tokens (issue 29)', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const [tokenA, tokenB] = ['token-a-0123456789abcdefghij', 'token-b-0123456789abcdefghij'];
  const body = Buffer.from('{}');
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('refuses a bearer token when signatures are configured: it has no timestamp and no replay check', () => {
    const auth = createAuthenticator({ secrets: [secret], bearerTokens: [tokenA] });
    expect(auth.verify(bearer(tokenA), body, NOW)).toMatchObject({ ok: false, failure: 'bearer-refused' });
    expect(auth.verify(bearer('anything'), body, NOW)).toMatchObject({
      ok: false,
      failure: 'bearer-refused',
    });
    // Signed requests still pass.
    const signed = {
      'webhook-id': 'msg_b',
      'webhook-timestamp': String(NOW / 1000),
      'webhook-signature': new Webhook(secret).sign('msg_b', new Date(NOW), '{}'),
    };
    expect(auth.verify(signed, body, NOW)).toEqual({ ok: true, webhookId: 'msg_b' });
  });

  it('accepts both when told to (RELAY_ALLOW_BEARER_WITH_SIGNATURES), and still refuses a wrong token', () => {
    const auth = createAuthenticator({
      secrets: [secret],
      bearerTokens: [tokenA],
      bearerWithSignatures: true,
    });
    expect(auth.verify(bearer(tokenA), body, NOW)).toEqual({ ok: true });
    expect(auth.verify(bearer(tokenB), body, NOW)).toMatchObject({ ok: false, failure: 'bad-token' });
  });

  it('accepts any of several tokens (rotation) and refuses the retired one after', () => {
    const during = createAuthenticator({ secrets: [], bearerTokens: [tokenB, tokenA] });
    expect(during.verify(bearer(tokenA), body, NOW)).toEqual({ ok: true });
    expect(during.verify(bearer(tokenB), body, NOW)).toEqual({ ok: true });
    expect(during.verify(bearer(`${tokenA}x`), body, NOW)).toMatchObject({ failure: 'bad-token' });
    expect(during.verify({}, body, NOW)).toMatchObject({ ok: false, failure: 'missing' });
    const after = createAuthenticator({ secrets: [], bearerTokens: [tokenB] });
    expect(after.verify(bearer(tokenA), body, NOW)).toMatchObject({ ok: false, failure: 'bad-token' });
  });
});
