/**
 * Org configurations customers run, each an option of the sandbox: the Case table moving new cases to the
 * owner's default queue, a routing rule or flow that queues cases on create, legacy routing rule sets
 * (ApplyRoutingRule), unified routing for records (msdyn_ApplyRoutingRuleEntityRecord), and a synchronous
 * plug-in that refuses the create. Also the queue and routing actions the relay sends, and the table
 * definition read that `verify` makes.
 */
import { activeQueueItem, createRow, tableBySet, type EntityContext } from './entities.js';
import { DataverseError, errors } from './errors.js';
import { SEED_IDS } from './seed.js';
import type { Row, SandboxState } from './state.js';
import { UNIFIED_ROUTING_SETS } from './routing-tables.js';

export interface SandboxOrg {
  /**
   * The incident table's EntityMetadata.AutoRouteToOwnerQueue: "whether to automatically move records to
   * the owner's default queue when a record of this type is created or assigned" (MS Learn,
   * EntityMetadata.AutoRouteToOwnerQueue Property). The owner's default queue is systemuser.queueid or
   * team.queueid (Queue tables: "Make a queue the default queue for a user by setting the SystemUser.QueueId").
   */
  autoRouteToOwnerQueue?: boolean;
  /** Something else (a routing rule, a flow, a plug-in) creates a queue item in this queue when a case is created. */
  queueOnCreate?: string;
  /**
   * Legacy routing: the queue the org's active routing rule set (routingrules, statecode 1 Active) sends
   * cases to (ApplyRoutingRule); unset: no active rule set.
   */
  routingRuleQueue?: string;
  /**
   * Unified routing provisioned (its tables exist). With `queue`: cases are a record type of record routing
   * (msdyn_masterentityroutingconfiguration) with one active record workstream (msdyn_liveworkstream) whose
   * route-to-queue rule sends every case to `queue` (msdyn_ApplyRoutingRuleEntityRecord); without: provisioned,
   * but cases are not set up for it.
   */
  unifiedRouting?: { queue?: string };
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
 * is 0x80040265, answered 400 (MS Learn, Compose HTTP requests and handle errors: Include more details with
 * errors, whose plug-in example answers "HTTP/1.1 400 Bad Request" with code 0x80040265).
 */
export function isvAborted(message: string): DataverseError {
  return new DataverseError(400, '0x80040265', message);
}

/** Runs before a row is written: the synchronous pre-operation plug-ins. */
export function beforeCreate(org: SandboxOrg, entity: string): void {
  if (entity === 'incident' && org.refuseIncidentCreate !== undefined)
    throw isvAborted(org.refuseIncidentCreate);
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
  const active = activeQueueItem(ctx.state, target.id);
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

/** The owner's default queue (systemuser.queueid or team.queueid), when the owner has one. */
function ownerQueueOf(ctx: EntityContext, row: Row): string | undefined {
  const kind = row['_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname'];
  const owner =
    kind === 'systemuser' || kind === 'team'
      ? ctx.state.get(`${kind}s`, String(row._ownerid_value))
      : undefined;
  return typeof owner?._queueid_value === 'string' ? owner._queueid_value : undefined;
}

/** Runs after a case is written, inside the same transaction: the org's own queueing on create. */
export function afterCreate(org: SandboxOrg, ctx: EntityContext, entity: string, row: Row): void {
  if (entity !== 'incident') return;
  const id = String(row.incidentid);
  const ownerQueue = org.autoRouteToOwnerQueue ? ownerQueueOf(ctx, row) : undefined;
  // Assumption: the owner's queue item exists once the create has run, so a later operation of the same
  // change set sees it (the property says "when a record … is created", not when in the transaction).
  if (ownerQueue) addToQueue(ctx, { entity, id }, ownerQueue);
  if (org.queueOnCreate) newQueueItem(ctx, entity, id, org.queueOnCreate);
}

/**
 * ApplyRoutingRule: "Applies the active routing rule to an incident" (ApplyRoutingRule Action, Dynamics CRM
 * 2016 Web API reference; ApplyRoutingRuleRequest). Assumption: with no active rule set it does nothing (no
 * page says what it answers then).
 */
export function applyRoutingRule(org: SandboxOrg, ctx: EntityContext, incidentId: string): void {
  if (!ctx.state.get('incidents', incidentId)) throw errors.notFound('incident', incidentId);
  if (org.routingRuleQueue) addToQueue(ctx, { entity: 'incident', id: incidentId }, org.routingRuleQueue);
}

/**
 * msdyn_ApplyRoutingRuleEntityRecord: "Applies the active routing rule to an entity" (msdyn_ApplyRoutingRule
 * EntityRecord Action Reference, Customer Service developer guide). It exists where unified routing is
 * provisioned; elsewhere the name is unknown ("Resource not found for the segment", Troubleshoot Dataverse
 * Web API client errors). The workstream's route-to-queue rule puts the record in its queue (Set up unified
 * routing for records). Assumption: a record type with no workstream leaves the record where it is.
 */
export function applyUnifiedRouting(
  org: SandboxOrg,
  ctx: EntityContext,
  target: { entity: string; id: string },
): void {
  if (!org.unifiedRouting) throw errors.unknownSegment('msdyn_ApplyRoutingRuleEntityRecord');
  const set = tableBySet(ctx.tables, `${target.entity}s`)?.entitySet ?? `${target.entity}s`;
  if (!ctx.state.get(set, target.id)) throw errors.notFound(target.entity, target.id);
  const queue = target.entity === 'incident' ? org.unifiedRouting.queue : undefined;
  if (queue) addToQueue(ctx, target, queue);
}

/** Unified routing's entity sets are unknown segments in an org that has not provisioned it. */
export function checkEntitySet(org: SandboxOrg, entitySet: string): void {
  if (UNIFIED_ROUTING_SETS.has(entitySet) && !org.unifiedRouting) throw errors.unknownSegment(entitySet);
}

/** The routing configuration rows an org holds (legacy rule sets, unified routing's record type and workstream). */
export function routingRows(org: SandboxOrg): Record<string, Row[]> {
  const ids = SEED_IDS.routing;
  const lookup = (name: string, target: string, value: string) => ({
    [`_${name}_value`]: value,
    [`_${name}_value@Microsoft.Dynamics.CRM.lookuplogicalname`]: target,
  });
  const queue = org.unifiedRouting?.queue;
  return {
    routingrules: org.routingRuleQueue
      ? [{ routingruleid: ids.ruleSet, name: 'Voice cases', statecode: 1, statuscode: 2, versionnumber: 1 }]
      : [],
    msdyn_masterentityroutingconfigurations: queue
      ? [
          {
            msdyn_masterentityroutingconfigurationid: ids.caseRecordType,
            msdyn_name: 'Case',
            msdyn_entitylogicalname: 'incident',
            statecode: 0,
            versionnumber: 1,
          },
        ]
      : [],
    msdyn_liveworkstreams: queue
      ? [
          {
            msdyn_liveworkstreamid: ids.workstream,
            msdyn_name: 'Voice cases workstream',
            msdyn_streamsource: 192350000,
            ...lookup(
              'msdyn_masterentityroutingconfigurationid',
              'msdyn_masterentityroutingconfiguration',
              ids.caseRecordType,
            ),
            ...lookup('msdyn_defaultqueue', 'queue', queue),
            statecode: 0,
            versionnumber: 1,
          },
        ]
      : [],
  };
}

/** Puts the org's routing configuration in the sandbox's tables (at start and on setOrg). */
export function writeRoutingRows(
  org: SandboxOrg,
  state: SandboxState,
  primaryKeys: Record<string, string>,
): void {
  for (const [set, rows] of Object.entries(routingRows(org))) {
    for (const row of state.rows(set)) state.delete(set, String(row[primaryKeys[set]]));
    for (const row of rows) state.put(set, String(row[primaryKeys[set]]), row);
  }
}

/**
 * The `Target` of an action, an entity-typed parameter (crmbaseentity): "When an action requires an entity as
 * a parameter and the type of entity is ambiguous, you must use the @odata.type property to specify the type
 * of entity" (Use Web API actions: Specify the table type parameter). With `reference`, the string form the
 * msdyn_ApplyRoutingRuleEntityRecord reference page's example sends (`"Target":"incidents(<id>)"`) is also read.
 */
export function actionTarget(
  body: string,
  expected?: string,
  reference = false,
): { entity: string; id: string; body: Record<string, unknown> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw errors.badRequest('The request body is not valid JSON.', '0x0');
  }
  const raw = (parsed as { Target?: unknown } | null)?.Target;
  if (reference && typeof raw === 'string') {
    const match = /^\/?([a-z_]+)s\(([0-9a-fA-F-]{36})\)$/.exec(raw);
    if (!match) throw errors.badRequest(`The parameter 'Target' (${raw}) is not a record reference.`);
    return { entity: match[1], id: match[2].toLowerCase(), body: parsed as Record<string, unknown> };
  }
  const target = raw as Record<string, unknown> | undefined;
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
