/** Renders the pieces of the text format (GRAMMAR.md). Pure string building, no fitting decisions. */

import { FORMAT_VERSION, UNKNOWN_TIME } from './constants.js';
import { encodeInline, encodeMultiline } from './escape.js';
import { CONTACT_MATCH_TEXT, HEADER_KEYS, roleLabel, type HeaderField } from './labels.js';
import { datePart, timePart } from './timestamps.js';
import type { TranscriptHeader, Turn } from './types.js';

export interface HeaderEntry {
  field: HeaderField;
  /** The value as the reader will return it. */
  value: string;
  /** Free text that fit may shorten with an ellipsis (not links, times or structured values). */
  shortenable: boolean;
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
  text('customerName', header.customer?.name);
  text('customerEmail', header.customer?.email);
  text('customerPhone', header.customer?.phone);
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
 */
export function headerLine(entry: HeaderEntry, shortened = false): string {
  const key = HEADER_KEYS[entry.field];
  if (!entry.shortenable) return `${key}: ${entry.value}`;
  if (shortened) return `${key}: ${encodeMultiline(entry.value.slice(0, -1))}…`;
  return `${key}: ${encodeMultiline(entry.value, true)}`;
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
