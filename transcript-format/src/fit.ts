/**
 * Fits a transcript into `maxLength` UTF-16 code units (GRAMMAR.md, "Fitting"). Every turn block is
 * rendered once; choosing what to keep works on precomputed lengths, so fitting is linear in the
 * number of turns.
 */

import { FIRST_TURNS_SHARE, HANDOFF_DIVIDER, HEADER_SHARE } from './constants.js';
import { normalizeTranscript } from './normalize.js';
import { fullBody, fullHeader, prepare, type PreparedTranscript } from './prepare.js';
import { DAY_SEPARATOR_LENGTH, daySeparator, markerLengthBound, markerLine } from './render.js';
import { cutAt, sanitizeText } from './sanitize.js';
import { shortenHeader, type ShortenedHeader } from './shorten-header.js';
import type { FitOptions, FitResult, Transcript } from './types.js';

const SEPARATOR_COST = DAY_SEPARATOR_LENGTH + 1;

/** Lengths that let fit price any "first p turns + last turns from j" choice in O(1). */
interface Costs {
  /** prefix[k]: cost of turns 0..k-1 with the separators the full text has before them. */
  prefix: Float64Array;
  /** suffix[j]: the same for turns j..n-1. */
  suffix: Float64Array;
  /** Separator cost before turn i in the full text. */
  separator: Float64Array;
  /** Date in force after the first k turns (the last known date, else the opening date). */
  dateAfter: (string | undefined)[];
  /** First turn at or after j with a known date, or -1. */
  firstDated: Int32Array;
}

function computeCosts(p: PreparedTranscript): Costs {
  const n = p.blocks.length;
  const separator = new Float64Array(n);
  const prefix = new Float64Array(n + 1);
  const suffix = new Float64Array(n + 1);
  const dateAfter = new Array<string | undefined>(n + 1);
  const firstDated = new Int32Array(n + 1);
  let current = p.openDate;
  dateAfter[0] = current;
  for (let i = 0; i < n; i++) {
    const date = p.dates[i];
    if (date !== undefined && date !== current) {
      separator[i] = SEPARATOR_COST;
      current = date;
    }
    prefix[i + 1] = prefix[i] + separator[i] + p.blocks[i].length + 1;
    dateAfter[i + 1] = current;
  }
  firstDated[n] = -1;
  for (let j = n - 1; j >= 0; j--) {
    suffix[j] = suffix[j + 1] + separator[j] + p.blocks[j].length + 1;
    firstDated[j] = p.dates[j] === undefined ? firstDated[j + 1] : j;
  }
  return { prefix, suffix, separator, dateAfter, firstDated };
}

/** Cost of turns j..n-1 when they follow a gap, with `date` in force before them. */
function suffixCost(c: Costs, p: PreparedTranscript, j: number, date: string | undefined): number {
  const k = c.firstDated[j];
  if (k < 0) return c.suffix[j];
  const needed = p.dates[k] !== date ? SEPARATOR_COST : 0;
  return c.suffix[j] - c.separator[k] + needed;
}

/** Keeps the first `keepFirst` turns and the turns from `resumeAt` on, with the marker between. */
function renderFitted(
  p: PreparedTranscript,
  keepFirst: number,
  resumeAt: number,
  fullTextRef: string | undefined,
): string {
  const n = p.blocks.length;
  const divider = p.preLength < n ? p.preLength : -1;
  const lines: string[] = [daySeparator(p.openDate)];
  let current = p.openDate;
  const emit = (i: number): void => {
    const date = p.dates[i];
    if (date !== undefined && date !== current) {
      lines.push(daySeparator(date));
      current = date;
    }
    lines.push(p.blocks[i]);
  };
  for (let i = 0; i < keepFirst; i++) {
    if (i === divider) lines.push(HANDOFF_DIVIDER);
    emit(i);
  }
  const marker = markerLine(resumeAt - keepFirst, keepFirst, fullTextRef);
  if (divider === keepFirst) lines.push(HANDOFF_DIVIDER, marker);
  else if (divider > keepFirst && divider <= resumeAt) lines.push(marker, HANDOFF_DIVIDER);
  else lines.push(marker);
  for (let i = resumeAt; i < n; i++) {
    if (i === divider && divider > resumeAt) lines.push(HANDOFF_DIVIDER);
    emit(i);
  }
  return lines.join('\n');
}

/** Chooses how many first turns to keep and where the last turns resume, within `room`. */
function chooseTurns(p: PreparedTranscript, c: Costs, room: number): { keepFirst: number; resumeAt: number } {
  const n = p.blocks.length;
  const firstBudget = Math.floor(room * FIRST_TURNS_SHARE);
  let keepFirst = 0;
  while (keepFirst < n && c.prefix[keepFirst + 1] <= firstBudget) keepFirst++;
  let resumeAt = n;
  while (
    resumeAt - 1 > keepFirst &&
    c.prefix[keepFirst] + suffixCost(c, p, resumeAt - 1, c.dateAfter[keepFirst]) <= room
  ) {
    resumeAt--;
  }
  // Whatever the last turns left unused goes to the first turns.
  while (
    keepFirst + 1 < resumeAt &&
    c.prefix[keepFirst + 1] + suffixCost(c, p, resumeAt, c.dateAfter[keepFirst + 1]) <= room
  ) {
    keepFirst++;
  }
  return { keepFirst, resumeAt };
}

function tooSmall(p: PreparedTranscript, maxLength: number, fullTextRef: string | undefined): FitResult {
  const n = p.blocks.length;
  const notice = `Transcript (${n} turns) too long for this field${fullTextRef === undefined ? '' : `; full transcript: ${fullTextRef}`}`;
  return { text: cutAt(notice, maxLength), shortened: true, omittedTurns: n, headerShortened: true };
}

/**
 * The transcript as text of at most `maxLength` code units: the whole text when it fits (then equal to
 * `write(t)`); otherwise header values shortened to HEADER_SHARE of the limit (summary first), the first
 * turns and the last turns kept (FIRST_TURNS_SHARE of the room to the first), and one marker line saying
 * how many turns were left out and where the full text is.
 */
export function fit(t: Transcript, options: FitOptions): FitResult {
  const maxLength = Number.isNaN(options.maxLength) ? 0 : Math.max(0, Math.floor(options.maxLength));
  const ref =
    typeof options.fullTextRef === 'string' && options.fullTextRef !== ''
      ? sanitizeText(options.fullTextRef)
      : undefined;
  const p = prepare(normalizeTranscript(t));
  const n = p.blocks.length;
  const costs = computeCosts(p);
  const header = fullHeader(p);
  const dividerCost = p.preLength < n ? HANDOFF_DIVIDER.length + 1 : 0;
  // The full body's length, known without rendering it (rendering 2,000 turns is the costly part).
  const bodyLength = daySeparator(p.openDate).length + dividerCost + costs.prefix[n];
  if (header.length + bodyLength <= maxLength) {
    return { text: header + fullBody(p), shortened: false, omittedTurns: 0 };
  }

  const shareBudget = Math.floor(maxLength * HEADER_SHARE);
  let h: ShortenedHeader = shortenHeader(p.entries, Math.max(shareBudget, maxLength - bodyLength), false);
  if (h.text.length + bodyLength <= maxLength) {
    return { text: h.text + fullBody(p), shortened: true, omittedTurns: 0, headerShortened: true };
  }

  if (n === 0) {
    // Nothing to leave out: only a harsher header can help.
    h = shortenHeader(p.entries, maxLength - bodyLength, true);
    return h.text.length + bodyLength <= maxLength
      ? { text: h.text + fullBody(p), shortened: true, omittedTurns: 0, headerShortened: true }
      : tooSmall(p, maxLength, ref);
  }
  let markerRef = ref;
  const fixedBody = (): number =>
    daySeparator(p.openDate).length + dividerCost + markerLengthBound(n, markerRef) + 1;
  if (h.text.length + fixedBody() > maxLength) {
    // The limit is too small for the header even at its share: cut harder, then drop the reference.
    h = shortenHeader(p.entries, maxLength - fixedBody(), true);
    if (h.text.length + fixedBody() > maxLength) {
      markerRef = undefined;
      h = shortenHeader(p.entries, maxLength - fixedBody(), true);
      if (h.text.length + fixedBody() > maxLength) return tooSmall(p, maxLength, ref);
    }
    if (h.text.length + bodyLength <= maxLength) {
      return { text: h.text + fullBody(p), shortened: true, omittedTurns: 0, headerShortened: true };
    }
  }

  const room = maxLength - h.text.length - fixedBody();
  const { keepFirst, resumeAt } = chooseTurns(p, costs, room);
  const text = h.text + renderFitted(p, keepFirst, resumeAt, markerRef);
  if (text.length > maxLength) return tooSmall(p, maxLength, ref); // unreachable by construction; a guard
  return {
    text,
    shortened: true,
    omittedTurns: resumeAt - keepFirst,
    headerShortened: h.shortened,
  };
}
