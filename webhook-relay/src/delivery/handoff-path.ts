/**
 * A handoff's path: our own handoff document, or an OpenCX event's once fetched (delivery/opencx-event-path.ts).
 * Fetch the document, decide and write its case (delivery/send-case.ts), settle: created or duplicate (and,
 * under unified routing, the route record that routes it), or what the retry policy says of a failure:
 * every worker pauses, the handoff is due again later, or it is dead-lettered.
 */
import { queueModeOf } from '../config/types.js';
import type { HandoffDocument } from '../handoff/document.js';
import { messages } from '../messages.js';
import type { HandoffRecord } from '../store/types.js';
import { CONCURRENCY_LIMIT } from './concurrency-limit.js';
import type { DeliveryContext, Pacing } from './context.js';
import {
  afterFailedDelivery,
  pauseMessage,
  relayError,
  type DeliveryOutcome,
  type FailedDelivery,
} from './delivery-outcome.js';
import { openCxDocument } from './opencx-event-path.js';
import { scheduleRouting } from './route-step.js';
import { sendCase } from './send-case.js';

export async function deliverHandoff(
  context: DeliveryContext,
  record: HandoffRecord,
  pacing: Pacing,
): Promise<void> {
  const document = await documentOf(context, record);
  if (!document) return;
  const outcome = await sendCase(context, record.key, document);
  const now = context.clock();
  if ('failure' in outcome) await settleFailure(context, record, outcome, now, pacing);
  else await settleCreated(context, record, outcome, now, pacing);
}

/**
 * The document to deliver, the record marked `delivering`; undefined when the record was settled on the
 * way (an OpenCX event skipped, dead-lettered or rescheduled, or a payload that cannot be read).
 */
async function documentOf(
  context: DeliveryContext,
  record: HandoffRecord,
): Promise<HandoffDocument | undefined> {
  const { transitions, redaction, clock } = context;
  // Our own handoff document needs no fetching: it is marked `delivering` (and, stored by an older relay,
  // redacted) in one update.
  const direct = record.kind === 'handoff';
  // Outside the try: a store that cannot be reached is not this handoff's fault (the round fails, the
  // lease runs out, the handoff is taken again); only a payload that cannot be read is dead-lettered.
  const stored = direct ? await redaction.ensure(record, undefined, { status: 'delivering' }) : undefined;
  let document: HandoffDocument | undefined;
  try {
    document = stored
      ? (JSON.parse(stored.payload) as HandoffDocument)
      : await openCxDocument(context, await redaction.ensure(record));
  } catch (error) {
    const reason = 'The relay could not process this OpenCX event; see the logs.';
    await transitions.settle(record, { status: 'failed', lastError: relayError(error, reason) }, clock());
    return undefined;
  }
  if (document && !direct) await transitions.save(record, { status: 'delivering' }, clock());
  return document;
}

async function settleCreated(
  context: DeliveryContext,
  record: HandoffRecord,
  outcome: Exclude<DeliveryOutcome, FailedDelivery>,
  now: number,
  pacing: Pacing,
): Promise<void> {
  // Unified routing is asked once the case exists, by a record of its own, stored before this one settles.
  const unifiedRouting = queueModeOf(context.config) === 'unified-routing';
  const route = unifiedRouting ? await scheduleRouting(context.store, record, now) : undefined;
  await context.transitions.settle(
    record,
    {
      status: outcome.status,
      incidentId: record.key,
      ticketNumber: outcome.ticketNumber,
      lastError: null,
      ...(route ? { note: messages.routing.scheduled(route) } : {}),
    },
    now,
  );
  context.metrics?.deliveryLatency.observe((now - record.receivedAt) / 1000);
  pacing.delivered();
  context.logger
    ?.child({ handoffKey: record.key })
    .info({ status: outcome.status, ticketNumber: outcome.ticketNumber }, 'case delivered');
}

async function settleFailure(
  context: DeliveryContext,
  record: HandoffRecord,
  outcome: FailedDelivery,
  now: number,
  pacing: Pacing,
): Promise<void> {
  const { transitions, config } = context;
  const { failure } = outcome;
  const log = context.logger?.child({ handoffKey: record.key });
  const after = afterFailedDelivery(outcome, record.attempts, now, config.delivery, context.random);
  const { decision, attempts, lastError } = after;
  if (decision.kind === 'pause') {
    if (failure.code === CONCURRENCY_LIMIT) pacing.refusedForConcurrency();
    await transitions.pauseFleet(decision.untilMs);
    if (failure.httpStatus === 429) context.metrics?.throttlePauses.inc();
    else context.metrics?.tokenPauses.inc();
    await transitions.release(record, { nextAttemptAt: decision.untilMs, lastError }, now);
    // Which service-protection limit (0x80072322 requests, 0x80072321 execution time, 0x80072326 concurrency)
    // and Dataverse's own message naming it: what operators read the budget from (Service protection API limits).
    const { httpStatus: status, code, message: limit, retryAfterSeconds } = failure;
    log?.warn({ until: decision.untilMs, status, code, limit, retryAfterSeconds }, pauseMessage(failure));
  } else if (decision.kind === 'retry') {
    await transitions.release(record, { attempts, nextAttemptAt: decision.atMs, lastError }, now);
    log?.warn({ attempts, code: failure.code, status: failure.httpStatus }, 'delivery failed, will retry');
  } else {
    await transitions.settle(record, { status: 'failed', attempts, lastError }, now);
    const { code, httpStatus: status, reason } = failure;
    log?.error({ attempts, code, status, reason }, 'delivery failed for good');
  }
}
