/**
 * What a handoff says for the insights columns, read from its transcript: the one the relay is about to write
 * (delivery) or the one a case's description holds (backfill, after `parse`). One function for both, so a
 * case filled at creation and a case filled later carry the same values for the same handoff.
 */
import type { Omission, Transcript, Verification } from '@opencx-d365/transcript-format';
import { type CALLER_VERIFICATION, CHANNEL, HANDOFF_REASON, SENTIMENT_AT_HANDOFF } from './columns.js';

export type CallerVerification = keyof typeof CALLER_VERIFICATION.options;

/** The insights of one handoff, as OpenCX codes and plain numbers (option values are chosen later). */
export interface HandoffInsights {
  sessionId?: string;
  /** Canonical UTC, `YYYY-MM-DDTHH:mm:ssZ` (milliseconds only when there are any). */
  handoffOn?: string;
  /** OpenCX's codes as the handoff carries them (matched to options case-insensitively). */
  reason?: string;
  sentiment?: string;
  channel?: string;
  callerVerification: CallerVerification;
  turnsBeforeHandoff?: number;
  aiHandlingSeconds?: number;
}

/** How a description was read: fitted texts may have shortened header values and left turns out. */
export interface ReadingOfDescription {
  /** `headerShortened` from `parse`: a header value ending in a bare `…` was cut by `fit`. */
  headerShortened?: boolean;
  omission?: Omission;
}

/**
 * "All date and time columns in Dataverse support values as early as 1/1/1753 12:00 AM" (MS Learn, Behavior
 * and format of the date and time column); the latest is 9999-12-31 (.NET DateTime.MaxValue, which the
 * transcript format's 4-digit years cannot exceed). A time outside is left out rather than refused.
 */
const EARLIEST_DATAVERSE_TIME = Date.UTC(1753, 0, 1);

const ELLIPSIS = '…';

/** Milliseconds since the epoch for an ISO 8601 time, or undefined when it has none or cannot be read. */
function timeOf(at: string | undefined): number | undefined {
  if (!at) return undefined;
  const ms = Date.parse(at);
  return Number.isNaN(ms) ? undefined : ms;
}

function canonicalUtc(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * A header value as it was written: undefined when `fit` cut it (a bare final `…` in a shortened header), or
 * for a code of a known list, the one code the cut value starts (`ai_decided_to_handoff_b…`), if only one does.
 */
function whole(value: string | undefined, shortened: boolean, codes?: readonly string[]): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (!shortened || !trimmed.endsWith(ELLIPSIS)) return trimmed;
  const prefix = trimmed.slice(0, -ELLIPSIS.length).toLowerCase();
  const candidates = (codes ?? []).filter((code) => code.startsWith(prefix));
  return prefix && candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * Whether the caller proved who they are: `verified` when OpenCX verified any detail the handoff gives,
 * else `stated` when the caller stated one, else `none` — also when there are no details at all (an
 * anonymous caller proved nothing; a blank would make "how many callers proved who they are" count the same
 * thing twice, once as none and once as blank). A mark on a detail the handoff does not give is ignored,
 * as the handoff document and the transcript format both say.
 */
export function callerVerificationOf(customer: Transcript['header']['customer']): CallerVerification {
  const marks: Verification[] = [];
  for (const detail of ['name', 'email', 'phone'] as const) {
    const mark = customer?.verification?.[detail];
    if (mark && customer?.[detail]?.trim()) marks.push(mark);
  }
  if (marks.includes('verified')) return 'verified';
  if (marks.includes('stated')) return 'stated';
  return 'none';
}

/**
 * The turns before the handoff. In a fitted description the marker says how many turns were left out and
 * where (`omission`, GRAMMAR.md §1.5): kept turns before the handoff after the marker mean the run ended before
 * the handoff, so all of it counts; a marker after the handoff divider means none of it does; a marker right
 * before the divider (or the end) may span the handoff, and then the count is not known.
 */
function turnsBeforeHandoffOf(transcript: Transcript, omission: Omission | undefined): number | undefined {
  const kept = transcript.turns.length;
  if (!omission) return kept;
  if (omission.firstOmittedIndex > kept) return kept;
  if (omission.firstOmittedIndex < kept) return kept + omission.omittedTurns;
  return undefined;
}

/**
 * The time of the call's first turn: the first turn with a known time, in conversation order. A turn left
 * out of a fitted description before it could have been earlier, so then it is not known.
 */
function firstTurnTimeOf(transcript: Transcript, omission: Omission | undefined): number | undefined {
  const readable = omission ? transcript.turns.slice(0, omission.firstOmittedIndex) : transcript.turns;
  for (const turn of readable) {
    const ms = timeOf(turn.at);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

export function insightsOf(transcript: Transcript, reading: ReadingOfDescription = {}): HandoffInsights {
  const { header } = transcript;
  const shortened = reading.headerShortened === true;
  const handoff = timeOf(header.handoffAt);
  const insights: HandoffInsights = {
    callerVerification: callerVerificationOf(header.customer),
  };
  const sessionId = whole(header.sessionId, shortened);
  if (sessionId) insights.sessionId = sessionId;
  if (handoff !== undefined && handoff >= EARLIEST_DATAVERSE_TIME) insights.handoffOn = canonicalUtc(handoff);
  const reason = whole(header.handoffReason, shortened, Object.keys(HANDOFF_REASON.options));
  if (reason) insights.reason = reason;
  const sentiment = whole(header.sentiment, shortened, Object.keys(SENTIMENT_AT_HANDOFF.options));
  if (sentiment) insights.sentiment = sentiment;
  const channel = whole(header.channel, shortened, Object.keys(CHANNEL.options));
  if (channel) insights.channel = channel;
  const turns = turnsBeforeHandoffOf(transcript, reading.omission);
  if (turns !== undefined) insights.turnsBeforeHandoff = turns;
  const first = firstTurnTimeOf(transcript, reading.omission);
  // A first turn after the handoff is a clock error somewhere, not a negative duration: left out.
  if (first !== undefined && handoff !== undefined && handoff >= first)
    insights.aiHandlingSeconds = Math.floor((handoff - first) / 1000);
  return insights;
}
