/**
 * Org configurations customers run, each an option of the sandbox: the Case table moving new cases to the
 * owner's default queue, a routing rule or flow that queues cases on create, the org's routing rules applied
 * by ApplyRoutingRule, and a synchronous plug-in that refuses the create. Also the two queue actions the
 * relay sends (AddToQueue, ApplyRoutingRule) and the table definition read that `verify` makes.
 */
import { createRow, tableBySet, type EntityContext } from './entities.js';
import { DataverseError, errors } from './errors.js';
import type { Row } from './state.js';

export interface SandboxOrg {
  /**
   * The incident table's EntityMetadata.AutoRouteToOwnerQueue: "whether to automatically move records to
   * the owner's default queue when a record of this type is created or assigned" (MS Learn,
   * EntityMetadata.AutoRouteToOwnerQueue Property). The owner's default queue is systemuser.queueid.
   */
  autoRouteToOwnerQueue?: boolean;
  /** Something else (a routing rule, a flow, a plug-in) creates a queue item in this queue when a case is created. */
  queueOnCreate?: string;
  /** The queue the org's active routing rule set sends cases to (ApplyRoutingRule); unset: no active rule set. */
  routingRuleQueue?: string;
  /** A synchronous plug-in on Create of incident throws InvalidPluginExecutionException with this message. */
  refuseIncidentCreate?: string;
  /**
   * The OpenCX Insights solution is imported: the incident table has the columns the project's solution
   * source defines (solution/insights; see insights.ts). Unset: an org without them.
   */
  insights?: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * "A thrown InvalidPluginExecutionException returns to the caller with a friendly message and an IsvAborted
 * error code" (MS Learn, Use InvalidPluginExecutionException in plug-ins and workflow activities); IsvAborted
 * is 0x80040265 (MS Learn, Dataverse plug-in errors). The HTTP status is not documented: 400 here.
 */
export function isvAborted(message: string): DataverseError {
  return new DataverseError(400, '0x80040265', message);
}

/** Runs before a row is written: the synchronous pre-operation plug-ins. */
export function beforeCreate(org: SandboxOrg, entity: string): void {
  if (entity === 'incident' && org.refuseIncidentCreate !== undefined)
    throw isvAborted(org.refuseIncidentCreate);
}

function activeItemOf(ctx: EntityContext, objectId: string): Row | undefined {
  return ctx.state
    .rows('queueitems')
    .find((item) => item._objectid_value === objectId && item.statecode === 0);
}

function queueExists(ctx: EntityContext, queueId: string): void {
  if (!ctx.state.get('queues', queueId)) throw errors.notFound('queue', queueId);
}

/** A new queue item through the table's own create, so the one-active-item rule (0x80040526) applies. */
function newQueueItem(ctx: EntityContext, entity: string, objectId: string, queueId: string): Row {
  const table = tableBySet(ctx.tables, 'queueitems')!;
  const set = tableBySet(ctx.tables, `${entity}s`)?.entitySet ?? `${entity}s`;
  return createRow(ctx, table, {
    [`objectid_${entity}@odata.bind`]: `/${set}(${objectId})`,
    'queueid@odata.bind': `/queues(${queueId})`,
  });
}

/**
 * AddToQueue: "Moves an entity record from a source queue to a destination queue" (MS Learn, AddToQueue
 * Action). A record in no queue gets a new item in the destination; a record already in a queue has its
 * active item moved (the only way a record changes queues, given one active item per record); already in
 * the destination, nothing changes. Returns the item now in the destination.
 */
export function addToQueue(
  ctx: EntityContext,
  target: { entity: string; id: string },
  destination: string,
  sourceQueue?: string,
): string {
  queueExists(ctx, destination);
  const active = activeItemOf(ctx, target.id);
  if (!active || (sourceQueue !== undefined && active._queueid_value !== sourceQueue))
    return String(newQueueItem(ctx, target.entity, target.id, destination).queueitemid);
  if (active._queueid_value === destination) return String(active.queueitemid);
  const moved = {
    ...active,
    _queueid_value: destination,
    enteredon: ctx.now().toISOString(),
    versionnumber: ctx.nextVersion(),
  };
  ctx.state.put('queueitems', String(active.queueitemid), moved);
  return String(active.queueitemid);
}

/** Runs after a case is written, inside the same transaction: the org's own queueing on create. */
export function afterCreate(org: SandboxOrg, ctx: EntityContext, entity: string, row: Row): void {
  if (entity !== 'incident') return;
  const id = String(row.incidentid);
  if (
    org.autoRouteToOwnerQueue &&
    row['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'] === 'systemuser'
  ) {
    const owner = ctx.state.get('systemusers', String(row._ownerid_value));
    const queue = owner?._queueid_value;
    if (typeof queue === 'string') addToQueue(ctx, { entity, id }, queue);
  }
  if (org.queueOnCreate) newQueueItem(ctx, entity, id, org.queueOnCreate);
}

/** ApplyRoutingRule: "Applies the active routing rule to an incident" (MS Learn, ApplyRoutingRule Action). */
export function applyRoutingRule(org: SandboxOrg, ctx: EntityContext, incidentId: string): void {
  if (!ctx.state.get('incidents', incidentId)) throw errors.notFound('incident', incidentId);
  if (org.routingRuleQueue) addToQueue(ctx, { entity: 'incident', id: incidentId }, org.routingRuleQueue);
}

/**
 * The `Target` of an action, an entity-typed parameter: "use the @odata.type property to specify the type
 * of entity" when the parameter's type is crmbaseentity (MS Learn, Use Web API actions: Specify entity
 * parameter type).
 */
export function actionTarget(
  body: string,
  expected?: string,
): { entity: string; id: string; body: Record<string, unknown> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw errors.badRequest('The request body is not valid JSON.', '0x0');
  }
  const target = (parsed as { Target?: Record<string, unknown> } | null)?.Target;
  if (!target || typeof target !== 'object') throw errors.badRequest("The parameter 'Target' is missing.");
  const type = target['@odata.type'];
  const entity =
    typeof type === 'string' && type.startsWith('Microsoft.Dynamics.CRM.')
      ? type.slice('Microsoft.Dynamics.CRM.'.length)
      : expected;
  if (!entity)
    throw errors.badRequest(
      "The parameter 'Target' is of type crmbaseentity: its @odata.type must name the entity type.",
    );
  const id = target[`${entity}id`];
  if (typeof id !== 'string' || !GUID.test(id))
    throw errors.badRequest(`The parameter 'Target' has no ${entity}id.`);
  return { entity, id: id.toLowerCase(), body: parsed as Record<string, unknown> };
}

/** A stable id per table, shaped like Dataverse's MetadataId. */
function metadataIdOf(logicalName: string): string {
  const hex = Buffer.from(logicalName.padEnd(16, '_').slice(0, 16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** EntityMetadata properties `verify` reads from `EntityDefinitions(LogicalName='…')`. */
export function entityDefinition(
  org: SandboxOrg,
  logicalName: string,
  select: string[],
  context: string,
): Record<string, unknown> {
  const all: Record<string, unknown> = {
    LogicalName: logicalName,
    // The incident table is valid for queues in a Customer Service org.
    IsValidForQueue: logicalName === 'incident',
    AutoRouteToOwnerQueue: logicalName === 'incident' && org.autoRouteToOwnerQueue === true,
  };
  // "The MetadataId property value is always returned" (MS Learn, Retrieve table definitions by name or MetadataId).
  const body: Record<string, unknown> = { '@odata.context': context, MetadataId: metadataIdOf(logicalName) };
  for (const name of select.length ? select : Object.keys(all)) {
    if (!(name in all)) throw errors.unknownSelect('EntityMetadata', name);
    body[name] = all[name];
  }
  return body;
}
