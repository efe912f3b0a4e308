/**
 * OpenCX's webhook envelope `{event, organization_id, data}` (spec §1, §3.1). `data` arrives as an
 * object or as a one-element array; it is normalised to an object here. Only the handoff event's
 * fields are checked: other events are answered and counted, never rejected for their shape.
 */
import { Type, type Static } from '@sinclair/typebox';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { SessionId, type HandoffDocument } from '../handoff/document.js';
import type { HistoryProgress } from './client.js';
import type { ProblemField } from '../intake/problem.js';
import { instantProblem } from '../intake/validate.js';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

export const HANDOFF_EVENT = 'conversation.handoff_to_human';

const Text = (max: number) => Type.Optional(Type.Union([Type.String({ maxLength: max }), Type.Null()]));

export const HandoffEventDataSchema = Type.Object(
  {
    conversation_id: SessionId,
    timestamp: Type.String({ format: 'date-time' }),
    customer_id: Text(200),
    reason: Text(500),
    summary: Text(100_000),
    contact_reason: Text(500),
    user_sentiment: Text(50),
    language: Text(35),
    message_count: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  },
  { additionalProperties: true },
);

const EnvelopeSchema = Type.Object(
  {
    event: Type.String({ minLength: 1, maxLength: 200 }),
    organization_id: Type.Optional(Type.String({ maxLength: 200 })),
    data: Type.Union([
      Type.Record(Type.String(), Type.Unknown()),
      Type.Array(Type.Unknown(), { maxItems: 1 }),
    ]),
  },
  { additionalProperties: true },
);

export type HandoffEventData = Static<typeof HandoffEventDataSchema>;

export interface OpenCxEnvelope {
  event: string;
  organization_id?: string;
  data: Record<string, unknown>;
}

/**
 * What an `opencx-event` record keeps: the envelope, and once fetched, the handoff document built from it.
 * Until then, after a history read gave up part of the way, how far it got (its turns redacted), so the
 * next attempt resumes there.
 */
export interface OpenCxEventPayload {
  envelope: OpenCxEnvelope & { data: HandoffEventData };
  document?: HandoffDocument;
  progress?: HistoryProgress;
}

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv, ['date-time']);
const checkEnvelope = ajv.compile(EnvelopeSchema);
const checkHandoff = ajv.compile<HandoffEventData>(HandoffEventDataSchema);

function fields(errors: typeof checkEnvelope.errors, prefix = ''): ProblemField[] {
  return (errors ?? []).map((error) => ({
    pointer:
      error.keyword === 'required'
        ? `${prefix}${error.instancePath}/${String((error.params as { missingProperty?: string }).missingProperty)}`
        : `${prefix}${error.instancePath}` || '/',
    detail: error.message ?? 'is not valid',
  }));
}

/** Of the handoff event's `data`, what the relay reads (HandoffEventDataSchema); of a session-closed event, which session and when. */
export const HANDOFF_EVENT_FIELDS = Object.keys(HandoffEventDataSchema.properties);
export const CLOSED_EVENT_FIELDS = ['conversation_id', 'timestamp'];

/**
 * The envelope as intake stores it: `data` cut to `fields`. OpenCX may send more (its schema allows any
 * field), and what the relay never reads, it does not keep: nothing unread can hold a caller's words.
 */
export function storedEnvelope<T extends OpenCxEnvelope>(envelope: T, fields: readonly string[]): T {
  const data: Record<string, unknown> = {};
  for (const field of fields) if (envelope.data[field] !== undefined) data[field] = envelope.data[field];
  return {
    event: envelope.event,
    ...(envelope.organization_id !== undefined ? { organization_id: envelope.organization_id } : {}),
    data,
  } as T;
}

export type EnvelopeResult =
  | { ok: true; kind: 'handoff'; envelope: OpenCxEnvelope & { data: HandoffEventData } }
  | { ok: true; kind: 'other'; envelope: OpenCxEnvelope }
  | { ok: false; errors: ProblemField[] };

export function parseEnvelope(value: unknown): EnvelopeResult {
  if (!checkEnvelope(value)) return { ok: false, errors: fields(checkEnvelope.errors) };
  const raw = value as { event: string; organization_id?: string; data: unknown };
  const data: unknown = Array.isArray(raw.data) ? (raw.data as unknown[])[0] : raw.data;
  if (data === undefined || data === null || typeof data !== 'object' || Array.isArray(data))
    return {
      ok: false,
      errors: [{ pointer: '/data', detail: 'must be an object or a one-element array of one' }],
    };
  const envelope: OpenCxEnvelope = {
    event: raw.event,
    ...(raw.organization_id !== undefined ? { organization_id: raw.organization_id } : {}),
    data: data as Record<string, unknown>,
  };
  if (envelope.event !== HANDOFF_EVENT) return { ok: true, kind: 'other', envelope };
  if (!checkHandoff(envelope.data)) return { ok: false, errors: fields(checkHandoff.errors, '/data') };
  const timestamp = instantProblem(envelope.data.timestamp, '/data/timestamp');
  if (timestamp) return { ok: false, errors: [timestamp] };
  return { ok: true, kind: 'handoff', envelope: envelope as OpenCxEnvelope & { data: HandoffEventData } };
}
