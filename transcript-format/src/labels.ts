import type { ContactMatch, Role } from './types.js';

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
