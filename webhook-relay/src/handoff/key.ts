import { v5 as uuidv5 } from 'uuid';

/** Fixed namespace for handoff keys. Changing it would re-create every incident: never change it. */
export const HANDOFF_KEY_NAMESPACE = '5b0e6f0a-3c1d-4f6b-9f4e-0c1b6a2d7e91';
/** Fixed namespace for contact ids derived from a normalised email (spec §3.4). */
export const CONTACT_ID_NAMESPACE = '9a3c2b7e-51f0-4d8a-b6e2-7f4c1d0e8a35';

/** Canonical UTC rendering of an ISO 8601 instant, so `+02:00` and `Z` spellings of one instant agree. */
export function normaliseInstant(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO 8601 instant: ${iso}`);
  return new Date(ms).toISOString();
}

/**
 * The handoff key (spec §3.2): UUIDv5 of the session id and the normalised handoff instant. A returning
 * caller can reuse a session, so the session id alone is not enough. It is also the incident's id.
 */
export function handoffKey(sessionId: string, handoffAt: string): string {
  return uuidv5(`${sessionId}\n${normaliseInstant(handoffAt)}`, HANDOFF_KEY_NAMESPACE);
}

/** The id of the contact the relay creates for an email address: a retry never creates a second one. */
export function contactIdForEmail(email: string): string {
  return uuidv5(email.trim().toLowerCase(), CONTACT_ID_NAMESPACE);
}

/** The id of the note holding a case's full transcript (one per case, so it can be rewritten). */
export function transcriptNoteId(key: string): string {
  return uuidv5('note:transcript', key);
}

/** The key of the record that applies unified routing to a handoff's case (delivery/route-step.ts): one per case. */
export function routeRecordKey(key: string): string {
  return uuidv5('route:unified', key);
}
