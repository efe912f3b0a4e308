import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { handoffKey } from '../../src/handoff/key.js';
import type { HandoffStore } from '../../src/store/types.js';
import { StoreUnavailableError } from '../../src/store/types.js';
import {
  embeddedStore,
  handoffFixtures,
  NOW,
  onCleanup,
  OTHER_SECRET,
  readFixture,
  SECRET,
  sign,
} from '../helpers.js';

interface Manifest {
  cases: Array<{
    file: string | null;
    expect: number;
    contentType?: string;
    body?: string;
    signing?: string;
    generate?: { bytes?: number; invalidUtf8?: boolean };
  }>;
}

async function app(store?: HandoffStore, config: { bearer?: string } = {}) {
  const s = store ?? (await embeddedStore());
  const instance = buildApp({
    config: {
      webhookSecrets: [OTHER_SECRET, SECRET],
      relayBearerTokens: config.bearer ? [config.bearer] : [],
      allowBearerWithSignatures: true,
      bodyLimit: 5 * 1024 * 1024,
    },
    store: s,
    clock: () => NOW,
  });
  onCleanup(() => instance.close());
  return { instance, store: s };
}

function post(
  instance: Awaited<ReturnType<typeof app>>['instance'],
  body: string | Buffer,
  headers: Record<string, string>,
) {
  return instance.inject({
    method: 'POST',
    url: '/v1/handoffs',
    payload: body,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

describe('POST /v1/handoffs', () => {
  it.each(handoffFixtures())('accepts the %s fixture with 202 after storing it durably', async (name) => {
    const { instance, store } = await app();
    const body = readFixture(`handoffs/${name}.json`).toString('utf8');
    const response = await post(instance, body, sign(body));
    expect(response.statusCode).toBe(202);
    const document = JSON.parse(body) as { session_id: string; handoff_at: string };
    const key = handoffKey(document.session_id, document.handoff_at);
    expect(response.json()).toEqual({ handoff_id: key, incident_id: key, status: 'accepted' });
    expect(await store.get(key)).toMatchObject({ status: 'received', kind: 'handoff' });
  });

  it('answers a repeated handoff key with 200 and the current status, storing it once', async () => {
    const { instance, store } = await app();
    const body = readFixture('handoffs/phone-no-email.json').toString('utf8');
    expect((await post(instance, body, sign(body))).statusCode).toBe(202);
    const again = await post(instance, body, sign(body));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'received' });
    expect((await store.list()).length).toBe(1);
  });

  it('treats the same instant with another offset as the same handoff', async () => {
    const { instance } = await app();
    const document = JSON.parse(readFixture('handoffs/phone-no-email.json').toString('utf8')) as Record<
      string,
      unknown
    >;
    const first = JSON.stringify({ ...document, handoff_at: '2026-11-24T14:05:09Z' });
    const second = JSON.stringify({ ...document, handoff_at: '2026-11-24T16:05:09+02:00' });
    expect((await post(instance, first, sign(first))).statusCode).toBe(202);
    expect((await post(instance, second, sign(second))).statusCode).toBe(200);
  });

  const manifest = JSON.parse(readFixture('bad/manifest.json').toString('utf8')) as Manifest;
  it.each(
    manifest.cases.map(
      (c, index) => [`${index}: ${c.file ?? c.signing ?? JSON.stringify(c.generate)}`, c] as const,
    ),
  )('answers the bad request %s as the manifest expects', async (_name, testCase) => {
    const { instance, store } = await app();
    const valid = readFixture(testCase.body ?? 'handoffs/phone-no-email.json').toString('utf8');
    let body: Buffer = Buffer.from(valid);
    if (testCase.file) body = readFixture(`bad/${testCase.file}`);
    if (testCase.generate?.bytes) {
      const document = JSON.parse(valid) as { messages: Array<{ text: string }> };
      document.messages[0].text = 'x'.repeat(testCase.generate.bytes);
      body = Buffer.from(JSON.stringify(document));
    }
    if (testCase.generate?.invalidUtf8) {
      const marker = 'INVALID_UTF8_HERE';
      const document = JSON.parse(valid) as { messages: Array<{ text: string }> };
      document.messages[0].text = marker;
      const text = JSON.stringify(document);
      const at = text.indexOf(marker);
      body = Buffer.concat([
        Buffer.from(text.slice(0, at)),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(text.slice(at + marker.length)),
      ]);
    }
    let headers: Record<string, string> = sign(body);
    const signing = testCase.signing ?? '';
    if (signing.startsWith('none')) headers = {};
    else if (signing.includes('different secret'))
      headers = sign(body, { secret: 'whsec_ZGlmZmVyZW50LXNlY3JldC1ub3QtY29uZmlndXJlZA==' });
    else if (signing.includes('10 minutes in the past')) headers = sign(body, { at: NOW - 10 * 60_000 });
    else if (signing.includes('10 minutes in the future')) headers = sign(body, { at: NOW + 10 * 60_000 });
    else if (signing.includes('one byte of the body changed')) {
      headers = sign(body);
      body = Buffer.from(body.toString('utf8').replace('"', "'"));
    } else if (signing.includes('malformed'))
      headers = { ...sign(body), 'webhook-signature': sign(body)['webhook-signature'].slice(3) };
    else if (signing.includes('same webhook-id')) {
      const first = sign(body);
      expect((await post(instance, body, first)).statusCode).toBe(202);
      headers = first;
    }
    const response = await instance.inject({
      method: 'POST',
      url: '/v1/handoffs',
      payload: body,
      headers: { 'content-type': testCase.contentType ?? 'application/json', ...headers },
    });
    expect(response.statusCode).toBe(testCase.expect);
    if (testCase.expect >= 400) {
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await store.list()).toHaveLength(0);
    }
    if (testCase.file === 'many-errors.json') {
      const pointers = response.json<{ errors: Array<{ pointer: string }> }>().errors.map((e) => e.pointer);
      expect(pointers).toEqual(
        expect.arrayContaining(['/session_id', '/handoff_at', '/channel', '/messages']),
      );
    }
    if (signing.includes('same webhook-id')) expect(await store.list()).toHaveLength(1);
  });

  it('accepts a bearer token instead of a signature, compared in constant time', async () => {
    const { instance } = await app(undefined, { bearer: 'a-long-random-token' });
    const body = readFixture('handoffs/web-voice.json').toString('utf8');
    expect((await post(instance, body, { authorization: 'Bearer a-long-random-token' })).statusCode).toBe(
      202,
    );
    expect((await post(instance, body, { authorization: 'Bearer wrong' })).statusCode).toBe(401);
  });

  it('drops a session_url that is not https: and still accepts the handoff', async () => {
    const { instance, store } = await app();
    const document = JSON.parse(readFixture('handoffs/phone-full-details.json').toString('utf8')) as Record<
      string,
      unknown
    >;
    const body = JSON.stringify({ ...document, session_url: 'javascript:alert(1)' });
    const response = await post(instance, body, sign(body));
    expect(response.statusCode).toBe(202);
    const stored = await store.get(response.json<{ handoff_id: string }>().handoff_id);
    expect(JSON.parse(stored!.payload)).not.toHaveProperty('session_url');
  });

  it('answers 503 with Retry-After and never 202 when the store cannot take the handoff', async () => {
    const store = await embeddedStore();
    const failing: HandoffStore = {
      ...store,
      insert: () => Promise.reject(new StoreUnavailableError('down')),
    };
    const { instance } = await app(failing);
    const body = readFixture('handoffs/phone-no-email.json').toString('utf8');
    const response = await post(instance, body, sign(body));
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
  });

  it('answers only 4xx to arbitrary bodies and signatures, and stays healthy', async () => {
    const { instance } = await app();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.json(),
          fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
        ),
        fc.record({
          'webhook-id': fc.string(),
          'webhook-timestamp': fc.oneof(fc.string(), fc.constant(String(Math.floor(NOW / 1000)))),
          'webhook-signature': fc.string(),
        }),
        fc.boolean(),
        async (body, headers, signed) => {
          const response = await post(instance, body, signed ? sign(body) : headers);
          expect(response.statusCode).toBeGreaterThanOrEqual(200);
          expect(response.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 300, seed: 20261124 },
    );
    expect((await instance.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('health and readiness on the intake port', () => {
  it('reports readiness from the store, and serves no metrics (they are on the operations listener)', async () => {
    const { instance } = await app();
    expect((await instance.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({
      store: true,
      dataverse: true,
    });
    expect((await instance.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });
});
