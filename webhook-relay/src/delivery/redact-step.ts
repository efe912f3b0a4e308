/**
 * Redaction in the delivery path (spec §3.8): the header's `Redacted:` counts. What a payload's redacted
 * form is, intake and the worker alike ask redaction/payloads.ts; the counts are read back from the text.
 */
import type { Turn } from '@opencx-d365/transcript-format';
import type { HandoffDocument } from '../handoff/document.js';
import { addCounts, countMarkers, type RedactionCounts } from '../redaction/rules.js';

/**
 * The header's `Redacted:` counts: the markers the transcript shows (what transcript.ts takes from the
 * document: messages, summary, classification or else contact reason, reason). Counted from the text
 * rather than remembered, so every retry of a record stored redacted shows the same header, and a handoff
 * taken redacted shows its counts even when REDACT has since been turned off.
 */
export function shownRedactions(document: HandoffDocument): Record<string, number> | undefined {
  const texts = [
    ...document.messages.map((message) => message.text),
    document.summary,
    document.classification ?? document.contact_reason,
    document.reason,
  ];
  const counts: RedactionCounts = {};
  for (const text of texts) if (text) addCounts(counts, countMarkers(text));
  return Object.keys(counts).length > 0 ? counts : undefined;
}

/** The markers in some turns (for the turns added after the handoff). */
export function turnRedactions(turns: readonly Turn[]): RedactionCounts {
  const counts: RedactionCounts = {};
  for (const turn of turns) addCounts(counts, countMarkers(turn.text));
  return counts;
}
