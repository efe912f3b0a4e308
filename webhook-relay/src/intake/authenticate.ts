/**
 * Webhook authentication, independent of the HTTP framework: Standard Webhooks signatures (several secrets
 * for rotation, 5-minute tolerance against an injected clock) or static bearer tokens (several, for
 * rotation). With secrets configured a bearer token is refused unless `bearerWithSignatures` says
 * otherwise: it has no timestamp and no replay check, so accepting it would let a request skip both.
 * The signature is the Standard Webhooks one, `v1,` + base64(HMAC-SHA256(key, `id.timestamp.payload`)),
 * computed with node:crypto's native HMAC: the `standardwebhooks` package's pure-JS SHA-256 was 8% of the
 * relay's CPU under load (bench/relay-intake.mjs). test/intake/authenticate.test.ts proves the two agree.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { Webhook } from 'standardwebhooks';
import { messages } from '../messages.js';

export const TOLERANCE_SECONDS = 5 * 60;

export type AuthFailure =
  'missing' | 'too-old' | 'too-new' | 'malformed-timestamp' | 'mismatch' | 'bad-token' | 'bearer-refused';
export type AuthOutcome =
  { ok: true; webhookId?: string } | { ok: false; failure: AuthFailure; detail: string };

export interface Authenticator {
  verify(
    headers: Record<string, string | string[] | undefined>,
    rawBody: Buffer | string,
    now: number,
  ): AuthOutcome;
  readonly enabled: boolean;
}

const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const digest = (text: string) => createHash('sha256').update(text).digest();
const s = messages.intake.signature;

/**
 * The HMAC key of a `whsec_…` secret. `new Webhook(secret)` first, so a secret the package refuses (bad
 * base64, empty) is refused here too; for every secret it accepts, Node's base64 decodes the same bytes.
 */
function keyOf(secret: string): Buffer {
  new Webhook(secret);
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/**
 * `standardwebhooks` signs the payload as a string (a Buffer is decoded as UTF-8 first). For valid UTF-8
 * the bytes are that string's encoding, so they are hashed as they are, without a copy; otherwise the
 * decoded form (with U+FFFD) is hashed, as the package would, and the route then refuses the body as
 * invalid UTF-8.
 */
function signature(key: Buffer, id: string, seconds: number, payload: Buffer | string): string {
  const body = typeof payload === 'string' || isUtf8(payload) ? payload : payload.toString('utf8');
  return createHmac('sha256', key).update(`${id}.${seconds}.`).update(body).digest('base64');
}

export interface AuthenticatorOptions {
  /** Standard Webhooks secrets (`whsec_…`). */
  secrets: readonly string[];
  /** Static bearer tokens; any of them is accepted (rotation). */
  bearerTokens?: readonly string[];
  /** With secrets configured, also accept a bearer token (RELAY_ALLOW_BEARER_WITH_SIGNATURES). Default false. */
  bearerWithSignatures?: boolean;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const keys = options.secrets.map(keyOf);
  // Compared as SHA-256 digests: equal lengths for timingSafeEqual, whatever the token's length.
  const tokens = (options.bearerTokens ?? []).filter(Boolean).map(digest);
  const bearerAccepted = tokens.length > 0 && (keys.length === 0 || options.bearerWithSignatures === true);
  /** Every token is compared, so the time taken does not say which one (or whether any) matched. */
  const tokenMatches = (offered: string) => {
    const candidate = digest(offered);
    return tokens.reduce((found, token) => timingSafeEqual(candidate, token) || found, false);
  };
  return {
    enabled: keys.length > 0 || tokens.length > 0,
    verify(headers, rawBody, now) {
      const id = header(headers, 'webhook-id');
      const timestamp = header(headers, 'webhook-timestamp');
      const offeredHeader = header(headers, 'webhook-signature');
      if (keys.length && (id || timestamp || offeredHeader)) {
        if (!id || !timestamp || !offeredHeader) return { ok: false, failure: 'missing', detail: s.missing };
        if (!/^\d{1,12}$/.test(timestamp))
          return { ok: false, failure: 'malformed-timestamp', detail: s.malformedTimestamp };
        const seconds = Number(timestamp);
        const nowSeconds = Math.floor(now / 1000);
        if (nowSeconds - seconds > TOLERANCE_SECONDS)
          return { ok: false, failure: 'too-old', detail: s.tooOld };
        if (seconds > nowSeconds + TOLERANCE_SECONDS)
          return { ok: false, failure: 'too-new', detail: s.tooNew };
        const offered = offeredHeader
          .split(' ')
          .map((part) => part.split(','))
          .filter(([version, value]) => version === 'v1' && value)
          .map(([, value]) => Buffer.from(value));
        for (const key of keys) {
          const expected = Buffer.from(signature(key, id, seconds, rawBody));
          if (
            offered.some(
              (candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected),
            )
          ) {
            return { ok: true, webhookId: id };
          }
        }
        return { ok: false, failure: 'mismatch', detail: s.mismatch };
      }
      const authorization = header(headers, 'authorization');
      const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
      if (bearer !== undefined && keys.length && !bearerAccepted)
        return { ok: false, failure: 'bearer-refused', detail: s.bearerRefused };
      if (bearer !== undefined && bearerAccepted) {
        return tokenMatches(bearer) ? { ok: true } : { ok: false, failure: 'bad-token', detail: s.badToken };
      }
      if (!keys.length && !tokens.length) return { ok: true };
      return { ok: false, failure: 'missing', detail: keys.length ? s.missing : s.badToken };
    },
  };
}
