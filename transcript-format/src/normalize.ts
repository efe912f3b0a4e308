import type {
  ContactMatch,
  Customer,
  Role,
  Transcript,
  TranscriptHeader,
  Turn,
  Verification,
} from './types.js';
import { canonicalTimestamp } from './timestamps.js';
import { sanitizeText } from './sanitize.js';

const ROLES: ReadonlySet<string> = new Set<Role>(['contact', 'ai', 'human_agent', 'system']);
const CONTACT_MATCHES: ReadonlySet<string> = new Set<ContactMatch>([
  'email',
  'email-created',
  'phone',
  'none',
]);
const VERIFICATIONS: ReadonlySet<string> = new Set<Verification>(['verified', 'stated']);

/**
 * After `https://`, a first host character, then anything but whitespace, backslash, quotes and angle
 * brackets. It was `[host]+[rest]*`: the two quantifiers overlap (every host character is also a rest
 * character), so a link ending in a refused character backtracked quadratically (issue 29: 30,000
 * characters took a second). "One or more host characters, then rest" accepts exactly the strings "one
 * host character, then rest" accepts, and this form has one way to match each: linear.
 */
const SAFE_HTTPS_URL = /^https:\/\/[^\s/?#\\"<>`][^\s\\"<>`]*$/i;

/** An `https:` URL with a host and no whitespace, control characters or quotes: safe to show as a link. */
export function isSafeHttpsUrl(value: string): boolean {
  if (!SAFE_HTTPS_URL.test(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? sanitizeText(value) : undefined;
}

function assignDefined<T extends object>(target: T, key: keyof T, value: T[keyof T] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function normalizeCustomer(customer: unknown): Customer | undefined {
  if (typeof customer !== 'object' || customer === null) return undefined;
  const source = customer as Record<string, unknown>;
  const out: Customer = {};
  assignDefined(out, 'name', optionalText(source.name));
  assignDefined(out, 'email', optionalText(source.email));
  assignDefined(out, 'phone', optionalText(source.phone));
  // A mark says something only about a detail that is there, and only when it is one we know.
  const marks = (
    typeof source.verification === 'object' && source.verification !== null ? source.verification : {}
  ) as Record<string, unknown>;
  const verification: NonNullable<Customer['verification']> = {};
  for (const detail of ['name', 'email', 'phone'] as const) {
    const mark = marks[detail];
    if (out[detail] !== undefined && typeof mark === 'string' && VERIFICATIONS.has(mark)) {
      verification[detail] = mark as Verification;
    }
  }
  if (Object.keys(verification).length > 0) out.verification = verification;
  return Object.keys(out).length > 0 ? out : undefined;
}

function normalizeRedactions(redactions: unknown): Record<string, number> | undefined {
  if (typeof redactions !== 'object' || redactions === null) return undefined;
  const entries: [string, number][] = [];
  for (const [kind, count] of Object.entries(redactions as Record<string, unknown>)) {
    // Zero, negative or fractional counts say nothing was redacted: leave them out.
    if (typeof count === 'number' && Number.isSafeInteger(count) && count > 0) {
      entries.push([sanitizeText(kind), count]);
    }
  }
  // fromEntries defines own properties, so a kind such as "__proto__" stays an ordinary key.
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function normalizeHeader(header: unknown): TranscriptHeader {
  const source = (typeof header === 'object' && header !== null ? header : {}) as Record<string, unknown>;
  const out: TranscriptHeader = {};
  assignDefined(out, 'channel', optionalText(source.channel));
  assignDefined(out, 'summary', optionalText(source.summary));
  assignDefined(out, 'classification', optionalText(source.classification));
  assignDefined(out, 'sentiment', optionalText(source.sentiment));
  assignDefined(out, 'language', optionalText(source.language));
  assignDefined(out, 'customer', normalizeCustomer(source.customer));
  if (typeof source.contactMatch === 'string' && CONTACT_MATCHES.has(source.contactMatch)) {
    out.contactMatch = source.contactMatch as ContactMatch;
  }
  assignDefined(out, 'sessionId', optionalText(source.sessionId));
  if (typeof source.sessionUrl === 'string' && isSafeHttpsUrl(source.sessionUrl)) {
    out.sessionUrl = source.sessionUrl;
  }
  assignDefined(out, 'handoffAt', canonicalTimestamp(source.handoffAt));
  assignDefined(out, 'handoffReason', optionalText(source.handoffReason));
  assignDefined(out, 'redactions', normalizeRedactions(source.redactions));
  return out;
}

function normalizeTurn(turn: unknown): Turn {
  const source = (typeof turn === 'object' && turn !== null ? turn : {}) as Record<string, unknown>;
  const out: Turn = {
    // An unreadable timestamp becomes '' ("time unknown", written --:--:--) rather than failing the write.
    at: canonicalTimestamp(source.at) ?? '',
    role: typeof source.role === 'string' && ROLES.has(source.role) ? (source.role as Role) : 'system',
    text: typeof source.text === 'string' ? sanitizeText(source.text) : '',
  };
  assignDefined(out, 'name', optionalText(source.name));
  return out;
}

function normalizeTurns(turns: unknown): Turn[] {
  return Array.isArray(turns) ? turns.map(normalizeTurn) : [];
}

/**
 * The canonical form of a transcript: UTC timestamps in canonical form (invalid turn times become '',
 * invalid optional times are dropped), empty or undefined optional fields dropped, non-https session
 * links dropped, redaction counts kept only when positive integers, verification marks kept only for
 * customer details that are there, NUL and lone surrogates replaced by
 * U+FFFD. `parse(write(normalizeTranscript(t)))` deep-equals `normalizeTranscript(t)`.
 * Defensive against malformed input at run time (it never throws on a JSON-like value).
 */
export function normalizeTranscript(t: Transcript): Transcript {
  const source = (typeof t === 'object' && t !== null ? t : {}) as unknown as Record<string, unknown>;
  const out: Transcript = {
    header: normalizeHeader(source.header),
    turns: normalizeTurns(source.turns),
  };
  const after = normalizeTurns(source.afterHandoff);
  if (after.length > 0) out.afterHandoff = after;
  return out;
}
