/**
 * An append's path (APPEND_AFTER_HANDOFF): the turns after a handoff, added to its case once it exists
 * (delivery/append-step.ts), then settled (delivery/settle-step.ts). Two kinds of record take it: an append
 * job (the sender's turns, `POST /v1/handoffs/{key}/messages`), and OpenCX's `conversation.closed` event,
 * whose turns are read from the session's history.
 */
import { languageOfHandoff } from '../handoff/language.js';
import type { HandoffRecord } from '../store/types.js';
import {
  appendFromClosedSession,
  runAppend,
  type AppendPayload,
  type AppendStepOutcome,
  type ClosedSessionPayload,
} from './append-step.js';
import type { DeliveryContext } from './context.js';
import { relayError } from './delivery-outcome.js';
import { turnRedactions } from './redact-step.js';
import { settleStep } from './settle-step.js';

/** An append job. */
export function deliverAppend(context: DeliveryContext, record: HandoffRecord): Promise<void> {
  return appendAndSettle(context, record, () => appendJob(context, record));
}

/** A `conversation.closed` event: its payload redacted first, should an older relay have stored it whole. */
export async function deliverClosedSession(context: DeliveryContext, record: HandoffRecord): Promise<void> {
  const redacted = await context.redaction.ensure(record);
  const closed = JSON.parse(redacted.payload) as ClosedSessionPayload;
  const appended = () => appendFromClosedSession(closed, context.opencx, appendDeps(context, closed));
  return appendAndSettle(context, redacted, appended, closed);
}

async function appendAndSettle(
  context: DeliveryContext,
  record: HandoffRecord,
  append: () => Promise<AppendStepOutcome>,
  closed?: ClosedSessionPayload,
): Promise<void> {
  let outcome: AppendStepOutcome;
  try {
    outcome = await append();
  } catch (error) {
    const reason = 'The relay could not add the turns after the handoff; see the logs.';
    outcome = { kind: 'failed', error: relayError(error, reason) };
  }
  await settleStep(context, record, outcome, { closed });
}

async function appendJob(context: DeliveryContext, record: HandoffRecord): Promise<AppendStepOutcome> {
  // The turns after a handoff are in the handoff's language: read its spoken digits too.
  const { handoffKey } = JSON.parse(record.payload) as AppendPayload;
  const handoff = await context.store.get(handoffKey);
  const language = handoff ? languageOfHandoff(handoff) : undefined;
  const payload = JSON.parse((await context.redaction.ensure(record, language)).payload) as AppendPayload;
  return runAppend({ key: payload.handoffKey, messages: payload.messages, handoff }, appendDeps(context));
}

function appendDeps(
  { store, dataverse, metadata, redaction }: DeliveryContext,
  closed?: ClosedSessionPayload,
): Parameters<typeof runAppend>[1] {
  return {
    store,
    dataverse,
    metadata,
    countRedactions: turnRedactions,
    // The turns read from OpenCX when the session closes reach Dataverse without being stored: redacted
    // here. An append job's turns were redacted by intake (or just now, by redaction.ensure).
    ...(redaction.active && closed ? { redact: redaction.turns } : {}),
  };
}
