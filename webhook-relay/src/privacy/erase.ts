/**
 * `opencx-relay handoffs erase --phone | --email | --session` (issue 25, GDPR Art. 17): removes the payload
 * of every handoff of one caller, dead letters included, and of a pending one only when asked (its case is
 * then never created: it ends `skipped`). Matching goes by the keyed hashes the vault keeps per record, so it
 * works with payloads encrypted. It names the cases in Dynamics 365 that hold the same caller's data, since
 * erasing there is the admin's next step (docs/admin-guide.md). The audit entry counts, never the selector.
 */
import { messages } from '../messages.js';
import type { CallerSelector } from '../store/caller-identifiers.js';
import { ACTIVE_STATUSES, type AuditEntry, type CallerMatch, type HandoffStore } from '../store/types.js';
import { recordAudit } from './audit.js';

export interface EraseRequest {
  phone?: string;
  email?: string;
  session?: string;
  dryRun?: boolean;
  includePending?: boolean;
}

export interface EraseReport {
  /** What the caller was matched by (never its value). */
  by: 'phone' | 'email' | 'session';
  dryRun: boolean;
  matched: CallerMatch[];
  erased: string[];
  pendingKept: string[];
  busy: string[];
  /** The cases in Dynamics 365 that hold this caller's data. */
  cases: Array<{ incidentId: string; ticketNumber?: string; handoffKey: string }>;
}

const m = messages.erase;

/** The one selector given, or the problem with what was given. */
export function selectorOf(
  request: EraseRequest,
): { selector: CallerSelector; by: EraseReport['by'] } | { problem: string } {
  const given = (['phone', 'email', 'session'] as const).filter((name) => request[name] !== undefined);
  if (given.length !== 1) return { problem: m.oneSelector };
  const by = given[0];
  const value = request[by]!;
  if (!value.trim()) return { problem: m.emptySelector(by) };
  const selector: CallerSelector =
    by === 'phone' ? { phone: value } : by === 'email' ? { email: value } : { session: value };
  return { selector, by };
}

export async function eraseCaller(
  store: HandoffStore,
  request: EraseRequest,
  options: { now: number; actor?: Pick<AuditEntry, 'user' | 'host'> },
): Promise<EraseReport | { problem: string }> {
  const chosen = selectorOf(request);
  if ('problem' in chosen) return chosen;
  // Without the store's lookup key (sealed under a key not given here) no caller can be matched.
  const { lookupKeyProblem } = await store.dataAtRest();
  if (lookupKeyProblem) return { problem: lookupKeyProblem };
  const matched = await store.findCaller(chosen.selector, options.now);
  const dryRun = request.dryRun ?? false;
  const includePending = request.includePending ?? false;
  let outcome = { erased: [] as string[], pendingKept: [] as string[], busy: [] as string[] };
  if (dryRun) {
    // What a real run would do, read from the matches: nothing is written.
    for (const match of matched) {
      const pending = ACTIVE_STATUSES.includes(match.status);
      if (pending && !includePending) outcome.pendingKept.push(match.key);
      else if (pending && match.leased) outcome.busy.push(match.key);
      else outcome.erased.push(match.key);
    }
  } else if (matched.length) {
    outcome = await store.erase(
      matched.map((match) => match.key),
      options.now,
      { includePending },
    );
  }
  if (!dryRun)
    await recordAudit(
      store,
      'erase',
      {
        matched: matched.length,
        erased: outcome.erased.length,
        pendingKept: outcome.pendingKept.length,
        busy: outcome.busy.length,
      },
      options.now,
      options.actor,
    );
  const cases = new Map<string, EraseReport['cases'][number]>();
  for (const match of matched)
    if (match.incidentId && !cases.has(match.incidentId))
      cases.set(match.incidentId, {
        incidentId: match.incidentId,
        ...(match.ticketNumber ? { ticketNumber: match.ticketNumber } : {}),
        handoffKey: match.key,
      });
  return { by: chosen.by, dryRun, matched, ...outcome, cases: [...cases.values()] };
}

export function formatEraseReport(report: EraseReport): string {
  const lines: string[] = [];
  if (!report.matched.length) {
    lines.push(m.noneFound(report.by));
  } else {
    lines.push(m.matched(report.matched.length, report.by));
    for (const match of report.matched)
      lines.push(
        `  ${match.key}  ${match.status.padEnd(10)}  ${new Date(match.receivedAt).toISOString()}  ${match.ticketNumber ?? '-'}${match.leased ? `  (${m.leased})` : ''}`,
      );
    lines.push(report.dryRun ? m.wouldErase(report.erased.length) : m.erased(report.erased.length));
    const erasedPending = report.matched.filter(
      (match) => report.erased.includes(match.key) && ACTIVE_STATUSES.includes(match.status),
    );
    if (erasedPending.length) lines.push(m.pendingErased(erasedPending.length));
    if (report.pendingKept.length) lines.push(m.pendingKept(report.pendingKept.length));
    if (report.busy.length) lines.push(m.busy(report.busy.length));
  }
  if (report.cases.length) {
    lines.push(m.casesHeading);
    for (const item of report.cases) lines.push(`  ${item.ticketNumber ?? '-'}  incident ${item.incidentId}`);
  }
  lines.push(m.olderRecords);
  return `${lines.join('\n')}\n`;
}
