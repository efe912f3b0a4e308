/**
 * Redaction end to end against the Dataverse sandbox. The main scenario runs the real relay (HTTP
 * intake, embedded store, worker loop) and sends signed handoffs full of card numbers over HTTP, then
 * reads every row of every table the sandbox holds, the relay's store and its logs, looking for them.
 * REDACT=none runs the same scan and must find them: the scan is not blind. OpenCX native events and
 * post-handoff appends run through the in-process harness (tests/opencx/relay-harness.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startSandbox, type Sandbox } from '@opencx-d365/dataverse-sandbox';
import { parse, write } from '@opencx-d365/transcript-format';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { HandoffDocument } from '../../src/handoff/document.js';
import { contactIdForEmail, handoffKey, transcriptNoteId } from '../../src/handoff/key.js';
import { createLogger } from '../../src/observability/logger.js';
import type { OpenCxHistoryItem } from '../../src/opencx/client.js';
import type { OpenCxEventPayload } from '../../src/opencx/envelope.js';
import { startRelay } from '../../src/server.js';
import type { HandoffStore } from '../../src/store/types.js';
import { onCleanup, postSignedHandoff, sandboxEnv, tempDir } from '../helpers.js';
import { fixtureSession, INCIDENT, json, setup } from '../opencx/relay-harness.js';
import { leaks as findLeaks } from './leaks.js';

const fixture = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'fixtures/cards-handoff.json'), 'utf8'),
) as HandoffDocument;

/** Every card (and the SSN and account number) of the scenarios, as digits. */
const SECRETS = [
  '4111111111111111',
  '378282246310005',
  '5555555555554444',
  '6011000990139424',
  '3530111333300000',
  '123456789',
  '1234567890123457',
];
/** Every table the sandbox has (dataverse-sandbox/src/reference-tables.ts). */
const TABLES = [
  'incidents',
  'contacts',
  'accounts',
  'queues',
  'queueitems',
  'annotations',
  'systemusers',
  'teams',
];

/** Each string the sandbox holds, with attachments decoded. */
function sandboxTexts(sandbox: Sandbox): string[] {
  const texts: string[] = [];
  for (const table of TABLES)
    for (const row of sandbox.state.rows(table))
      for (const [column, value] of Object.entries(row)) {
        if (typeof value !== 'string') continue;
        texts.push(value);
        if (column === 'documentbody') texts.push(Buffer.from(value, 'base64').toString('utf8'));
      }
  return texts;
}

/** The secrets a text shows: typed with any separators, or spoken. */
const leaks = (texts: readonly string[]) => findLeaks(texts, SECRETS);

/** The whole transcript of a case: its note when it has one, else its description. */
function transcriptOfCase(sandbox: Sandbox, key: string) {
  const note = sandbox.state.get('annotations', transcriptNoteId(key));
  const parsed = parse(String(note?.notetext ?? sandbox.state.get('incidents', key)?.description));
  if (parsed.kind !== 'transcript') throw new Error(`case ${key} holds no transcript`);
  return parsed.transcript;
}

async function waitDelivered(store: HandoffStore, count: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const counts = await store.countByStatus();
    if (counts.created + counts.duplicate + counts.failed + counts.skipped >= count) return counts;
    if (Date.now() > deadline) throw new Error(`not delivered: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The real relay on a fresh sandbox; handoffs posted over HTTP, signed as OpenCX would. */
async function runRelay(env: Record<string, string>, documents: HandoffDocument[]) {
  const sandbox = await startSandbox();
  onCleanup(() => sandbox.close());
  const result = loadConfig({
    ...sandboxEnv(sandbox.url),
    RELAY_DATA_DIR: tempDir(),
    PORT: '0',
    HOST: '127.0.0.1',
    ...env,
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const relay = await startRelay(result.config, { logger: createLogger('trace', sink) });
  onCleanup(() => relay.stop());
  for (const document of documents) {
    expect((await postSignedHandoff(relay.url, document)).status).toBe(202);
  }
  const counts = await waitDelivered(relay.store, documents.length);
  const metrics = await (await fetch(`${relay.opsUrl}/metrics`)).text();
  const records = await relay.store.list({});
  return { sandbox, relay, counts, logs, metrics, records };
}

/** The scenario's handoffs: the cards fixture, one that creates a contact, one too long for a note. */
function documents(): HandoffDocument[] {
  const withContact: HandoffDocument = {
    ...fixture,
    session_id: 'redaction-contact',
    customer: { name: 'Rita Alvarez', email: 'rita@example.com', phone: '+1 415-555-0134' },
    messages: [
      ...fixture.messages,
      { at: '2026-11-24T15:19:30Z', role: 'contact', text: 'Discover: 6011 0009 9013 9424' },
    ],
  };
  const filler = 'The router light is still blinking orange and the reset did not help at all, sorry. ';
  const long: HandoffDocument = {
    ...fixture,
    session_id: 'redaction-long',
    summary: 'Long call about a JCB card.',
    messages: Array.from({ length: 1200 }, (_, i) => ({
      at: new Date(Date.parse('2026-11-24T13:00:00Z') + i * 1000).toISOString(),
      role: i % 2 ? ('ai' as const) : ('contact' as const),
      text: i % 300 === 7 ? `My JCB is 3530 1113 3330 0000, turn ${i}.` : `${filler}(${i})`,
    })),
  };
  return [fixture, withContact, long];
}

describe('no card number reaches Dataverse', () => {
  it('redacts every handoff sent through the relay, in every row the sandbox holds', async () => {
    const docs = documents();
    const { sandbox, counts, logs, metrics, records } = await runRelay({ LOG_LEVEL: 'trace' }, docs);
    expect(counts.created).toBe(3);

    // Three cases with their queue items, the contact made from the email, the long call's transcript attached.
    const keys = docs.map((d) => handoffKey(d.session_id, d.handoff_at));
    expect(keys.map((key) => sandbox.state.get('incidents', key)?.title)).toEqual([
      'Payment problem - Rita Alvarez',
      'Payment problem - Rita Alvarez',
      'Payment problem - Rita Alvarez',
    ]);
    expect(sandbox.state.get('annotations', transcriptNoteId(keys[2]))).toMatchObject({ isdocument: true });
    expect(sandbox.state.rows('contacts').some((c) => c.emailaddress1 === 'rita@example.com')).toBe(true);
    expect(leaks(sandboxTexts(sandbox))).toEqual([]);

    // Markers and the header's counts are what a rep sees.
    const description = String(sandbox.state.get('incidents', keys[0])!.description);
    const transcript = transcriptOfCase(sandbox, keys[0]);
    const note = write(transcript);
    expect(transcript.header.redactions).toEqual({
      'card number': 4,
      'national id': 1,
      'digit run': 1,
    });
    expect(description).toContain('Redacted: card number ×4; national id ×1; digit run ×1');
    expect(transcript.turns[2].text).toBe("It's [card number removed], expiry 12/27.");
    // What is not personal data arrives whole: the phone numbers, the order number, the amount.
    expect(note).toContain('or four one five, five five five, oh one three four.');
    expect(note).toContain('(415) 555-0134');
    expect(note).toContain('A-20391-77');
    expect(note).toContain('$1,234.56');
    expect(sandbox.state.get('incidents', keys[1])?._customerid_value).toBe(
      contactIdForEmail('rita@example.com'),
    );

    // The relay's store keeps only the redacted form; its logs never held the text.
    expect(leaks(records.map((record) => record.payload))).toEqual([]);
    expect(logs.length).toBeGreaterThan(0);
    expect(leaks(logs)).toEqual([]);
    expect(metrics).toMatch(/opencx_relay_redactions_total\{kind="card_number"\} 13\b/);
  });

  it('finds the cards with REDACT=none: the scan sees what it looks for', async () => {
    const { sandbox, records } = await runRelay({ REDACT: 'none' }, documents());
    expect(leaks(sandboxTexts(sandbox))).toEqual([...SECRETS].sort());
    expect(leaks(records.map((record) => record.payload))).toEqual([...SECRETS].sort());
    const description = String(sandbox.state.rows('incidents')[0].description);
    expect(description).not.toContain('Redacted:');
  });
});

describe('OpenCX native events and the turns after the handoff', () => {
  /** The fixture session with a card read out before the handoff, and one after it. */
  function sessionWithCards() {
    const base = fixtureSession();
    const say = (at: string, type: string, text: string): OpenCxHistoryItem => ({
      id: `evt_${at}`,
      created_at: at,
      event: { type: 'message', sender: { type }, content: { type: 'text', text } },
    });
    const history = [
      ...base.history,
      say(
        '2026-11-24T12:03:10Z',
        'contact',
        'My card is four one one one one one one one one one one one one one one one.',
      ),
      say('2026-11-24T12:06:00Z', 'contact', 'The other card is 5555 5555 5555 4444.'),
    ];
    return { ...base, history };
  }

  it('redacts what the worker fetches from OpenCX, and stores only the redacted document and event', async () => {
    const relay = await setup({ sessions: [sessionWithCards()] });
    const event = json<{ data: Record<string, unknown> }>('event-handoff-to-human');
    const summary = 'Caller read her card 6011-0009-9013-9424 aloud before the handoff.';
    expect(
      (await relay.post('/v1/opencx/events', { ...event, data: { ...event.data, summary } })).statusCode,
    ).toBe(202);
    await relay.drain();
    const incident = relay.sandbox.state.get('incidents', INCIDENT)!;
    const parsed = parse(String(incident.description));
    if (parsed.kind !== 'transcript') throw new Error('not a transcript');
    expect(parsed.transcript.header).toMatchObject({
      summary: 'Caller read her card [card number removed] aloud before the handoff.',
      redactions: { 'card number': 2 },
    });
    expect(parsed.transcript.turns.map((t) => t.text)).toContain('My card is [card number removed].');
    expect(leaks(sandboxTexts(relay.sandbox))).toEqual([]);
    const record = await relay.store.get(INCIDENT);
    expect(leaks([record!.payload])).toEqual([]);
    const stored = JSON.parse(record!.payload) as OpenCxEventPayload;
    expect(stored.envelope.data.summary).toBe(
      'Caller read her card [card number removed] aloud before the handoff.',
    );
    expect(stored.document?.summary).toBe(stored.envelope.data.summary);
  });

  it('redacts the turns added after the handoff and adds them to the header counts', async () => {
    const relay = await setup({ env: { APPEND_AFTER_HANDOFF: 'true' }, sessions: [sessionWithCards()] });
    await relay.post('/v1/opencx/events', json('event-handoff-to-human'));
    await relay.drain();
    const closed = json<{ data: Record<string, unknown> }>('event-conversation-closed');
    expect((await relay.post('/v1/opencx/events', closed)).statusCode).toBe(202);
    await relay.drain();
    const parsed = parse(
      String(relay.sandbox.state.get('annotations', transcriptNoteId(INCIDENT))!.notetext),
    );
    if (parsed.kind !== 'transcript') throw new Error('not a transcript');
    expect(parsed.transcript.header.redactions).toEqual({ 'card number': 2 });
    expect(parsed.transcript.afterHandoff?.map((t) => t.text)).toContain(
      'The other card is [card number removed].',
    );

    // A sender's own messages: stored redacted once the worker takes them, counted once however often sent.
    const url = `/v1/handoffs/${INCIDENT}/messages`;
    const messages = [
      { at: '2026-11-24T12:07:00Z', role: 'contact', text: 'Use 3782 822463 10005 instead.' },
    ];
    expect((await relay.post(url, { messages })).statusCode).toBe(202);
    await relay.drain();
    expect((await relay.post(url, { messages: [...messages] }, 'msg_again')).statusCode).toBe(200);
    expect(
      (await relay.post(url, { messages: [messages[0], { ...messages[0], at: '2026-11-24T12:07:30Z' }] }))
        .statusCode,
    ).toBe(202);
    await relay.drain();
    const after = parse(String(relay.sandbox.state.get('annotations', transcriptNoteId(INCIDENT))!.notetext));
    if (after.kind !== 'transcript') throw new Error('not a transcript');
    expect(after.transcript.header.redactions).toEqual({ 'card number': 4 });
    expect(String(relay.sandbox.state.get('incidents', INCIDENT)!.description)).toContain(
      'Redacted: card number ×4',
    );
    expect(leaks(sandboxTexts(relay.sandbox))).toEqual([]);
    expect(leaks((await relay.store.list({})).map((r) => r.payload))).toEqual([]);
  });

  it('shows the same header after a failed first attempt (the retry reads the redacted form)', async () => {
    const relay = await setup();
    relay.sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
    const body = { ...fixture, session_id: 'redaction-retry' };
    await relay.post('/v1/handoffs', body);
    await relay.worker.runOnce();
    const key = handoffKey(body.session_id, body.handoff_at);
    const stored = await relay.store.get(key);
    expect(stored).toMatchObject({ status: 'received', attempts: 1 });
    expect(leaks([stored!.payload])).toEqual([]);
    relay.sandbox.setFaults({});
    await relay.drain();
    expect(transcriptOfCase(relay.sandbox, key).header.redactions).toEqual({
      'card number': 4,
      'national id': 1,
      'digit run': 1,
    });
    const metric = await relay.metrics.registry.getSingleMetricAsString('opencx_relay_redactions_total');
    expect(metric).toContain('opencx_relay_redactions_total{kind="card_number"} 4');
  });

  it("reads the turns after a handoff in the handoff's language, in the store and in Dataverse", async () => {
    const relay = await setup({ env: { APPEND_AFTER_HANDOFF: 'true' } });
    const body = { ...fixture, session_id: 'redaction-fr', language: 'fr-CA' };
    expect((await relay.post('/v1/handoffs', body)).statusCode).toBe(202);
    await relay.drain();
    const key = handoffKey(body.session_id, body.handoff_at);
    const spoken = 'quatre un un un un un un un un un un un un un un un';
    const messages = [{ at: '2026-11-24T14:20:00Z', role: 'contact', text: `Ma carte : ${spoken}.` }];
    expect((await relay.post(`/v1/handoffs/${key}/messages`, { messages })).statusCode).toBe(202);
    await relay.drain();
    const note = parse(String(relay.sandbox.state.get('annotations', transcriptNoteId(key))!.notetext));
    if (note.kind !== 'transcript') throw new Error('not a transcript');
    expect(note.transcript.afterHandoff?.map((t) => t.text)).toEqual(['Ma carte : [card number removed].']);
    expect(sandboxTexts(relay.sandbox).some((text) => text.includes(spoken))).toBe(false);
    const payloads = (await relay.store.list({})).map((r) => r.payload);
    expect(payloads.some((payload) => payload.includes(spoken))).toBe(false);
  });
});
