/**
 * The "fetching" step of an OpenCX event: the session and its whole history from OpenCX's API, turned
 * into a handoff document; or the reason it cannot be (skipped channel, dead letter, retry later).
 */
import type { RelayConfig } from '../config/types.js';
import type { HandoffDocument } from '../handoff/document.js';
import { messages } from '../messages.js';
import { OpenCxError, type OpenCxClient } from '../opencx/client.js';
import type { OpenCxEventPayload } from '../opencx/envelope.js';
import { handoffFromOpenCx } from '../opencx/to-handoff.js';
import type { HandoffError } from '../store/types.js';

export type FetchOutcome =
  /** `fetched` is true when the document was just built (and must be saved with the record). */
  | { kind: 'ready'; document: HandoffDocument; fetched: boolean }
  | { kind: 'skip'; document: HandoffDocument; note: string }
  | { kind: 'failed'; error: HandoffError }
  /** Try again: `atMs` when OpenCX said when, else the retry policy decides. */
  | { kind: 'retry'; error: HandoffError; atMs?: number; countsAsAttempt: boolean };

const m = messages.opencx;

export async function fetchHandoffDocument(
  payload: OpenCxEventPayload,
  client: OpenCxClient | undefined,
  config: Pick<RelayConfig, 'incidentChannels'>,
): Promise<FetchOutcome> {
  if (payload.document) return { kind: 'ready', document: payload.document, fetched: false };
  const data = payload.envelope.data;
  if (!client)
    return {
      kind: 'failed',
      error: { code: 'opencx_not_configured', message: m.notConfigured, reason: m.notConfigured },
    };
  let document: HandoffDocument;
  try {
    const session = await client.getSession(data.conversation_id);
    const history = await client.getHistory(data.conversation_id);
    document = handoffFromOpenCx(data, session, history);
  } catch (error) {
    if (!(error instanceof OpenCxError)) throw error;
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
          error: { ...base, code: 'opencx_session_not_found', reason: m.notFound(data.conversation_id) },
        };
      case 'throttled':
        return {
          kind: 'retry',
          error: { ...base, code: 'opencx_throttled', reason: m.throttled },
          atMs: error.retryAtMs,
          countsAsAttempt: false,
        };
      default:
        return {
          kind: 'retry',
          error: { ...base, code: `opencx_${error.kind.replace('-', '_')}`, reason: m.unavailable },
          countsAsAttempt: true,
        };
    }
  }
  const channel = document.channel ?? 'phone_voice';
  if (!config.incidentChannels.includes(channel))
    return { kind: 'skip', document, note: m.skippedChannel(channel, config.incidentChannels) };
  return { kind: 'ready', document, fetched: true };
}
