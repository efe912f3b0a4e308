/**
 * Who a stored payload is about, in the normalised forms `handoffs erase` matches on: the phone in E.164
 * (the relay's own phone reading, contact-match), the email lower-cased, and the OpenCX session id. Read from
 * the payload itself, whatever its kind: our handoff document, an OpenCX event (whose caller is known only
 * once the worker has fetched the session into `document`), or an append job (the session only, from its
 * record). Pure: the vault turns these into keyed hashes.
 */
import { phoneE164 } from '@opencx-d365/contact-match';

export interface CallerIdentifiers {
  phone?: string;
  email?: string;
  session?: string;
}

export type CallerSelector = { phone: string } | { email: string } | { session: string };
export type IdentifierKind = keyof CallerIdentifiers;

/**
 * A phone as E.164 when the relay can read it (in `defaultCountry` for a national number), else its digits
 * with a leading `+` kept: a number the relay cannot read is still matched when written the same way.
 */
export function normalisePhone(raw: string, defaultCountry: string): string | undefined {
  const e164 = phoneE164(raw, defaultCountry);
  if (e164) return e164;
  const digits = raw.replace(/\D/g, '');
  if (digits.length < 3) return undefined;
  return raw.trim().startsWith('+') ? `+${digits}` : digits;
}

export function normaliseEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return email ? email : undefined;
}

export function normaliseSession(raw: string): string | undefined {
  const session = raw.trim();
  return session ? session : undefined;
}

/** The selector of `handoffs erase` as the kind and normalised value it matches; undefined when empty. */
export function normaliseSelector(
  selector: CallerSelector,
  defaultCountry: string,
): { kind: IdentifierKind; value: string } | undefined {
  if ('phone' in selector) {
    const value = normalisePhone(selector.phone, defaultCountry);
    return value ? { kind: 'phone', value } : undefined;
  }
  if ('email' in selector) {
    const value = normaliseEmail(selector.email);
    return value ? { kind: 'email', value } : undefined;
  }
  const value = normaliseSession(selector.session);
  return value ? { kind: 'session', value } : undefined;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
const string = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The caller's identifiers in a payload (JSON text of any kind). A payload that does not parse yields none:
 * its record is still found through the session id kept with it.
 */
export function identifiersOf(payload: string, defaultCountry: string): CallerIdentifiers {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return {};
  }
  return identifiersOfValue(parsed, defaultCountry);
}

/** The same, from the payload's value as parsed (intake has it: no second parse on the request path). */
export function identifiersOfValue(parsed: unknown, defaultCountry: string): CallerIdentifiers {
  const top = record(parsed);
  if (!top) return {};
  // An OpenCX event keeps the envelope, and once fetched the handoff document; our own kind is the document.
  const envelope = record(top.envelope);
  const document = envelope ? record(top.document) : top;
  const customer = record(document?.customer);
  const phone = string(customer?.phone);
  const email = string(customer?.email);
  const session =
    string(document?.session_id) ?? string(record(envelope?.data)?.conversation_id) ?? undefined;
  const found: CallerIdentifiers = {};
  const normalisedPhone = phone && normalisePhone(phone, defaultCountry);
  if (normalisedPhone) found.phone = normalisedPhone;
  const normalisedEmail = email && normaliseEmail(email);
  if (normalisedEmail) found.email = normalisedEmail;
  const normalisedSession = session && normaliseSession(session);
  if (normalisedSession) found.session = normalisedSession;
  return found;
}
