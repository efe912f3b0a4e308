/**
 * How each kind of payload is redacted (spec §3.8, REDACT): the one place that decides which fields are
 * free text a caller, an agent or the AI wrote. Intake stores only what this returns, so no card number
 * or national id the rules catch reaches the store; the worker uses it for what it fetches from OpenCX
 * and sends on, and for a record an older relay stored as it came (delivery/take-redaction.ts).
 *
 * Redacted: the messages' text, `summary`, `classification`, `contact_reason` and `reason` (of a handoff
 * document and of OpenCX's event). Not redacted: `customer` (structured contact details that find or
 * create the contact; the caller's phone number must stay whole), speaker names, ids, timestamps, links.
 */
import type { AppendPayload } from '../append/payload.js';
import type { HandoffDocument } from '../handoff/document.js';
import type { OpenCxEventPayload } from '../opencx/envelope.js';
import type { HandoffKind } from '../store/types.js';
import { redactor, type RedactionOptions } from './redact.js';
import { addCounts, type RedactionCounts } from './rules.js';

export interface Redacted<T> {
  value: T;
  /** What this pass removed, by kind. */
  counts: RedactionCounts;
  changed: boolean;
}

const TEXT_FIELDS = ['summary', 'classification', 'contact_reason', 'reason'] as const;
const EVENT_TEXT_FIELDS = ['summary', 'reason', 'contact_reason'] as const;

/** A redactor for one language that adds what it removes to `counts`. */
function counting(options: RedactionOptions, language: string | null | undefined, counts: RedactionCounts) {
  const redact = redactor(options, language ?? undefined);
  return (text: string) => {
    const result = redact(text);
    if (result.spans.length) addCounts(counts, result.counts);
    return result.text;
  };
}

const done = <T>(original: T, value: T, counts: RedactionCounts): Redacted<T> =>
  Object.keys(counts).length > 0
    ? { value, counts, changed: true }
    : { value: original, counts, changed: false };

const off = <T>(value: T): Redacted<T> => ({ value, counts: {}, changed: false });

/** The item with `text`: the same object when nothing was removed (most messages), a copy otherwise. */
const withText = <T extends { text: string }>(item: T, text: string): T =>
  text === item.text ? item : { ...item, text };

export function redactDocument(
  document: HandoffDocument,
  options: RedactionOptions,
): Redacted<HandoffDocument> {
  if (options.rules.length === 0) return off(document);
  const counts: RedactionCounts = {};
  const redact = counting(options, document.language, counts);
  const out: HandoffDocument = {
    ...document,
    messages: document.messages.map((message) => withText(message, redact(message.text))),
  };
  for (const field of TEXT_FIELDS) {
    const value = document[field];
    if (value !== undefined) out[field] = redact(value);
  }
  return done(document, out, counts);
}

/** Messages or turns (`{text}` items) in one language; English digit words only when none is known. */
export function redactTexts<T extends { text: string }>(
  items: readonly T[],
  options: RedactionOptions,
  language?: string,
): Redacted<T[]> {
  if (options.rules.length === 0) return off([...items]);
  const counts: RedactionCounts = {};
  const redact = counting(options, language, counts);
  const out = items.map((item) => withText(item, redact(item.text)));
  return done([...items], out, counts);
}

/**
 * OpenCX's event keeps its own summary, reason and contact reason: free text, redacted like the
 * document's; and the document fetched for it, once there is one.
 */
export function redactEventPayload(
  payload: OpenCxEventPayload,
  options: RedactionOptions,
): Redacted<OpenCxEventPayload> {
  if (options.rules.length === 0) return off(payload);
  const counts: RedactionCounts = {};
  const data = { ...payload.envelope.data };
  const redact = counting(options, data.language, counts);
  for (const field of EVENT_TEXT_FIELDS) {
    const value = data[field];
    if (typeof value === 'string') data[field] = redact(value);
  }
  const out: OpenCxEventPayload = { ...payload, envelope: { ...payload.envelope, data } };
  if (payload.document) {
    const document = redactDocument(payload.document, options);
    addCounts(counts, document.counts);
    out.document = document.value;
  }
  return done(payload, out, counts);
}

/** The turns after a handoff, read in the language of the handoff they continue (handoff/language.ts). */
export function redactAppendPayload(
  payload: AppendPayload,
  options: RedactionOptions,
  language?: string,
): Redacted<AppendPayload> {
  const messages = redactTexts(payload.messages, options, language);
  return messages.changed ? { ...messages, value: { ...payload, messages: messages.value } } : off(payload);
}

/**
 * A stored payload (JSON text) in its redacted form. Redacting a redacted payload changes nothing
 * (markers hold no digits), so this answers `changed: false` for everything intake stored.
 * `language`: for an append, the language of the handoff it continues.
 */
export function redactPayload(
  kind: HandoffKind,
  payload: string,
  options: RedactionOptions,
  language?: string,
): Redacted<string> {
  if (options.rules.length === 0) return off(payload);
  let result: Redacted<unknown>;
  switch (kind) {
    case 'handoff':
      result = redactDocument(JSON.parse(payload) as HandoffDocument, options);
      break;
    case 'opencx-event':
      result = redactEventPayload(JSON.parse(payload) as OpenCxEventPayload, options);
      break;
    case 'append':
      result = redactAppendPayload(JSON.parse(payload) as AppendPayload, options, language);
      break;
    case 'route':
      // Names a case and nothing a caller said.
      return off(payload);
  }
  return result.changed
    ? { value: JSON.stringify(result.value), counts: result.counts, changed: true }
    : off(payload);
}
