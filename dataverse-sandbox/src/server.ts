/**
 * The sandbox's HTTP server: auth, service protection, faults, routing to entity operations, `$batch`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { refuseForeignHost } from './host-check.js';
import type { AddressInfo } from 'node:net';
import {
  checkLineEndings,
  parseBatch,
  writeBatchResponse,
  type BatchOperation,
  type OperationResult,
  type PartResult,
} from './batch.js';
import {
  createRow,
  presentRow,
  checkSelect,
  queryRows,
  tableBySet,
  updateRow,
  type EntityContext,
  type QueryOptions,
} from './entities.js';
import { DataverseError, errors } from './errors.js';
import {
  mulberry32,
  ServiceProtection,
  type Refusal,
  type SandboxFaults,
  type SandboxLimits,
} from './faults.js';
import { notSupported, parseFetch, runFetch } from './fetchxml.js';
import { tablesForOrg } from './insights.js';
import { readMetadata, type MetadataOverrides } from './metadata.js';
import type { TableMetadata } from './metadata-types.js';
import { TABLES } from './reference-tables.js';
import { ROUTING_TABLES } from './routing-tables.js';
import { defaultSeed, SEED_IDS, type SeedData } from './seed.js';
import { SandboxState, type Row } from './state.js';
import { recordedHeaders, wireLogWriter, type WireLogEntry } from './wire-log.js';
import {
  actionTarget,
  addToQueue,
  afterCreate,
  applyRoutingRule,
  applyUnifiedRouting,
  beforeCreate,
  checkEntitySet,
  entityDefinition,
  writeRoutingRows,
  type SandboxOrg,
} from './org.js';

export const API_PATH = '/api/data/v9.2/';

export interface SandboxAuth {
  /** Require `Authorization: Bearer <token>` (one of `tokens`); default false (DATAVERSE_AUTH=none callers). */
  requireToken?: boolean;
  tokens?: string[];
  /** false → the caller has no application user in the org: 403 0x80072560 on everything but nothing else. */
  applicationUserExists?: boolean;
  /** Privileges the caller's role lacks, e.g. `prvCreateIncident`: 403 0x80040220 naming it. */
  missingPrivileges?: string[];
}

export interface SandboxOptions {
  port?: number;
  host?: string;
  /**
   * Host names answered besides IP literals, localhost and `host` (DNS rebinding protection,
   * host-check.ts); any other Host header gets 403.
   */
  allowedHosts?: readonly string[];
  seed?: SeedData;
  limits?: SandboxLimits;
  faults?: SandboxFaults;
  metadata?: MetadataOverrides;
  auth?: SandboxAuth;
  /** Injected clock (ms since epoch) for createdon, windows and token expiry. */
  clock?: () => number;
  /**
   * The code of the duplicate-key error (412): `0x80040237` by default; `''` answers as one Microsoft
   * page shows it (Perform conditional operations using the Web API: Prevent update in upsert).
   */
  duplicateKeyCode?: string;
  /**
   * Org configurations: auto-route to the owner's queue, queueing on create, routing rules, a refusing
   * plug-in, the OpenCX Insights solution imported (`insights`).
   */
  org?: SandboxOrg;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  /** For `$batch`: the inner operations' method and path. */
  operations?: Array<{ method: string; url: string }>;
  /** The execution time charged to an admitted request (service protection), in ms. */
  executionMs?: number;
}

export interface Sandbox {
  /** Environment root, e.g. `http://127.0.0.1:4321` (the Web API is at `<url>/api/data/v9.2/`). */
  url: string;
  state: SandboxState;
  requests: RequestLogEntry[];
  setFaults(faults: SandboxFaults): void;
  setLimits(limits: SandboxLimits): void;
  setAuth(auth: SandboxAuth): void;
  setOrg(org: SandboxOrg): void;
  /** Requests per second the configured budget allows (undefined when unlimited). */
  ceilingPerSecond(): number | undefined;
  close(): Promise<void>;
}

const STEMS: Record<string, string> = {
  incident: 'Incident',
  contact: 'Contact',
  account: 'Account',
  queue: 'Queue',
  annotation: 'Note',
  systemuser: 'User',
  team: 'Team',
  // SystemForm entity privileges (Dynamics CRM 2013 developer's guide, gg328254): prvReadSystemForm, Global depth only.
  systemform: 'SystemForm',
  routingrule: 'RoutingRule',
};

/** The privilege an operation needs; queue items inherit from the queue (reference: privileges.json). */
function privilegeFor(entity: string, method: string): string {
  if (entity === 'queueitem') return method === 'GET' ? 'prvReadQueue' : 'prvAppendToQueue';
  const action =
    method === 'GET' ? 'Read' : method === 'POST' ? 'Create' : method === 'DELETE' ? 'Delete' : 'Write';
  return `prv${action}${STEMS[entity] ?? entity}`;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): OperationResult {
  return {
    status,
    headers: {
      'Content-Type': 'application/json; odata.metadata=minimal',
      'OData-Version': '4.0',
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

function errorResult(error: DataverseError): OperationResult {
  return json(error.status, error.body(), error.headers);
}

/** A service protection refusal as Dataverse answers it, naming the configured limit. */
function refusalError(refusal: Refusal, limits: SandboxLimits): DataverseError {
  const windowSeconds = (limits.windowMs ?? 300_000) / 1000;
  switch (refusal.kind) {
    case 'concurrency':
      return errors.throttleConcurrency(limits.maxConcurrent ?? 52, refusal.retryAfterSeconds);
    case 'execution-time':
      return errors.throttleExecutionTime(
        limits.executionMsPerWindow ?? 1_200_000,
        windowSeconds,
        refusal.retryAfterSeconds,
      );
    case 'requests':
      return errors.throttleRequests(
        limits.requestsPerWindow ?? 6000,
        windowSeconds,
        refusal.retryAfterSeconds,
      );
  }
}

function parseQuery(params: URLSearchParams): QueryOptions {
  const options: QueryOptions = {};
  const select = params.get('$select');
  if (select) options.select = select.split(',').map((s) => s.trim());
  const filter = params.get('$filter');
  if (filter) options.filter = filter;
  const top = params.get('$top');
  if (top !== null) {
    if (!/^\d+$/.test(top)) throw errors.badRequest(`Invalid $top value '${top}'.`, '0x0');
    options.top = Number(top);
  }
  const orderby = params.get('$orderby');
  if (orderby) {
    options.orderby = orderby.split(',').map((part) => {
      const [property = '', direction = 'asc'] = part.trim().split(/\s+/);
      return { property, descending: direction.toLowerCase() === 'desc' };
    });
  }
  if (params.get('$count') === 'true') options.count = true;
  return options;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = options.clock ?? (() => Date.now());
  const tablesFor = tablesForOrg({ ...TABLES, ...ROUTING_TABLES }, options.metadata);
  let org: SandboxOrg = { ...options.org };
  // The org's table metadata: with the insights columns once the solution is "imported" (org.insights).
  let tables: Record<string, TableMetadata> = tablesFor(org.insights === true);
  const state = new SandboxState();
  const seed = options.seed ?? defaultSeed();
  for (const [entitySet, rows] of Object.entries(seed)) {
    const table = tableBySet(tables, entitySet);
    if (!table) throw new Error(`seed names an unknown entity set: ${entitySet}`);
    for (const row of rows) state.put(entitySet, String(row[table.primaryKey]), { versionnumber: 1, ...row });
  }
  let faults: SandboxFaults = { ...options.faults };
  let random = mulberry32(faults.seed ?? 1);
  let throttleRemaining = faults.throttleNext ?? 0;
  let auth: SandboxAuth = { ...options.auth };
  const routingKeys = Object.fromEntries(
    Object.values(ROUTING_TABLES).map((t) => [t.entitySet, t.primaryKey]),
  );
  writeRoutingRows(org, state, routingKeys);
  const protection = new ServiceProtection(options.limits ?? {});
  const requests: RequestLogEntry[] = [];
  let ticketSequence = 1000;
  let rowVersion = 1_000_000;
  let root = '';
  const recordWire = wireLogWriter();

  /** Records the request for the wire-ledger check (only when OPENCX_WIRE_LOG is set). */
  function record(req: IncomingMessage, body: string): void {
    if (!recordWire) return;
    const entry: Omit<WireLogEntry, 'suite'> = {
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      headers: recordedHeaders(req.headers),
    };
    if (new URL(req.url ?? '/', 'http://sandbox').pathname === `${API_PATH}$batch`) {
      try {
        const parts = parseBatch(body, req.headers['content-type']);
        entry.changesets = parts.flatMap((p) => (p.kind === 'changeset' ? [p.contentType] : []));
        entry.parts = parts.flatMap((p) =>
          (p.kind === 'changeset' ? p.operations : [p.operation]).map((o) => ({
            place: p.kind === 'changeset' ? ('changeset' as const) : ('batch-part' as const),
            part: o.part,
            method: o.method,
            target: o.url,
            headers: recordedHeaders(o.headers),
          })),
        );
      } catch (error) {
        entry.unreadable = error instanceof Error ? error.message : String(error);
      }
    }
    recordWire(entry);
  }

  function entityContext(resolveReference?: (reference: string) => string | undefined): EntityContext {
    return {
      tables,
      state,
      now: () => new Date(clock()),
      callerId: SEED_IDS.applicationUser,
      resolveReference,
      ticketSequence: () => (ticketSequence += 1),
      nextVersion: () => (rowVersion += 1),
      duplicateKeyCode: options.duplicateKeyCode,
    };
  }

  function checkPrivilege(entity: string, method: string): void {
    const privilege = privilegeFor(entity, method);
    if (auth.missingPrivileges?.includes(privilege)) {
      throw errors.missingPrivilege(SEED_IDS.applicationUser, privilege, entity);
    }
  }

  /** Runs one Web API operation (outside or inside a change set). Synchronous so change sets stay atomic. */
  function execute(
    method: string,
    rawUrl: string,
    headers: Record<string, string>,
    body: string,
    resolveReference?: (reference: string) => string | undefined,
  ): { result: OperationResult; created?: string } {
    const url = new URL(
      rawUrl.startsWith('$') ? (resolveReference?.(rawUrl.split('/')[0]) ?? rawUrl) : rawUrl,
      `${root}/`,
    );
    if (!url.pathname.startsWith(API_PATH)) throw errors.noResource(rawUrl);
    const path = decodeURIComponent(url.pathname.slice(API_PATH.length));
    const prefer = headers.prefer ?? '';
    const annotations = /odata\.include-annotations/.test(prefer);

    if (path === 'WhoAmI' || path === 'WhoAmI()') {
      if (method !== 'GET') throw errors.noResource(rawUrl);
      return {
        result: json(200, {
          '@odata.context': `${root}${API_PATH}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
          BusinessUnitId: SEED_IDS.businessUnit,
          UserId: SEED_IDS.applicationUser,
          OrganizationId: SEED_IDS.organization,
        }),
      };
    }
    // EntityMetadata of one table (MS Learn, Query table definitions using the Web API: retrieve by LogicalName).
    const definition = /^EntityDefinitions\(LogicalName='([a-z_]+)'\)$/.exec(path);
    if (definition && method === 'GET') {
      const logicalName = definition[1];
      if (!tables[logicalName]) throw errors.notFound('Entity', logicalName);
      const select = (url.searchParams.get('$select') ?? '').split(',').filter(Boolean);
      const context = `${root}${API_PATH}$metadata#EntityDefinitions(${select.join(',')})/$entity`;
      return { result: json(200, entityDefinition(org, logicalName, select, context)) };
    }
    // Bound action on a queue (MS Learn, AddToQueue Action); queue items take the queue's privileges.
    const addTo = /^queues\(([0-9a-fA-F-]{36})\)\/Microsoft\.Dynamics\.CRM\.AddToQueue$/.exec(path);
    if (addTo && method === 'POST') {
      checkPrivilege('queueitem', 'POST');
      const target = actionTarget(body);
      // AddToQueue Action: SourceQueue (mscrm.queue, optional), an entity parameter of a known type.
      const source = (target.body.SourceQueue as { queueid?: string } | undefined)?.queueid;
      const ctx = entityContext(resolveReference);
      const id = state.transaction(() => {
        if (!state.get(`${target.entity}s`, target.id)) throw errors.notFound(target.entity, target.id);
        return addToQueue(ctx, target, addTo[1].toLowerCase(), source?.toLowerCase());
      });
      return {
        result: json(200, {
          '@odata.context': `${root}${API_PATH}$metadata#Microsoft.Dynamics.CRM.AddToQueueResponse`,
          QueueItemId: id,
        }),
      };
    }
    // Unbound action (MS Learn, ApplyRoutingRule Action): answers 204, no content.
    if (path === 'ApplyRoutingRule' && method === 'POST') {
      const target = actionTarget(body, 'incident');
      if (target.entity !== 'incident')
        throw errors.badRequest("ApplyRoutingRule's Target must be an incident.");
      // ApplyRoutingRule message privileges (Dynamics CRM 2016 developer's guide): incident, prvWriteIncident.
      checkPrivilege('incident', 'PATCH');
      const ctx = entityContext(resolveReference);
      state.transaction(() => applyRoutingRule(org, ctx, target.id));
      return { result: { status: 204, headers: { 'OData-Version': '4.0' } } };
    }
    // Unbound action of unified routing (msdyn_ApplyRoutingRuleEntityRecord Action Reference): answers 204.
    if (path === 'msdyn_ApplyRoutingRuleEntityRecord' && method === 'POST') {
      const target = actionTarget(body, undefined, true);
      // Assumption (its reference page lists no privileges): Write on the record's table, as ApplyRoutingRule
      // needs prvWriteIncident; the safer reading, since routing changes the record's queue and owner. Where
      // unified routing is not provisioned the action does not exist at all (applyUnifiedRouting says so).
      if (org.unifiedRouting) checkPrivilege(target.entity, 'PATCH');
      const ctx = entityContext(resolveReference);
      state.transaction(() => applyUnifiedRouting(org, ctx, target));
      return { result: { status: 204, headers: { 'OData-Version': '4.0' } } };
    }
    const metadata = readMetadata(tables, path, url.searchParams, `${root}${API_PATH}`);
    if (metadata) return { result: json(200, metadata) };

    const match = /^([A-Z_]+)(?:\(([0-9a-f-]{36})\))?$/i.exec(path);
    if (match) checkEntitySet(org, match[1]);
    const table = match ? tableBySet(tables, match[1]) : undefined;
    if (!match || !table) throw errors.unknownSegment(path.split('(')[0] ?? path);
    const entity = Object.keys(tables).find((name) => tables[name] === table)!;
    const id = match[2]?.toLowerCase();
    checkPrivilege(entity, method);
    const ctx = entityContext(resolveReference);
    const entityUrl = (rowId: string) => `${root}${API_PATH}${table.entitySet}(${rowId})`;

    const parseBody = (): Record<string, unknown> => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw errors.badRequest('The request body is not valid JSON.', '0x0');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw errors.badRequest('The request body must be a JSON object.', '0x0');
      }
      return parsed as Record<string, unknown>;
    };

    if (method === 'GET' && id) {
      const row = state.get(table.entitySet, id);
      if (!row) throw errors.notFound(entity, id);
      const query = parseQuery(url.searchParams);
      if (query.select) checkSelect(ctx, table, query.select);
      return {
        result: json(200, {
          '@odata.context': `${root}${API_PATH}$metadata#${table.entitySet}/$entity`,
          ...presentRow(ctx, table, row, query.select, annotations),
        }),
      };
    }
    const fetchXml = method === 'GET' && !id ? url.searchParams.get('fetchXml') : null;
    if (fetchXml !== null) {
      return { result: json(200, answerFetchXml(ctx, table, entity, url.searchParams, annotations)) };
    }
    if (method === 'GET') {
      const query = parseQuery(url.searchParams);
      const { rows, count } = queryRows(ctx, table, query);
      const out: Record<string, unknown> = {
        '@odata.context': `${root}${API_PATH}$metadata#${table.entitySet}`,
      };
      if (query.count) out['@odata.count'] = count;
      out.value = rows.map((row) => presentRow(ctx, table, row, query.select, annotations));
      return { result: json(200, out) };
    }
    if (method === 'POST' && !id) {
      // Pre-operation plug-ins, the create, then what the org does on create: one transaction.
      const row = state.transaction(() => {
        beforeCreate(org, entity);
        const created = createRow(ctx, table, parseBody());
        afterCreate(org, ctx, entity, created);
        return created;
      });
      const rowId = String(row[table.primaryKey]);
      if (/return=representation/.test(prefer)) {
        return {
          result: json(201, presentRow(ctx, table, row, undefined, annotations), {
            'OData-EntityId': entityUrl(rowId),
          }),
          created: `/${table.entitySet}(${rowId})`,
        };
      }
      return {
        result: {
          status: 204,
          headers: { 'OData-Version': '4.0', Location: entityUrl(rowId), 'OData-EntityId': entityUrl(rowId) },
        },
        created: `/${table.entitySet}(${rowId})`,
      };
    }
    if (method === 'PATCH' && id) {
      const ifMatch = headers['if-match'];
      const existing = state.get(table.entitySet, id);
      if (!existing) {
        // Dataverse's PATCH is an upsert: a missing id is created, unless If-Match asks for update only
        // (Perform conditional operations using the Web API: Prevent create in upsert: 404, code "").
        if (ifMatch) throw errors.notFoundForUpdate(entity, id);
        createRow(ctx, table, { ...parseBody(), [table.primaryKey]: id });
        return {
          result: { status: 204, headers: { 'OData-Version': '4.0', 'OData-EntityId': entityUrl(id) } },
          created: `/${table.entitySet}(${id})`,
        };
      }
      if (ifMatch && ifMatch !== '*' && ifMatch !== `W/"${Number(existing.versionnumber ?? 1)}"`)
        throw errors.versionMismatch();
      const row = updateRow(ctx, table, id, parseBody());
      if (/return=representation/.test(prefer)) {
        return { result: json(200, presentRow(ctx, table, row, undefined, annotations)) };
      }
      return {
        result: { status: 204, headers: { 'OData-Version': '4.0', 'OData-EntityId': entityUrl(id) } },
      };
    }
    if (method === 'DELETE' && id) {
      if (!state.delete(table.entitySet, id)) throw errors.notFound(entity, id);
      return { result: { status: 204, headers: { 'OData-Version': '4.0' } } };
    }
    throw errors.noResource(rawUrl);
  }

  /** `GET <set>?fetchXml=…` (fetchxml.ts: the subset the insights views and charts use). */
  function answerFetchXml(
    ctx: EntityContext,
    table: TableMetadata,
    entity: string,
    params: URLSearchParams,
    annotations: boolean,
  ): Record<string, unknown> {
    const others = [...params.keys()].filter((name) => name !== 'fetchXml');
    if (others.length) throw notSupported(`combining fetchXml with ${others.join(', ')}`);
    const query = parseFetch(params.get('fetchXml') ?? '');
    // The entity element names the table of the entity set the query is sent to (Learn, "Use FetchXml to
    // retrieve data", Web API: "compose a fetchXml query setting the entity element name to the account").
    if (query.entity !== entity) {
      throw errors.badRequest(
        `The fetchXml entity '${query.entity}' is not the table of the entity set '${table.entitySet}'.`,
        '0x80040203',
      );
    }
    const result = runFetch(ctx, table, entity, query, annotations);
    return {
      '@odata.context': `${root}${API_PATH}$metadata#${table.entitySet}(${result.columns.join(',')})`,
      value: result.value,
    };
  }

  function executeOperation(
    op: BatchOperation,
    resolve?: (reference: string) => string | undefined,
  ): { result: OperationResult; created?: string } {
    const outcome = execute(op.method, op.url, op.headers, op.body, resolve);
    return { ...outcome, result: { ...outcome.result, contentId: op.contentId } };
  }

  function executeBatch(
    body: string,
    contentType: string | undefined,
    continueOnError: boolean,
  ): {
    status: number;
    parts: PartResult[];
    /** How many operations the batch held (each is charged execution time). */
    operations: number;
  } {
    const parts = parseBatch(body, contentType);
    const operations = parts.reduce((n, p) => n + (p.kind === 'changeset' ? p.operations.length : 1), 0);
    const results: PartResult[] = [];
    let status = 200;
    for (const part of parts) {
      if (part.kind === 'request') {
        try {
          results.push({ kind: 'request', result: executeOperation(part.operation).result });
        } catch (error) {
          if (!(error instanceof DataverseError)) throw error;
          results.push({ kind: 'request', result: errorResult(error) });
          if (!continueOnError) {
            status = error.status;
            break;
          }
        }
        continue;
      }
      const references = new Map<string, string>();
      const done: OperationResult[] = [];
      try {
        state.transaction(() => {
          for (const op of part.operations) {
            try {
              const outcome = executeOperation(op, (reference) => references.get(reference.slice(1)));
              if (op.contentId && outcome.created) references.set(op.contentId, outcome.created);
              done.push(outcome.result);
            } catch (error) {
              if (error instanceof DataverseError) throw Object.assign(error, { contentId: op.contentId });
              throw error;
            }
          }
        });
        results.push({ kind: 'changeset', results: done });
      } catch (error) {
        if (!(error instanceof DataverseError)) throw error;
        const failed = errorResult(error);
        failed.contentId = (error as DataverseError & { contentId?: string }).contentId;
        results.push({ kind: 'changeset', results: [failed] });
        if (!continueOnError) {
          status = error.status;
          break;
        }
      }
    }
    return { status, parts: results, operations };
  }

  const server: Server = createServer((req, res) => {
    if (refuseForeignHost(req, res, { boundHost: options.host, allowedHosts: options.allowedHosts })) return;
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(errors.serverError().body()));
      }
    });
  });

  function send(res: ServerResponse, result: OperationResult, log: RequestLogEntry): void {
    log.status = result.status;
    res.writeHead(result.status, result.headers);
    res.end(result.body);
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `${root}/`);
    const log: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      status: 0,
    };
    requests.push(log);
    const body = await readBody(req);
    record(req, body);

    // Authentication, as Dataverse answers it: 401 with an empty body and a WWW-Authenticate challenge.
    const authorization = req.headers.authorization ?? '';
    const token = authorization.startsWith('Bearer ') ? authorization.slice(7) : undefined;
    const expired =
      token !== undefined && faults.tokensExpireAt !== undefined && clock() >= faults.tokensExpireAt;
    if ((auth.requireToken && (!token || !(auth.tokens ?? []).includes(token))) || expired) {
      log.status = 401;
      res.writeHead(401, {
        'WWW-Authenticate': `Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, resource_id=${root}/`,
      });
      res.end();
      return;
    }
    if (auth.applicationUserExists === false) return send(res, errorResult(errors.notOrgMember()), log);

    const user = token ?? 'anonymous';
    if (throttleRemaining > 0) {
      throttleRemaining -= 1;
      return send(
        res,
        errorResult(errors.throttleRequests(6000, 300, faults.throttleRetryAfterSeconds ?? 1)),
        log,
      );
    }
    const admitted = protection.admit(user, clock());
    if ('refusal' in admitted)
      return send(res, errorResult(refusalError(admitted.refusal, protection.configured())), log);
    let operations = 1;
    try {
      // Inside the admission: a slow answer holds its concurrency slot and is charged as execution time.
      if (faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      if (faults.errorRate && random() < faults.errorRate) {
        const status = faults.errorStatus ?? 503;
        return send(res, errorResult(new DataverseError(status, '', 'Injected server error.')), log);
      }
      if (faults.dropBeforeCommitRate && random() < faults.dropBeforeCommitRate) {
        log.status = -1;
        req.socket.destroy();
        return;
      }
      const dropAfter = Boolean(faults.dropAfterCommitRate && random() < faults.dropAfterCommitRate);

      let result: OperationResult;
      const path = url.pathname;
      if (path === `${API_PATH}$batch`) {
        if (req.method !== 'POST') throw errors.noResource(url.href);
        const continueOnError = /odata\.continue-on-error/.test(String(req.headers.prefer ?? ''));
        try {
          checkLineEndings(body);
        } catch (error) {
          if (!(error instanceof DataverseError)) throw error;
          // Answered as Troubleshoot Dataverse Web API client errors shows it: a batch response, 400 outside and in.
          const written = writeBatchResponse([{ kind: 'request', result: errorResult(error) }]);
          return send(
            res,
            {
              status: 400,
              headers: {
                'OData-Version': '4.0',
                'Content-Type': `multipart/mixed; boundary=${written.boundary}`,
              },
              body: written.body,
            },
            log,
          );
        }
        const outcome = executeBatch(body, req.headers['content-type'], continueOnError);
        operations = Math.max(1, outcome.operations);
        log.operations = outcome.parts.length
          ? parseBatch(body, req.headers['content-type']).flatMap((p) =>
              (p.kind === 'changeset' ? p.operations : [p.operation]).map((o) => ({
                method: o.method,
                url: o.url,
              })),
            )
          : [];
        const written = writeBatchResponse(outcome.parts);
        result = {
          status: outcome.status,
          headers: {
            'OData-Version': '4.0',
            'Content-Type': `multipart/mixed; boundary=${written.boundary}`,
          },
          body: written.body,
        };
      } else {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers))
          if (typeof value === 'string') headers[name] = value;
        result = execute(req.method ?? 'GET', url.pathname + url.search, headers, body).result;
      }
      if (dropAfter) {
        log.status = -2;
        req.socket.destroy();
        return;
      }
      send(res, result, log);
    } catch (error) {
      if (error instanceof DataverseError) return send(res, errorResult(error), log);
      throw error;
    } finally {
      log.executionMs = protection.release(user, admitted.admission, clock(), operations);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  root = `http://${host}:${address.port}`;

  return {
    url: root,
    state,
    requests,
    setFaults(next) {
      faults = { ...next };
      random = mulberry32(faults.seed ?? 1);
      throttleRemaining = faults.throttleNext ?? 0;
    },
    setLimits: (limits) => protection.setLimits(limits),
    setAuth(next) {
      auth = { ...next };
    },
    setOrg(next) {
      org = { ...next };
      tables = tablesFor(org.insights === true);
      writeRoutingRows(org, state, routingKeys);
    },
    ceilingPerSecond: () => protection.ceilingPerSecond(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type { Row };
