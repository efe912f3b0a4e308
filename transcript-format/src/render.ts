/** Renders the pieces of the text format (GRAMMAR.md). Pure string building, no fitting decisions. */

import { FORMAT_VERSION, UNKNOWN_TIME } from './constants.js';
import { encodeInline, encodeMultiline } from './escape.js';
import {
  CONTACT_MATCH_TEXT,
  endsWithMarkText,
  HEADER_KEYS,
  roleLabel,
  verificationMark,
  type HeaderField,
} from './labels.js';
import { datePart, timePart } from './timestamps.js';
import type { TranscriptHeader, Turn, Verification } from './types.js';

export interface HeaderEntry {
  field: HeaderField;
  /** The value as the reader will return it. */
  value: string;
  /** Free text that fit may shorten with an ellipsis (not links, times or structured values). */
  shortenable: boolean;
  /** Customer details only: whether OpenCX verified it or the caller stated it; never cut by fit. */
  verification?: Verification;
}

/** The fields whose value may be followed by a verification mark. */
const MARKABLE: ReadonlySet<HeaderField> = new Set<HeaderField>([
  'customerName',
  'customerEmail',
  'customerPhone',
]);

/** What follows the value on its line: the verification mark, or nothing. */
export function entrySuffix(entry: HeaderEntry): string {
  return entry.verification === undefined ? '' : verificationMark(entry.verification);
}

/**
 * A free-text value as written (unshortened). A customer detail that itself ends like a mark gets its
 * final `)` escaped, so that an unescaped mark at the end of the line is always a mark.
 */
export function encodeEntryValue(entry: HeaderEntry): string {
  const encoded = encodeMultiline(entry.value, true);
  return MARKABLE.has(entry.field) && endsWithMarkText(encoded) ? `${encoded.slice(0, -1)}\\)` : encoded;
}

export function daySeparator(date: string | undefined): string {
  return date === undefined
    ? `--- transcript v${FORMAT_VERSION} · UTC ---`
    : `--- ${date} · transcript v${FORMAT_VERSION} · UTC ---`;
}

/** Length of any dated separator (dates are always `YYYY-MM-DD`). */
export const DAY_SEPARATOR_LENGTH = daySeparator('0000-00-00').length;

export function handoffAtText(canonical: string): string {
  return `${datePart(canonical)} ${timePart(canonical)} UTC`;
}

export function redactionsText(redactions: Record<string, number>): string {
  return Object.entries(redactions)
    .map(([kind, count]) => `${encodeInline(kind, ';')} ×${count}`)
    .join('; ');
}

export function headerEntries(header: TranscriptHeader): HeaderEntry[] {
  const entries: HeaderEntry[] = [];
  const text = (field: HeaderField, value: string | undefined): void => {
    if (value !== undefined) entries.push({ field, value, shortenable: true });
  };
  const fixed = (field: HeaderField, value: string | undefined): void => {
    if (value !== undefined) entries.push({ field, value, shortenable: false });
  };
  text('channel', header.channel);
  text('summary', header.summary);
  text('classification', header.classification);
  text('sentiment', header.sentiment);
  text('language', header.language);
  const customer = header.customer;
  const detail = (field: HeaderField, value: string | undefined, verification?: Verification): void => {
    if (value === undefined) return;
    entries.push({ field, value, shortenable: true, ...(verification ? { verification } : {}) });
  };
  detail('customerName', customer?.name, customer?.verification?.name);
  detail('customerEmail', customer?.email, customer?.verification?.email);
  detail('customerPhone', customer?.phone, customer?.verification?.phone);
  fixed('contactMatch', header.contactMatch && CONTACT_MATCH_TEXT[header.contactMatch]);
  text('sessionId', header.sessionId);
  fixed('sessionUrl', header.sessionUrl);
  fixed('handoffAt', header.handoffAt && handoffAtText(header.handoffAt));
  text('handoffReason', header.handoffReason);
  fixed('redactions', header.redactions && redactionsText(header.redactions));
  return entries;
}

/**
 * One header line (plus continuation lines). Free text is encoded; fixed values are already in their
 * written form. `shortened` writes the value's final `…` bare, which the reader takes as "shortened".
 * A customer detail's verification mark follows its value, shortened or not.
 */
export function headerLine(entry: HeaderEntry, shortened = false): string {
  const key = HEADER_KEYS[entry.field];
  if (!entry.shortenable) return `${key}: ${entry.value}`;
  if (shortened) return `${key}: ${encodeMultiline(entry.value.slice(0, -1))}…${entrySuffix(entry)}`;
  return `${key}: ${encodeEntryValue(entry)}${entrySuffix(entry)}`;
}

export function turnTime(at: string): string {
  return at === '' ? UNKNOWN_TIME : timePart(at);
}

export function turnBlock(turn: Turn): string {
  const speaker =
    turn.name === undefined
      ? roleLabel(turn.role)
      : `${roleLabel(turn.role)} (${encodeInline(turn.name, ')')})`;
  return `[${turnTime(turn.at)}] ${speaker}: ${encodeMultiline(turn.text)}`;
}

export function markerLine(
  omittedTurns: number,
  firstOmittedIndex: number,
  fullTextRef: string | undefined,
): string {
  const first = firstOmittedIndex + 1;
  const last = firstOmittedIndex + omittedTurns;
  const what =
    omittedTurns === 1
      ? `1 turn left out (turn ${first})`
      : `${omittedTurns} turns left out (turns ${first} to ${last})`;
  const where = fullTextRef === undefined ? '' : ` · full transcript: ${encodeInline(fullTextRef)}`;
  return `--- ${what}${where} ---`;
}

/** The longest marker any omission out of `totalTurns` can produce (for budgeting before choosing). */
export function markerLengthBound(totalTurns: number, fullTextRef: string | undefined): number {
  return markerLine(totalTurns, totalTurns, fullTextRef).length;
}
