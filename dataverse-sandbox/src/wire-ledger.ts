/**
 * The wire ledger: every Dataverse Web API request shape the product sends (relay delivery and append,
 * `opencx-relay verify` and `setup`, the transcript control through the preview host), plus the few the
 * test harness and the preview server send to set up or show data. Each row names the Microsoft Learn page
 * and section that documents the shape. It is the source of truth: the sandbox implements what the rows
 * need, and the CI check (scripts/wire-ledger-check.ts) fails a test run that sent a request matching no
 * row. Adding a shape is one entry in LEDGER below (then regenerate docs/dataverse-wire-ledger.md).
 *
 * Templates: `{guid}` a GUID, `{n}` digits, `{name}` a logical name, `{token}` a boundary token,
 * `{filter}` any non-empty text (the sandbox checks its grammar), `{a|b|c}` exactly one of the literals.
 * Query options are compared as a set of names, each value against its template; a request with an
 * option the row does not list does not match.
 */

import type { WireLogEntry } from './wire-log.js';

export type Sender = 'relay' | 'verify' | 'setup' | 'control' | 'preview' | 'test';
/** A request on its own, a part of a `$batch` outside any change set, or an operation in a change set. */
export type Place = 'request' | 'batch-part' | 'changeset';

export interface LedgerSource {
  /** The Microsoft Learn page title. */
  page: string;
  section: string;
  url: string;
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
  sources: LedgerSource[];
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
};

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
    senders: ['relay', 'verify'],
    places: ['request'],
    method: 'GET',
    path: "EntityDefinitions(LogicalName='incident')/Attributes",
    query: { $select: 'LogicalName,AttributeType,IsValidForCreate' },
    headers: ODATA,
    sources: [S.metadataAttributes],
  },
  {
    id: 'metadata.max-length',
    senders: ['relay', 'verify'],
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
    // EntityMetadata.AutoRouteToOwnerQueue: the Case table's "move new records to the owner's default queue".
    id: 'metadata.incident-auto-route',
    senders: ['verify', 'setup'],
    places: ['request'],
    method: 'GET',
    path: "EntityDefinitions(LogicalName='incident')",
    query: { $select: 'AutoRouteToOwnerQueue' },
    headers: ODATA,
    sources: [S.entityRetrieve],
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
    senders: ['relay', 'verify', 'setup'],
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
    sources: [S.create, S.changeSets],
  },
  {
    id: 'incidents.create',
    senders: ['relay', 'verify'],
    places: ['changeset'],
    method: 'POST',
    path: 'incidents',
    headers: ENTRY,
    body: 'incidentid, title, description, caseorigincode, prioritycode, customerid_contact@odata.bind, ownerid@odata.bind, TICKET_PROPERTIES',
    sources: [S.create, S.associateOnCreate, S.changeSets],
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
    body: '{"Target": {"@odata.type": "Microsoft.Dynamics.CRM.incident", "incidentid": …}}',
    sources: [
      S.boundAction,
      src('AddToQueue Action', 'Parameters (Target, SourceQueueId)', 'reference/addtoqueue'),
      S.changeSets,
    ],
  },
  {
    id: 'apply-routing-rule',
    senders: ['relay', 'verify'],
    places: ['changeset'],
    method: 'POST',
    path: 'ApplyRoutingRule',
    headers: { 'content-type': ['application/json'] },
    body: '{"Target": {"@odata.type": "Microsoft.Dynamics.CRM.incident", "incidentid": …}}',
    sources: [
      S.unboundAction,
      src('ApplyRoutingRule Action', 'Parameters (Target)', 'reference/applyroutingrule'),
      S.changeSets,
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
    senders: ['relay', 'verify'],
    places: ['changeset'],
    method: 'PATCH',
    path: 'incidents({guid})',
    // The etag read with the description, or `*` when none is known: never an upsert that re-creates.
    headers: { ...ENTRY, 'if-match': ['W/"{n}"', '*'] },
    body: 'description',
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
    id: 'test.case-customer',
    senders: ['test'],
    places: ['request'],
    method: 'GET',
    path: 'incidents({guid})',
    query: { $select: '_customerid_value' },
    sources: [S.retrieve],
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
const SIGNIFICANT = /^(prefer|if-match|if-none-match|content-type|mscrm\..*)$/;

const PLACEHOLDERS: Record<string, string> = {
  guid: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  n: '\\d+',
  name: '[a-z][a-z0-9_]*',
  token: '[A-Za-z0-9_-]+',
  filter: '.+',
};

const compiled = new Map<string, RegExp>();
/** A template as an anchored regular expression (cached). */
export function templatePattern(template: string): RegExp {
  let pattern = compiled.get(template);
  if (pattern) return pattern;
  let source = '';
  for (const piece of template.split(/(\{[^}]+\})/)) {
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

/** One line of docs/dataverse-wire-ledger.md per row. */
export function renderLedgerMarkdown(rows: readonly LedgerRow[] = LEDGER): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [
    '| id | sent by | where | request | headers | source (Microsoft Learn) |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const query = Object.entries(row.query ?? {})
      .map(([name, value]) => `${name}=${value}`)
      .join('&');
    const request = `\`${row.method} ${row.path}${query ? `?${query}` : ''}\`${row.body ? ` (${row.body})` : ''}`;
    const headers = Object.entries(row.headers ?? {})
      .map(([name, values]) => `\`${name}: ${values.join('` or `')}\``)
      .join('<br>');
    const sources = row.sources.map((s) => `[${s.page}: ${s.section}](${s.url})`).join('<br>');
    lines.push(
      `| ${[row.id, row.senders.join(', '), row.places.join(', '), request, headers || '—', sources].map(cell).join(' | ')} |`,
    );
  }
  return `${lines.join('\n')}\n`;
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
