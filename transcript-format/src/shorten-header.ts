/**
 * Shortens header values so the header fits a budget (GRAMMAR.md, "Fitting"). In order, stopping as
 * soon as it fits:
 *   1. the summary, down to SUMMARY_FLOOR characters;
 *   2. every other free-text value, to a common cap no lower than VALUE_FLOOR (IDENTIFIER_FLOOR for the
 *      session id, email and phone), longest cut first;
 * and only when `harsh` (the limit is too small for the transcript's fixed lines otherwise):
 *   3. the summary, then the others, down to a bare `…`;
 *   4. whole lines left out (least useful first), replaced by one `…` line.
 * Links, times, the contact match, redaction counts and verification marks are never cut (a cut link is
 * a wrong link; a cut mark would no longer say who vouches for the value).
 */

import {
  ELLIPSIS,
  HEADER_LINES_LEFT_OUT,
  IDENTIFIER_FLOOR,
  SUMMARY_FLOOR,
  VALUE_FLOOR,
} from './constants.js';
import { encodedPrefixLengths } from './escape.js';
import { HEADER_KEYS, type HeaderField } from './labels.js';
import { renderHeader } from './prepare.js';
import { encodeEntryValue, entrySuffix, headerLine, type HeaderEntry } from './render.js';

export interface ShortenedHeader {
  text: string;
  shortened: boolean;
}

/** Lines left out first when even bare ellipses do not fit; the classification stays longest. */
const DROP_ORDER: readonly HeaderField[] = [
  'redactions',
  'language',
  'sessionId',
  'contactMatch',
  'handoffReason',
  'sentiment',
  'channel',
  'customerEmail',
  'sessionUrl',
  'handoffAt',
  'customerPhone',
  'customerName',
  'summary',
  'classification',
];

/** A cut identifier is a wrong identifier: these are cut gently only when unusually long. */
const IDENTIFIERS: ReadonlySet<HeaderField> = new Set<HeaderField>([
  'sessionId',
  'customerEmail',
  'customerPhone',
]);

/** Word-aware cuts move back at most this far to end on a space. */
const WORD_BOUNDARY_REACH = 15;

/** `value` cut so that its encoded form plus the `…` takes at most `budget` code units (budget >= 1). */
export function cutValue(value: string, budget: number): string {
  const lengths = encodedPrefixLengths(value);
  let k = 0;
  // Largest prefix whose encoding leaves one unit for the ellipsis.
  let lo = 0;
  let hi = value.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lengths[mid] <= budget - 1) lo = mid;
    else hi = mid - 1;
  }
  k = lo;
  const code = value.charCodeAt(k - 1);
  if (k > 0 && code >= 0xd800 && code <= 0xdbff) k--;
  const space = Math.max(value.lastIndexOf(' ', k - 1), value.lastIndexOf('\n', k - 1));
  if (space > 0 && k - space <= WORD_BOUNDARY_REACH && k < value.length) k = space;
  return value.slice(0, k) + ELLIPSIS;
}

interface Slot {
  entry: HeaderEntry;
  /** Length of `Key: `, the verification mark (never cut) and the line feed. */
  overhead: number;
  /** Encoded length of the full value. */
  encoded: number;
  /** Current cap on the encoded value (Infinity = whole). */
  cap: number;
  dropped: boolean;
}

function slotCost(slot: Slot): number {
  return slot.dropped ? 0 : slot.overhead + Math.min(slot.encoded, slot.cap);
}

function total(slots: Slot[]): number {
  let sum = 0;
  let lines = 0;
  let anyDropped = false;
  for (const slot of slots) {
    sum += slotCost(slot);
    if (!slot.dropped) lines++;
    else anyDropped = true;
  }
  if (anyDropped) {
    sum += HEADER_LINES_LEFT_OUT.length + 1;
    lines++;
  }
  return lines === 0 ? 0 : sum + 1; // the blank line before the transcript
}

/** Caps `others` at the largest common cap (never below each one's floor) that fits; returns whether it fits. */
function waterFill(slots: Slot[], others: Slot[], budget: number, floorOf: (slot: Slot) => number): boolean {
  if (others.length === 0) return total(slots) <= budget;
  const longest = Math.max(...others.map((s) => s.encoded));
  const fitsWith = (cap: number): boolean => {
    for (const s of others) s.cap = Math.max(cap, floorOf(s));
    return total(slots) <= budget;
  };
  if (fitsWith(Infinity)) return true;
  if (!fitsWith(0)) return false;
  let lo = 0;
  let hi = longest;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (fitsWith(mid)) lo = mid;
    else hi = mid - 1;
  }
  fitsWith(lo);
  return true;
}

function capSummary(slots: Slot[], summary: Slot | undefined, budget: number, floor: number): boolean {
  const excess = total(slots) - budget;
  if (excess <= 0) return true;
  if (summary === undefined) return false;
  const current = Math.min(summary.encoded, summary.cap);
  summary.cap = Math.max(floor, current - excess);
  return total(slots) <= budget;
}

function render(slots: Slot[]): ShortenedHeader {
  const lines: string[] = [];
  let shortened = false;
  for (const slot of slots) {
    if (slot.dropped) {
      shortened = true;
    } else if (slot.encoded > slot.cap) {
      shortened = true;
      const value = cutValue(slot.entry.value, slot.cap);
      lines.push(headerLine({ ...slot.entry, value }, true));
    } else {
      lines.push(headerLine(slot.entry));
    }
  }
  if (slots.some((s) => s.dropped)) lines.push(HEADER_LINES_LEFT_OUT);
  return { text: renderHeader(lines), shortened };
}

export function shortenHeader(entries: HeaderEntry[], budget: number, harsh: boolean): ShortenedHeader {
  const slots: Slot[] = entries.map((entry) => ({
    entry,
    overhead: HEADER_KEYS[entry.field].length + 3 + entrySuffix(entry).length,
    encoded: entry.shortenable ? encodeEntryValue(entry).length : entry.value.length,
    cap: Infinity,
    dropped: false,
  }));
  const summary = slots.find((s) => s.entry.field === 'summary');
  const others = slots.filter((s) => s.entry.shortenable && s !== summary);

  if (capSummary(slots, summary, budget, SUMMARY_FLOOR)) return render(slots);
  const gentleFloor = (slot: Slot): number =>
    IDENTIFIERS.has(slot.entry.field) ? IDENTIFIER_FLOOR : VALUE_FLOOR;
  if (waterFill(slots, others, budget, gentleFloor) || !harsh) return render(slots);
  if (capSummary(slots, summary, budget, ELLIPSIS.length)) return render(slots);
  if (waterFill(slots, others, budget, () => ELLIPSIS.length)) return render(slots);
  for (const field of DROP_ORDER) {
    const slot = slots.find((s) => s.entry.field === field);
    if (slot) slot.dropped = true;
    if (total(slots) <= budget) return render(slots);
  }
  return { text: '', shortened: slots.length > 0 };
}
