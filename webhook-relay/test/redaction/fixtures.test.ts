/**
 * Redaction against every handoff the project ships: the test fixtures and the demo's examples change
 * in nothing (none holds personal numbers), and the one fixture made of cards changes exactly where it
 * should.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shownRedactions } from '../../src/delivery/redact-step.js';
import type { HandoffDocument } from '../../src/handoff/document.js';
import type { OpenCxHistoryItem } from '../../src/opencx/client.js';
import { redactDocument, redactPayload } from '../../src/redaction/payloads.js';
import { REDACTION_RULES } from '../../src/redaction/rules.js';
import { fixturesDir } from '../helpers.js';

const ALL = { rules: REDACTION_RULES };
const root = path.resolve(import.meta.dirname, '../../..');
const json = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;
const jsonFiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => path.join(dir, name));

const CARDS_FIXTURE = path.join(import.meta.dirname, 'fixtures/cards-handoff.json');

describe('fixtures without personal numbers are left exactly as they are', () => {
  const handoffs = [
    ...jsonFiles(path.join(fixturesDir, 'handoffs')),
    ...jsonFiles(path.join(root, 'examples/handoffs')),
    path.join(fixturesDir, 'opencx/equivalent-handoff.json'),
  ];

  it('covers every shipped handoff', () => {
    expect(handoffs.length).toBeGreaterThanOrEqual(22);
  });

  it.each(handoffs.map((file) => [path.relative(root, file), file]))('%s', (_, file) => {
    const document = json<HandoffDocument>(file);
    const redacted = redactDocument(document, ALL);
    expect(redacted.changed).toBe(false);
    expect(redacted.value).toEqual(document);
    expect(redactPayload('handoff', JSON.stringify(document), ALL).changed).toBe(false);
  });

  it.each(jsonFiles(path.join(fixturesDir, 'opencx')).map((file) => [path.relative(root, file), file]))(
    'OpenCX %s',
    (_, file) => {
      const value = json<{ items?: OpenCxHistoryItem[]; event?: string }>(file);
      if (value.event)
        expect(redactPayload('opencx-event', JSON.stringify({ envelope: value }), ALL).changed).toBe(false);
      for (const item of value.items ?? []) {
        const text = item.event.content?.text ?? '';
        expect(
          redactPayload('append', JSON.stringify({ handoffKey: 'k', messages: [{ text }] }), ALL).changed,
        ).toBe(false);
      }
    },
  );
});

describe('the fixture made of cards', () => {
  const document = json<HandoffDocument>(CARDS_FIXTURE);
  const CARD = '[card number removed]';

  it('changes exactly the cards, the SSN and the account number', () => {
    const { value, counts } = redactDocument(document, ALL);
    expect(counts).toEqual({ 'card number': 4, 'national id': 1, 'digit run': 1 });
    expect(value).toEqual({
      ...document,
      summary: `Caller's card ${CARD} was declined twice for order A-20391-77; she gave a second card (${CARD}) and wants a callback on +1 415-555-0134.`,
      messages: document.messages.map((message, index) => ({
        ...message,
        text:
          {
            2: `It's ${CARD}, expiry 12/27.`,
            3: `Or try my Mastercard: ${CARD}.`,
            5: "It's [national id removed]. And my account number is [digit run removed].",
          }[index] ?? message.text,
      })),
    });
    expect(shownRedactions(value)).toEqual({ 'card number': 4, 'national id': 1, 'digit run': 1 });
  });

  it('keeps its customer, title and classification whole', () => {
    const { value } = redactDocument(document, ALL);
    expect(value.customer).toEqual(document.customer);
    expect(value.classification).toBe(document.classification);
  });

  it('is left alone with REDACT=none', () => {
    expect(redactDocument(document, { rules: [] })).toMatchObject({ changed: false, value: document });
  });
});
