/**
 * Where a new case goes. Where the org puts it on create, as far as the relay can know it: where the Case
 * table auto-routes to the owner's queue, the owner's default queue. In queue mode the relay names it as
 * AddToQueue's SourceQueue, so moving the case to DEFAULT_QUEUE_ID is the documented move (placeCase below).
 * Read once at start by delivery (delivery/metadata.ts) and by `verify`, so both send the same change set.
 */
import { queueModeOf, type RelayConfig } from '../config/types.js';
import type { ChangeSetOperation } from '../dataverse/batch.js';
import { API_PATH, DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import { readAutoRouteToOwnerQueue } from '../dataverse/metadata.js';

export interface Placement {
  /** The incident table's AutoRouteToOwnerQueue. */
  autoRouteToOwnerQueue: boolean;
  /** The owner's default queue, named as SourceQueue: set only in queue mode with auto-route on. */
  sourceQueueId?: string;
}

/**
 * The owner's default queue: systemuser.queueid (Queue tables: "Make a queue the default queue for a user by
 * setting the SystemUser.QueueId attribute"; SystemUser table reference, QueueId) or team.queueid (Team table
 * reference, QueueId: "Unique identifier of the default queue for the team"), read as the lookup's
 * `_queueid_value` (Retrieve a table row using the Web API). Undefined when the owner has none, or does not
 * exist (the owner check and the delivery's own error say so).
 */
export async function readOwnerQueue(
  client: DataverseClient,
  owner: RelayConfig['defaultOwner'],
): Promise<string | undefined> {
  const set = owner.kind === 'team' ? 'teams' : 'systemusers';
  try {
    const row = await client.get<{ _queueid_value?: string | null }>(
      `${set}(${owner.id})?$select=_queueid_value`,
    );
    return row._queueid_value ?? undefined;
  } catch (error) {
    if (error instanceof DataverseRequestError && error.failure.httpStatus === 404) return undefined;
    throw error;
  }
}

/** The org's placement of new cases that matters to this configuration (no request outside queue mode). */
export async function readPlacement(
  client: DataverseClient,
  config: Pick<RelayConfig, 'defaultQueueId' | 'applyRoutingRules' | 'defaultOwner'>,
): Promise<Placement | undefined> {
  if (queueModeOf(config) !== 'queue') return undefined;
  const autoRouteToOwnerQueue = await readAutoRouteToOwnerQueue(client);
  if (!autoRouteToOwnerQueue) return { autoRouteToOwnerQueue };
  const sourceQueueId = await readOwnerQueue(client, config.defaultOwner);
  // Already in DEFAULT_QUEUE_ID when the owner's queue is it: nothing to move from.
  const moves = sourceQueueId && sourceQueueId.toLowerCase() !== config.defaultQueueId?.toLowerCase();
  return { autoRouteToOwnerQueue, ...(moves ? { sourceQueueId } : {}) };
}

/**
 * An entity-typed action parameter (crmbaseentity) names its type: "When an action requires an entity as a
 * parameter and the type of entity is ambiguous, you must use the @odata.type property" (MS Learn, Use Web
 * API actions: Specify the table type parameter). The msdyn_ApplyRoutingRuleEntityRecord page's example sends
 * `"Target":"incidents(<id>)"`, a string, which is not an entity of any type: we follow the rule, not the
 * example, for every action (delivery/route-step.ts too).
 */
export const incidentTarget = (key: string) => ({
  '@odata.type': 'Microsoft.Dynamics.CRM.incident',
  incidentid: key,
});

/**
 * The change-set operation that puts the new case where the queue mode says, in the same transaction as
 * the create, so a retry after a lost answer never places it twice (the case's create answers 412 first).
 *
 * - `queue`: AddToQueue bound to DEFAULT_QUEUE_ID, not a queue item create. A record has at most one active
 *   queue item (0x80040526 "Cannot create more than one active queue item for this object", Dataverse error
 *   codes), and an org that auto-routes cases to the owner's queue (EntityMetadata.AutoRouteToOwnerQueue) or
 *   queues them from a routing rule or flow on create has made one already. AddToQueue "moves an entity record
 *   from a source queue to a destination queue" (MS Learn, AddToQueue Action: POST
 *   queues(<id>)/Microsoft.Dynamics.CRM.AddToQueue, Target crmbaseentity, SourceQueue queue, optional). Where
 *   the relay knows the source (`sourceQueueId`: the owner's default queue of an auto-routing org), it names
 *   it, so the move is the documented one; where it does not (a flow or rule queued the case, or nothing did),
 *   it leaves SourceQueue out. Assumption: without SourceQueue, AddToQueue moves a record's active item, or
 *   adds one to a record in no queue (no page says so). One operation either way: one $batch on the common path.
 * - `routing-rules`: ApplyRoutingRule, "Applies the active routing rule to an incident" (MS Learn,
 *   ApplyRoutingRule Action, Dynamics CRM 2016 Web API reference; ApplyRoutingRuleRequest: unbound, Target an
 *   incident). The incident's routecase column only "tells whether the incident has been routed to queue or
 *   not" (MS Learn, Incident table reference, RouteCase), so the relay asks for routing explicitly.
 *   Assumption: the action may sit in the change set (Execute batch operations using the Web API bars only
 *   GET from change sets, and says nothing of this action either way).
 * - `unified-routing`: nothing here. Unified routing is applied once the case exists, in its own request
 *   with its own state and retries (delivery/route-step.ts).
 * - `unassigned`: nothing; the case stays with its owner in no queue.
 */
export function placeCase(
  key: string,
  config: Pick<RelayConfig, 'defaultQueueId' | 'applyRoutingRules'>,
  sourceQueueId?: string,
): ChangeSetOperation | undefined {
  switch (queueModeOf(config)) {
    case 'queue':
      return {
        method: 'POST',
        url: `${API_PATH}queues(${config.defaultQueueId})/Microsoft.Dynamics.CRM.AddToQueue`,
        // SourceQueue is typed queue, not crmbaseentity: the key alone names it.
        body: {
          Target: incidentTarget(key),
          ...(sourceQueueId ? { SourceQueue: { queueid: sourceQueueId } } : {}),
        },
        contentType: 'application/json',
      };
    case 'routing-rules':
      return {
        method: 'POST',
        url: `${API_PATH}ApplyRoutingRule`,
        body: { Target: incidentTarget(key) },
        contentType: 'application/json',
      };
    case 'unified-routing':
    case 'unassigned':
      return undefined;
  }
}
