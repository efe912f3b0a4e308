/**
 * Post-handoff append (APPEND_AFTER_HANDOFF): a job names the case (its handoff key) and the turns said
 * after the handoff — given by the sender (`POST /v1/handoffs/{key}/messages`) or read from OpenCX's
 * history when the session closes — and adds them to that case exactly once.
 */
import type { Turn } from '@opencx-d365/transcript-format';
import { appendToCase, type AppendOutcome } from '../append/append-to-case.js';
import { DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import type { HandoffMessage } from '../handoff/document.js';
import { handoffKey } from '../handoff/key.js';
import {
  OpenCxError,
  type HistoryProgress,
  type OpenCxClient,
  type OpenCxHistoryItem,
} from '../opencx/client.js';
import type { OpenCxEnvelope } from '../opencx/envelope.js';
import { redactedProgress, type TextRedactor } from '../opencx/progress.js';
import type { InPlaceOptions } from '../retry-in-place.js';
import type { HandoffError, HandoffRecord, HandoffStore } from '../store/types.js';
import type { DeliveryMetadata } from './plan.js';
import { languageOfHandoff } from '../handoff/language.js';
import { stepFailure } from './delivery-outcome.js';
import type { RetryLater } from './opencx-step.js';

export type { AppendPayload } from '../append/payload.js';

/**
 * Payload of a `conversation.closed` event: the envelope, and after a history read gave up part of the
 * way, how far it got (its turns redacted), so the next attempt resumes there.
 */
export interface ClosedSessionPayload {
  envelope: OpenCxEnvelope;
  progress?: HistoryProgress;
}

export type AppendStepOutcome =
  | { kind: 'done'; status: 'created' | 'duplicate'; incidentId: string; note: string }
  | { kind: 'skip'; note: string }
  | { kind: 'failed'; error: HandoffError }
  | RetryLater;

const turnsOf = (messages: HandoffMessage[]): Turn[] =>
  messages.map((m) => ({ at: m.at, role: m.role, ...(m.name ? { name: m.name } : {}), text: m.text }));

/** The session's last handoff in its history, and every message after it. */
export function afterLastHandoff(items: OpenCxHistoryItem[]): {
  handoffAt?: string;
  messages: HandoffMessage[];
} {
  const sorted = [...items].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  const last = sorted
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => item.event.type === 'handoff')
    .pop();
  if (!last) return { messages: [] };
  const roles: Record<string, HandoffMessage['role']> = {
    contact: 'contact',
    ai: 'ai',
    human_agent: 'human_agent',
    agent: 'human_agent',
  };
  const messages = sorted.slice(last.index + 1).flatMap((item): HandoffMessage[] => {
    const text = item.event.content?.text;
    if (item.event.type !== 'message' || typeof text !== 'string') return [];
    const role = roles[item.event.sender?.type ?? ''] ?? 'system';
    const name = role === 'human_agent' ? item.event.sender?.name?.trim() : undefined;
    return [{ at: item.created_at, role, ...(name ? { name } : {}), text }];
  });
  return { handoffAt: last.item.created_at, messages };
}

export async function runAppend(
  /** `handoff`: the handoff's record, when the caller has just read it (saves reading it again). */
  target: { key: string; messages: HandoffMessage[]; handoff?: HandoffRecord },
  deps: {
    store: HandoffStore;
    dataverse: DataverseClient;
    metadata: DeliveryMetadata;
    /** Redacts the turns, in the handoff's language, before they reach Dataverse (delivery/redact-step.ts). */
    redact?: TextRedactor;
    /** Counts the redaction markers in turns, for the header's `Redacted:` line. */
    countRedactions?: (turns: readonly Turn[]) => Partial<Record<string, number>>;
    /** The tries in place of the case's reads (defaults: retry-in-place.ts). */
    inPlace?: InPlaceOptions;
  },
): Promise<AppendStepOutcome> {
  const handoff = target.handoff ?? (await deps.store.get(target.key));
  if (!handoff)
    return { kind: 'skip', note: `No handoff ${target.key} in this relay: nothing to add the turns to.` };
  const notYet = caseNotReady(target.key, handoff);
  if (notYet) return notYet;
  if (target.messages.length === 0)
    return { kind: 'done', status: 'duplicate', incidentId: target.key, note: 'No turns after the handoff.' };
  const turns = deps.redact
    ? deps.redact(turnsOf(target.messages), languageOfHandoff(handoff))
    : turnsOf(target.messages);
  try {
    const outcome = await appendToCase(deps.dataverse, deps.metadata, target.key, turns, {
      countRedactions: deps.countRedactions,
      inPlace: deps.inPlace,
    });
    return appendOutcomeOf(target.key, outcome);
  } catch (error) {
    if (!(error instanceof DataverseRequestError)) throw error;
    return stepFailure(error.failure);
  }
}

/** A handoff without a case to add turns to (never will have, or not yet); undefined when it has one. */
function caseNotReady(key: string, handoff: HandoffRecord): AppendStepOutcome | undefined {
  if (handoff.status === 'failed' || handoff.status === 'skipped')
    return {
      kind: 'skip',
      note: `Handoff ${key} is ${handoff.status}: it has no case to add the turns to.`,
    };
  if (handoff.status !== 'created' && handoff.status !== 'duplicate') {
    const reason = 'The case is not created yet; the later turns are added once it is.';
    return {
      kind: 'retry',
      error: { code: 'append_waiting', message: reason, reason },
      countsAsAttempt: false,
    };
  }
  return undefined;
}

function appendOutcomeOf(key: string, outcome: AppendOutcome): AppendStepOutcome {
  switch (outcome.kind) {
    case 'appended':
      return {
        kind: 'done',
        status: 'created',
        incidentId: key,
        note: `Added ${outcome.added} turns after the handoff.`,
      };
    case 'nothing-new':
      return {
        kind: 'done',
        status: 'duplicate',
        incidentId: key,
        note: 'Every turn was already on the case.',
      };
    case 'conflict': {
      const reason = 'The case changed while the turns were added; reading it again.';
      return {
        kind: 'retry',
        error: { code: 'append_conflict', httpStatus: 412, message: reason, reason },
        atMs: 0,
        countsAsAttempt: false,
      };
    }
    case 'unreadable':
      return {
        kind: 'failed',
        error: { code: 'append_unreadable', message: outcome.reason, reason: outcome.reason },
      };
    case 'deleted':
      return {
        kind: 'failed',
        error: {
          code: 'append_case_deleted',
          httpStatus: 404,
          message: outcome.reason,
          reason: outcome.reason,
        },
      };
  }
}

/**
 * `conversation.closed`: reads the session's history to find its last handoff and what followed, from
 * where an earlier read gave up when it did.
 */
export async function appendFromClosedSession(
  { envelope, progress }: ClosedSessionPayload,
  client: OpenCxClient | undefined,
  deps: Parameters<typeof runAppend>[1],
): Promise<AppendStepOutcome> {
  const sessionId = envelope.data.conversation_id;
  if (typeof sessionId !== 'string' || !sessionId)
    return { kind: 'skip', note: 'The event names no conversation.' };
  if (!client) {
    const reason = 'OPENCX_API_KEY is not set, so the turns after the handoff cannot be read from OpenCX.';
    return { kind: 'failed', error: { code: 'opencx_not_configured', message: reason, reason } };
  }
  let history: OpenCxHistoryItem[];
  try {
    history = await client.getHistory(sessionId, progress);
  } catch (error) {
    if (!(error instanceof OpenCxError)) throw error;
    const kept = error.progress && (await keptProgress(error.progress, sessionId, envelope, deps));
    const failure = {
      httpStatus: error.httpStatus,
      message: error.message,
      reason: `OpenCX: ${error.kind}`,
      code: `opencx_${error.kind.replace('-', '_')}`,
    };
    if (error.kind === 'unauthorized' || error.kind === 'not-found')
      return { kind: 'failed', error: failure };
    return {
      kind: 'retry',
      error: failure,
      atMs: error.retryAtMs,
      countsAsAttempt: error.kind !== 'throttled',
      progress: kept,
    };
  }
  const after = afterLastHandoff(history);
  if (!after.handoffAt) return { kind: 'skip', note: `Session ${sessionId} has no handoff in its history.` };
  return runAppend({ key: handoffKey(sessionId, after.handoffAt), messages: after.messages }, deps);
}

/**
 * The turns read so far, redacted in the language of the handoff they follow when the pages read name it
 * (the last handoff in them, as this relay stored it), else in the event's language, if it gives one.
 */
async function keptProgress(
  progress: HistoryProgress,
  sessionId: string,
  envelope: OpenCxEnvelope,
  deps: Parameters<typeof runAppend>[1],
): Promise<HistoryProgress> {
  if (!deps.redact) return progress;
  const { handoffAt } = afterLastHandoff(progress.items);
  const handoff = handoffAt ? await deps.store.get(handoffKey(sessionId, handoffAt)) : undefined;
  const stated = typeof envelope.data.language === 'string' ? envelope.data.language : undefined;
  return redactedProgress(progress, (handoff && languageOfHandoff(handoff)) ?? stated, deps.redact);
}
