import { describe, expect, it } from 'vitest';
import { handoffFromOpenCx } from '../../src/opencx/to-handoff.js';
import { createRateLimiter } from '../../src/opencx/rate-limiter.js';
import type { HandoffDocument } from '../../src/handoff/document.js';
import { SEED_IDS } from '@opencx-d365/dataverse-sandbox';
import { fixtureSession, INCIDENT, json, KEY, SESSION_ID, setup } from './relay-harness.js';

describe('POST /v1/opencx/events', () => {
  it.each(['event-handoff-to-human', 'event-handoff-to-human-array'])(
    'stores the %s event durably and answers 202',
    async (name) => {
      const { post, store } = await setup();
      const response = await post('/v1/opencx/events', json(name));
      expect(response.statusCode).toBe(202);
      expect(response.json()).toEqual({ handoff_id: INCIDENT, incident_id: INCIDENT, status: 'accepted' });
      expect(await store.get(INCIDENT)).toMatchObject({
        kind: 'opencx-event',
        status: 'received',
        sessionId: SESSION_ID,
      });
    },
  );

  it.each(['event-conversation-started', 'event-conversation-closed', 'event-phone-call-ended'])(
    'answers the %s event 202, counts it and stores nothing',
    async (name) => {
      const { post, store, metrics } = await setup();
      const body = json<{ event: string }>(name);
      const response = await post('/v1/opencx/events', body);
      expect(response.statusCode).toBe(202);
      expect(response.json()).toEqual({ status: 'ignored', event: body.event });
      expect(await store.list({})).toEqual([]);
      expect(await metrics.registry.getSingleMetricAsString('opencx_relay_events_ignored_total')).toContain(
        `event="${body.event}"} 1`,
      );
    },
  );

  it('answers a repeated delivery as a duplicate with its status', async () => {
    const { post } = await setup();
    expect((await post('/v1/opencx/events', json('event-handoff-to-human'))).statusCode).toBe(202);
    const again = await post('/v1/opencx/events', json('event-handoff-to-human-array'));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ handoff_id: INCIDENT, status: 'received' });
  });

  it('lists every bad field of a malformed handoff event, and refuses unsigned ones', async () => {
    const { post } = await setup();
    const bad = await post('/v1/opencx/events', {
      event: 'conversation.handoff_to_human',
      data: { timestamp: 'yesterday' },
    });
    expect(bad.statusCode).toBe(400);
    const pointers = bad.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/data/conversation_id', '/data/timestamp']));
    expect((await post('/v1/opencx/events', { event: 'x', data: [1, 2] })).statusCode).toBe(400);
    expect((await post('/v1/opencx/events', { nothing: true })).statusCode).toBe(400);
  });
});

describe('turning an OpenCX handoff into a case', () => {
  it('maps the event, session and history to the equivalent handoff document', () => {
    const { session, history } = fixtureSession();
    const data = json<{ data: Parameters<typeof handoffFromOpenCx>[0] }>('event-handoff-to-human').data;
    expect(handoffFromOpenCx(data, session, history)).toEqual(json<HandoffDocument>('equivalent-handoff'));
  });

  it('creates the same case as the equivalent handoff document posted to /v1/handoffs', async () => {
    const native = await setup();
    await native.post('/v1/opencx/events', json('event-handoff-to-human'));
    await native.drain();
    expect(await native.store.get(INCIDENT)).toMatchObject({ status: 'created', incidentId: INCIDENT });

    const direct = await setup();
    expect((await direct.post('/v1/handoffs', json('equivalent-handoff'))).statusCode).toBe(202);
    await direct.drain();

    const pick = (s: typeof native.sandbox) => {
      const incident = s.state.get('incidents', INCIDENT)!;
      const { title, description, caseorigincode, prioritycode, _customerid_value, _ownerid_value } =
        incident;
      return {
        incident: { title, description, caseorigincode, prioritycode, _customerid_value, _ownerid_value },
        queue: s.state.rows('queueitems').map((q) => q._queueid_value),
      };
    };
    expect(pick(native.sandbox)).toEqual(pick(direct.sandbox));
    expect(pick(native.sandbox).incident.title).toBe('Device offline - Hannah Becker');
    expect(pick(native.sandbox).incident._customerid_value).toBe(SEED_IDS.unidentifiedCaller);
  });

  it('reads every page of a long history (4 pages of 3), each with the previous cursor', async () => {
    const { post, drain, api, sandbox } = await setup({ pageSize: 3 });
    await post('/v1/opencx/events', json('event-handoff-to-human'));
    await drain();
    const pages = api.requests.filter((r) => r.path.endsWith('/history'));
    expect(pages.map((r) => r.query)).toEqual(['', '?cursor=c3', '?cursor=c6', '?cursor=c9']);
    expect(pages.every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(String(sandbox.state.get('incidents', INCIDENT)!.description)).toContain(
      'I will connect you with a technician',
    );
  });

  it('retries after OpenCX throttles (429, Retry-After) and fails (503), then creates the case', async () => {
    const { post, drain, api, store } = await setup();
    api.setFaults({ throttleNext: { count: 2, retryAfterSeconds: 30 }, failNext: { count: 2, status: 503 } });
    await post('/v1/opencx/events', json('event-handoff-to-human'));
    await drain();
    expect(api.requests.map((r) => r.status).slice(0, 4)).toEqual([429, 429, 503, 503]);
    expect(await store.get(INCIDENT)).toMatchObject({ status: 'created' });
  });

  it.each([
    [
      'a key without the chat-sessions:read scope',
      { key: 'ocx_no_scope' },
      403,
      'opencx_unauthorized',
      /chat-sessions:read/,
    ],
    ['a wrong key', { key: 'ocx_wrong' }, 401, 'opencx_unauthorized', /chat-sessions:read/],
    ['an unknown session', { sessions: [] }, 404, 'opencx_session_not_found', /no session ba2f757e/],
  ] as const)(
    'dead-letters the event at once for %s, with the reason',
    async (_, options, status, code, reason) => {
      const { post, drain, store, api } = await setup(options);
      await post('/v1/opencx/events', json('event-handoff-to-human'));
      await drain();
      const record = await store.get(INCIDENT);
      expect(record).toMatchObject({ status: 'failed', lastError: { code, httpStatus: status } });
      expect(record!.lastError!.reason).toMatch(reason);
      expect(api.requests).toHaveLength(1);
    },
  );

  it('creates one case for duplicate deliveries of the same event', async () => {
    const { post, drain, sandbox } = await setup();
    await post('/v1/opencx/events', json('event-handoff-to-human'), 'msg_1');
    await post('/v1/opencx/events', json('event-handoff-to-human'), 'msg_2');
    await post('/v1/opencx/events', json('event-handoff-to-human-array'), 'msg_3');
    await drain();
    expect(sandbox.state.rows('incidents')).toHaveLength(1);
  });

  it('does not turn a web chat into a case, and says why in the record', async () => {
    const { post, drain, store, sandbox } = await setup({
      sessions: [fixtureSession({ channel: { type: 'web_chat' } })],
    });
    await post('/v1/opencx/events', json('event-handoff-to-human'));
    await drain();
    expect(await store.get(INCIDENT)).toMatchObject({
      status: 'skipped',
      note: expect.stringContaining(
        'Channel web_chat is not turned into cases (INCIDENT_CHANNELS=phone_voice,web_voice,email)',
      ) as string,
    });
    expect(sandbox.state.rows('incidents')).toHaveLength(0);
  });

  it('dead-letters with the fix when OPENCX_API_KEY is not set', async () => {
    const { post, drain, store } = await setup({ key: '' });
    await post('/v1/opencx/events', json('event-handoff-to-human'));
    await drain();
    expect(await store.get(INCIDENT)).toMatchObject({
      status: 'failed',
      lastError: { code: 'opencx_not_configured' },
    });
  });
});

describe('the OpenCX rate limiter', () => {
  it('lets a burst of the per-minute budget through, then paces requests evenly', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = createRateLimiter({
      perMinute: 100,
      clock: () => now,
      sleep: (ms) => {
        waits.push(ms);
        now += ms;
        return Promise.resolve();
      },
    });
    for (let i = 0; i < 100; i++) await limiter.take();
    expect(waits).toEqual([]);
    for (let i = 0; i < 10; i++) await limiter.take();
    expect(now).toBeGreaterThanOrEqual(10 * 600);
    expect(now).toBeLessThanOrEqual(10 * 600 + 10);
  });
});
