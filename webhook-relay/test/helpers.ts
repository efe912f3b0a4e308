import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SEED_IDS, startSandbox, type Sandbox, type SandboxOptions } from '@opencx-d365/dataverse-sandbox';
import { Webhook } from 'standardwebhooks';
import { afterEach } from 'vitest';
import { handoffKey } from '../src/handoff/key.js';
import { createEmbeddedStore } from '../src/store/embedded.js';
import type { HandoffStore } from '../src/store/types.js';

export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const OTHER_SECRET = 'whsec_c2Vjb25kLXNlY3JldC1mb3ItdGVzdHMtb25seQ==';
export const NOW = Date.parse('2026-11-24T14:06:00Z');

export const fixturesDir = path.join(import.meta.dirname, 'fixtures');
export const readFixture = (relative: string) => readFileSync(path.join(fixturesDir, relative));
export const handoffFixtures = () => [
  'phone-full-details',
  'phone-no-email',
  'phone-anonymous',
  'email-only',
  'phone-long-midnight',
  'unicode-rtl',
  'tricky-text',
  'human-takeover',
  'national-format-phone',
  'uk-phone',
  'web-voice',
  'empty-messages',
];

let counter = 0;
/** Standard Webhooks headers for `body`, signed with `secret` at `at` (ms). */
export function sign(body: string | Buffer, options: { secret?: string; at?: number; id?: string } = {}) {
  const id = options.id ?? `msg_${(counter += 1)}_${Math.round(NOW / 1000)}`;
  const at = options.at ?? NOW;
  const payload = typeof body === 'string' ? body : body.toString('utf8');
  const signature = new Webhook(options.secret ?? SECRET).sign(id, new Date(at), payload);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at / 1000)),
    'webhook-signature': signature,
  };
}

/**
 * POSTs a handoff document to a running relay over HTTP as OpenCX does, signed now. The body is read so
 * the connection is free for the next request; status and headers stay on the returned response.
 */
export async function postSignedHandoff(relayUrl: string, document: object): Promise<Response> {
  return postSigned(relayUrl, '/v1/handoffs', document);
}

/** POSTs `value` as JSON to `path` on a running relay, signed now (any intake route). */
export async function postSigned(relayUrl: string, path: string, value: object): Promise<Response> {
  const body = JSON.stringify(value);
  const response = await fetch(`${relayUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...sign(body, { at: Date.now() }) },
    body,
  });
  await response.arrayBuffer();
  return response;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'opencx-relay-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function embeddedStore(): Promise<HandoffStore> {
  const store = createEmbeddedStore({ file: path.join(tempDir(), 'relay.sqlite') });
  await store.init();
  cleanups.push(() => store.close());
  return store;
}

export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/** A Dataverse sandbox started with `options`, closed when the test ends. */
export async function testSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const started = await startSandbox(options);
  cleanups.push(() => started.close());
  return started;
}

/**
 * The relay's environment for a loopback Dataverse sandbox with its seeded queue, owner and placeholder;
 * its operations listener on a free port (tests run side by side).
 */
export function sandboxEnv(sandboxUrl: string): Record<string, string> {
  return {
    OPS_PORT: '0',
    DATAVERSE_URL: sandboxUrl,
    DATAVERSE_AUTH: 'none',
    DEFAULT_QUEUE_ID: SEED_IDS.voiceQueue,
    DEFAULT_OWNER_ID: SEED_IDS.owner,
    UNIDENTIFIED_CUSTOMER_ID: SEED_IDS.unidentifiedCaller,
    WEBHOOK_SECRETS: SECRET,
  };
}

/**
 * Delivery settings for end-to-end tests that must absorb many faults in little time: short backoff, lease
 * and Dataverse timeout, and attempts enough that injected faults alone never dead-letter a handoff.
 */
export const FAST_RETRY_ENV = {
  DELIVERY_BACKOFF_BASE_MS: '20',
  DELIVERY_BACKOFF_MAX_MS: '200',
  DELIVERY_MAX_ATTEMPTS: '1000',
  DELIVERY_LEASE_MS: '2000',
  DATAVERSE_TIMEOUT_MS: '2000',
} as const;

/** Distinct handoffs made from the phone fixture (no email), one per label, and each one's handoff key. */
export function phoneHandoffs(prefix: string) {
  const base = JSON.parse(readFixture('handoffs/phone-no-email.json').toString('utf8')) as {
    session_id: string;
    handoff_at: string;
  };
  return {
    documentFor: (label: string) => ({ ...base, session_id: `${prefix}-${label}` }),
    keyOf: (document: { session_id: string }) => handoffKey(document.session_id, base.handoff_at),
  };
}
