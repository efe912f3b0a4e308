/**
 * The doors a security review found open at intake (issue 29): what an unexpected failure answers, dates
 * that pass the schema but are no instant, JSON nested deep enough to blow the stack, unbounded metric
 * labels, session links to another host, and session ids that would climb out of an OpenCX API path.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp, type AppDeps } from '../../src/app.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { embeddedStore, NOW, onCleanup, readFixture, SECRET, sign } from '../helpers.js';

const TEMPLATE = 'https://platform.open.cx/sessions/{session_id}';

async function relay(config: Partial<AppDeps['config']> = {}) {
  const store = await embeddedStore();
  const metrics = createMetrics(store);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = buildApp({
    config: { webhookSecrets: [SECRET], bodyLimit: 5 * 1024 * 1024, ...config },
    store,
    metrics,
    logger: createLogger('info', sink),
    clock: () => NOW,
  });
  onCleanup(() => app.close());
  const post = (url: string, body: string | object) => {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    return app.inject({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': 'application/json', ...sign(payload) },
    });
  };
  return { app, store, metrics, logs, post };
}

const handoff = () =>
  JSON.parse(readFixture('handoffs/phone-full-details.json').toString('utf8')) as Record<string, unknown> & {
    messages: Array<{ at: string }>;
  };
const handoffEvent = () =>
  JSON.parse(readFixture('opencx/event-handoff-to-human.json').toString('utf8')) as {
    event: string;
    data: Record<string, unknown>;
  };
type Problem = { detail: string; errors?: Array<{ pointer: string; detail: string }> };

describe('an unexpected failure', () => {
  it('is answered with a generic message, never the exception text, which goes to the log', async () => {
    const { app, logs } = await relay();
    app.get('/boom', () => {
      throw new Error('connect ECONNREFUSED 10.1.2.3:5432 (internal detail)');
    });
    const response = await app.inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().detail).toBe('The request could not be processed.');
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(logs.join('')).toContain('ECONNREFUSED 10.1.2.3:5432');
  });

  it("keeps fastify's own 4xx message, which says what the client did wrong", async () => {
    const { post } = await relay({ bodyLimit: 100 });
    const response = await post('/v1/handoffs', { pad: 'x'.repeat(200) });
    expect(response.statusCode).toBe(413);
    expect(response.json<Problem>().detail).toBe('The body is larger than the limit of 100 bytes.');
  });
});

describe('a date-time that is no instant (a leap second)', () => {
  const LEAP = '2016-12-31T23:59:60Z';

  it.each([
    ['handoff_at', (d: ReturnType<typeof handoff>) => ({ ...d, handoff_at: LEAP }), '/handoff_at'],
    [
      'a message time',
      (d: ReturnType<typeof handoff>) => ({
        ...d,
        messages: [d.messages[0], { ...d.messages[1], at: LEAP }],
      }),
      '/messages/1/at',
    ],
  ])('in %s is a 400 naming the field, and nothing is stored', async (_name, change, pointer) => {
    const { post, store } = await relay();
    const response = await post('/v1/handoffs', change(handoff()));
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().errors).toEqual([
      {
        pointer,
        detail: expect.stringContaining('a leap second such as 23:59:60 is not accepted') as string,
      },
    ]);
    expect(await store.list({})).toEqual([]);
  });

  it("in an OpenCX handoff event's timestamp is a 400 naming /data/timestamp", async () => {
    const { post } = await relay();
    const event = handoffEvent();
    const response = await post('/v1/opencx/events', { ...event, data: { ...event.data, timestamp: LEAP } });
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().errors?.[0].pointer).toBe('/data/timestamp');
  });

  it('in the messages added after a handoff is a 400 naming the field', async () => {
    const { post } = await relay({ appendAfterHandoff: true });
    const accepted = await post('/v1/handoffs', handoff());
    const key = accepted.json<{ handoff_id: string }>().handoff_id;
    const response = await post(`/v1/handoffs/${key}/messages`, {
      messages: [{ at: LEAP, role: 'contact', text: 'one more thing' }],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().errors?.[0].pointer).toBe('/messages/0/at');
  });
});

describe('JSON nested deeper than any handoff', () => {
  it('a million levels under data is a clear 400, and the relay goes on', async () => {
    const { post } = await relay();
    const depth = 1_000_000;
    const body = `{"event":"conversation.handoff_to_human","data":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const response = await post('/v1/opencx/events', body);
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().detail).toBe(
      'The JSON is nested more than 64 levels deep; a handoff or an OpenCX event never is.',
    );
    expect((await post('/v1/handoffs', handoff())).statusCode).toBe(202);
  });

  it('64 levels of brackets inside a string are only text', async () => {
    const { post } = await relay();
    const document = handoff();
    document.messages[0] = { ...document.messages[0], text: '['.repeat(10_000) } as never;
    expect((await post('/v1/handoffs', document)).statusCode).toBe(202);
  });
});

describe('the event label of the ignored-events metric', () => {
  it('is the event name when OpenCX documents it, and "other" for anything else', async () => {
    const { post, metrics } = await relay();
    const data = { conversation_id: 'c-1', timestamp: '2026-11-24T12:00:00Z' };
    for (const event of ['conversation.started', 'x-evil-1', 'x-evil-2', `${'y'.repeat(150)}`])
      expect((await post('/v1/opencx/events', { event, data })).statusCode).toBe(202);
    const text = await metrics.registry.getSingleMetricAsString('opencx_relay_events_ignored_total');
    expect(text).toContain('opencx_relay_events_ignored_total{event="conversation.started"} 1');
    expect(text).toContain('opencx_relay_events_ignored_total{event="other"} 3');
    expect(text).not.toContain('x-evil');
  });
});

describe('a session_url', () => {
  let sessions = 0;
  const stored = async (r: Awaited<ReturnType<typeof relay>>, sessionUrl: string) => {
    sessions += 1;
    const document = { ...handoff(), session_id: `url-${sessions}`, session_url: sessionUrl };
    const response = await r.post('/v1/handoffs', document);
    expect(response.statusCode).toBe(202);
    const record = await r.store.get(response.json<{ handoff_id: string }>().handoff_id);
    return (JSON.parse(record!.payload) as { session_url?: string }).session_url;
  };

  it("on another origin than OPENCX_SESSION_URL_TEMPLATE's is dropped, counted and logged", async () => {
    const r = await relay({ opencx: { sessionUrlTemplate: TEMPLATE } });
    expect(await stored(r, 'https://platform.open.cx.evil.example/sessions/1')).toBeUndefined();
    expect(
      await r.metrics.registry.getSingleMetricAsString('opencx_relay_session_urls_dropped_total'),
    ).toContain('reason="origin"} 1');
    expect(r.logs.join('')).toContain("its origin is not OPENCX_SESSION_URL_TEMPLATE's");
  });

  it("on the template's origin is kept; a non-https one is dropped as before", async () => {
    const r = await relay({ opencx: { sessionUrlTemplate: TEMPLATE } });
    expect(await stored(r, 'https://platform.open.cx/sessions/abc?tab=call')).toBe(
      'https://platform.open.cx/sessions/abc?tab=call',
    );
    expect(await stored(r, 'http://platform.open.cx/sessions/abc')).toBeUndefined();
    expect(
      await r.metrics.registry.getSingleMetricAsString('opencx_relay_session_urls_dropped_total'),
    ).toContain('reason="scheme"} 1');
  });

  it('without a template, any https: link is kept (the sender is authenticated)', async () => {
    const r = await relay();
    expect(await stored(r, 'https://opencx.example.org/s/1')).toBe('https://opencx.example.org/s/1');
  });
});

describe('a session id', () => {
  it.each(['..', '.', '../../admin', 'a/b', 'a b', '%2e%2e', 'x'.repeat(201), 'é'])(
    '%j is refused at /v1/handoffs and /v1/opencx/events, naming the field',
    async (id) => {
      const { post, store } = await relay();
      const direct = await post('/v1/handoffs', { ...handoff(), session_id: id });
      expect(direct.statusCode).toBe(400);
      expect(direct.json<Problem>().errors?.map((e) => e.pointer)).toContain('/session_id');
      const event = handoffEvent();
      const native = await post('/v1/opencx/events', {
        ...event,
        data: { ...event.data, conversation_id: id },
      });
      expect(native.statusCode).toBe(400);
      expect(native.json<Problem>().errors?.map((e) => e.pointer)).toContain('/data/conversation_id');
      expect(await store.list({})).toEqual([]);
    },
  );

  it('is refused in a conversation.closed event when its turns would be fetched (APPEND_AFTER_HANDOFF)', async () => {
    const { post } = await relay({ appendAfterHandoff: true });
    const closed = JSON.parse(readFixture('opencx/event-conversation-closed.json').toString('utf8')) as {
      data: Record<string, unknown>;
    };
    const response = await post('/v1/opencx/events', {
      ...closed,
      data: { ...closed.data, conversation_id: '..' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().errors?.[0].pointer).toBe('/data/conversation_id');
  });

  it.each(['ba2f757e-39b0-47ce-a8a2-c34b3b41819e', 'sess_01HZX3', 'a.b:c-d_e', '_x'])(
    '%j is accepted',
    async (id) => {
      const { post } = await relay();
      expect((await post('/v1/handoffs', { ...handoff(), session_id: id })).statusCode).toBe(202);
    },
  );
});

describe('a bearer token next to signatures', () => {
  it('is answered 401 signature-bearer-refused unless RELAY_ALLOW_BEARER_WITH_SIGNATURES', async () => {
    const token = 'a-bearer-token-of-28-bytes!!';
    const send = async (allow: boolean) => {
      const { app } = await relay({ relayBearerTokens: [token], allowBearerWithSignatures: allow });
      return app.inject({
        method: 'POST',
        url: '/v1/handoffs',
        payload: JSON.stringify(handoff()),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
    };
    const refused = await send(false);
    expect(refused.statusCode).toBe(401);
    expect(refused.json<{ code: string }>().code).toBe('signature-bearer-refused');
    expect((await send(true)).statusCode).toBe(202);
  });
});
