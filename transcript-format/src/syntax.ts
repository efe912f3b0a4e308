/** Line shapes shared by the strict and the lenient reader. */

import { HANDOFF_DIVIDER } from './constants.js';

const SEPARATOR = /^--- (?:(\d{4}-\d{2}-\d{2}) · )?transcript v(\d{1,6}) · UTC ---$/;
const MARKER =
  /^--- (\d{1,9}) turns? left out \(turns? (\d{1,9})(?: to (\d{1,9}))?\)(?: · full transcript: ([\s\S]*))? ---$/;

export interface SeparatorLine {
  date: string | undefined;
  version: number;
}

export function readSeparator(line: string): SeparatorLine | undefined {
  if (!line.startsWith('--- ') || line.length > 64) return undefined;
  const m = SEPARATOR.exec(line);
  return m ? { date: m[1], version: Number(m[2]) } : undefined;
}

export interface MarkerLine {
  omittedTurns: number;
  firstOmittedIndex: number;
  /** Still escaped as written. */
  rawRef: string | undefined;
}

export function readMarker(line: string): MarkerLine | undefined {
  if (!line.startsWith('--- ') || !line.endsWith(' ---')) return undefined;
  const m = MARKER.exec(line);
  if (!m) return undefined;
  const omitted = Number(m[1]);
  const first = Number(m[2]);
  const last = m[3] === undefined ? first : Number(m[3]);
  if (omitted < 1 || first < 1 || last - first + 1 !== omitted) return undefined;
  if ((omitted === 1) !== (m[3] === undefined)) return undefined;
  return { omittedTurns: omitted, firstOmittedIndex: first - 1, rawRef: m[4] };
}

export function isDivider(line: string): boolean {
  return line === HANDOFF_DIVIDER;
}

/** Splits a text into lines, accepting CRLF or CR from hosts that convert line ends. */
export function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end--;
  let start = 0;
  while (start < end && lines[start] === '') start++;
  return lines.slice(start, end);
}
