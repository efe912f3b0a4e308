/**
 * How an append or a routing step ended, written to its record: done, skipped, dead-lettered, or due again.
 * A closed session's history read that gave up keeps what it read (progressPatch), to resume there.
 */
import type { HandoffRecord } from '../store/types.js';
import type { AppendStepOutcome, ClosedSessionPayload } from './append-step.js';
import type { DeliveryContext } from './context.js';
import { progressPatch } from './opencx-step.js';

export async function settleStep(
  { transitions, clock }: Pick<DeliveryContext, 'transitions' | 'clock'>,
  record: HandoffRecord,
  outcome: AppendStepOutcome,
  /** `closed`: the session-closed event's payload; `retryMessage`: the log line of a reschedule. */
  options: { closed?: ClosedSessionPayload; retryMessage?: string } = {},
): Promise<void> {
  const now = clock();
  switch (outcome.kind) {
    case 'done':
      await transitions.settle(
        record,
        { status: outcome.status, incidentId: outcome.incidentId, note: outcome.note, lastError: null },
        now,
      );
      return;
    case 'skip':
      await transitions.settle(record, { status: 'skipped', note: outcome.note }, now);
      return;
    case 'failed':
      await transitions.settle(
        record,
        { status: 'failed', attempts: record.attempts + 1, lastError: outcome.error },
        now,
      );
      return;
    case 'retry': {
      const patch = options.closed ? progressPatch(options.closed, outcome) : {};
      await transitions.reschedule(record, outcome, now, patch, options.retryMessage);
    }
  }
}
