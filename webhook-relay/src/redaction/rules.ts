/**
 * What the relay redacts (REDACT) and how a redaction reads in the transcript: each rule has a kind,
 * named as the transcript header shows it (`Redacted: card number ×2`), and a visible marker that
 * replaces the removed text.
 */

/** The rule names REDACT accepts. */
export const REDACTION_RULES = ['cards', 'national-ids', 'digit-runs'] as const;
export type RedactionRule = (typeof REDACTION_RULES)[number];

/** Kind names as the transcript header (transcript-format's `redactions`) and the control show them. */
export type RedactionKind = 'card number' | 'national id' | 'digit run';

/**
 * The text that replaces a removed span. Brackets keep a marker from joining the digits around it, and
 * markers hold no digits nor digit words, so redacting a redacted text changes nothing.
 */
export const MARKERS: Readonly<Record<RedactionKind, string>> = {
  'card number': '[card number removed]',
  'national id': '[national id removed]',
  'digit run': '[digit run removed]',
};

/** When two detections overlap, the one span left takes the most specific kind. */
export const KIND_PRIORITY: readonly RedactionKind[] = ['card number', 'national id', 'digit run'];

export type RedactionCounts = Partial<Record<RedactionKind, number>>;

export function addCounts(into: RedactionCounts, more: RedactionCounts): RedactionCounts {
  for (const [kind, count] of Object.entries(more) as Array<[RedactionKind, number]>)
    if (count > 0) into[kind] = (into[kind] ?? 0) + count;
  return into;
}

/** How many markers of each kind a text shows (the header counts what the transcript shows). */
export function countMarkers(text: string): RedactionCounts {
  const counts: RedactionCounts = {};
  for (const [kind, marker] of Object.entries(MARKERS) as Array<[RedactionKind, string]>) {
    const n = text.split(marker).length - 1;
    if (n > 0) counts[kind] = n;
  }
  return counts;
}
