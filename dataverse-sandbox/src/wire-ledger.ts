/**
 * The wire ledger: every Dataverse Web API request shape the product sends (relay delivery and append,
 * `opencx-relay verify` and `setup`, the transcript control through the preview host), plus the few the
 * test harness and the preview server send to set up or show data. Each row names the Microsoft Learn page
 * and section that documents the shape. It is the source of truth: the sandbox implements what the rows
 * need, and the CI check (scripts/wire-ledger-check.ts) fails a test run that sent a request matching no
 * row. Adding a shape is one entry in LEDGER below (then regenerate docs/dataverse-wire-ledger.md).
 *
 * Templates: `{guid}` a GUID, `{n}` digits, `{name}` a logical name, `{names}` logical names separated by
 * commas, `{token}` a boundary token,
 * `{filter}` any non-empty text (the sandbox checks its grammar), `{a|b|c}` exactly one of the literals.
 * Query options are compared as a set of names, each value against its template; a request with an
 * option the row does not list does not match.
 */

import type { WireLogEntry } from './wire-log.js';

export type Sender = 'relay' | 'verify' | 'setup' | 'backfill' | 'control' | 'preview' | 'test';
/** A request on its own, a part of a `$batch` outside any change set, or an operation in a change set. */
export type Place = 'request' | 'batch-part' | 'changeset';

export interface LedgerSource {
  /** The Microsoft Learn page title. */
  page: string;
  section: string;
  url: string;
}

/**
 * A behaviour a row (or a sandbox rule) relies on that no Microsoft page documents: what we assume, and the
 * reading we chose (the safer one).
 */
export interface LedgerAssumption {
  /** The undocumented behaviour. */
  what: string;
  /** The reading chosen, and why it is the safer one. */
  reading: string;
}

export interface LedgerRow {
  id: string;
  senders: Sender[];
  places: Place[];
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to `/api/data/v9.2/`. */
  path: string;
  query?: Record<string, string>;
  /**
   * Headers the request must carry, lower-case name → allowed value templates. Prefer, If-Match,
   * If-None-Match, Content-Type and MSCRM.* headers a row does not list must be absent.
   */
  headers?: Record<string, string[]>;
  /** What the body holds, for people (bodies are checked by the sandbox, not by the ledger). */
  body?: string;
  /** The Microsoft Learn pages documenting the shape and each behaviour the row relies on. */
  sources: LedgerSource[];
  /** Behaviours the row relies on that no page documents, each with the reading chosen. */
  assumptions?: LedgerAssumption[];
}

const LEARN = 'https://learn.microsoft.com/power-apps/developer/data-platform/webapi/';
const src = (page: string, section: string, file: string): LedgerSource => ({
  page,
  section,
  url: `${LEARN}${file}`,
});

const S = {
  boundAction: src(
    'Use Web API actions',
    'Bound actions (the AddToQueue example)',
    'use-web-api-actions#bound-actions',
  ),
  unboundAction: src('Use Web API actions', 'Unbound actions', 'use-web-api-actions#unbound-actions'),
  entityRetrieve: src(
    'Query table definitions using the Web API',
    'Retrieve table definitions by name or MetadataId',
    'query-metadata-web-api#retrieve-table-definitions-by-name-or-metadataid',
  ),
  compose: src(
    'Compose HTTP requests and handle errors',
    'HTTP headers',
    'compose-http-requests-handle-errors#http-headers',
  ),
  metadataAttributes: src(
    'Query table definitions using the Web API',
    'Querying EntityMetadata attributes',
    'query-metadata-web-api#querying-entitymetadata-attributes',
  ),
  metadataRetrieve: src(
    'Query table definitions using the Web API',
    'Retrieving attributes',
    'query-metadata-web-api#retrieving-attributes',
  ),
  whoAmI: src(
    'Use Web API functions',
    'Unbound functions (WhoAmI)',
    'use-web-api-functions#unbound-functions',
  ),
  select: src('Select columns using OData', 'Select columns', 'query/select-columns'),
  filter: src('Filter rows using OData', 'Filter rows', 'query/filter-rows'),
  order: src('Order rows using OData', 'Order rows', 'query/order-rows'),
  top: src('Use OData to query data', 'Limit the number of rows', 'query/overview#limit-the-number-of-rows'),
  retrieve: src(
    'Retrieve a table row using the Web API',
    'Basic retrieve',
    'retrieve-entity-using-web-api#basic-retrieve',
  ),
  create: src('Create a table row using the Web API', 'Basic create', 'create-entity-web-api#basic-create'),
  associateOnCreate: src(
    'Associate and disassociate table rows using the Web API',
    'Associate table rows on create',
    'associate-disassociate-entities-using-web-api#associate-table-rows-on-create',
  ),
  associateOnUpdate: src(
    'Associate and disassociate table rows using the Web API',
    'Associate and disassociate table rows on update',
    'associate-disassociate-entities-using-web-api#associate-and-disassociate-table-rows-on-update',
  ),
  update: src(
    'Update and delete table rows using the Web API',
    'Basic update',
    'update-delete-entities-using-web-api#basic-update',
  ),
  upsert: src(
    'Update and delete table rows using the Web API',
    'Upsert a table row',
    'update-delete-entities-using-web-api#upsert-a-table-row',
  ),
  preventUpdate: src(
    'Perform conditional operations using the Web API',
    'Prevent update in upsert',
    'perform-conditional-operations-using-web-api#prevent-update-in-upsert',
  ),
  preventCreate: src(
    'Perform conditional operations using the Web API',
    'Prevent create in upsert',
    'perform-conditional-operations-using-web-api#prevent-create-in-upsert',
  ),
  concurrency: src(
    'Perform conditional operations using the Web API',
    'Apply optimistic concurrency',
    'perform-conditional-operations-using-web-api#apply-optimistic-concurrency',
  ),
  batch: src(
    'Execute batch operations using the Web API',
    'Batch requests',
    'execute-batch-operations-using-web-api#batch-requests',
  ),
  changeSets: src(
    'Execute batch operations using the Web API',
    'Change sets',
    'execute-batch-operations-using-web-api#change-sets',
  ),
  metadataFilter: src(
    'Query table definitions using the Web API',
    'Querying the EntityMetadata entity type ($filter on primitive properties)',
    'query-metadata-web-api#querying-the-entitymetadata-entity-type',
  ),
  page: src(
    'Page results using OData',
    'Page results (Prefer: odata.maxpagesize, @odata.nextLink)',
    'query/page-results',
  ),
  count: src('Count rows using OData', 'Count rows ($count=true)', 'query/count-rows'),
  dateFilter: {
    page: 'Behavior and format of the date and time column',
    section: 'Specify the behavior of a date and time column (UserLocal: exposed as DateTimeOffset)',
    url: 'https://learn.microsoft.com/power-apps/developer/data-platform/behavior-format-date-time-attribute',
  },
  tableTypeParameter: src(
    'Use Web API actions',
    'Specify the table type parameter (@odata.type for an ambiguous entity parameter)',
    'use-web-api-actions#specify-the-table-type-parameter',
  ),
  statusCodes: src(
    'Compose HTTP requests and handle errors',
    'Identify status codes (412 Precondition Failed: DuplicateRecord)',
    'compose-http-requests-handle-errors#identify-status-codes',
  ),
  lookupValue: src(
    'Retrieve a table row using the Web API',
    'Retrieve using an alternate key / lookup property values (_<name>_value)',
    'retrieve-entity-using-web-api#basic-retrieve',
  ),
  duplicateKey: {
    page: 'Troubleshoot Dataverse client errors',
    section: 'Error: "Cannot insert duplicate key" (-2147220937 = 0x80040237)',
    url: 'https://learn.microsoft.com/troubleshoot/power-platform/power-apps/dataverse/client-errors',
  },
  unknownSegment: {
    page: 'Troubleshoot Dataverse Web API client errors',
    section: 'Resource not found for the segment (404 0x8006088a)',
    url: 'https://learn.microsoft.com/troubleshoot/power-platform/power-apps/dataverse/web-api-client-errors#resource-not-found-for-the-segment',
  },
  addToQueue: {
    page: 'AddToQueue Action',
    section: 'Parameters (Target crmbaseentity, SourceQueue queue, QueueItemProperties)',
    url: 'https://learn.microsoft.com/power-apps/developer/data-platform/webapi/reference/addtoqueue',
  },
  applyRoutingRule: {
    page: 'ApplyRoutingRule Action (Dynamics CRM 2016 Web API reference)',
    section: 'Parameters (Target, the incident); not bound; no return value',
    url: 'https://learn.microsoft.com/previous-versions/dynamicscrm-2016/developers-guide/mt608125(v=crm.8)',
  },
  applyRoutingRuleRequest: {
    page: 'ApplyRoutingRuleRequest Class (Microsoft.Crm.Sdk.Messages)',
    section: 'Target: the incident to apply the active routing rule to',
    url: 'https://learn.microsoft.com/dotnet/api/microsoft.crm.sdk.messages.applyroutingrulerequest',
  },
  applyRoutingRulePrivileges: {
    page: "ApplyRoutingRule message privileges (Dynamics CRM 2016 developer's guide)",
    section: 'Primary Entity: incident; Privilege: prvWriteIncident',
    url: 'https://learn.microsoft.com/previous-versions/dynamicscrm-2016/developers-guide/dn689036(v=crm.8)',
  },
  applyRoutingRuleRequestPrivileges: {
    page: 'ApplyRoutingRuleRequest Class (Microsoft.Crm.Sdk.Messages)',
    section:
      'Privileges and Access Rights: "privileges on the Incident table and access rights on the record specified in the Target property"',
    url: 'https://learn.microsoft.com/dotnet/api/microsoft.crm.sdk.messages.applyroutingrulerequest',
  },
  unifiedRouting: {
    page: 'msdyn_ApplyRoutingRuleEntityRecord Action Reference (Customer Service developer guide)',
    section: 'Parameters (Target crmbaseentity), Return value (none), Example (204 No Content)',
    url: 'https://learn.microsoft.com/dynamics365/customer-service/develop/reference/actions/msdyn_applyroutingruleentityrecord',
  },
  recordRouting: {
    page: 'Set up unified routing for records',
    section: 'Configure unified routing for records (record type, workstreams, intake rules)',
    url: 'https://learn.microsoft.com/dynamics365/customer-service/administer/set-up-record-routing',
  },
  queueTables: {
    page: 'Queue tables',
    section: 'Actions on queues ("the default queue for a user … SystemUser.QueueId") and on queue items',
    url: 'https://learn.microsoft.com/power-apps/developer/data-platform/queue-entities',
  },
};

const FETCHXML = 'https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/';
const fetchSrc = (page: string, section: string, file: string): LedgerSource => ({
  page,
  section,
  url: `${FETCHXML}${file}`,
});
const F = {
  retrieve: fetchSrc('Use FetchXml to retrieve data', 'Web API', 'retrieve-data'),
  aggregate: fetchSrc(
    'Aggregate data using FetchXml',
    'Grouping; Grouping by parts of a date',
    'aggregate-data#grouping',
  ),
  formatted: fetchSrc('Select columns using FetchXml', 'Formatted values', 'select-columns#formatted-values'),
};

/** A Dynamics 365 table's reference page (Customer Service tables: unified routing's, routing rule sets). */
const d365Table = (name: string, section: string, path: string): LedgerSource => ({
  page: `${name} table/entity reference`,
  section,
  url: `https://learn.microsoft.com/dynamics365/${path}`,
});

/** A table's reference page (its columns, choices and messages), Dataverse table/entity reference. */
const table = (name: string, section: string): LedgerSource => ({
  page: `${name} table/entity reference`,
  section,
  url: `https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/${name.toLowerCase()}`,
});

/** The headers the relay's client and the preview host send on every request (Compose HTTP requests). */
const ODATA: Record<string, string[]> = {
  accept: ['application/json'],
  'odata-maxversion': ['4.0'],
  'odata-version': ['4.0'],
};
const JSON_BODY: Record<string, string[]> = { ...ODATA, 'content-type': ['application/json'] };
/** Inside a change set: the inner request's Content-Type, as "Execute batch operations" shows it. */
const ENTRY: Record<string, string[]> = { 'content-type': ['application/json; type=entry'] };
const PART_GET: Record<string, string[]> = { accept: ['application/json'] };

const ENTITY_READS = [
  ['contacts', 'contactid'],
  ['incidents', 'incidentid'],
  ['queues', 'queueid'],
  ['systemusers', 'systemuserid'],
  ['teams', 'teamid'],
  ['annotations', 'annotationid'],
] as const;

export const LEDGER: LedgerRow[] = [
  // ── Table definitions (metadata): the relay at start and `verify` ──
  {
    id: 'metadata.incident-attributes',
    senders: ['relay', 'verify', 'backfill'],
    places: ['request'],
    method: 'GET',
    path: "EntityDefinitions(LogicalName='incident')/Attributes",
    query: { $select: 'LogicalName,AttributeType,IsValidForCreate' },
    headers: ODATA,
    sources: [S.metadataAttributes],
  },
  {
    id: 'metadata.max-length',
    senders: ['relay', 'verify', 'backfill'],
    places: ['request'],
    method: 'GET',
    path: "EntityDefinitions(LogicalName='{name}')/Attributes(LogicalName='{name}')/Microsoft.Dynamics.CRM.{StringAttributeMetadata|MemoAttributeMetadata}",
    query: { $select: 'MaxLength' },
    headers: ODATA,
    sources: [S.metadataRetrieve, S.metadataAttributes],
  },
  {
    id: 'metadata.options',
    senders: ['relay', 'verify'],
    places: ['request'],
    method: 'GET',
    path: "EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='{name}')/Microsoft.Dynamics.CRM.{PicklistAttributeMetadata|StateAttributeMetadata|StatusAttributeMetadata}",
    query: { $select: 'LogicalName', $expand: 'OptionSet,GlobalOptionSet' },
    headers: ODATA,
    sources: [S.metadataAttributes, S.metadataRetrieve],
  },
  {
    // The insights choice columns' options in one read (issue 26): the cast collection, filtered by LogicalName.
    id: 'metadata.insights-options',
    senders: ['relay', 'verify', 'backfill'],
    places: ['request'],
    method: 'GET',
    path: "EntityDefinitions(LogicalName='incident')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata",
    query: { $select: 'LogicalName', $filter: '{filter}', $expand: 'OptionSet,GlobalOptionSet' },
    headers: ODATA,
    body: "$filter: LogicalName eq 'opencx_…' or …",
    sources: [S.metadataAttributes, S.metadataFilter],
  },
  {
    // EntityMetadata.AutoRouteToOwnerQueue: the Case table's "move new records to the owner's default queue".
    id: 'metadata.incident-auto-route',
    senders: ['relay', 'verify', 'setup'],
    places: ['request'],
    method: 'GET',
    path: "EntityDefinitions(LogicalName='incident')",
    query: { $select: 'AutoRouteToOwnerQueue' },
    headers: ODATA,
    sources: [
      S.entityRetrieve,
      {
        page: 'EntityMetadata.AutoRouteToOwnerQueue Property',
        section:
          '"whether to automatically move records to the owner\'s default queue when a record of this type is created or assigned"',
        url: 'https://learn.microsoft.com/dotnet/api/microsoft.xrm.sdk.metadata.entitymetadata.autoroutetoownerqueue',
      },
    ],
  },
  {
    // In queue mode with auto-route on: the owner's default queue, named as AddToQueue's SourceQueue.
    id: 'owner.default-queue',
    senders: ['relay', 'verify'],
    places: ['request'],
    method: 'GET',
    path: '{systemusers|teams}({guid})',
    query: { $select: '_queueid_value' },
    headers: ODATA,
    sources: [
      S.retrieve,
      S.queueTables,
      table('SystemUser', 'QueueId: default queue for the user'),
      table('Team', 'QueueId: default queue for the team'),
    ],
  },
  // ── Identity ──
  {
    id: 'whoami',
    senders: ['relay', 'verify'],
    places: ['request'],
    method: 'GET',
    path: 'WhoAmI()',
    headers: ODATA,
    sources: [S.whoAmI],
  },
  // ── Delivery ──
  {
    id: 'contacts.match',
    senders: ['relay'],
    places: ['request'],
    method: 'GET',
    path: 'contacts',
    query: {
      $select: 'contactid,fullname,createdon',
      $orderby: 'createdon asc',
      $top: '10',
      $filter: '{filter}',
    },
    headers: ODATA,
    sources: [S.select, S.filter, S.order, S.top],
  },
  {
    id: '$batch',
    senders: ['relay', 'verify', 'setup', 'backfill'],
    places: ['request'],
    method: 'POST',
    path: '$batch',
    headers: { ...ODATA, 'content-type': ['multipart/mixed; boundary="batch_{token}"'] },
    body: 'one change set (Content-ID on every operation), then GET parts',
    sources: [S.batch, S.changeSets],
  },
  {
    id: 'contacts.create',
    senders: ['relay', 'verify', 'setup'],
    places: ['changeset'],
    method: 'POST',
    path: 'contacts',
    headers: ENTRY,
    body: 'contactid (client id), lastname, firstname, emailaddress1, mobilephone, description',
    // A retry or a concurrent handoff from the same caller: 412 0x80040237 means "already there".
    sources: [S.create, S.changeSets, S.duplicateKey, S.statusCodes],
  },
  {
    id: 'incidents.create',
    senders: ['relay', 'verify'],
    places: ['changeset'],
    method: 'POST',
    path: 'incidents',
    headers: ENTRY,
    body: 'incidentid, title, description, caseorigincode, prioritycode, customerid_contact@odata.bind, ownerid@odata.bind, TICKET_PROPERTIES',
    // A repeated create answers 412 0x80040237: an earlier attempt created the case.
    sources: [S.create, S.associateOnCreate, S.changeSets, S.duplicateKey, S.statusCodes],
  },
  {
    id: 'queueitems.create',
    // No longer sent by delivery or verify (AddToQueue below places the case); kept for the tests that set
    // up an org whose routing made a queue item on create.
    senders: ['test'],
    places: ['changeset', 'request'],
    method: 'POST',
    path: 'queueitems',
    headers: ENTRY,
    body: 'queueitemid, objectid_incident@odata.bind, queueid@odata.bind',
    sources: [S.create, S.associateOnCreate, S.changeSets],
  },
  {
    // AddToQueue moves the case from the queue the org put it in on create (auto-route to the owner's queue,
    // a routing rule, a flow) or adds it: a record has one active queue item at most (0x80040526).
    id: 'queues.add-to-queue',
    senders: ['relay', 'verify'],
    places: ['changeset'],
    method: 'POST',
    path: 'queues({guid})/Microsoft.Dynamics.CRM.AddToQueue',
    headers: { 'content-type': ['application/json'] },
    body: '{"Target": {"@odata.type": "Microsoft.Dynamics.CRM.incident", "incidentid": …}, "SourceQueue": {"queueid": <the owner\'s default queue>} where the Case table auto-routes}',
    sources: [S.boundAction, S.addToQueue, S.tableTypeParameter, S.queueTables, S.changeSets],
    assumptions: [
      {
        what: "AddToQueue without SourceQueue on a case the org queued on create (a routing rule or flow, not the owner's queue)",
        reading:
          'it moves the active queue item to the destination (no page says; adding a second item would fail 0x80040526 and roll the case back, which a retry repeats: the relay names SourceQueue wherever it knows the source)',
      },
      {
        what: "the owner's queue item made by auto-route on create is there for AddToQueue later in the same change set",
        reading: 'yes: AutoRouteToOwnerQueue acts "when a record … is created", in the create itself',
      },
    ],
  },
  {
    // Legacy routing (APPLY_ROUTING_RULES=legacy): the org's active routing rule set places the case.
    id: 'apply-routing-rule',
    senders: ['relay', 'verify'],
    places: ['changeset'],
    method: 'POST',
    path: 'ApplyRoutingRule',
    headers: { 'content-type': ['application/json'] },
    body: '{"Target": {"@odata.type": "Microsoft.Dynamics.CRM.incident", "incidentid": …}}',
    // The caller needs prvWriteIncident: the role "OpenCX Handoff Relay - Routing" (admin/role.ts).
    sources: [
      S.unboundAction,
      S.applyRoutingRule,
      S.applyRoutingRuleRequest,
      S.applyRoutingRulePrivileges,
      S.applyRoutingRuleRequestPrivileges,
      S.tableTypeParameter,
      S.changeSets,
    ],
    assumptions: [
      {
        what: 'ApplyRoutingRule may sit in a change set',
        reading:
          'yes: the batch page bars only GET from change sets; the routing rule set is a workflow of the org, rolled back with the change set',
      },
    ],
  },
  {
    // Unified routing (APPLY_ROUTING_RULES=unified): after the case exists, in a request of its own
    // (webhook-relay/src/delivery/route-step.ts says why).
    id: 'unified.apply-routing-rule',
    senders: ['relay'],
    places: ['request'],
    method: 'POST',
    path: 'msdyn_ApplyRoutingRuleEntityRecord',
    headers: JSON_BODY,
    body: '{"Target": {"@odata.type": "Microsoft.Dynamics.CRM.incident", "incidentid": …}} (the reference example\'s string "incidents(<id>)" is not an entity: the table type parameter rule decides)',
    sources: [
      S.unboundAction,
      S.unifiedRouting,
      S.tableTypeParameter,
      S.recordRouting,
      S.applyRoutingRulePrivileges,
    ],
    assumptions: [
      {
        what: 'the privileges msdyn_ApplyRoutingRuleEntityRecord needs (its reference page lists none)',
        reading:
          'prvWriteIncident on a case, as ApplyRoutingRule documents: routing changes the case\'s queue and owner, and a role without it would dead-letter every route record; the role "OpenCX Handoff Relay - Routing" holds it, and verify checks it with an update of its test case',
      },
      {
        what: "whether msdyn_ApplyRoutingRuleEntityRecord joins a change set's transaction",
        reading:
          'not relied on: called once the case is committed, as a store record of its own (kind route), never in the change set',
      },
      {
        what: 'the action sent again after an unknown outcome (no answer, 5xx)',
        reading:
          'it may route the case a second time; retried anyway, since a case left unrouted is the worse outcome',
      },
    ],
  },
  {
    id: 'annotations.create',
    senders: ['relay', 'verify'],
    places: ['changeset'],
    method: 'POST',
    path: 'annotations',
    headers: ENTRY,
    body: 'annotationid, subject, notetext or documentbody + filename + mimetype, objectid_incident@odata.bind',
    sources: [S.create, S.associateOnCreate, S.changeSets],
  },
  {
    id: 'incidents.ticket',
    senders: ['relay'],
    places: ['request', 'batch-part'],
    method: 'GET',
    path: 'incidents({guid})',
    query: { $select: 'ticketnumber' },
    headers: PART_GET,
    sources: [S.retrieve, S.batch],
  },
  // ── Append after the handoff ──
  {
    id: 'incidents.description',
    senders: ['relay'],
    places: ['request'],
    method: 'GET',
    path: 'incidents({guid})',
    query: { $select: 'description' },
    headers: ODATA,
    sources: [S.retrieve],
  },
  {
    id: 'annotations.transcript',
    senders: ['relay'],
    places: ['request'],
    method: 'GET',
    path: 'annotations({guid})',
    query: { $select: 'notetext,documentbody,isdocument' },
    headers: ODATA,
    sources: [S.retrieve],
  },
  {
    id: 'incidents.update',
    senders: ['relay', 'verify', 'backfill'],
    places: ['changeset'],
    method: 'PATCH',
    path: 'incidents({guid})',
    // The etag read with the description, or `*` when none is known: never an upsert that re-creates.
    headers: { ...ENTRY, 'if-match': ['W/"{n}"', '*'] },
    body: "description (append; verify's test handoff, also for unified routing's Write on cases); the insights columns still empty, with If-Match: * (insights backfill)",
    // A case deleted meanwhile answers 404 (code "") instead of being re-created (Prevent create in upsert).
    sources: [S.update, S.concurrency, S.preventCreate, S.changeSets],
  },
  {
    id: 'annotations.upsert',
    senders: ['relay', 'verify'],
    places: ['changeset'],
    method: 'PATCH',
    path: 'annotations({guid})',
    headers: ENTRY,
    body: 'the transcript note (created on the first append when the description was complete)',
    sources: [S.upsert, S.changeSets],
  },
  // ── insights backfill (issue 26) ──
  {
    // Cases created in the window with an insights column still empty; never a filter on the description.
    id: 'incidents.insights-candidates',
    senders: ['backfill'],
    places: ['request'],
    method: 'GET',
    path: 'incidents',
    query: {
      $select: 'incidentid,ticketnumber,description,{names}',
      $filter: '{filter}',
      $count: 'true',
    },
    headers: { ...ODATA, prefer: ['odata.maxpagesize={n}'] },
    body: '$filter: createdon ge <UTC ISO time> and (opencx_… eq null or …)',
    sources: [S.select, S.filter, S.dateFilter, S.count, S.page],
  },
  {
    // The @odata.nextLink of the query above, sent unchanged with the same page size.
    id: 'incidents.insights-candidates-next',
    senders: ['backfill'],
    places: ['request'],
    method: 'GET',
    path: 'incidents',
    query: {
      $select: 'incidentid,ticketnumber,description,{names}',
      $filter: '{filter}',
      $skiptoken: '{filter}',
    },
    headers: { ...ODATA, prefer: ['odata.maxpagesize={n}'] },
    sources: [S.page],
  },
  // ── verify ──
  ...ENTITY_READS.map(([set, key]): LedgerRow => ({
    id: `${set}.read-privilege`,
    senders: ['verify'],
    places: ['request'],
    method: 'GET',
    path: set,
    query: { $select: key, $top: '1' },
    headers: ODATA,
    sources: [S.select, S.top],
  })),
  {
    id: 'queues.get',
    senders: ['verify'],
    places: ['request'],
    method: 'GET',
    path: 'queues({guid})',
    query: { $select: 'name,statecode' },
    headers: ODATA,
    sources: [S.retrieve],
  },
  {
    id: 'teams.get',
    senders: ['verify'],
    places: ['request'],
    method: 'GET',
    path: 'teams({guid})',
    query: { $select: 'name' },
    headers: ODATA,
    sources: [S.retrieve],
  },
  {
    id: 'systemusers.get',
    senders: ['verify'],
    places: ['request'],
    method: 'GET',
    path: 'systemusers({guid})',
    query: { $select: 'fullname,isdisabled' },
    headers: ODATA,
    sources: [S.retrieve],
  },
  {
    id: 'contacts.get',
    senders: ['verify', 'setup'],
    places: ['request'],
    method: 'GET',
    path: 'contacts({guid})',
    query: { $select: 'fullname,statecode' },
    headers: ODATA,
    sources: [S.retrieve],
  },
  {
    id: 'incidents.exists',
    senders: ['verify'],
    places: ['request'],
    method: 'GET',
    path: 'incidents({guid})',
    query: { $select: 'incidentid' },
    headers: ODATA,
    sources: [S.retrieve],
  },
  // ── setup ──
  {
    id: 'contacts.placeholder-by-name',
    senders: ['setup'],
    places: ['request'],
    method: 'GET',
    path: 'contacts',
    query: { $select: 'contactid,fullname', $filter: '{filter}', $orderby: 'createdon asc', $top: '1' },
    headers: ODATA,
    sources: [S.select, S.filter, S.order, S.top],
  },
  {
    // Queue table reference: statecode 0 Active; queueviewtype 1 Private.
    id: 'queues.active',
    senders: ['setup'],
    places: ['request'],
    method: 'GET',
    path: 'queues',
    query: {
      $select: 'queueid,name,queueviewtype',
      $filter: 'statecode eq 0',
      $orderby: 'name asc',
      $top: '{n}',
    },
    headers: ODATA,
    sources: [S.select, S.filter, S.order, S.top, table('Queue', 'StateCode, QueueViewType')],
  },
  {
    // SystemUser table reference: IsDisabled, AccessMode 0 Read-Write.
    id: 'systemusers.owners',
    senders: ['setup'],
    places: ['request'],
    method: 'GET',
    path: 'systemusers',
    query: {
      $select: 'systemuserid,fullname,internalemailaddress',
      $filter: 'isdisabled eq false and accessmode eq 0',
      $orderby: 'fullname asc',
      $top: '{n}',
    },
    headers: ODATA,
    sources: [S.select, S.filter, S.order, S.top, table('SystemUser', 'IsDisabled, AccessMode')],
  },
  {
    // Team table reference: TeamType 1 Access cannot own records ("Manage teams").
    id: 'teams.owners',
    senders: ['setup'],
    places: ['request'],
    method: 'GET',
    path: 'teams',
    query: { $select: 'teamid,name,teamtype', $filter: 'teamtype ne 1', $orderby: 'name asc', $top: '{n}' },
    headers: ODATA,
    sources: [S.select, S.filter, S.order, S.top, table('Team', 'TeamType')],
  },
  {
    // SystemForm table reference: ObjectTypeCode (EntityName), Type 2 Main, FormActivationState, FormXml;
    // reading needs prvReadSystemForm (SystemForm entity privileges).
    id: 'systemforms.case-main',
    senders: ['verify'],
    places: ['request'],
    method: 'GET',
    path: 'systemforms',
    query: {
      $select: 'formid,name,formxml,formactivationstate',
      $filter: "objecttypecode eq 'incident' and type eq 2",
    },
    headers: ODATA,
    sources: [S.select, S.filter, table('SystemForm', 'ObjectTypeCode, Type, FormActivationState, FormXml')],
    assumptions: [
      {
        what: "objecttypecode eq 'incident': no page shows systemforms filtered by it",
        reading:
          "ObjectTypeCode is an EntityName column (SystemForm table reference), compared as the table's logical name, a string; safe: the forms check only ever warns, and an org reading it otherwise shows up as no forms found, never as a failed delivery",
      },
    ],
  },
  // ── verify and setup: which routing the org uses (webhook-relay/src/admin/org-routing.ts) ──
  {
    id: 'routingrules.active',
    senders: ['verify', 'setup'],
    places: ['request'],
    method: 'GET',
    path: 'routingrules',
    query: { $select: 'name', $filter: 'statecode eq 1', $top: '10' },
    headers: ODATA,
    sources: [
      S.select,
      S.filter,
      S.top,
      {
        page: 'RoutingRule Entity Reference (Dynamics 365 Customer Engagement)',
        section: 'EntitySetName routingrules; StateCode 0 Draft, 1 Active',
        url: 'https://learn.microsoft.com/dynamics365/customer-engagement/developer/entities/routingrule',
      },
    ],
  },
  {
    // Unknown segment (404 0x8006088a) where unified routing is not provisioned: verify says so.
    id: 'unified.case-record-type',
    senders: ['verify', 'setup'],
    places: ['request'],
    method: 'GET',
    path: 'msdyn_masterentityroutingconfigurations',
    query: {
      $select: 'msdyn_name',
      $filter: "msdyn_entitylogicalname eq 'incident' and statecode eq 0",
      $top: '1',
    },
    headers: ODATA,
    sources: [
      S.select,
      S.filter,
      S.top,
      S.recordRouting,
      S.unknownSegment,
      d365Table(
        'Master Entity Routing Configuration (msdyn_masterentityroutingconfiguration)',
        'msdyn_entitylogicalname, statecode 0 Active',
        'developer/reference/entities/msdyn_masterentityroutingconfiguration',
      ),
    ],
  },
  {
    id: 'unified.case-workstreams',
    senders: ['verify', 'setup'],
    places: ['request'],
    method: 'GET',
    path: 'msdyn_liveworkstreams',
    query: { $select: 'msdyn_name,_msdyn_defaultqueue_value', $filter: '{filter}', $top: '10' },
    headers: ODATA,
    sources: [
      S.select,
      S.filter,
      S.top,
      S.recordRouting,
      d365Table(
        'Work Stream (msdyn_liveworkstream)',
        'msdyn_streamsource 192350000 Entity Records, msdyn_masterentityroutingconfigurationid, msdyn_defaultqueue, statecode',
        'developer/reference/entities/msdyn_liveworkstream',
      ),
    ],
    assumptions: [
      {
        what: "a record workstream's msdyn_masterentityroutingconfigurationid is the record type it routes",
        reading:
          'yes ("master entity routing configuration associated with work stream"); at worst verify reports no workstream for cases, a failed check an admin can see, never a lost case',
      },
    ],
  },
  // ── The transcript control (context.webAPI, sent by the preview host as the platform would) ──
  {
    id: 'control.transcript-note',
    senders: ['control'],
    places: ['request'],
    method: 'GET',
    path: 'annotations',
    query: { $select: 'notetext,isdocument,documentbody', $filter: '{filter}', $top: '1' },
    headers: ODATA,
    sources: [S.select, S.filter, S.top],
  },
  {
    id: 'control.case-customer',
    senders: ['control'],
    places: ['request'],
    method: 'GET',
    path: 'incidents({guid})',
    query: { $select: '_customerid_value' },
    headers: ODATA,
    sources: [S.retrieve, S.select],
  },
  {
    id: 'control.customer-name',
    senders: ['control'],
    places: ['request'],
    method: 'GET',
    path: '{contacts|accounts}({guid})',
    query: { $select: '{fullname|name}' },
    headers: ODATA,
    sources: [S.retrieve],
  },
  {
    id: 'control.contacts-by-phone',
    senders: ['control'],
    places: ['request'],
    method: 'GET',
    path: 'contacts',
    query: {
      $select: 'contactid,fullname,emailaddress1,mobilephone,telephone1,telephone2,telephone3',
      $filter: '{filter}',
      $orderby: 'fullname asc',
      $top: '25',
    },
    headers: ODATA,
    sources: [S.select, S.filter, S.order, S.top],
  },
  {
    id: 'control.open-cases',
    senders: ['control'],
    places: ['request'],
    method: 'GET',
    path: 'incidents',
    // One row past the 500 counted: more than 500 shows as "500+" (webapi/case-data.ts OPEN_CASES_COUNTED).
    query: { $select: '_customerid_value', $filter: '{filter}', $top: '501' },
    headers: ODATA,
    sources: [S.select, S.filter, S.top],
  },
  {
    // The single matched contact's open cases, shown (as links) before the rep links the caller.
    id: 'control.contact-open-cases',
    senders: ['control'],
    places: ['request'],
    method: 'GET',
    path: 'incidents',
    query: {
      $select: 'incidentid,title,ticketnumber',
      $filter: '{filter}',
      $orderby: 'createdon desc',
      $top: '{n}',
    },
    headers: ODATA,
    sources: [S.select, S.filter, S.order, S.top],
  },
  {
    id: 'control.create-contact',
    senders: ['control'],
    places: ['request'],
    method: 'POST',
    path: 'contacts',
    headers: JSON_BODY,
    body: 'contactid (client id), firstname, lastname, emailaddress1, mobilephone, description',
    sources: [S.create],
  },
  {
    id: 'control.link-contact',
    senders: ['control'],
    places: ['request'],
    method: 'PATCH',
    path: 'incidents({guid})',
    headers: JSON_BODY,
    body: 'customerid_contact@odata.bind',
    sources: [S.update, S.associateOnUpdate],
  },
  // ── Not the product: the preview server's pages and the tests' own setup ──
  {
    id: 'preview.case-list',
    senders: ['preview'],
    places: ['request'],
    method: 'GET',
    path: 'incidents',
    query: { $select: 'incidentid,title,ticketnumber,createdon', $orderby: 'createdon desc', $top: '200' },
    headers: { accept: ['application/json'] },
    sources: [S.select, S.order, S.top],
  },
  {
    id: 'preview.fetchxml',
    senders: ['preview'],
    places: ['request'],
    method: 'GET',
    path: 'incidents',
    query: { fetchXml: '{filter}' },
    headers: {
      accept: ['application/json'],
      prefer: ['odata.include-annotations="OData.Community.Display.V1.FormattedValue"'],
    },
    body:
      "the preview standing in for the model-driven app's grid and charts: a saved query of the OpenCX Insights " +
      "solution (solution/insights), a chart's aggregate query over its view, or the cases without handoff data",
    sources: [F.retrieve, F.aggregate, F.formatted],
  },
  {
    id: 'preview.case',
    senders: ['preview'],
    places: ['request'],
    method: 'GET',
    path: 'incidents({guid})',
    query: { $select: 'incidentid,title,ticketnumber,description' },
    headers: { accept: ['application/json'] },
    sources: [S.retrieve],
  },
  {
    id: 'test.create-case',
    senders: ['test'],
    places: ['request'],
    method: 'POST',
    path: '{incidents|annotations}',
    headers: { 'content-type': ['application/json'] },
    body: 'a case as the relay leaves it, or its transcript note (tests/browser/cases.ts)',
    sources: [S.create, S.associateOnCreate],
  },
  {
    id: 'test.list-cases',
    senders: ['test'],
    places: ['request'],
    method: 'GET',
    path: 'incidents',
    query: { $select: 'incidentid,title' },
    sources: [S.select],
  },
  {
    // The quick-start test: the demo's samples are moved to this week (scripts/demo/as-of-today.ts).
    id: 'test.handoff-times',
    senders: ['test'],
    places: ['request'],
    method: 'GET',
    path: 'incidents',
    query: { $select: 'opencx_handoffon' },
    sources: [S.select],
  },
  {
    id: 'test.case-customer',
    senders: ['test'],
    places: ['request'],
    method: 'GET',
    path: 'incidents({guid})',
    query: { $select: '_customerid_value' },
    sources: [S.retrieve],
  },
];

// ── The sandbox's rules ──

/** A rule the sandbox enforces (or a behaviour it plays), with its sources or the reading it assumes. */
export interface SandboxRule {
  id: string;
  rule: string;
  answer: string;
  sources: LedgerSource[];
  assumptions?: LedgerAssumption[];
}

const LIMITS = {
  page: 'Service protection API limits',
  url: 'https://learn.microsoft.com/power-apps/developer/data-platform/api-limits',
};
const ERROR_CODES: LedgerSource = {
  page: 'Dataverse error codes (Web service error codes)',
  section: 'the hex code, its name and message',
  url: 'https://learn.microsoft.com/power-apps/developer/data-platform/reference/web-service-error-codes',
};
const webApiErrors = (section: string, anchor: string): LedgerSource => ({
  page: 'Troubleshoot Dataverse Web API client errors',
  section,
  url: `https://learn.microsoft.com/troubleshoot/power-platform/power-apps/dataverse/web-api-client-errors#${anchor}`,
});
const statusUnconfirmed = (code: string): LedgerAssumption => ({
  what: `the HTTP status that carries ${code}`,
  reading: '400, what clients report; the relay classifies by the code, never by this status',
});

/** Every rule in `dataverse-sandbox/src/` that decides an answer, rendered in docs/dataverse-wire-ledger.md. */
export const SANDBOX_RULES: SandboxRule[] = [
  {
    id: 'metadata.cast',
    rule: 'a derived attribute property (`MaxLength`, `OptionSet`, …) selected or expanded without the cast to its type',
    answer:
      "400 `0x0` \"Could not find a property named 'MaxLength' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'.\"",
    sources: [
      S.metadataAttributes,
      S.metadataRetrieve,
      webApiErrors(
        'Could not find a property named …',
        'could-not-find-a-property-named-property-name-on-type-microsoftdynamicscrmentity-name',
      ),
    ],
  },
  {
    id: 'batch.line-endings',
    rule: 'a `$batch` body with a line ending other than CRLF, or whose last line has no CRLF (unless it ends with two non-CRLF line endings)',
    answer: '400 `0x80048d19` "Stream was not readable", as a batch response',
    sources: [
      webApiErrors(
        'InnerException : System.ArgumentException: Stream was not readable (the current page; the older one under power-apps lacks this section)',
        'innerexception--systemargumentexception-stream-was-not-readable',
      ),
      S.batch,
    ],
  },
  {
    id: 'create.duplicate-key',
    rule: 'a create whose primary key is taken',
    answer: '412 `0x80040237` "Cannot insert duplicate key."',
    sources: [S.duplicateKey, ERROR_CODES, S.statusCodes],
  },
  {
    id: 'create.duplicate-key-empty-code',
    rule: "the same, with `duplicateKeyCode: ''` (an org variant)",
    answer: '412 with `"code": ""` and "A record with matching key values already exists."',
    sources: [S.preventUpdate],
    assumptions: [
      {
        what: 'an org answering a create with the text and empty code documented for PATCH with If-None-Match: *',
        reading: 'possible; the relay recognises the duplicate either way (classify maps it to 0x80040237)',
      },
    ],
  },
  {
    id: 'update.if-match-missing',
    rule: '`PATCH` with `If-Match: *` (or an etag) on a record that does not exist',
    answer: '404 with `"code": ""` and "<entity> With Id = <id> Does Not Exist"; nothing created',
    sources: [S.preventCreate],
  },
  {
    id: 'update.stale-etag',
    rule: '`PATCH` with a stale etag',
    answer: '412, empty code',
    sources: [S.concurrency],
  },
  {
    id: 'read.missing',
    rule: 'a read of a record that does not exist',
    answer: '404 `0x80040217` "<entity> With Id = <id> Does Not Exist"',
    sources: [ERROR_CODES, S.statusCodes],
  },
  {
    id: 'bind.missing-target',
    rule: '`@odata.bind` to a record that does not exist',
    answer: '404 `0x80040217`',
    sources: [S.associateOnCreate, ERROR_CODES],
    assumptions: [
      {
        what: 'the status and code of a bind to a missing record',
        reading: 'as a read of it: 404 0x80040217',
      },
    ],
  },
  {
    id: 'bind.undeclared',
    rule: 'an `@odata.bind` name that is not a navigation property (e.g. `queueid@odata.bind` on a case)',
    answer: '400 `0x80048d19` "An undeclared property …"',
    sources: [
      webApiErrors(
        'An undeclared property … was found in the payload',
        'innerexception--microsoftodataodataexception-an-undeclared-property--was-found-in-the-payload',
      ),
    ],
  },
  {
    id: 'body.unknown-property',
    rule: 'an unknown property in a body',
    answer: '400 `0x0` "Invalid property \'<name>\' was found in entity …"',
    sources: [
      webApiErrors(
        'Invalid property … was found in entity',
        'invalid-property-property-name-was-found-in-entity-microsoftdynamicscrmentity-name',
      ),
    ],
  },
  {
    id: 'segment.unknown',
    rule: "an entity set, function or action the org does not have (unified routing's, where it is not provisioned)",
    answer: '404 `0x8006088a` "Resource not found for the segment \'<name>\'."',
    sources: [S.unknownSegment],
  },
  {
    id: 'queueitem.one-active',
    rule: 'a second active queue item for one record',
    answer: '400 `0x80040526` "Cannot create more than one active queue item for this object"',
    sources: [ERROR_CODES],
    assumptions: [statusUnconfirmed('0x80040526')],
  },
  {
    id: 'add-to-queue.source',
    rule: 'AddToQueue with `SourceQueue`: the record is moved from that queue to the destination',
    answer: '200 `{"QueueItemId"}`; the active item now in the destination',
    sources: [S.addToQueue, S.queueTables],
  },
  {
    id: 'add-to-queue.no-source',
    rule: 'AddToQueue without `SourceQueue`',
    answer: "moves the record's active queue item, or adds one to a record in no queue",
    sources: [S.addToQueue],
    assumptions: [
      {
        what: 'what AddToQueue does without SourceQueue to a record already in a queue',
        reading:
          'moves its active item (a record has one at most); the relay names SourceQueue wherever it knows it',
      },
    ],
  },
  {
    id: 'org.auto-route',
    rule: "`org.autoRouteToOwnerQueue`: a new case goes to its owner's default queue (systemuser.queueid, team.queueid)",
    answer: 'a queue item, in the create',
    sources: [S.queueTables, table('Team', 'QueueId')],
    assumptions: [
      {
        what: 'the auto-route queue item is visible to later operations of the same change set',
        reading: 'yes, it is made in the create itself',
      },
    ],
  },
  {
    id: 'routing.legacy',
    rule: '`ApplyRoutingRule` (`org.routingRuleQueue`: the active routing rule set sends cases there)',
    answer: '204; the case in that queue; with no active rule set, nothing',
    sources: [S.applyRoutingRule, S.applyRoutingRuleRequest],
    assumptions: [{ what: 'ApplyRoutingRule with no active rule set', reading: 'does nothing, answers 204' }],
  },
  {
    id: 'routing.legacy.privilege',
    rule: '`ApplyRoutingRule` by a caller without `prvWriteIncident` (`auth.missingPrivileges`)',
    answer:
      "403 `0x80040220` naming `prvWriteIncident` for entity 'incident'; nothing placed (in a change set, the whole change set rolled back)",
    sources: [S.applyRoutingRulePrivileges, S.applyRoutingRuleRequestPrivileges, ERROR_CODES],
  },
  {
    id: 'routing.unified.privilege',
    rule: "`msdyn_ApplyRoutingRuleEntityRecord` by a caller without Write on the Target's table (`prvWriteIncident` for a case), where unified routing is provisioned",
    answer: "403 `0x80040220` naming `prvWriteIncident` for entity 'incident'; the case stays where it is",
    sources: [S.unifiedRouting, S.applyRoutingRulePrivileges, ERROR_CODES],
    assumptions: [
      {
        what: 'the privileges msdyn_ApplyRoutingRuleEntityRecord needs (no page lists any)',
        reading:
          "Write on the record's table, as ApplyRoutingRule needs prvWriteIncident: the safer reading, since routing changes the record's queue and owner",
      },
    ],
  },
  {
    id: 'routing.unified',
    rule: "`msdyn_ApplyRoutingRuleEntityRecord` (`org.unifiedRouting.queue`: the record workstream routes cases there); Target as `@odata.type` + id, or the reference example's string `incidents(<id>)`",
    answer:
      "204; the case in the workstream's queue; an unknown segment where unified routing is not provisioned",
    sources: [S.unifiedRouting, S.tableTypeParameter, S.recordRouting, S.unknownSegment],
    assumptions: [
      {
        what: "how unified routing places a record (intake, classification and route-to-queue rules run in unified routing's own service)",
        reading:
          'one workstream whose route-to-queue rule sends every case to its queue; a record type with no workstream leaves the case where it is',
      },
    ],
  },
  {
    id: 'plugin.refusal',
    rule: '`org.refuseIncidentCreate`: a synchronous plug-in throws InvalidPluginExecutionException',
    answer: "400 `0x80040265` (IsvAborted) with the plug-in's message; nothing kept",
    sources: [
      src(
        'Compose HTTP requests and handle errors',
        'Include more details with errors (a plug-in refusal: 400, 0x80040265)',
        'compose-http-requests-handle-errors#include-more-details-with-errors',
      ),
    ],
  },
  {
    id: 'limits.requests',
    rule: '`limits.requestsPerWindow` (a `$batch` is one request), in a sliding `windowMs`',
    answer:
      '429 `0x80072322` "Number of requests exceeded the limit of N over time window of S seconds." + `Retry-After`',
    sources: [
      {
        ...LIMITS,
        section: 'Number of requests; How Service Protection API Limits are enforced (sliding window)',
      },
    ],
    assumptions: [
      {
        what: 'the Retry-After value ("will depend on the nature of the operations")',
        reading: 'the seconds until enough of the window has aged out for one more request',
      },
      { what: 'whether refused requests count', reading: 'they do not' },
    ],
  },
  {
    id: 'limits.execution-time',
    rule: '`limits.executionMsPerWindow`: the time each admitted request took plus `executionMsPerOperation` per operation, in the sliding window',
    answer:
      '429 `0x80072321` "Combined execution time of incoming requests exceeded limit of N milliseconds over time window of S seconds. …" (two spaces before "milliseconds", as the page prints it) + `Retry-After`',
    sources: [{ ...LIMITS, section: 'Execution time' }],
    assumptions: [
      {
        what: 'the Retry-After value, and what a request costs',
        reading:
          'the seconds until enough execution time has aged out; the cost is what the sandbox measured plus a configured cost per operation, since the sandbox answers in microseconds',
      },
    ],
  },
  {
    id: 'limits.concurrency',
    rule: '`limits.maxConcurrent` requests in flight per user (a slow answer, `faults.latencyMs`, holds its slot)',
    answer:
      '429 `0x80072326` "Number of concurrent requests exceeded the limit of N." at once + `Retry-After`',
    sources: [
      {
        ...LIMITS,
        section: 'Concurrent requests; The Retry-After duration ("will immediately return an error")',
      },
    ],
    assumptions: [
      { what: 'the Retry-After value', reading: '1 s, the time a request in flight takes to end' },
    ],
  },
  {
    id: 'filter.leading-wildcard',
    rule: '`contains`/`endswith` on a large table',
    answer: '400 `0x80048573`',
    sources: [ERROR_CODES],
    assumptions: [statusUnconfirmed('0x80048573')],
  },
  {
    id: 'case.customer',
    rule: "a case without a customer, or an option outside the column's options",
    answer: '400 `0x80044410`, 400 `0x8004431a`',
    sources: [
      ERROR_CODES,
      d365Table(
        'Case (incident)',
        'CustomerId (SystemRequired), PriorityCode options',
        'developer/reference/entities/incident',
      ),
    ],
    assumptions: [statusUnconfirmed('0x80044410 and 0x8004431a')],
  },
  {
    id: 'batch.changeset-failure',
    rule: "a change set that fails: every operation rolled back; the batch stops there with the failure's status",
    answer: "the failed operation's answer wrapped in a `changesetresponse_…` part",
    sources: [
      S.changeSets,
      src(
        'Execute batch operations using the Web API',
        'Handling errors',
        'execute-batch-operations-using-web-api#handling-errors',
      ),
    ],
    assumptions: [
      {
        what: 'the shape of a failed change set in the batch response',
        reading: 'one part, wrapped in its change set; the relay reads the failing Content-ID from it',
      },
    ],
  },
  {
    id: 'fetchxml.unknown-attribute',
    rule: 'a `fetchXml` query naming an attribute the table does not have (an insights column in an org without the solution)',
    answer: '400 `0x80041103` (QueryBuilderNoAttribute)',
    sources: [F.retrieve, ERROR_CODES],
  },
  {
    id: 'fetchxml.aggregate-limit',
    rule: 'an aggregate `fetchXml` query over more than 50,000 records',
    answer: '400 `0x8004E023` (AggregateQueryRecordLimit)',
    sources: [F.aggregate, ERROR_CODES],
  },
  {
    id: 'fetchxml.refused',
    rule: "FetchXML Dataverse refuses: not well-formed, an aggregate attribute without an alias, an entity that is not the entity set's table, a condition without its value",
    answer: '400 `0x80040203` (InvalidArgument)',
    sources: [F.retrieve, F.aggregate],
    assumptions: [
      {
        what: 'the error code of a refused FetchXML query',
        reading:
          'InvalidArgument (0x80040203): the pages state each rule but not the answer; the preview reads only the status',
      },
    ],
  },
  {
    id: 'fetchxml.last-x-days',
    rule: 'the condition operator `last-x-days`',
    answer: 'rows from midnight X days ago up to now',
    sources: [F.retrieve],
    assumptions: [
      {
        what: 'where "within the last X days" starts, and in which time zone',
        reading: "at midnight, X days before today, in the user's time zone (the sandbox's user is UTC)",
      },
    ],
  },
  {
    id: 'fetchxml.beyond-subset',
    rule: 'FetchXML beyond the subset the insights views and charts use (`link-entity`, other operators and aggregates, paging, `fetchXml` with other query options)',
    answer: '501 `SandboxNotSupported`, naming what is missing',
    sources: [F.retrieve],
    assumptions: [
      {
        what: 'nothing: Dataverse would run these queries',
        reading:
          'the sandbox never pretends to; it says what it does not implement instead of answering wrongly',
      },
    ],
  },
  {
    id: 'auth.401',
    rule: 'a bearer token the sandbox does not accept',
    answer: '401, an empty body and `WWW-Authenticate: Bearer authorization_uri=…`',
    sources: [S.statusCodes],
    assumptions: [
      {
        what: 'the 401 body and WWW-Authenticate parameters',
        reading: 'empty, as Dataverse clients observe it; the relay reads only the status',
      },
    ],
  },
];

// ── Matching ──

/** One request as the sandbox received it (a top-level request or one part of a `$batch`). */
export interface WireRequest {
  place: Place;
  method: string;
  /** Path relative to `/api/data/v9.2/`, percent-decoded. */
  path: string;
  /** Query options in order, decoded. */
  query: Array<[string, string]>;
  /** Lower-case names. */
  headers: Record<string, string>;
}

/** Headers whose presence changes what the service does: a row must list them to allow them. */
const SIGNIFICANT = /^(?:prefer|if-match|if-none-match|content-type|mscrm\..*)$/;

const PLACEHOLDERS: Record<string, string> = {
  guid: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  n: '\\d+',
  name: '[a-z][a-z0-9_]*',
  names: '[a-z][a-z0-9_]*(?:,[a-z][a-z0-9_]*)*',
  token: '[A-Za-z0-9_-]+',
  filter: '.+',
};

const compiled = new Map<string, RegExp>();
/** A template as an anchored regular expression (cached). */
export function templatePattern(template: string): RegExp {
  let pattern = compiled.get(template);
  if (pattern) return pattern;
  let source = '';
  for (const piece of template.split(/(\{[^{}]+\})/)) {
    if (!piece) continue;
    const inner = /^\{([^}]+)\}$/.exec(piece)?.[1];
    if (inner === undefined) source += piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (PLACEHOLDERS[inner]) source += `(?:${PLACEHOLDERS[inner]})`;
    else
      source += `(?:${inner
        .split('|')
        .map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|')})`;
  }
  pattern = new RegExp(`^${source}$`);
  compiled.set(template, pattern);
  return pattern;
}

/** Why `request` does not fit `row` (undefined when it fits). */
export function mismatch(row: LedgerRow, request: WireRequest): string | undefined {
  if (!row.places.includes(request.place)) return `not sent as ${request.place}`;
  if (row.method !== request.method) return `method ${request.method}`;
  if (!templatePattern(row.path).test(request.path)) return `path ${request.path}`;
  const expected = row.query ?? {};
  const names = request.query.map(([name]) => name);
  if (new Set(names).size !== names.length) return 'a repeated query option';
  for (const [name, value] of request.query) {
    const template = expected[name];
    if (template === undefined) return `query option ${name} is not in the row`;
    if (!templatePattern(template).test(value)) return `${name}=${value} is not ${template}`;
  }
  for (const name of Object.keys(expected))
    if (!names.includes(name)) return `query option ${name} is missing`;
  const wanted = row.headers ?? {};
  for (const [name, templates] of Object.entries(wanted)) {
    const value = request.headers[name];
    if (value === undefined) return `header ${name} is missing`;
    if (!templates.some((t) => templatePattern(t).test(value))) return `${name}: ${value}`;
  }
  for (const name of Object.keys(request.headers))
    if (SIGNIFICANT.test(name) && !(name in wanted)) return `header ${name} is not in the row`;
  return undefined;
}

export function matchLedger(
  request: WireRequest,
  rows: readonly LedgerRow[] = LEDGER,
): LedgerRow | undefined {
  return rows.find((row) => mismatch(row, request) === undefined);
}

const API_ROOT = '/api/data/v9.2/';

/**
 * A WireRequest from a request target (`/api/data/v9.2/contacts?$top=1`, an absolute URL, or a path
 * relative to the Web API root). Query values are percent-decoded (`+` stays a plus, as OData reads it).
 */
export function wireRequest(
  place: Place,
  method: string,
  target: string,
  headers: Record<string, string>,
): WireRequest {
  let rest = target.replace(/^https?:\/\/[^/]+/, '');
  if (rest.startsWith(API_ROOT)) rest = rest.slice(API_ROOT.length);
  const question = rest.indexOf('?');
  const rawPath = question < 0 ? rest : rest.slice(0, question);
  const rawQuery = question < 0 ? '' : rest.slice(question + 1);
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const query = rawQuery
    ? rawQuery.split('&').map((pair): [string, string] => {
        const equals = pair.indexOf('=');
        return equals < 0
          ? [decode(pair), '']
          : [decode(pair.slice(0, equals)), decode(pair.slice(equals + 1))];
      })
    : [];
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  return { place, method: method.toUpperCase(), path: decode(rawPath), query, headers: lower };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const sourceLinks = (sources: readonly LedgerSource[]) =>
  // A URL with parentheses goes in angle brackets, as Markdown (and Prettier) write it.
  sources.map((s) => `[${s.page}: ${s.section}](${/[()]/.test(s.url) ? `<${s.url}>` : s.url})`).join('<br>');
const assumed = (assumptions: readonly LedgerAssumption[] | undefined) =>
  assumptions?.length
    ? assumptions.map((a) => `**assumption**: ${a.what}. Reading: ${a.reading}`).join('<br>')
    : '—';

/** One line of docs/dataverse-wire-ledger.md per row. */
export function renderLedgerMarkdown(rows: readonly LedgerRow[] = LEDGER): string {
  const lines = [
    '| id | sent by | where | request | headers | source (Microsoft Learn) | assumptions (reading chosen) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const query = Object.entries(row.query ?? {})
      .map(([name, value]) => `${name}=${value}`)
      .join('&');
    const request = `\`${row.method} ${row.path}${query ? `?${query}` : ''}\`${row.body ? ` (${row.body})` : ''}`;
    const headers = Object.entries(row.headers ?? {})
      .map(([name, values]) => `\`${name}: ${values.join('` or `')}\``)
      .join('<br>');
    lines.push(
      `| ${[row.id, row.senders.join(', '), row.places.join(', '), request, headers || '—', sourceLinks(row.sources), assumed(row.assumptions)].map(cell).join(' | ')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** One line of docs/dataverse-wire-ledger.md per sandbox rule. */
export function renderRulesMarkdown(rules: readonly SandboxRule[] = SANDBOX_RULES): string {
  const lines = [
    '| id | rule | answer | source (Microsoft Learn) | assumptions (reading chosen) |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const rule of rules)
    lines.push(
      `| ${[rule.id, rule.rule, rule.answer, sourceLinks(rule.sources), assumed(rule.assumptions)].map(cell).join(' | ')} |`,
    );
  return `${lines.join('\n')}\n`;
}

/** Every assumption that remains, row or rule, for the note and the doc's summary. */
export function remainingAssumptions(): Array<{ id: string } & LedgerAssumption> {
  return [...LEDGER, ...SANDBOX_RULES].flatMap((entry) =>
    (entry.assumptions ?? []).map((a) => ({ id: entry.id, ...a })),
  );
}

// ── Checking a recorded run ──

/** The `$batch` framing every part must have (Execute batch operations using the Web API: Batch requests, Change sets). */
const PART_FRAMING: Record<Exclude<Place, 'request'>, Record<string, string>> = {
  'batch-part': { 'content-type': 'application/http', 'content-transfer-encoding': 'binary' },
  changeset: {
    'content-type': 'application/http',
    'content-transfer-encoding': 'binary',
    'content-id': '{n}',
  },
};
const CHANGESET_TYPE = 'multipart/mixed; boundary="changeset_{token}"';

export interface LedgerMiss {
  suite: string;
  /** e.g. `GET /api/data/v9.2/contacts?$top=1`, or `POST …/$batch › changeset › PATCH …`. */
  request: string;
  /** Why the nearest row did not fit. */
  reason: string;
}

/** The row whose mismatch got furthest (same method and path first), to explain a miss. */
function nearest(request: WireRequest, rows: readonly LedgerRow[]): string {
  const samePath = rows.filter(
    (r) => r.method === request.method && templatePattern(r.path).test(request.path),
  );
  const row = samePath[0];
  if (!row) return `no row has ${request.method} ${request.path}`;
  return `nearest row ${row.id}: ${mismatch(row, request) ?? ''}`;
}

/** Every recorded request that fits no ledger row (and every `$batch` whose framing is not the documented one). */
export function checkRecorded(
  entries: Iterable<WireLogEntry>,
  rows: readonly LedgerRow[] = LEDGER,
): LedgerMiss[] {
  const misses: LedgerMiss[] = [];
  const seen = new Set<string>();
  const miss = (suite: string, request: string, reason: string) => {
    const key = `${suite}\n${request}\n${reason}`;
    if (seen.has(key)) return;
    seen.add(key);
    misses.push({ suite, request, reason });
  };
  for (const entry of entries) {
    const outer = wireRequest('request', entry.method, entry.target, entry.headers);
    const label = `${entry.method} ${entry.target}`;
    if (!matchLedger(outer, rows)) miss(entry.suite, label, nearest(outer, rows));
    if (entry.unreadable) miss(entry.suite, label, `unreadable $batch: ${entry.unreadable}`);
    for (const type of entry.changesets ?? [])
      if (!templatePattern(CHANGESET_TYPE).test(type))
        miss(entry.suite, label, `change set Content-Type: ${type}`);
    for (const part of entry.parts ?? []) {
      const inner = wireRequest(part.place, part.method, part.target, part.headers);
      const partLabel = `${label} › ${part.place} › ${part.method} ${part.target}`;
      for (const [name, template] of Object.entries(PART_FRAMING[part.place])) {
        const value = part.part[name];
        if (value === undefined || !templatePattern(template).test(value))
          miss(entry.suite, partLabel, `part header ${name}: ${value ?? '(missing)'}, expected ${template}`);
      }
      if (!matchLedger(inner, rows)) miss(entry.suite, partLabel, nearest(inner, rows));
    }
  }
  return misses;
}

/** What a check of a recorded run covered, for its closing line (a check that prints nothing is no check). */
export interface LedgerCoverage {
  /** Top-level requests checked. */
  requests: number;
  /** Parts of `$batch` requests checked. */
  parts: number;
  suites: number;
  rows: number;
  /** Rows that at least one checked request fitted. */
  rowsUsed: number;
}

export function coverageOf(
  entries: readonly WireLogEntry[],
  rows: readonly LedgerRow[] = LEDGER,
): LedgerCoverage {
  const used = new Set<string>();
  let parts = 0;
  for (const entry of entries) {
    const outer = matchLedger(wireRequest('request', entry.method, entry.target, entry.headers), rows);
    if (outer) used.add(outer.id);
    for (const part of entry.parts ?? []) {
      parts += 1;
      const inner = matchLedger(wireRequest(part.place, part.method, part.target, part.headers), rows);
      if (inner) used.add(inner.id);
    }
  }
  return {
    requests: entries.length,
    parts,
    suites: new Set(entries.map((e) => e.suite)).size,
    rows: rows.length,
    rowsUsed: used.size,
  };
}

/** The check's closing line. */
export function coverageLine(coverage: LedgerCoverage, misses: number): string {
  const n = (value: number) => value.toLocaleString('en-US');
  return (
    `wire ledger: ${n(coverage.requests)} requests (${n(coverage.parts)} $batch parts) from ${n(coverage.suites)} ` +
    `suites checked against ${n(coverage.rows)} rows (${n(coverage.rowsUsed)} used): ` +
    (misses ? `${n(misses)} not in the ledger` : 'all documented')
  );
}
