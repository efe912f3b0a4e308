import { Type, type Static } from '@sinclair/typebox';

/**
 * Handoff document v1 (spec §3.2): what any sender that already has the transcript posts to
 * `/v1/handoffs`, and what the worker builds from OpenCX's API for native events.
 * `schema/handoff-v1.json` is generated from this schema; this is the single source.
 */
export const Role = Type.Union(
  [Type.Literal('contact'), Type.Literal('ai'), Type.Literal('human_agent'), Type.Literal('system')],
  { description: 'Who spoke: the caller (contact), the AI agent, a human agent, or the system.' },
);

const IsoDateTime = Type.String({
  format: 'date-time',
  description: 'ISO 8601 date-time with a UTC offset (Z or ±hh:mm).',
});

export const Message = Type.Object(
  {
    at: IsoDateTime,
    role: Role,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    text: Type.String({ maxLength: 1_000_000 }),
  },
  { additionalProperties: false },
);

export const Verification = Type.Union([Type.Literal('verified'), Type.Literal('stated')], {
  description: 'verified: OpenCX verified this detail; stated: the caller only said it and nobody checked.',
});

/**
 * Added within v1 (issue 21): which details were verified and which only stated. A detail without a mark
 * means what it meant before this field existed (the sender does not say); a mark for a detail the
 * document does not give is ignored.
 */
export const CustomerVerification = Type.Object(
  {
    name: Type.Optional(Verification),
    email: Type.Optional(Verification),
    phone: Type.Optional(Verification),
  },
  {
    additionalProperties: false,
    description:
      'Who vouches for each customer detail. Absent (or a detail without a mark): the sender does not say. ' +
      'A detail marked "stated" finds the contact only when CONTACT_MATCH lists stated-email (stated-phone).',
  },
);

export const Customer = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.Optional(Type.String({ maxLength: 100 })),
    phone: Type.Optional(Type.String({ maxLength: 50 })),
    verification: Type.Optional(CustomerVerification),
  },
  { additionalProperties: false },
);

/**
 * An OpenCX session id goes into OpenCX API paths (`/chat/sessions/{id}`) and the relay's records: only
 * characters that stand for themselves in a URL path segment, starting with a letter, digit or `_` (so
 * never `.` or `..`, which would climb to another path on OpenCX's host with the API key), at most 200.
 */
export const SESSION_ID_PATTERN = String.raw`^\w[\w.:-]*$`;
const SESSION_ID = new RegExp(SESSION_ID_PATTERN);
/** Whether `value` has the shape (and length) of an OpenCX session id. */
export const isSessionId = (value: string) => value.length <= 200 && SESSION_ID.test(value);

export const SessionId = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: SESSION_ID_PATTERN,
  description: 'OpenCX session id: letters, digits, _ . : -, starting with a letter, digit or _.',
});

export const HandoffDocumentSchema = Type.Object(
  {
    session_id: SessionId,
    handoff_at: IsoDateTime,
    channel: Type.Optional(Type.String({ minLength: 1, maxLength: 50, default: 'phone_voice' })),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    classification: Type.Optional(Type.String({ maxLength: 500 })),
    contact_reason: Type.Optional(Type.String({ maxLength: 500 })),
    summary: Type.Optional(Type.String({ maxLength: 100_000 })),
    sentiment: Type.Optional(Type.String({ maxLength: 50 })),
    language: Type.Optional(Type.String({ maxLength: 35 })),
    customer: Type.Optional(Customer),
    session_url: Type.Optional(Type.String({ maxLength: 2048 })),
    messages: Type.Array(Message, { maxItems: 100_000 }),
  },
  { $id: 'https://opencx-d365.example/schema/handoff-v1.json', additionalProperties: false },
);

export type HandoffDocument = Static<typeof HandoffDocumentSchema>;
export type HandoffMessage = Static<typeof Message>;
export type HandoffCustomer = Static<typeof Customer>;
