import type { ContactMatch, Role, Verification } from './types.js';

/** The speaker label written for each role (GRAMMAR.md, "Turn lines"). */
export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  contact: 'Caller',
  ai: 'AI',
  human_agent: 'Agent',
  system: 'System',
};

const LABEL_ROLES = new Map<string, Role>(
  Object.entries(ROLE_LABELS).map(([role, label]) => [label, role as Role]),
);

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role];
}

export function roleFromLabel(label: string): Role | undefined {
  return LABEL_ROLES.get(label);
}

/** How the `Contact:` header line says each match. */
export const CONTACT_MATCH_TEXT: Readonly<Record<ContactMatch, string>> = {
  email: 'matched by email',
  'email-created': 'created from email',
  phone: 'matched by phone',
  none: 'not linked',
};

const TEXT_CONTACT_MATCH = new Map<string, ContactMatch>(
  Object.entries(CONTACT_MATCH_TEXT).map(([match, text]) => [text, match as ContactMatch]),
);

export function contactMatchFromText(text: string): ContactMatch | undefined {
  return TEXT_CONTACT_MATCH.get(text);
}

/** The mark written after a customer detail (GRAMMAR.md, "Verification marks"), without its ` (` `)`. */
export const VERIFICATION_TEXT: Readonly<Record<Verification, string>> = {
  verified: 'verified by OpenCX',
  stated: 'stated by the caller',
};

/** ` (verified by OpenCX)` / ` (stated by the caller)`: what follows a marked value on its line. */
export function verificationMark(verification: Verification): string {
  return ` (${VERIFICATION_TEXT[verification]})`;
}

const TEXT_VERIFICATION = new Map<string, Verification>(
  Object.entries(VERIFICATION_TEXT).map(([verification, text]) => [
    text.toLowerCase(),
    verification as Verification,
  ]),
);

/** The verification a mark's text (in any case, without its parentheses) stands for. */
export function verificationFromText(text: string): Verification | undefined {
  return TEXT_VERIFICATION.get(text.toLowerCase());
}

/** The marks' texts as one regular-expression alternation, for readers that find a mark in looser text. */
export const VERIFICATION_TEXT_PATTERN = Object.values(VERIFICATION_TEXT)
  .map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  .join('|');

const MARKS: readonly (readonly [Verification, string])[] = (
  Object.keys(VERIFICATION_TEXT) as Verification[]
).map((verification) => [verification, verificationMark(verification)] as const);

/** The mark a (raw, still escaped) value ends with, if any; an escaped final `\)` is no mark. */
export function readVerificationMark(raw: string): { verification: Verification; rest: string } | undefined {
  for (const [verification, mark] of MARKS) {
    if (raw.endsWith(mark)) return { verification, rest: raw.slice(0, -mark.length) };
  }
  return undefined;
}

/** True when a value ends with a mark's text, so the writer must escape its final `)`. */
export function endsWithMarkText(value: string): boolean {
  return MARKS.some(([, mark]) => value.endsWith(mark));
}

/** Header keys in the order they are written. */
export const HEADER_KEYS = {
  channel: 'Channel',
  summary: 'Summary',
  classification: 'Classification',
  sentiment: 'Sentiment',
  language: 'Language',
  customerName: 'Customer name',
  customerEmail: 'Customer email',
  customerPhone: 'Customer phone',
  contactMatch: 'Contact',
  sessionId: 'Session ID',
  sessionUrl: 'Session link',
  handoffAt: 'Handoff at',
  handoffReason: 'Handoff reason',
  redactions: 'Redacted',
} as const;

export type HeaderField = keyof typeof HEADER_KEYS;

export const HEADER_FIELDS = Object.keys(HEADER_KEYS) as HeaderField[];

const KEY_FIELDS = new Map<string, HeaderField>(HEADER_FIELDS.map((field) => [HEADER_KEYS[field], field]));

export function headerFieldFromKey(key: string): HeaderField | undefined {
  return KEY_FIELDS.get(key);
}
