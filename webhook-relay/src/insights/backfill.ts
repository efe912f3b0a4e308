/**
 * `opencx-relay insights backfill`: fills the insights columns of cases created before the org had them (or
 * before the relay was restarted to see them), from the header of their description. Page by page: read a
 * page of candidates, decide each case (backfill-plan.ts), update those with something to fill in one
 * `$batch` change set. A failed page or batch is retried in place, never from the start; a 429 pauses (the
 * shared pause) and resumes where it was. Only empty columns are written, and filled cases no longer match
 * the query, so a second run changes nothing and a stopped run picks up where it stopped.
 */
import { DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import type { DataverseFailure } from '../dataverse/errors.js';
import type { RetryPolicy } from '../delivery/retry-policy.js';
import { messages } from '../messages.js';
import {
  candidatesPath,
  decideFill,
  fillOperation,
  nextPagePath,
  type CandidateRow,
} from './backfill-plan.js';
import type { InsightsFields } from './fields.js';
import { readInstalledInsights, type InstalledInsights } from './installed.js';
import { readAttributes } from '../dataverse/metadata.js';
import { isRelayPrivilege, missingPrivilegeIn, RELAY_ROLE_NAME, roleHolding } from '../admin/role.js';
import { persistence, RunStopped } from './persist.js';
import type { SharedPause } from './shared-pause.js';

export interface BackfillOptions {
  /** Cases created at or after this time. */
  since: Date;
  dryRun: boolean;
  /** Cases per page, and so per `$batch` (Prefer: odata.maxpagesize). */
  batchSize: number;
}

export interface BackfillDeps {
  client: DataverseClient;
  /** The environment root (DATAVERSE_URL): next-page links must point there. */
  dataverseUrl: string;
  /** The org's insights columns; read at the start of the run (with the same retries) when not given. */
  installed?: InstalledInsights;
  pause: SharedPause;
  /** Attempts and backoff for a transient failure (DELIVERY_MAX_ATTEMPTS, DELIVERY_BACKOFF_*). */
  policy: RetryPolicy;
  clock?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillProgress {
  /** Cases read so far. */
  read: number;
  /** Cases the query matched (Dataverse counts up to 5,000); undefined until the first page. */
  total?: number;
  /** Cases filled (or, with --dry-run, that would be). */
  filled: number;
  /** Set while waiting out a 429: when it ends (ms). */
  pausedUntil?: number;
}

export interface CaseChange {
  incidentId: string;
  ticketNumber?: string;
  fields: InsightsFields;
}

export interface BackfillReport {
  dryRun: boolean;
  since: string;
  /** The query's count on its first page; `totalCapped` when Dataverse stopped counting at 5,000. */
  total?: number;
  totalCapped?: boolean;
  read: number;
  /** Descriptions that are not a transcript of ours: left alone. */
  notOurs: number;
  /** Ours, with nothing left to fill. */
  complete: number;
  filled: number;
  /** With --dry-run: what a run would write. */
  changes: CaseChange[];
  failed: Array<{ incidentId: string; ticketNumber?: string; code: string; reason: string }>;
  /** 429 pauses waited out, and transient failures retried. */
  pauses: number;
  retries: number;
  /** Why the run stopped before the end; the next run picks up where it stopped. */
  stopped?: { code: string; reason: string };
  /** The org has none of the insights columns: nothing was read. */
  notInstalled?: boolean;
}

const PRIVILEGE = '0x80040220';
const MAX_COUNT = 5000;
const m = messages.backfill;

/** Why a run stopped, in words: a missing privilege names our role that holds it (Update needs Write). */
function stopReason(failure: DataverseFailure): string {
  if (failure.code !== PRIVILEGE) return failure.reason;
  const privilege = missingPrivilegeIn(failure.message) ?? 'prvWriteIncident';
  return m.missingPrivilege(
    privilege,
    isRelayPrivilege(privilege) ? roleHolding(privilege)[0] : RELAY_ROLE_NAME,
  );
}

function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runBackfill(options: BackfillOptions, deps: BackfillDeps): Promise<BackfillReport> {
  const clock = deps.clock ?? Date.now;
  const report: BackfillReport = {
    dryRun: options.dryRun,
    since: options.since.toISOString(),
    read: 0,
    notOurs: 0,
    complete: 0,
    filled: 0,
    changes: [],
    failed: [],
    pauses: 0,
    retries: 0,
  };
  const progress = (pausedUntil?: number) =>
    deps.onProgress?.({
      read: report.read,
      total: report.total,
      filled: report.filled,
      ...(pausedUntil ? { pausedUntil } : {}),
    });

  const persist = persistence({
    pause: deps.pause,
    policy: deps.policy,
    clock,
    random: deps.random ?? Math.random,
    sleep: deps.sleep ?? realSleep,
    onPaused: (until) => progress(until),
    counters: report,
  });

  /** One change set for the page; a case Dataverse refuses (deleted since, a plug-in) is set aside and the rest sent again. */
  async function write(changes: CaseChange[]): Promise<void> {
    let pending = changes;
    while (pending.length) {
      try {
        await persist(() =>
          deps.client.batch(
            pending.map((c) => fillOperation(c.incidentId, c.fields)),
            [],
          ),
        );
        report.filled += pending.length;
        return;
      } catch (error) {
        if (!(error instanceof DataverseRequestError)) throw error;
        const index = error.contentId ? Number(error.contentId) - 1 : -1;
        const refused = index >= 0 && index < pending.length ? [pending[index]] : pending;
        for (const change of refused)
          report.failed.push({
            incidentId: change.incidentId,
            ...(change.ticketNumber ? { ticketNumber: change.ticketNumber } : {}),
            code: error.failure.code || String(error.failure.httpStatus),
            reason: error.failure.httpStatus === 404 ? m.deleted : error.failure.reason,
          });
        pending = pending.filter((change) => !refused.includes(change));
      }
    }
  }

  const prefer = { headers: { Prefer: `odata.maxpagesize=${options.batchSize}` } };
  try {
    const installed =
      deps.installed ??
      (await persist(async () =>
        readInstalledInsights(deps.client, await readAttributes(deps.client, 'incident')),
      ));
    if (!installed.columns.length) return { ...report, notInstalled: true };
    let path: string | undefined = candidatesPath(options.since, installed);
    while (path) {
      const current: string = path;
      const page = await persist(() =>
        deps.client.get<{ value: CandidateRow[]; '@odata.count'?: number; '@odata.nextLink'?: string }>(
          current,
          prefer,
        ),
      );
      if (report.total === undefined && typeof page['@odata.count'] === 'number') {
        report.total = page['@odata.count'];
        if (report.total >= MAX_COUNT) report.totalCapped = true;
      }
      const changes: CaseChange[] = [];
      for (const row of page.value) {
        report.read += 1;
        const decision = decideFill(row, installed);
        if (decision.kind === 'not-ours') report.notOurs += 1;
        else if (decision.kind === 'complete') report.complete += 1;
        else
          changes.push({
            incidentId: row.incidentid,
            ...(row.ticketnumber ? { ticketNumber: row.ticketnumber } : {}),
            fields: decision.fields,
          });
      }
      if (options.dryRun) {
        report.changes.push(...changes);
        report.filled += changes.length;
      } else {
        // A server may ignore the page size it was asked for (a preference, not a rule): change sets stay at
        // the batch size whatever the page holds, well under the 1,000 requests a $batch may carry (Execute
        // batch operations using the Web API: Batch requests; Service protection API limits: "A batch can contain
        // up to 1000 operations and will avoid the number of requests limit").
        for (let start = 0; start < changes.length; start += options.batchSize)
          await write(changes.slice(start, start + options.batchSize));
      }
      progress();
      const next = page['@odata.nextLink'];
      path = next ? nextPagePath(next, deps.dataverseUrl) : undefined;
      if (next && !path)
        return { ...report, stopped: { code: 'next_link', reason: m.foreignNextLink(next) } };
    }
  } catch (error) {
    if (error instanceof RunStopped || error instanceof DataverseRequestError) {
      const failure = error.failure;
      report.stopped = { code: failure.code || String(failure.httpStatus), reason: stopReason(failure) };
      return report;
    }
    throw error;
  }
  return report;
}
