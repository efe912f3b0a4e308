/**
 * Redaction on arrival: what intake writes to the store is already redacted, for each route, with no
 * worker running (as during a Dataverse outage, when none takes anything). And a record an older relay
 * stored as it came is redacted, and saved so, when a worker takes it.
 */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { HandoffDocument } from '../../src/handoff/document.js';
import { handoffKey } from '../../src/handoff/key.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { OpenCxEventPayload } from '../../src/opencx/envelope.js';
import type { RedactionSettings } from '../../src/redaction/config.js';
import type { HandoffPatch, HandoffStore } from '../../src/store/types.js';
import { embeddedStore, NOW, onCleanup, readFixture, SECRET, sign } from '../helpers.js';
import { INCIDENT, json, setup } from '../opencx/relay-harness.js';
import { CARD, CARD_SPACED, CARD_SPOKEN, leaks } from '../redaction/leaks.js';

const base = JSON.parse(readFixture('handoffs/phone-full-details.json').toString('utf8')) as HandoffDocument;
const withCards: HandoffDocument = {
  ...base,
  summary: `Caller gave her card ${CARD_SPACED} to pay.`,
  messages: [
    ...base.messages,
    { at: '2026-11-24T14:03:00Z', role: 'contact', text: `It's ${CARD_SPACED}, expiry 12/27.` },
    { at: '2026-11-24T14:03:10Z', role: 'contact', text: `Or in one go: ${CARD}.` },
    { at: '2026-11-24T14:03:20Z', role: 'contact', text: `Let me read it: ${CARD_SPOKEN}.` },
  ],
};
const KEY = handoffKey(withCards.session_id, withCards.handoff_at);

async function intake(options: { redaction?: RedactionSettings; appendAfterHandoff?: boolean } = {}) {
  const store = await embeddedStore();
  const metrics = createMetrics(store);
  const app = buildApp({
    config: { webhookSecrets: [SECRET], bodyLimit: 5_000_000, ...options },
    store,
    metrics,
    clock: () => NOW,
  });
  onCleanup(() => app.close());
  const post = (url: string, body: unknown) => {
    const payload = JSON.stringify(body);
    return app.inject({
      method: 'POST',
      url,
      payload,
      headers: { 'content-type': 'application/json', ...sign(payload) },
    });
  };
  const counted = async () =>
    (await metrics.registry.getSingleMetric('opencx_relay_redactions_total')?.get())?.values ?? [];
  return { store, post, counted };
}

const payloads = async (store: HandoffStore) => (await store.list({})).map((record) => record.payload);

describe('intake stores only the redacted form', () => {
  it('POST /v1/handoffs: the card typed, unspaced and spoken, in the messages and the summary', async () => {
    const { store, post, counted } = await intake();
    expect((await post('/v1/handoffs', withCards)).statusCode).toBe(202);
    const stored = JSON.parse((await store.get(KEY))!.payload) as HandoffDocument;
    expect(leaks(await payloads(store), [CARD])).toEqual([]);
    expect(stored.summary).toBe('Caller gave her card [card number removed] to pay.');
    expect(stored.messages.slice(-3).map((m) => m.text)).toEqual([
      "It's [card number removed], expiry 12/27.",
      'Or in one go: [card number removed].',
      'Let me read it: [card number removed].',
    ]);
    // Everything else as sent: the caller's details find the contact.
    expect(stored.customer).toEqual(base.customer);
    expect(await counted()).toEqual([expect.objectContaining({ labels: { kind: 'card_number' }, value: 4 })]);
  });

  it('with REDACT=none stores the handoff as it came (the scan finds what it looks for)', async () => {
    const { store, post, counted } = await intake({ redaction: { rules: [], nationalIdPatterns: [] } });
    expect((await post('/v1/handoffs', withCards)).statusCode).toBe(202);
    expect(leaks(await payloads(store), [CARD])).toEqual([CARD]);
    expect(JSON.parse((await store.get(KEY))!.payload)).toEqual(withCards);
    expect(await counted()).toEqual([]);
  });

  it("POST /v1/handoffs/{key}/messages: in the handoff's language, the same messages again a duplicate", async () => {
    const { store, post } = await intake({ appendAfterHandoff: true });
    expect((await post('/v1/handoffs', { ...withCards, language: 'fr-CA' })).statusCode).toBe(202);
    const spoken = 'quatre cinq trois neuf un quatre huit huit zéro trois quatre trois six quatre six sept';
    const messages = [
      { at: '2026-11-24T14:20:00Z', role: 'contact', text: `Ma carte : ${spoken}.` },
      { at: '2026-11-24T14:20:10Z', role: 'contact', text: `Ou ${CARD_SPACED}.` },
    ];
    const url = `/v1/handoffs/${KEY}/messages`;
    const first = await post(url, { messages });
    expect(first.statusCode).toBe(202);
    const again = await post(url, { messages });
    expect(again.statusCode).toBe(200);
    expect(again.json<{ handoff_id: string }>().handoff_id).toBe(
      first.json<{ handoff_id: string }>().handoff_id,
    );
    const append = await store.get(first.json<{ handoff_id: string }>().handoff_id);
    expect(append?.kind).toBe('append');
    expect(JSON.parse(append!.payload)).toEqual({
      handoffKey: KEY,
      messages: [
        { ...messages[0], text: 'Ma carte : [card number removed].' },
        { ...messages[1], text: 'Ou [card number removed].' },
      ],
    });
    expect((await payloads(store)).some((payload) => payload.includes(spoken))).toBe(false);
    expect(leaks(await payloads(store), [CARD])).toEqual([]);
  });

  it('POST /v1/opencx/events: only the fields the relay reads, their free text redacted', async () => {
    const { store, post } = await intake({ appendAfterHandoff: true });
    const event = json<{ event: string; organization_id: string; data: Record<string, unknown> }>(
      'event-handoff-to-human',
    );
    const data = {
      ...event.data,
      summary: `Caller read her card ${CARD_SPACED} aloud.`,
      reason: `card ${CARD}`,
      // Fields the relay never reads are not kept, whatever they hold.
      transcript: `caller: my card is ${CARD_SPOKEN}`,
      contact: { name: 'Hannah Becker', phone_number: '+14155550167' },
    };
    expect((await post('/v1/opencx/events', { ...event, data })).statusCode).toBe(202);
    const stored = JSON.parse((await store.get(INCIDENT))!.payload) as OpenCxEventPayload;
    expect(stored).toEqual({
      envelope: {
        event: event.event,
        organization_id: event.organization_id,
        data: {
          conversation_id: event.data.conversation_id,
          timestamp: event.data.timestamp,
          customer_id: event.data.customer_id,
          reason: 'card [card number removed]',
          summary: 'Caller read her card [card number removed] aloud.',
          contact_reason: event.data.contact_reason,
          user_sentiment: event.data.user_sentiment,
          language: event.data.language,
          message_count: event.data.message_count,
        },
      },
    });

    const closed = json<{ event: string; organization_id: string; data: Record<string, unknown> }>(
      'event-conversation-closed',
    );
    const answer = await post('/v1/opencx/events', {
      ...closed,
      data: { ...closed.data, summary: `Paid with ${CARD_SPACED}.` },
    });
    expect(answer.statusCode).toBe(202);
    const closedRecord = await store.get(answer.json<{ handoff_id: string }>().handoff_id);
    expect(JSON.parse(closedRecord!.payload)).toEqual({
      envelope: {
        event: 'conversation.closed',
        organization_id: closed.organization_id,
        data: { conversation_id: closed.data.conversation_id, timestamp: closed.data.timestamp },
      },
    });
    expect(leaks(await payloads(store), [CARD])).toEqual([]);
    expect((await payloads(store)).join('\n')).not.toContain('Hannah Becker');
  });
});

describe('a record an older relay stored as it came', () => {
  /** Every payload the worker writes, by record key. */
  function payloadWrites(store: HandoffStore) {
    const writes: Array<{ key: string; patch: HandoffPatch }> = [];
    const update = store.update.bind(store);
    store.update = (key, owner, patch, now) => {
      if (patch.payload !== undefined) writes.push({ key, patch });
      return update(key, owner, patch, now);
    };
    return writes;
  }

  it('is redacted, and saved redacted, when a worker takes it, before anything reaches Dataverse', async () => {
    const relay = await setup();
    const writes = payloadWrites(relay.store);
    // As a relay before redaction on arrival stored it: the document as it came.
    await relay.store.insert({
      key: KEY,
      kind: 'handoff',
      sessionId: withCards.session_id,
      payload: JSON.stringify(withCards),
      now: NOW,
    });
    await relay.drain();
    expect(writes.map((write) => write.key)).toEqual([KEY]);
    const record = await relay.store.get(KEY);
    expect(record?.status).toBe('created');
    expect(leaks([record!.payload], [CARD])).toEqual([]);
    const description = String(relay.sandbox.state.get('incidents', KEY)?.description);
    expect(leaks([description], [CARD])).toEqual([]);
    expect(description).toContain('Redacted: card number ×4');
  });

  it('is not the case of what intake took: the worker writes no payload for it', async () => {
    const relay = await setup();
    const writes = payloadWrites(relay.store);
    expect((await relay.post('/v1/handoffs', withCards)).statusCode).toBe(202);
    await relay.drain();
    expect((await relay.store.get(KEY))?.status).toBe('created');
    expect(writes).toEqual([]);
    expect(String(relay.sandbox.state.get('incidents', KEY)?.description)).toContain(
      'Redacted: card number ×4',
    );
  });
});
