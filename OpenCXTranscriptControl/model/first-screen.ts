/**
 * Pure: what the rep needs on the first screen of a handed-off call. Where the log opens (the handoff
 * divider with the turns just before it, or the newest turns after it), and the handoff brief's
 * quotes: the caller's and the AI's last turns before the handoff, by row so a click can go to them.
 */
import type { TranscriptHeader } from '@opencx-d365/transcript-format';
import type { Row } from './view-model';

export interface BriefQuote {
  /** Index of the turn's row in the log. */
  row: number;
  text: string;
  at: string;
}

export interface HandoffBrief {
  summary?: string;
  handoffAt?: string;
  callerLast?: BriefQuote;
  aiLast?: BriefQuote;
}

/** The row of the handoff divider, or undefined when the transcript marks no handoff. */
export function handoffRowOf(rows: readonly Row[]): number | undefined {
  const index = rows.findIndex((row) => row.kind === 'handoff');
  return index < 0 ? undefined : index;
}

/**
 * The row the log opens at: the handoff divider (the layout shows the turns before it and, when there
 * are some, the newest after it); without a divider, the last row, where a call ends.
 */
function openingOf(rows: readonly Row[], handoffRow: number | undefined): number | undefined {
  if (rows.length === 0) return undefined;
  return handoffRow ?? rows.length - 1;
}

export function openingRowOf(rows: readonly Row[]): number | undefined {
  return openingOf(rows, handoffRowOf(rows));
}

function lastTurnBefore(rows: readonly Row[], end: number, role: string): BriefQuote | undefined {
  for (let i = end - 1; i >= 0; i--) {
    const row = rows[i];
    if (row.kind === 'turn' && row.turn.role === role && row.turn.text.trim())
      return { row: i, text: row.turn.text.trim(), at: row.turn.at };
  }
  return undefined;
}

/** The brief from the turns before `end` (the divider's row, or the end of the rows). */
function briefOf(header: TranscriptHeader, rows: readonly Row[], end: number): HandoffBrief {
  return {
    summary: header.summary?.trim() || undefined,
    handoffAt: header.handoffAt,
    callerLast: lastTurnBefore(rows, end, 'contact'),
    aiLast: lastTurnBefore(rows, end, 'ai'),
  };
}

export function handoffBriefOf(header: TranscriptHeader, rows: readonly Row[]): HandoffBrief {
  return briefOf(header, rows, handoffRowOf(rows) ?? rows.length);
}

export interface FirstScreen {
  /** The divider's row; undefined when the transcript marks no handoff. */
  handoffRow?: number;
  openingRow?: number;
  brief: HandoffBrief;
}

/** Everything the first screen needs from the rows, finding the divider once. */
export function firstScreenOf(header: TranscriptHeader, rows: readonly Row[]): FirstScreen {
  const handoffRow = handoffRowOf(rows);
  return {
    handoffRow,
    openingRow: openingOf(rows, handoffRow),
    brief: briefOf(header, rows, handoffRow ?? rows.length),
  };
}
