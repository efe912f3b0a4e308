/**
 * Webhook authentication, independent of the HTTP framework: Standard Webhooks signatures (several secrets
 * for rotation, 5-minute tolerance against an injected clock) or a static bearer token.
 * Signing is the `standardwebhooks` package's own; we only check the timestamp ourselves so tests can
 * inject the clock.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { messages } from '../messages.js';

export const TOLERANCE_SECONDS = 5 * 60;

export type AuthFailure =
  'missing' | 'too-old' | 'too-new' | 'malformed-timestamp' | 'mismatch' | 'bad-token';
export type AuthOutcome =
  { ok: true; webhookId?: string } | { ok: false; failure: AuthFailure; detail: string };

export interface Authenticator {
  verify(headers: Record<string, string | string[] | undefined>, rawBody: string, now: number): AuthOutcome;
  readonly enabled: boolean;
}

const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const digest = (text: string) => createHash('sha256').update(text).digest();
const s = messages.intake.signature;

export function createAuthenticator(options: { secrets: string[]; bearerToken?: string }): Authenticator {
  const webhooks = options.secrets.map((secret) => new Webhook(secret));
  const token = options.bearerToken ? digest(options.bearerToken) : undefined;
  return {
    enabled: webhooks.length > 0 || token !== undefined,
    verify(headers, rawBody, now) {
      const id = header(headers, 'webhook-id');
      const timestamp = header(headers, 'webhook-timestamp');
      const signature = header(headers, 'webhook-signature');
      if (webhooks.length && (id || timestamp || signature)) {
        if (!id || !timestamp || !signature) return { ok: false, failure: 'missing', detail: s.missing };
        if (!/^\d{1,12}$/.test(timestamp))
          return { ok: false, failure: 'malformed-timestamp', detail: s.malformedTimestamp };
        const seconds = Number(timestamp);
        const nowSeconds = Math.floor(now / 1000);
        if (nowSeconds - seconds > TOLERANCE_SECONDS)
          return { ok: false, failure: 'too-old', detail: s.tooOld };
        if (seconds > nowSeconds + TOLERANCE_SECONDS)
          return { ok: false, failure: 'too-new', detail: s.tooNew };
        const offered = signature
          .split(' ')
          .map((part) => part.split(','))
          .filter(([version, value]) => version === 'v1' && value)
          .map(([, value]) => Buffer.from(value));
        for (const webhook of webhooks) {
          const expected = Buffer.from(
            webhook.sign(id, new Date(seconds * 1000), rawBody).split(',')[1] ?? '',
          );
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
      if (token && authorization?.startsWith('Bearer ')) {
        return timingSafeEqual(digest(authorization.slice(7)), token)
          ? { ok: true }
          : { ok: false, failure: 'bad-token', detail: s.badToken };
      }
      if (!webhooks.length && !token) return { ok: true };
      return { ok: false, failure: 'missing', detail: webhooks.length ? s.missing : s.badToken };
    },
  };
}
