import { parse, type Turn } from '@opencx-d365/transcript-format';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendToCase } from '../../src/append/append-to-case.js';
import { mergeTurns } from '../../src/append/merge.js';
import type { DataverseClient } from '../../src/dataverse/client.js';
import { transcriptNoteId } from '../../src/handoff/key.js';
import type { HandoffDocument } from '../../src/handoff/document.js';
import { handoffKey } from '../../src/handoff/key.js';
import { INCIDENT, json, setup } from '../opencx/relay-harness.js';

const turn = (second: number, text: string, role: Turn['role'] = 'human_agent'): Turn => ({
  at: `2026-11-24T12:06:${String(second).padStart(2, '0')}Z`,
  role,
  ...(role === 'human_agent' ? { name: 'Rosa' } : {}),
  text,
});

describe('merging turns after the handoff', () => {
  it('adds new turns in time order and never the same turn twice', () => {
    const first = mergeTurns([], [turn(20, 'b'), turn(10, 'a')]);
    expect(first).toEqual({ turns: [turn(10, 'a'), turn(20, 'b')], added: 2 });
    const again = mergeTurns(first.turns, [turn(10, 'a'), turn(30, 'c')]);
    expect(again).toEqual({ turns: [turn(10, 'a'), turn(20, 'b'), turn(30, 'c')], added: 1 });
    expect(mergeTurns(again.turns, [turn(20, 'b')]).added).toBe(0);
  });

  it('treats two spellings of one instant as one turn', () => {
    const merged = mergeTurns([turn(10, 'a')], [{ ...turn(10, 'a'), at: '2026-11-24T13:06:10+01:00' }]);
    expect(merged.added).toBe(0);
  });

  it('ends with the same turns whatever the order and repetition of deliveries', () => {
    const turns = fc.uniqueArray(
      fc.record({ s: fc.integer({ min: 0, max: 59 }), t: fc.string({ maxLength: 5 }) }),
      {
        selector: (x) => `${x.s}|${x.t}`,
        maxLength: 12,
      },
    );
    fc.assert(
      fc.property(turns, fc.array(fc.nat(), { maxLength: 30 }), (all, picks) => {
        const source = all.map((x) => turn(x.s, x.t));
        let state: Turn[] = [];
        // Deliver random batches (repeats and any order), then everything once more.
        for (const pick of picks)
          state = mergeTurns(state, source.length ? [source[pick % source.length]] : []).turns;
        state = mergeTurns(state, [...source].reverse()).turns;
        const expected = mergeTurns([], source).turns;
        expect(state.map((t) => t.at + t.text).sort()).toEqual(expected.map((t) => t.at + t.text).sort());
        expect(state.map((t) => Date.parse(t.at))).toEqual(
          [...state.map((t) => Date.parse(t.at))].sort((a, b) => a - b),
        );
      }),
    );
  });
});

const AFTER = 'Hi Hannah, Rosa here, I can see your device.';

describe('adding the rest of the call to the same case', () => {
  it('adds the turns after the handoff exactly once when OpenCX says the session closed', async () => {
    const relay = await setup({ env: { APPEND_AFTER_HANDOFF: 'true' } });
    await relay.post('/v1/opencx/events', json('event-handoff-to-human'));
    await relay.drain();
    const before = String(relay.sandbox.state.get('incidents', INCIDENT)!.description);
    expect(before).not.toContain(AFTER);

    const closed = json<{ data: Record<string, unknown> }>('event-conversation-closed');
    expect((await relay.post('/v1/opencx/events', closed, 'msg_closed_1')).statusCode).toBe(202);
    expect((await relay.post('/v1/opencx/events', closed, 'msg_closed_2')).statusCode).toBe(200);
    await relay.drain();
    // A later, different close event (OpenCX may send one per close) changes nothing.
    await relay.post('/v1/opencx/events', {
      ...closed,
      data: { ...closed.data, timestamp: '2026-11-24T12:30:00Z' },
    });
    await relay.drain();

    const description = String(relay.sandbox.state.get('incidents', INCIDENT)!.description);
    const parsed = parse(description);
    if (parsed.kind !== 'transcript') throw new Error('not a transcript');
    expect(parsed.transcript.turns).toHaveLength(8);
    expect(parsed.transcript.afterHandoff).toEqual([
      { at: '2026-11-24T12:05:10Z', role: 'human_agent', name: 'Rosa (technician)', text: AFTER },
    ]);
    expect(description.split(AFTER)).toHaveLength(2);
    const note = relay.sandbox.state.get('annotations', transcriptNoteId(INCIDENT))!;
    expect(note).toMatchObject({ subject: `OpenCX transcript ba2f757e-39b0-47ce-a8a2-c34b3b41819e` });
    expect(String(note.notetext).split(AFTER)).toHaveLength(2);
    const jobs = (await relay.store.list({})).filter((r) => r.key !== INCIDENT);
    expect(jobs.map((j) => [j.status, j.note])).toEqual(
      expect.arrayContaining([
        ['created', 'Added 1 turns after the handoff.'],
        ['duplicate', 'Every turn was already on the case.'],
      ]),
    );
  });

  it('never re-creates a case deleted in Dynamics, even when no etag is known (If-Match: *)', async () => {
    const relay = await setup({ env: { APPEND_AFTER_HANDOFF: 'true' } });
    await relay.post('/v1/opencx/events', json('event-handoff-to-human'));
    await relay.drain();
    expect(relay.sandbox.state.get('incidents', INCIDENT)).toBeDefined();
    // The case is read without an etag, then a rep deletes it before the append writes.
    const deletedMeanwhile: DataverseClient = {
      ...relay.dataverse,
      async get<T>(path: string): Promise<T> {
        const row = await relay.dataverse.get<Record<string, unknown>>(path);
        if (path.startsWith(`incidents(${INCIDENT})`)) {
          delete row['@odata.etag'];
          relay.sandbox.state.delete('incidents', INCIDENT);
          relay.sandbox.state.delete('annotations', transcriptNoteId(INCIDENT));
        }
        return row as T;
      },
    };
    const outcome = await appendToCase(deletedMeanwhile, relay.metadata, INCIDENT, [turn(40, AFTER)]);
    expect(outcome).toMatchObject({ kind: 'deleted' });
    const sent = relay.sandbox.requests.filter((r) => r.path.endsWith('$batch')).at(-1);
    expect(sent?.operations?.[0]).toMatchObject({ method: 'PATCH' });
    // Neither the case nor its note came back.
    expect(relay.sandbox.state.get('incidents', INCIDENT)).toBeUndefined();
    expect(relay.sandbox.state.get('annotations', transcriptNoteId(INCIDENT))).toBeUndefined();
  });

  it('adds messages a sender posts after the handoff, in order, once, whatever the delivery order', async () => {
    const relay = await setup({ env: { APPEND_AFTER_HANDOFF: 'true' } });
    const document = json<HandoffDocument>('equivalent-handoff');
    await relay.post('/v1/handoffs', document);
    await relay.drain();
    const key = handoffKey(document.session_id, document.handoff_at);
    const m = (second: number, text: string) => ({
      at: `2026-11-24T12:06:${second}Z`,
      role: 'human_agent',
      name: 'Rosa',
      text,
    });
    const url = `/v1/handoffs/${key}/messages`;
    expect((await relay.post(url, { messages: [m(30, 'third')] })).statusCode).toBe(202);
    expect((await relay.post(url, { messages: [m(20, 'second'), m(10, 'first')] })).statusCode).toBe(202);
    expect((await relay.post(url, { messages: [m(30, 'third')] })).statusCode).toBe(200);
    await relay.drain();
    expect((await relay.post(url, { messages: [m(10, 'first'), m(40, 'fourth')] })).statusCode).toBe(202);
    await relay.drain();
    const parsed = parse(String(relay.sandbox.state.get('incidents', key)!.description));
    if (parsed.kind !== 'transcript') throw new Error('not a transcript');
    expect(parsed.transcript.afterHandoff?.map((t) => t.text)).toEqual([
      'first',
      'second',
      'third',
      'fourth',
    ]);
  });

  it('waits for the case when the turns arrive before it exists, then adds them', async () => {
    const relay = await setup({ env: { APPEND_AFTER_HANDOFF: 'true' } });
    const document = json<HandoffDocument>('equivalent-handoff');
    await relay.post('/v1/handoffs', document);
    const key = handoffKey(document.session_id, document.handoff_at);
    await relay.post(`/v1/handoffs/${key}/messages`, {
      messages: [{ at: '2026-11-24T12:06:10Z', role: 'human_agent', text: 'early' }],
    });
    await relay.drain();
    const parsed = parse(String(relay.sandbox.state.get('incidents', key)!.description));
    expect(parsed.kind === 'transcript' && parsed.transcript.afterHandoff?.map((t) => t.text)).toEqual([
      'early',
    ]);
  });

  it('refuses messages when the option is off, for an unknown handoff, and invalid ones', async () => {
    const off = await setup();
    const document = json<HandoffDocument>('equivalent-handoff');
    const key = handoffKey(document.session_id, document.handoff_at);
    const message = { at: '2026-11-24T12:06:10Z', role: 'human_agent', text: 'x' };
    expect((await off.post(`/v1/handoffs/${key}/messages`, { messages: [message] })).statusCode).toBe(404);
    const on = await setup({ env: { APPEND_AFTER_HANDOFF: 'true' } });
    expect((await on.post(`/v1/handoffs/${key}/messages`, { messages: [message] })).statusCode).toBe(404);
    await on.post('/v1/handoffs', document);
    const bad = await on.post(`/v1/handoffs/${key}/messages`, { messages: [{ at: 'later', role: 'boss' }] });
    expect(bad.statusCode).toBe(400);
    expect((await on.post(`/v1/handoffs/${key}/messages`, { messages: [] })).statusCode).toBe(400);
  });

  it('answers a session-closed event 202 and ignores it when the option is off', async () => {
    const relay = await setup();
    const response = await relay.post('/v1/opencx/events', json('event-conversation-closed'));
    expect(response.json()).toEqual({ status: 'ignored', event: 'conversation.closed' });
  });
});
