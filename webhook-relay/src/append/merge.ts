/**
 * Pure: adding turns said after the handoff, idempotently. A turn is the same turn when its instant,
 * speaker, name and text are the same; a repeated or out-of-order delivery therefore never duplicates
 * one, and the result is in time order whatever order the deliveries came in.
 */
import { normalizeTranscript, type Turn } from '@opencx-d365/transcript-format';

const identity = (turn: Turn) => JSON.stringify([turn.at, turn.role, turn.name ?? '', turn.text]);

/** Canonical form (UTC timestamps as transcript-format writes them), so spellings of one instant agree. */
export function canonicalTurns(turns: Turn[]): Turn[] {
  return normalizeTranscript({ header: {}, turns }).turns;
}

export function mergeTurns(existing: Turn[], incoming: Turn[]): { turns: Turn[]; added: number } {
  const seen = new Set(existing.map(identity));
  const added: Turn[] = [];
  for (const turn of canonicalTurns(incoming)) {
    const id = identity(turn);
    if (seen.has(id)) continue;
    seen.add(id);
    added.push(turn);
  }
  if (added.length === 0) return { turns: existing, added: 0 };
  // Stable sort by instant: equal instants keep their arrival order.
  const all = [...existing, ...added].map((turn, index) => ({ turn, index, ms: Date.parse(turn.at) }));
  all.sort((a, b) =>
    a.ms === b.ms || Number.isNaN(a.ms) || Number.isNaN(b.ms) ? a.index - b.index : a.ms - b.ms,
  );
  return { turns: all.map((entry) => entry.turn), added: added.length };
}
