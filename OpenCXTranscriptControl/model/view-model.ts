/**
 * Pure: a parsed description → what the control shows. Rows are flat (turns, day separators, the
 * omission marker, the handoff divider) so the list can be virtualised and searched by index.
 */
import type {
  Omission,
  ParsedDescription,
  Transcript,
  TranscriptHeader,
  Turn,
} from '@opencx-d365/transcript-format';
import { revealBidiControls, revealTranscript, stripBidiControls } from './bidi';
import type { RepClock } from './locale';
import { localDayKey } from './time';

export type Row =
  | {
      kind: 'turn';
      id: string;
      turn: Turn;
      /** index in the full transcript's turns (+ afterHandoff) */ index: number;
    }
  | { kind: 'day'; id: string; at: string }
  | { kind: 'omitted'; id: string; count: number }
  | { kind: 'handoff'; id: string; at?: string; reason?: string };

export type TranscriptView =
  | {
      kind: 'transcript';
      /** As shown: bidi controls made visible (model/bidi.ts). */
      header: TranscriptHeader;
      /** The caller's details for the link form and the contact search: bidi controls removed. */
      caller: { name?: string; phone?: string; email?: string };
      rows: Row[];
      turnCount: number;
      /** Turns left out of this (shortened) text; 0 when complete. */
      omittedTurns: number;
      omission?: Omission;
      /** Set for a text that is not ours but could be read (what it was recognised as). */
      bestEffortSource?: string;
    }
  | { kind: 'plain'; text: string }
  | { kind: 'empty' };

export function buildRows(transcript: Transcript, clock: RepClock, omission?: Omission): Row[] {
  const rows: Row[] = [];
  const before = transcript.turns;
  const kept = [...before, ...(transcript.afterHandoff ?? [])];
  const header = transcript.header;
  const divider = Boolean(header.handoffAt || header.handoffReason || transcript.afterHandoff?.length);
  let day: string | undefined;
  // `k` walks the kept turns; the marker sits where turns were left out, the divider where the
  // conversation passed to a person. Both may fall after the last kept turn.
  for (let k = 0; k <= kept.length; k++) {
    if (omission && k === omission.firstOmittedIndex)
      rows.push({ kind: 'omitted', id: 'omitted', count: omission.omittedTurns });
    if (divider && k === before.length)
      rows.push({ kind: 'handoff', id: 'handoff', at: header.handoffAt, reason: header.handoffReason });
    if (k === kept.length) break;
    const turn = kept[k];
    const index = omission && k >= omission.firstOmittedIndex ? k + omission.omittedTurns : k;
    const dayKey = localDayKey(turn.at, clock);
    if (dayKey && dayKey !== day) {
      day = dayKey;
      rows.push({ kind: 'day', id: `day-${index}`, at: turn.at });
    }
    rows.push({ kind: 'turn', id: `turn-${index}`, turn, index });
  }
  return rows;
}

function callerOf(header: TranscriptHeader) {
  const customer = header.customer ?? {};
  return {
    name: stripBidiControls(customer.name),
    phone: stripBidiControls(customer.phone),
    email: stripBidiControls(customer.email),
  };
}

/** What the control shows: every transcript string with its bidi controls made visible (model/bidi.ts). */
export function buildView(parsed: ParsedDescription, clock: RepClock): TranscriptView {
  switch (parsed.kind) {
    case 'empty':
      return { kind: 'empty' };
    case 'plain':
      return { kind: 'plain', text: revealBidiControls(parsed.text) };
    case 'best-effort': {
      const shown = revealTranscript(parsed.transcript);
      return {
        kind: 'transcript',
        header: shown.header,
        caller: callerOf(parsed.transcript.header),
        rows: buildRows(shown, clock),
        turnCount: countTurns(parsed.transcript),
        omittedTurns: 0,
        bestEffortSource: parsed.source,
      };
    }
    case 'transcript': {
      const shown = revealTranscript(parsed.transcript);
      return {
        kind: 'transcript',
        header: shown.header,
        caller: callerOf(parsed.transcript.header),
        rows: buildRows(shown, clock, parsed.omission),
        turnCount: countTurns(parsed.transcript) + (parsed.omission?.omittedTurns ?? 0),
        omittedTurns: parsed.omission?.omittedTurns ?? 0,
        omission: parsed.omission,
      };
    }
  }
}

function countTurns(transcript: Transcript): number {
  return transcript.turns.length + (transcript.afterHandoff?.length ?? 0);
}
