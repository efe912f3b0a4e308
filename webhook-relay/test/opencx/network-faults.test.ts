/**
 * OpenCX's API failing now and then, as a real network does (issue 27): a request that fails is tried
 * again where it failed, a history read that gives up keeps the pages it read (redacted) and the next
 * attempt resumes at the page that failed, and an attempt is counted only when a read gives up. Every
 * fault is seeded and every wait moves the test's clock: nothing here waits for real.
 */
import { describe, expect, it } from 'vitest';
import { appendToCase } from '../../src/append/append-to-case.js';
import { DataverseRequestError, type DataverseClient } from '../../src/dataverse/client.js';
import { classify } from '../../src/dataverse/errors.js';
import type { ClosedSessionPayload } from '../../src/delivery/append-step.js';
import { transcriptNoteId } from '../../src/handoff/key.js';
import type { OpenCxHistoryItem } from '../../src/opencx/client.js';
import type { OpenCxEventPayload } from '../../src/opencx/envelope.js';
import { IN_PLACE, waitBeforeNextTry } from '../../src/retry-in-place.js';
import { createOpenCxClient, retryAtOf } from '../../src/opencx/client.js';
import { createRateLimiter } from '../../src/opencx/rate-limiter.js';
import { NOW } from '../helpers.js';
import type { FakeSession } from './fake-opencx-api.js';
import { fixtureSession, INCIDENT, json, KEY, SESSION_ID, setup } from './relay-harness.js';

const PAGE = 5;
const CARD = '4111 1111 1111 1111';
/** What the caller said in turn `n` (one turn, turn 7, reads out a card number). */
const said = (n: number) =>
  n === 7 ? `turn ${n}: my card is ${CARD}` : `turn ${n}: the thermostat still shows error E${n}`;

/** What was said in turn `n` after the handoff (turn 2 reads out a card number). */
const saidAfter = (n: number) =>
  n === 2 ? `after ${n}: it is ${CARD}, go ahead` : `after ${n}: the agent checks step ${n}`;

/** A call of 59 turns and its handoff: 60 history items, 12 pages of 5; `after` more turns follow it. */
function longSession(after = 0): FakeSession {
  const start = Date.parse('2026-11-24T11:55:00Z');
  const at = (i: number) => new Date(start + i * 8000).toISOString();
  const history: OpenCxHistoryItem[] = Array.from({ length: 59 }, (_, n) => ({
    id: `evt_${n}`,
    created_at: at(n),
    event: {
      type: 'message',
      sender: { type: n % 2 ? 'ai' : 'contact' },
      content: { type: 'text', text: said(n) },
    },
  }));
  // At the event's timestamp: the handoff the closed session's turns are added to is found by it.
  const handoffAt = '2026-11-24T12:04:30Z';
  history.push({ id: 'evt_handoff', created_at: handoffAt, event: { type: 'handoff' } });
  for (let n = 0; n < after; n++)
    history.push({
      id: `evt_after_${n}`,
      created_at: new Date(Date.parse(handoffAt) + (n + 1) * 8000).toISOString(),
      event: {
        type: 'message',
        sender: { type: n % 2 ? 'contact' : 'human_agent', name: 'Rosa' },
        content: { type: 'text', text: saidAfter(n) },
      },
    });
  return { ...fixtureSession(), history };
}

/** The page a history request asked for: 0 without a cursor, else the cursor's first item / 5. */
const pageOf = (query: string) => (query ? Number(/cursor=c(\d+)/.exec(query)![1]) / PAGE : 0);

async function longCall(env: Record<string, string> = {}, after = 0) {
  const relay = await setup({ sessions: [longSession(after)], pageSize: PAGE, env });
  const history = () => relay.api.requests.filter((r) => r.path.endsWith('/history'));
  /** The case's whole transcript as Dataverse holds it: description and, when shortened, the note. */
  const transcript = () =>
    [
      relay.sandbox.state.get('incidents', INCIDENT)?.description,
      relay.sandbox.state.get('annotations', transcriptNoteId(INCIDENT))?.notetext,
    ].join('\n');
  return { ...relay, history, transcript };
}

/** How many requests were given up: IN_PLACE.tries failures in a row of one request. */
function givenUp(requests: Array<{ path: string; query: string; status: number }>): number {
  let run = 0;
  let gaveUp = 0;
  requests.forEach((r, i) => {
    const same = i > 0 && requests[i - 1].path === r.path && requests[i - 1].query === r.query;
    run = r.status === 200 ? 0 : same ? run + 1 : 1;
    if (run === IN_PLACE.tries) gaveUp += 1;
  });
  return gaveUp;
}

/** Every page was read once with success, in order, and none was asked for again after that. */
function expectNoRestart(requests: Array<{ query: string; status: number }>) {
  const pages = requests.map((r) => pageOf(r.query));
  pages.forEach((page, i) => {
    if (i > 0) expect([pages[i - 1], pages[i - 1] + 1]).toContain(page);
  });
  const answered = requests.filter((r) => r.status === 200).map((r) => pageOf(r.query));
  expect(answered).toEqual(Array.from({ length: 12 }, (_, i) => i));
}

describe('an OpenCX API that fails now and then', () => {
  const SEEDS = Array.from({ length: 16 }, (_, i) => i + 1);
  const faultsSeen: number[] = [];
  let readsGivenUp = 0;

  it.each(SEEDS)(
    'creates the case with every turn of a 12-page history through 10%% 500s and 5%% 429s, never reading page one again (seed %i)',
    async (seed) => {
      const relay = await longCall();
      relay.api.setFaults({ flaky: { seed, errorRate: 0.1, throttleRate: 0.05, retryAfterSeconds: 2 } });
      await relay.post('/v1/opencx/events', json('event-handoff-to-human'));
      await relay.drain();

      // An attempt is counted only when a read gave up: all its tries in place failed (seed 13 meets one).
      const record = await relay.store.get(INCIDENT);
      expect(record).toMatchObject({ status: 'created', attempts: givenUp(relay.api.requests) });
      readsGivenUp += record!.attempts;
      const text = relay.transcript();
      for (let n = 0; n < 59; n++) if (n !== 7) expect(text).toContain(said(n));
      expect(text).toContain('turn 7: my card is [card number removed]');
      expectNoRestart(relay.history());
      // Each failure was waited out where it happened: 2 s for a 429 (its Retry-After), 0.5-1 s for a 500.
      const failed = relay.api.requests.filter((r) => r.status !== 200);
      expect(relay.slept.filter((ms) => ms === 2000)).toHaveLength(
        failed.filter((r) => r.status === 429).length,
      );
      // The operator's complaint: not within 3 minutes. Now well within it, on the relay's clock.
      expect(relay.clock() - NOW).toBeLessThan(20_000);
      faultsSeen.push(...failed.filter((r) => pageOf(r.query) > 1).map((r) => r.status));
    },
  );

  it('met both kinds of fault past the second page, and a read given up, across those seeds', () => {
    expect(faultsSeen.filter((status) => status === 500).length).toBeGreaterThanOrEqual(10);
    expect(faultsSeen.filter((status) => status === 429).length).toBeGreaterThanOrEqual(3);
    expect(readsGivenUp).toBeGreaterThanOrEqual(1);
  });

  it('keeps the pages read (redacted) when a read gives up at page 6, counts one attempt, and resumes at page 6', async () => {
    const relay = await longCall();
    // Five 503s for page 6: every try in place fails, the fetch gives up.
    relay.api.setFaults({ failCursor: { cursor: 'c25', count: 5, status: 503 } });
    await relay.post('/v1/opencx/events', json('event-handoff-to-human'));
    await relay.worker.runOnce();

    const waiting = (await relay.store.get(INCIDENT))!;
    expect(waiting).toMatchObject({
      status: 'received',
      attempts: 1,
      lastError: { code: 'opencx_unavailable' },
    });
    const kept = JSON.parse(waiting.payload) as OpenCxEventPayload;
    expect(kept.progress).toMatchObject({ next: 'c25', pages: 5 });
    expect(kept.progress!.items.map((item) => item.id)).toEqual(
      Array.from({ length: 25 }, (_, n) => `evt_${n}`),
    );
    // Only the redacted form of the turns is kept.
    expect(waiting.payload).not.toContain(CARD);
    expect(kept.progress!.items[7].event.content?.text).toBe('turn 7: my card is [card number removed]');

    const before = relay.history().length;
    await relay.drain();
    const resumed = relay.history().slice(before);
    expect(resumed.map((r) => pageOf(r.query))).toEqual([5, 6, 7, 8, 9, 10, 11]);
    const record = (await relay.store.get(INCIDENT))!;
    expect(record).toMatchObject({ status: 'created', attempts: 1 });
    expect(JSON.parse(record.payload)).not.toHaveProperty('progress');
    expect(relay.transcript()).toContain(said(58));
    expect(relay.transcript()).toContain(said(3));
  });

  it('reads the history again from page one when the cursor it kept is refused (expired)', async () => {
    const relay = await longCall();
    relay.api.setFaults({ failCursor: { cursor: 'c25', count: 5, status: 503 } });
    await relay.post('/v1/opencx/events', json('event-handoff-to-human'));
    await relay.worker.runOnce();
    // As if OpenCX had forgotten the cursor meanwhile.
    const waiting = (await relay.store.get(INCIDENT))!;
    const kept = JSON.parse(waiting.payload) as OpenCxEventPayload;
    kept.progress!.next = 'expired-cursor';
    const at = waiting.nextAttemptAt;
    expect(await relay.store.claim('editor', 1, at, 1000)).toHaveLength(1);
    await relay.store.update(INCIDENT, 'editor', { payload: JSON.stringify(kept), releaseLease: true }, at);
    const before = relay.history().length;
    await relay.drain();
    const again = relay.history().slice(before);
    expect(again.map((r) => [r.query, r.status])).toEqual([
      ['?cursor=expired-cursor', 400],
      ...Array.from({ length: 12 }, (_, i) => [i ? `?cursor=c${i * PAGE}` : '', 200]),
    ]);
    expect(await relay.store.get(INCIDENT)).toMatchObject({ status: 'created', attempts: 1 });
    expect(relay.transcript()).toContain(said(58));
  });

  it('comes back when OpenCX says, without counting an attempt, when its Retry-After is longer than a worker waits', async () => {
    const relay = await longCall();
    relay.api.setFaults({ failCursor: { cursor: 'c40', count: 1, status: 429, retryAfterSeconds: 120 } });
    await relay.post('/v1/opencx/events', json('event-handoff-to-human'));
    const asked = relay.clock();
    await relay.worker.runOnce();

    const waiting = (await relay.store.get(INCIDENT))!;
    expect(waiting).toMatchObject({
      status: 'received',
      attempts: 0,
      lastError: { code: 'opencx_throttled' },
    });
    expect(waiting.nextAttemptAt).toBe(asked + 120_000);
    expect((JSON.parse(waiting.payload) as OpenCxEventPayload).progress).toMatchObject({
      next: 'c40',
      pages: 8,
    });
    await relay.drain();
    expect(await relay.store.get(INCIDENT)).toMatchObject({ status: 'created', attempts: 0 });
    expect(
      relay
        .history()
        .filter((r) => r.status === 200)
        .map((r) => pageOf(r.query)),
    ).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });
});

describe('adding the turns after the handoff over the same network', () => {
  it("resumes the closed session's history at the page that failed, keeping the turns read redacted", async () => {
    const relay = await longCall({ APPEND_AFTER_HANDOFF: 'true' }, 10);
    await relay.post('/v1/opencx/events', json('event-handoff-to-human'));
    await relay.drain();
    const handoffReads = relay.history().length;

    // Page 14 (items 65-69) fails five times: the read gives up with 13 pages, the handoff among them.
    relay.api.setFaults({ failCursor: { cursor: 'c65', count: 5, status: 502 } });
    await relay.post('/v1/opencx/events', json('event-conversation-closed'));
    await relay.worker.runOnce();
    const job = (await relay.store.list({})).find((r) => r.key !== INCIDENT)!;
    expect(job).toMatchObject({ status: 'received', attempts: 1, lastError: { code: 'opencx_unavailable' } });
    const kept = JSON.parse(job.payload) as ClosedSessionPayload;
    expect(kept.progress).toMatchObject({ next: 'c65', pages: 13 });
    expect(job.payload).not.toContain(CARD);
    expect(kept.progress!.items[62].event.content?.text).toBe(
      'after 2: it is [card number removed], go ahead',
    );

    await relay.drain();
    const closedReads = relay.history().slice(handoffReads);
    expect(closedReads.map((r) => pageOf(r.query))).toEqual([
      ...Array.from({ length: 13 }, (_, i) => i),
      13,
      13,
      13,
      13,
      13, // the tries in place of page 14, then the give-up
      13,
    ]);
    expect((await relay.store.get(job.key))!).toMatchObject({
      status: 'created',
      note: 'Added 10 turns after the handoff.',
    });
    expect(relay.transcript()).toContain(saidAfter(9));
    expect(relay.transcript()).toContain('after 2: it is [card number removed], go ahead');
  });

  it('tries a read of the case again in place when Dataverse fails it, and leaves a 429 to the worker', async () => {
    const relay = await setup({ env: { APPEND_AFTER_HANDOFF: 'true' } });
    await relay.post('/v1/opencx/events', json('event-handoff-to-human'));
    await relay.drain();
    const reads: string[] = [];
    /** The sandbox's client, whose reads of the note fail with `status` while `failures` lasts. */
    const failing = (status: number, failures: number): DataverseClient => ({
      async get<T>(path: string) {
        reads.push(path.split('?')[0]);
        if (path.startsWith('annotations(') && failures-- > 0)
          throw new DataverseRequestError(classify(status, '', 'Service Unavailable', '7'));
        return relay.dataverse.get<T>(path);
      },
      batch: (operations, gets) => relay.dataverse.batch(operations, gets),
      post: (path, body) => relay.dataverse.post(path, body),
    });
    const waits: number[] = [];
    const inPlace = { sleep: (ms: number) => Promise.resolve(void waits.push(ms)), random: () => 0.5 };
    const turns = [
      { at: '2026-11-24T12:06:00Z', role: 'human_agent' as const, name: 'Rosa', text: 'Fixed.' },
    ];

    const added = await appendToCase(failing(503, 2), relay.metadata, INCIDENT, turns, { inPlace });
    expect(added).toEqual({ kind: 'appended', added: 1 });
    const note = `annotations(${transcriptNoteId(INCIDENT)})`;
    expect(reads).toEqual([`incidents(${INCIDENT})`, note, note, note]);
    expect(waits).toEqual([375, 750]);

    reads.length = 0;
    await expect(appendToCase(failing(429, 1), relay.metadata, INCIDENT, turns, { inPlace })).rejects.toThrow(
      DataverseRequestError,
    );
    expect(reads).toEqual([`incidents(${INCIDENT})`, note]);
  });
});

describe('trying a request again in place', () => {
  const random = () => 0.5;
  it.each([
    // failures so far, what the server asked, the wait (undefined: give up)
    [1, undefined, 375],
    [2, undefined, 750],
    [4, undefined, 3000],
    [5, undefined, undefined],
    [1, 2000, 2000],
    [1, 30_000, 30_000],
    [1, 30_001, undefined],
    [5, 1000, undefined],
  ])('after %i failures, the server asking %s ms: waits %s ms', (failures, server, wait) => {
    expect(waitBeforeNextTry(failures, server, IN_PLACE, random)).toBe(wait);
  });

  it('spreads the waits between half and all of each step', () => {
    expect(waitBeforeNextTry(3, undefined, IN_PLACE, () => 0)).toBe(1000);
    expect(waitBeforeNextTry(3, undefined, IN_PLACE, () => 0.999999)).toBe(2000);
  });

  it.each([
    ['120', 120_000],
    ['0', 0],
    ['Tue, 24 Nov 2026 12:01:00 GMT', 60_000],
    ['Tue, 24 Nov 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    ['-3', undefined],
  ])('reads Retry-After: %s', (header, after) => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(retryAtOf(header, now)).toBe(after === undefined ? undefined : now + after);
  });

  it('holds every request of the relay for a Retry-After longer than a worker waits, sending none meanwhile', async () => {
    const { api, clock, slept } = await setup();
    let now = clock();
    const sleep = (ms: number) => Promise.resolve(void (now += ms));
    const limiter = createRateLimiter({ perMinute: 100, clock: () => now, sleep });
    const client = createOpenCxClient({ apiUrl: api.url, apiKey: KEY, limiter, clock: () => now, sleep });
    api.setFaults({ throttleNext: { count: 1, retryAfterSeconds: 45 } });
    await expect(client.getSession(SESSION_ID)).rejects.toMatchObject({
      kind: 'throttled',
      retryAtMs: now + 45_000,
    });
    // Another worker's read: refused at once, without a request, until the hold ends.
    now += 10_000;
    await expect(client.getHistory(SESSION_ID)).rejects.toMatchObject({ kind: 'throttled' });
    expect(api.requests).toHaveLength(1);
    // Within a worker's wait: waited out, then sent.
    now += 20_000;
    await expect(client.getSession(SESSION_ID)).resolves.toMatchObject({ id: SESSION_ID });
    expect(now - clock()).toBe(45_000);
    expect(api.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(slept).toEqual([]);
  });
});
