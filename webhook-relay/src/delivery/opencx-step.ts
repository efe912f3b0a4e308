/**
 * The "fetching" step of an OpenCX event: the session and its whole history from OpenCX's API, turned
 * into a handoff document; or the reason it cannot be (skipped channel, dead letter, retry later).
 * A history read that gave up part of the way resumes where it stopped: its progress is kept with the
 * record (redacted) and handed back to the client on the next attempt.
 */
import type { RelayConfig } from '../config/types.js';
import type { HandoffDocument } from '../handoff/document.js';
import { messages } from '../messages.js';
import { OpenCxError, type HistoryProgress, type OpenCxClient } from '../opencx/client.js';
import type { OpenCxEventPayload } from '../opencx/envelope.js';
import { redactedProgress, type TextRedactor } from '../opencx/progress.js';
import { handoffFromOpenCx } from '../opencx/to-handoff.js';
import type { HandoffError, HandoffPatch } from '../store/types.js';

/**
 * Try again later: `atMs` when the server said when, else the retry policy decides. `progress`: how far a
 * history read got before it gave up (redacted), to keep with the record so that the next attempt resumes.
 */
export interface RetryLater {
  kind: 'retry';
  error: HandoffError;
  atMs?: number;
  countsAsAttempt: boolean;
  progress?: HistoryProgress;
}

export type FetchOutcome =
  /** `fetched` is true when the document was just built (and must be saved with the record). */
  | { kind: 'ready'; document: HandoffDocument; fetched: boolean }
  | { kind: 'skip'; document: HandoffDocument; note: string }
  | { kind: 'failed'; error: HandoffError }
  | RetryLater;

const m = messages.opencx;

/** The payload to store once the document is built: the document replaces the progress towards it. */
export function withDocument(payload: OpenCxEventPayload, document: HandoffDocument): OpenCxEventPayload {
  return { ...payload, document, progress: undefined };
}

/**
 * What to write with a reschedule: the payload with the progress the read made before it gave up, if it
 * made any (the pages read stay with the record, and the next attempt resumes there); else nothing.
 */
export function progressPatch<P extends object>(
  payload: P,
  outcome: { kind: string; progress?: HistoryProgress },
): HandoffPatch {
  return outcome.kind === 'retry' && outcome.progress
    ? { payload: JSON.stringify({ ...payload, progress: outcome.progress }) }
    : {};
}

export async function fetchHandoffDocument(
  payload: OpenCxEventPayload,
  client: OpenCxClient | undefined,
  config: Pick<RelayConfig, 'incidentChannels'>,
  /** Redacts the turns kept of a read that gave up part of the way; absent when the relay does not redact. */
  redact?: TextRedactor,
): Promise<FetchOutcome> {
  if (payload.document) return { kind: 'ready', document: payload.document, fetched: false };
  const data = payload.envelope.data;
  if (!client)
    return {
      kind: 'failed',
      error: { code: 'opencx_not_configured', message: m.notConfigured, reason: m.notConfigured },
    };
  let document: HandoffDocument;
  let language: string | undefined;
  try {
    const session = await client.getSession(data.conversation_id);
    // The language the document will have (to-handoff.ts), so kept turns are redacted as it will be.
    language = data.language?.trim() || session.language?.trim() || undefined;
    const history = await client.getHistory(data.conversation_id, payload.progress);
    document = handoffFromOpenCx(data, session, history);
  } catch (error) {
    if (!(error instanceof OpenCxError)) throw error;
    return failure(
      error,
      data.conversation_id,
      error.progress && redactedProgress(error.progress, language, redact),
    );
  }
  const channel = document.channel ?? 'phone_voice';
  if (!config.incidentChannels.includes(channel))
    return { kind: 'skip', document, note: m.skippedChannel(channel, config.incidentChannels) };
  return { kind: 'ready', document, fetched: true };
}

/**
 * A fetch that gave up, after its requests were tried in place (opencx/client.ts): a refusal ends it, a
 * 429 comes back when OpenCX said and is not the handoff's fault, anything else counts as an attempt.
 */
function failure(error: OpenCxError, sessionId: string, progress: HistoryProgress | undefined): FetchOutcome {
  const base = { httpStatus: error.httpStatus, message: error.message };
  switch (error.kind) {
    case 'unauthorized':
      return {
        kind: 'failed',
        error: { ...base, code: 'opencx_unauthorized', reason: m.unauthorized(error.httpStatus) },
      };
    case 'not-found':
      return {
        kind: 'failed',
        error: { ...base, code: 'opencx_session_not_found', reason: m.notFound(sessionId) },
      };
    case 'throttled':
      return {
        kind: 'retry',
        error: { ...base, code: 'opencx_throttled', reason: m.throttled },
        atMs: error.retryAtMs,
        countsAsAttempt: false,
        progress,
      };
    default:
      return {
        kind: 'retry',
        error: { ...base, code: `opencx_${error.kind.replace('-', '_')}`, reason: m.unavailable },
        countsAsAttempt: true,
        progress,
      };
  }
}
