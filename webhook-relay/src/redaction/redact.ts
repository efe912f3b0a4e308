/**
 * Redaction of one text: finds card numbers, national ids and long digit runs (the rules switched on),
 * replaces each with its visible marker and counts them by kind. Pure; everything outside the replaced
 * spans is returned unchanged.
 */
import { CARD_LENGTHS, findCards } from './cards.js';
import { isLongRun, LONG_RUN_DIGITS } from './digit-runs.js';
import { isSsn, patternMatches, SSN_DIGITS } from './national-ids.js';
import {
  KIND_PRIORITY,
  MARKERS,
  type RedactionCounts,
  type RedactionKind,
  type RedactionRule,
} from './rules.js';
import { digitCount, digitRuns, isE164 } from './runs.js';
import { digitReader, type DigitItem } from './spoken-digits.js';

export interface RedactionOptions {
  /** The rules switched on (REDACT); none switched on returns every text as it is. */
  rules: readonly RedactionRule[];
  /** Extra national id patterns (REDACT_NATIONAL_ID_PATTERNS), used when national-ids is on. */
  nationalIdPatterns?: readonly RegExp[];
}

export interface RedactionSpan {
  /** Span of the original text (UTF-16 offsets, end exclusive). */
  start: number;
  end: number;
  kind: RedactionKind;
}

export interface RedactionResult {
  text: string;
  counts: RedactionCounts;
  /** What was replaced, in order, never overlapping. */
  spans: RedactionSpan[];
}

/** What a text without anything to remove answers (shared: most texts have nothing, and intake redacts each). */
const NONE: RedactionCounts = Object.freeze({});
const NO_SPANS: RedactionSpan[] = Object.freeze([]) as unknown as RedactionSpan[];

/** A run with fewer digits than the shortest thing a rule removes (an SSN) holds nothing to remove. */
const FEWEST_DIGITS = Math.min(SSN_DIGITS, ...CARD_LENGTHS, LONG_RUN_DIGITS);

/** One or two digits identify nothing, and are often a word said before the number ("oh, 4111…"). */
const MIN_LEFTOVER_DIGITS = 3;

/**
 * The detections of one run: cards first; then each stretch the cards left is an SSN, or a digit run
 * when the whole run is long. A long run therefore never leaves digits behind around a card it holds
 * (an expiry or CVV read after the card, or the rest of an account number in which a window happened
 * to pass Luhn); a short run's stretches are judged alone.
 */

function runSpans(text: string, items: readonly DigitItem[], rules: ReadonlySet<RedactionRule>) {
  const spans: RedactionSpan[] = [];
  const span = (from: readonly DigitItem[], kind: RedactionKind) =>
    spans.push({ start: from[0].start, end: from[from.length - 1].end, kind });
  const taken = new Array<boolean>(items.length).fill(false);
  if (rules.has('cards'))
    for (const { first, last } of findCards(items)) {
      span(items.slice(first, last + 1), 'card number');
      taken.fill(true, first, last + 1);
    }
  const longRun = rules.has('digit-runs') && isLongRun(items);
  let start = 0;
  for (let i = 0; i <= items.length; i += 1) {
    if (i < items.length && !taken[i]) continue;
    const rest = items.slice(start, i);
    start = i + 1;
    if (rest.length === 0) continue;
    if (rules.has('national-ids') && isSsn(text, rest)) span(rest, 'national id');
    else if (longRun && digitCount(rest) >= MIN_LEFTOVER_DIGITS) span(rest, 'digit run');
  }
  return spans;
}

/** Overlapping spans (an operator's pattern over a card, say) become one, of the most specific kind. */
function merge(spans: RedactionSpan[]): RedactionSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: RedactionSpan[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.start < last.end) {
      last.end = Math.max(last.end, span.end);
      if (KIND_PRIORITY.indexOf(span.kind) < KIND_PRIORITY.indexOf(last.kind)) last.kind = span.kind;
    } else merged.push({ ...span });
  }
  return merged;
}

/**
 * Redacts `text`. `language` (the handoff's, a BCP 47 tag) adds that language's digit words to the
 * English ones (digit-words.ts).
 */
export function redactText(text: string, options: RedactionOptions, language?: string): RedactionResult {
  return redactor(options, language)(text);
}

/** `redactText` for many texts of one handoff: the rules and the language's words are prepared once. */
export function redactor(options: RedactionOptions, language?: string): (text: string) => RedactionResult {
  const rules = new Set(options.rules);
  const readDigits = digitReader(language);
  const patterns = rules.has('national-ids') ? (options.nationalIdPatterns ?? []) : [];
  const unchanged = (text: string): RedactionResult => ({ text, counts: NONE, spans: NO_SPANS });
  return (text) => {
    if (rules.size === 0 || text.length === 0) return unchanged(text);
    const found: RedactionSpan[] = [];
    const items = readDigits(text);
    // Most texts hold too few digits in all for any rule: no runs to build.
    if (digitCount(items) >= FEWEST_DIGITS)
      for (const run of digitRuns(text, items))
        if (digitCount(run.items) >= FEWEST_DIGITS && !isE164(text, run.items))
          found.push(...runSpans(text, run.items, rules));
    if (patterns.length)
      for (const match of patternMatches(text, patterns)) found.push({ ...match, kind: 'national id' });
    if (found.length === 0) return unchanged(text);

    const spans = merge(found);
    const counts: RedactionCounts = {};
    let out = '';
    let at = 0;
    for (const span of spans) {
      out += text.slice(at, span.start) + MARKERS[span.kind];
      at = span.end;
      counts[span.kind] = (counts[span.kind] ?? 0) + 1;
    }
    return { text: out + text.slice(at), counts, spans };
  };
}
