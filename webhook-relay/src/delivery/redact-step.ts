/**
 * Redaction in the delivery path (spec §3.8). Everything the relay writes to Dataverse is taken from a
 * redacted document, and the store keeps only the redacted form once a worker has taken the record.
 *
 * Redacted fields: the messages' text, `summary`, `classification`, `contact_reason` and `reason` —
 * free text a caller, an agent or the AI wrote. Not redacted: `customer` (structured contact details
 * that find or create the contact; the caller's phone number must stay whole), speaker names, ids,
 * timestamps and links.
 */
import type { Turn } from '@opencx-d365/transcript-format';
import type { HandoffDocument } from '../handoff/document.js';
import type { OpenCxEventPayload } from '../opencx/envelope.js';
import { redactText, type RedactionOptions } from '../redaction/redact.js';
import { addCounts, countMarkers, type RedactionCounts } from '../redaction/rules.js';
import type { HandoffKind } from '../store/types.js';
import type { AppendPayload } from './append-step.js';

export interface Redacted<T> {
  value: T;
  /** What this pass removed, by kind. */
  counts: RedactionCounts;
  changed: boolean;
}

const TEXT_FIELDS = ['summary', 'classification', 'contact_reason', 'reason'] as const;

/** A redactor for one language that adds what it removes to `counts`. */
function counting(options: RedactionOptions, language: string | undefined, counts: RedactionCounts) {
  return (text: string) => {
    const result = redactText(text, options, language);
    addCounts(counts, result.counts);
    return result.text;
  };
}

const done = <T>(original: T, value: T, counts: RedactionCounts): Redacted<T> =>
  Object.keys(counts).length > 0
    ? { value, counts, changed: true }
    : { value: original, counts, changed: false };

export function redactDocument(
  document: HandoffDocument,
  options: RedactionOptions,
): Redacted<HandoffDocument> {
  const counts: RedactionCounts = {};
  const redact = counting(options, document.language, counts);
  const out: HandoffDocument = {
    ...document,
    messages: document.messages.map((message) => ({ ...message, text: redact(message.text) })),
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
  const counts: RedactionCounts = {};
  const redact = counting(options, language, counts);
  const out = items.map((item) => ({ ...item, text: redact(item.text) }));
  return done([...items], out, counts);
}

/** OpenCX's event keeps its own summary, reason and contact reason: free text, redacted like the document's. */
function redactEventPayload(
  payload: OpenCxEventPayload,
  options: RedactionOptions,
): Redacted<OpenCxEventPayload> {
  const counts: RedactionCounts = {};
  const data = { ...payload.envelope.data };
  const redact = counting(options, data.language ?? undefined, counts);
  for (const field of ['summary', 'reason', 'contact_reason'] as const) {
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

/**
 * A stored payload (JSON text) in its redacted form. Redacting a redacted payload changes nothing
 * (markers hold no digits), so this is safe on every claim, retries included.
 */
/** `language`: for an append, the language of the handoff it continues (handoff-language.ts). */
export function redactPayload(
  kind: HandoffKind,
  payload: string,
  options: RedactionOptions,
  language?: string,
): Redacted<string> {
  if (options.rules.length === 0) return { value: payload, counts: {}, changed: false };
  let result: Redacted<unknown>;
  switch (kind) {
    case 'handoff':
      result = redactDocument(JSON.parse(payload) as HandoffDocument, options);
      break;
    case 'opencx-event':
      result = redactEventPayload(JSON.parse(payload) as OpenCxEventPayload, options);
      break;
    case 'append': {
      const append = JSON.parse(payload) as AppendPayload;
      const messages = redactTexts(append.messages, options, language);
      result = { ...messages, value: { ...append, messages: messages.value } };
      break;
    }
    case 'route':
      // Names a case and nothing a caller said.
      return { value: payload, counts: {}, changed: false };
  }
  return result.changed
    ? { value: JSON.stringify(result.value), counts: result.counts, changed: true }
    : { value: payload, counts: {}, changed: false };
}

/**
 * The header's `Redacted:` counts: the markers the transcript shows (what transcript.ts takes from the
 * document: messages, summary, classification or else contact reason, reason). Counted from the text
 * rather than remembered, so every retry of a record stored redacted shows the same header.
 */
export function shownRedactions(document: HandoffDocument): Record<string, number> | undefined {
  const texts = [
    ...document.messages.map((message) => message.text),
    document.summary,
    document.classification ?? document.contact_reason,
    document.reason,
  ];
  const counts: RedactionCounts = {};
  for (const text of texts) if (text) addCounts(counts, countMarkers(text));
  return Object.keys(counts).length > 0 ? counts : undefined;
}

/** The markers in some turns (for the turns added after the handoff). */
export function turnRedactions(turns: readonly Turn[]): RedactionCounts {
  const counts: RedactionCounts = {};
  for (const turn of turns) addCounts(counts, countMarkers(turn.text));
  return counts;
}
