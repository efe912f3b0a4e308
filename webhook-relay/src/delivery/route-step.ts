/**
 * Unified routing (APPLY_ROUTING_RULES=unified): once a handoff's case exists, ask the org's unified routing
 * to route it, with msdyn_ApplyRoutingRuleEntityRecord, "Applies the active routing rule to an entity"
 * (msdyn_ApplyRoutingRuleEntityRecord Action Reference, Customer Service developer guide: an unbound action,
 * POST /msdyn_ApplyRoutingRuleEntityRecord, one parameter Target of type crmbaseentity, no return value,
 * 204 No Content).
 *
 * Why not in the change set that creates the case: "Execute batch operations using the Web API" bars only GET
 * from change sets, but no page says unified routing joins the change set's transaction. Every documented use
 * calls the action on a record that already exists (a flow on "When a row is added", a plug-in on Create:
 * Route records automatically using custom flow), and unified routing hands the record to its own service
 * (workstreams, intake and route-to-queue rules). Were it in the change set and the change set rolled back,
 * unified routing could be holding a case that does not exist. The safer reading: call it after the case is
 * committed, once, as a record of its own kind in the store (`route`), so it survives a crash, is retried by
 * the worker like any record, and is visible in `handoffs list` / `handoffs show`.
 *
 * The Target: an entity of type incident named by `@odata.type` and its id (delivery/placement.ts incidentTarget),
 * as Use Web API actions: Specify the table type parameter requires for an ambiguous entity parameter. The
 * reference page's example sends the string `"incidents(<id>)"`, which is no entity of any type: we follow the
 * documented rule rather than the example.
 */
import { DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import { routeRecordKey } from '../handoff/key.js';
import { messages } from '../messages.js';
import type { HandoffRecord, HandoffStore } from '../store/types.js';
import type { AppendStepOutcome } from './append-step.js';
import { incidentTarget } from './placement.js';
import { stepFailure } from './delivery-outcome.js';

/** Payload of a `route` record. */
export interface RoutePayload {
  /** The handoff whose case it routes; the case's id is the handoff key. */
  handoffKey: string;
}

/** "Resource not found for the segment" (Troubleshoot Dataverse Web API client errors): no such action here. */
const UNKNOWN_SEGMENT = '0x8006088a';

/**
 * Stores the route record for a handoff whose case now exists. Idempotent (the key is derived from the
 * handoff key): a handoff delivered again after a crash stores it once.
 */
export async function scheduleRouting(
  store: HandoffStore,
  handoff: Pick<HandoffRecord, 'key' | 'sessionId'>,
  now: number,
): Promise<string> {
  const key = routeRecordKey(handoff.key);
  const payload: RoutePayload = { handoffKey: handoff.key };
  await store.insert({
    key,
    kind: 'route',
    sessionId: handoff.sessionId,
    payload: JSON.stringify(payload),
    now,
  });
  return key;
}

/** Applies unified routing to the record's case. */
export async function runRoute(
  record: HandoffRecord,
  dataverse: DataverseClient,
): Promise<AppendStepOutcome> {
  const { handoffKey } = JSON.parse(record.payload) as RoutePayload;
  const m = messages.routing;
  try {
    await dataverse.post('msdyn_ApplyRoutingRuleEntityRecord', { Target: incidentTarget(handoffKey) });
    return { kind: 'done', status: 'created', incidentId: handoffKey, note: m.routed };
  } catch (error) {
    if (!(error instanceof DataverseRequestError)) throw error;
    const f = error.failure;
    // Assumption: sent again after an unknown outcome (no answer, 5xx), the action may route the case a second
    // time; no page says. A case left unrouted is the worse of the two, so retryable failures are retried.
    return stepFailure(f, f.code === UNKNOWN_SEGMENT ? m.notProvisionedReason : f.reason);
  }
}
