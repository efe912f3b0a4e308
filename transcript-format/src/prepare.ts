/** A normalized transcript turned into the rendered pieces that write and fit assemble. */

import { HANDOFF_DIVIDER } from './constants.js';
import { daySeparator, headerEntries, headerLine, turnBlock, type HeaderEntry } from './render.js';
import { datePart } from './timestamps.js';
import type { Transcript } from './types.js';

export interface PreparedTranscript {
  entries: HeaderEntry[];
  /** Rendered turn blocks of turns ++ afterHandoff, each written exactly once. */
  blocks: string[];
  /** UTC date of each turn, or undefined when its time is unknown. */
  dates: (string | undefined)[];
  /** Number of turns before the handoff; a divider is written before index `preLength` if it is < length. */
  preLength: number;
  /** Date on the opening separator: the first known date, if any. */
  openDate: string | undefined;
}

export function prepare(t: Transcript): PreparedTranscript {
  const all = t.afterHandoff ? t.turns.concat(t.afterHandoff) : t.turns;
  const blocks = new Array<string>(all.length);
  const dates = new Array<string | undefined>(all.length);
  let openDate: string | undefined;
  for (let i = 0; i < all.length; i++) {
    const turn = all[i];
    blocks[i] = turnBlock(turn);
    const date = turn.at === '' ? undefined : datePart(turn.at);
    dates[i] = date;
    openDate ??= date;
  }
  return { entries: headerEntries(t.header), blocks, dates, preLength: t.turns.length, openDate };
}

export function renderHeader(lines: string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n\n`;
}

export function fullHeader(p: PreparedTranscript): string {
  return renderHeader(p.entries.map((entry) => headerLine(entry)));
}

/** The body with every turn: opening separator, turns, a separator whenever the UTC date changes. */
export function fullBody(p: PreparedTranscript): string {
  const lines: string[] = [daySeparator(p.openDate)];
  let current = p.openDate;
  for (let i = 0; i < p.blocks.length; i++) {
    if (i === p.preLength) lines.push(HANDOFF_DIVIDER);
    const date = p.dates[i];
    if (date !== undefined && date !== current) {
      lines.push(daySeparator(date));
      current = date;
    }
    lines.push(p.blocks[i]);
  }
  return lines.join('\n');
}
