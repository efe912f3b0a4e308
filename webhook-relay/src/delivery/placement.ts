/**
 * Where the org puts a new case on create, as far as the relay can know it: where the Case table auto-routes
 * to the owner's queue, the owner's default queue. In queue mode the relay names it as AddToQueue's
 * SourceQueue, so moving the case to DEFAULT_QUEUE_ID is the documented move (delivery/plan.ts placeCase).
 * Read once at start by delivery (delivery/metadata.ts) and by `verify`, so both send the same change set.
 */
import { queueModeOf, type RelayConfig } from '../config/types.js';
import { DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
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
