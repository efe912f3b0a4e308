/**
 * Which routing an org uses for cases, as `verify` and `setup` report it, and whether the configured queue
 * mode can work there. Legacy routing is a routing rule set (RoutingRule entity reference: entity set
 * routingrules, StateCode 1 Active; one is active at a time). Unified routing is provisioned when its tables
 * exist (Provision unified routing for Customer Service), and routes cases when Case is a record type of record
 * routing (msdyn_masterentityroutingconfiguration, msdyn_entitylogicalname 'incident') with an active record
 * workstream (msdyn_liveworkstream, msdyn_streamsource 192350000 Entity Records) (Set up unified routing for
 * records). Where it is not provisioned its entity sets are unknown: 404 0x8006088a "Resource not found for the
 * segment" (Troubleshoot Dataverse Web API client errors).
 */
import type { QueueMode } from '../config/types.js';
import { DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import { messages } from '../messages.js';

const UNKNOWN_SEGMENT = '0x8006088a';
/** msdyn_liveworkstream.msdyn_streamsource: Entity Records (Work Stream table reference). */
const RECORD_STREAM = 192350000;

export interface Workstream {
  id: string;
  name: string;
  /** The workstream's default queue (msdyn_defaultqueue). */
  queueId?: string;
}

/** What the org holds; a part that could not be read says why instead. */
export interface OrgRouting {
  /** Which routing places cases in this org, as far as it could be read. */
  routes: 'unified' | 'legacy' | 'none' | 'unknown';
  /** Active legacy routing rule sets (names). */
  ruleSets?: string[];
  unified?: {
    /** False: unified routing's tables do not exist in this org. */
    provisioned: boolean;
    /** Case is an active record type of record routing. */
    caseRecordType: boolean;
    /** The active record workstreams for cases. */
    workstreams: Workstream[];
  };
  /** Reads Dataverse refused (a missing read privilege, say), with its answer. */
  unreadable: string[];
}

function refusal(error: unknown): DataverseRequestError {
  if (error instanceof DataverseRequestError) return error;
  throw error;
}

const describe = (e: DataverseRequestError) =>
  `${e.failure.httpStatus}${e.failure.code ? ` ${e.failure.code}` : ''}: ${e.failure.reason}`;

const filter = (text: string) => encodeURIComponent(text);

async function readRuleSets(client: DataverseClient): Promise<string[]> {
  const read = await client.get<{ value: Array<{ name?: string }> }>(
    `routingrules?$select=name&$filter=${filter('statecode eq 1')}&$top=10`,
  );
  return read.value.map((r) => r.name ?? '');
}

async function readUnified(client: DataverseClient): Promise<NonNullable<OrgRouting['unified']>> {
  let types: Array<{ msdyn_masterentityroutingconfigurationid: string }>;
  try {
    types = (
      await client.get<{ value: typeof types }>(
        `msdyn_masterentityroutingconfigurations?$select=msdyn_name&$filter=${filter(
          "msdyn_entitylogicalname eq 'incident' and statecode eq 0",
        )}&$top=1`,
      )
    ).value;
  } catch (error) {
    if (refusal(error).failure.code === UNKNOWN_SEGMENT)
      return { provisioned: false, caseRecordType: false, workstreams: [] };
    throw error;
  }
  const type = types[0]?.msdyn_masterentityroutingconfigurationid;
  if (!type) return { provisioned: true, caseRecordType: false, workstreams: [] };
  // Assumption: a record workstream's msdyn_masterentityroutingconfigurationid ("master entity routing
  // configuration associated with work stream", Work Stream table reference) is the record type it routes.
  const streams = await client.get<{
    value: Array<{
      msdyn_liveworkstreamid: string;
      msdyn_name?: string;
      _msdyn_defaultqueue_value?: string | null;
    }>;
  }>(
    `msdyn_liveworkstreams?$select=msdyn_name,_msdyn_defaultqueue_value&$filter=${filter(
      `msdyn_streamsource eq ${RECORD_STREAM} and statecode eq 0 and _msdyn_masterentityroutingconfigurationid_value eq ${type}`,
    )}&$top=10`,
  );
  return {
    provisioned: true,
    caseRecordType: true,
    workstreams: streams.value.map((w) => ({
      id: w.msdyn_liveworkstreamid,
      name: w.msdyn_name ?? '',
      ...(w._msdyn_defaultqueue_value ? { queueId: w._msdyn_defaultqueue_value } : {}),
    })),
  };
}

/** Reads the org's routing for cases: at most three GETs, each refusal reported rather than thrown. */
export async function readOrgRouting(client: DataverseClient): Promise<OrgRouting> {
  const unreadable: string[] = [];
  let ruleSets: string[] | undefined;
  let unified: OrgRouting['unified'];
  try {
    ruleSets = await readRuleSets(client);
  } catch (error) {
    unreadable.push(messages.routing.unreadable('routingrules', describe(refusal(error))));
  }
  try {
    unified = await readUnified(client);
  } catch (error) {
    unreadable.push(messages.routing.unreadable('unified routing', describe(refusal(error))));
  }
  const routes = unified?.workstreams.length
    ? 'unified'
    : ruleSets?.length
      ? 'legacy'
      : unified && ruleSets
        ? 'none'
        : 'unknown';
  return {
    routes,
    ...(ruleSets ? { ruleSets } : {}),
    ...(unified ? { unified } : {}),
    unreadable,
  };
}

export interface RoutingVerdict {
  status: 'pass' | 'warn' | 'fail';
  summary: string;
  details: string[];
  fix?: string;
}

/** What the org's routing means for the configured queue mode (pure). */
export function routingVerdict(mode: QueueMode, org: OrgRouting): RoutingVerdict {
  const r = messages.routing;
  const details = [r.orgRoutes(org), ...org.unreadable];
  if (mode === 'routing-rules') {
    if (!org.ruleSets) return { status: 'warn', summary: r.unreadableSummary, details, fix: r.readFix };
    if (!org.ruleSets.length) return { status: 'fail', summary: r.noRuleSet, details, fix: r.noRuleSetFix };
    if (org.routes === 'unified') details.push(r.unifiedAlsoConfigured);
    return { status: 'pass', summary: r.legacyWorks(org.ruleSets), details };
  }
  if (mode === 'unified-routing') {
    const unified = org.unified;
    if (!unified) return { status: 'warn', summary: r.unreadableSummary, details, fix: r.readFix };
    if (!unified.provisioned)
      return { status: 'fail', summary: r.notProvisioned, details, fix: r.unifiedFix };
    if (!unified.caseRecordType)
      return { status: 'fail', summary: r.noCaseRecordType, details, fix: r.unifiedFix };
    if (!unified.workstreams.length)
      return { status: 'fail', summary: r.noWorkstream, details, fix: r.unifiedFix };
    return { status: 'pass', summary: r.unifiedWorks(unified.workstreams), details };
  }
  // Queue or unassigned: the relay asks for no routing; say what the org could do.
  if (mode === 'unassigned' && (org.routes === 'unified' || org.routes === 'legacy'))
    details.push(r.couldRoute(org.routes));
  return { status: 'pass', summary: '', details };
}
