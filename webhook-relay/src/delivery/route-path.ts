/** A route record's path: unified routing for a created case (delivery/route-step.ts), then settled. */
import { messages } from '../messages.js';
import type { HandoffRecord } from '../store/types.js';
import type { AppendStepOutcome } from './append-step.js';
import type { DeliveryContext } from './context.js';
import { relayError } from './delivery-outcome.js';
import { runRoute } from './route-step.js';
import { settleStep } from './settle-step.js';

export async function deliverRoute(context: DeliveryContext, record: HandoffRecord): Promise<void> {
  let outcome: AppendStepOutcome;
  try {
    outcome = await runRoute(record, context.dataverse);
  } catch (error) {
    context.logger?.error({ handoffKey: record.key, err: error }, 'routing failed');
    const reason = 'The relay could not apply unified routing; see the logs.';
    outcome = { kind: 'failed', error: relayError(error, reason) };
  }
  await settleStep(context, record, outcome, { retryMessage: messages.routing.retrying });
}
