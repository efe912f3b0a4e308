/**
 * Pure: find a query in the transcript's turns. Matching is case-insensitive with Unicode simple case
 * folding (a `iu` regular expression), so match offsets always index the original text.
 */
import type { Row } from './view-model';

export interface Match {
  /** Index of the row (in the view's rows) holding the match. */
  row: number;
  start: number;
  end: number;
}

const SPECIAL = /[.*+?^${}()|[\]\\]/g;

export function findMatches(rows: readonly Row[], query: string): Match[] {
  const needle = query.trim();
  if (!needle) return [];
  const pattern = new RegExp(needle.replace(SPECIAL, '\\$&'), 'giu');
  const matches: Match[] = [];
  rows.forEach((row, index) => {
    if (row.kind !== 'turn') return;
    for (const found of row.turn.text.matchAll(pattern)) {
      const start = found.index ?? 0;
      matches.push({ row: index, start, end: start + found[0].length });
    }
  });
  return matches;
}

export interface Segment {
  text: string;
  /** Set on a highlighted segment: whether it is the current match. */
  match?: 'current' | 'other';
}

/** Splits a text into plain and highlighted segments (rendered as text nodes, never as HTML). */
export function segmentsOf(text: string, ranges: readonly Match[], current: Match | undefined): Segment[] {
  if (ranges.length === 0) return [{ text }];
  const segments: Segment[] = [];
  let at = 0;
  for (const range of ranges) {
    if (range.start > at) segments.push({ text: text.slice(at, range.start) });
    segments.push({
      text: text.slice(range.start, range.end),
      match: range === current ? 'current' : 'other',
    });
    at = range.end;
  }
  if (at < text.length) segments.push({ text: text.slice(at) });
  return segments;
}

/** Wraps around in both directions. */
export function stepMatch(current: number, count: number, direction: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return direction === 1 ? 0 : count - 1;
  return (current + direction + count) % count;
}
