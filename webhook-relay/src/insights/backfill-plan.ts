/**
 * The pure half of `opencx-relay insights backfill`: which cases to read, and what to write to each. The
 * runner (backfill.ts) sends the requests.
 */
import { parse } from '@opencx-d365/transcript-format';
import type { ChangeSetOperation } from '../dataverse/batch.js';
import { API_PATH } from '../dataverse/client.js';
import { emptyOnly, insightsFields, type InsightsFields } from './fields.js';
import type { InstalledInsights } from './installed.js';
import { insightsOf } from './values.js';

/** A candidate case as the query returns it: its id, number, description and current insights columns. */
export interface CandidateRow {
  incidentid: string;
  ticketnumber?: string | null;
  description?: string | null;
  [column: string]: unknown;
}

export type FillDecision =
  /** The description is not a transcript of ours (a case made by hand, by another integration, edited). */
  | { kind: 'not-ours' }
  /** Ours, and every column it can fill already holds a value (or the description does not give it). */
  | { kind: 'complete' }
  | { kind: 'fill'; fields: InsightsFields };

/**
 * The cases created since `since` with at least one of the org's insights columns still empty; their
 * descriptions are then read by our parser, and the others skipped. The filter reads `createdon` and the
 * insights columns only, never the description: `contains` on a memo column scans the table (Filter rows
 * using OData: use wildcard characters, "queries can't be optimized"). `createdon` is exposed to the Web API
 * as Edm.DateTimeOffset (Behavior and format of the date and time column: UserLocal), compared with an ISO
 * 8601 literal in UTC (Filter rows using OData: Comparison operators). No `$orderby`: "If you don't add any
 * order elements to your query, Dataverse adds an order based on the primary key", the order paging is
 * fastest and most consistent on (Page results using OData: Ordering and paging). `$count=true` gives the
 * number to do, "up to 5,000" (Count rows using OData), for the progress bar.
 */
export function candidatesPath(since: Date, installed: InstalledInsights): string {
  const select = ['incidentid', 'ticketnumber', 'description', ...installed.columns].join(',');
  const empty = installed.columns.map((column) => `${column} eq null`).join(' or ');
  const filter = `createdon ge ${since.toISOString()} and (${empty})`;
  return `incidents?$select=${select}&$filter=${encodeURIComponent(filter)}&$count=true`;
}

/**
 * The next page, from `@odata.nextLink`, relative to the Web API root the client prefixes. "Don't change the
 * @odata.nextLink URL value or append any query options to it" (Page results using OData): only its origin
 * and root are taken off, and only when they are the configured environment's, so the relay's token never
 * goes to another host (undefined otherwise).
 */
export function nextPagePath(nextLink: string, dataverseUrl: string): string | undefined {
  const root = new URL(API_PATH, dataverseUrl);
  let link: URL;
  try {
    link = new URL(nextLink);
  } catch {
    return undefined;
  }
  if (link.origin !== root.origin || !link.pathname.startsWith(root.pathname)) return undefined;
  return nextLink.slice(nextLink.indexOf(API_PATH) + API_PATH.length);
}

export function decideFill(row: CandidateRow, installed: InstalledInsights): FillDecision {
  const parsed = parse(row.description ?? '');
  if (parsed.kind !== 'transcript') return { kind: 'not-ours' };
  const { header } = parsed.transcript;
  // Our format without a session or a handoff time is not a handoff the relay wrote.
  if (!header.sessionId && !header.handoffAt) return { kind: 'not-ours' };
  const values = insightsOf(parsed.transcript, {
    headerShortened: parsed.headerShortened,
    omission: parsed.omission,
  });
  const fields = emptyOnly(insightsFields(values, installed), row);
  return Object.keys(fields).length ? { kind: 'fill', fields } : { kind: 'complete' };
}

/**
 * The update of one case: PATCH with `If-Match: *`, so that a case deleted since it was read is answered
 * 404 instead of being created again (Perform conditional operations using the Web API: Prevent create in
 * upsert). Not the row's etag: the columns written are the relay's own and were empty when read, and an
 * etag would refuse the fill of every case a rep touched meanwhile.
 */
export function fillOperation(incidentId: string, fields: InsightsFields): ChangeSetOperation {
  return {
    method: 'PATCH',
    url: `${API_PATH}incidents(${incidentId})`,
    body: fields,
    headers: { 'If-Match': '*' },
  };
}
