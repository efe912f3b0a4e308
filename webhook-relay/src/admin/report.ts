/** The result of `opencx-relay verify`: one entry per check, in the order they ran, and how to print it. */
import { messages } from '../messages.js';
import type { QueueMode, RoutingRules } from '../config/types.js';
import type { CaseFormResult } from './case-form-result.js';
import type { OrgRouting } from './org-routing.js';

export type CheckId =
  | 'url'
  | 'token'
  | 'whoami'
  | 'privileges'
  | 'queue'
  | 'owner'
  | 'options'
  | 'description'
  | 'placeholder'
  | 'forms'
  | 'insights'
  | 'settings';

/** `warn` passes with a recommendation; `skip` means an earlier failure made the check pointless. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  summary: string;
  /** What to do about a failure or warning. */
  fix?: string;
  /** Dataverse hex code or AADSTS code behind a failure. */
  code?: string;
  /** One line per finding when there are several (missing privileges, configuration problems). */
  details?: string[];
  /** The Case forms check: one entry per Case main form, for scripts (`verify --json`). */
  forms?: CaseFormResult[];
}

export interface VerifyReport {
  /** True when no check failed or was skipped: the relay can create cases with this configuration. */
  ok: boolean;
  dataverseUrl?: string;
  checks: CheckResult[];
  /** Where new cases go (config/types.ts QueueMode) and the org's own queueing of new cases. */
  queue?: QueueReport;
}

export interface QueueReport {
  mode: QueueMode;
  queueId?: string;
  /** APPLY_ROUTING_RULES as configured: `legacy`, `unified`, or false. */
  applyRoutingRules: RoutingRules | false;
  /** The incident table's AutoRouteToOwnerQueue; absent when it could not be read. */
  autoRouteToOwnerQueue?: boolean;
  /** The owner's default queue, named as AddToQueue's SourceQueue (queue mode, auto-route on). */
  sourceQueueId?: string;
  /** Which routing the org uses for cases; absent when verify stopped before reading it. */
  org?: OrgRouting;
}

export function reportOf(dataverseUrl: string | undefined, checks: CheckResult[]): VerifyReport {
  return {
    ok: checks.every((check) => check.status === 'pass' || check.status === 'warn'),
    dataverseUrl,
    checks,
  };
}

const MARK: Record<CheckStatus, string> = { pass: 'pass', warn: 'WARN', fail: 'FAIL', skip: 'skip' };

/** Plain text for a terminal: one line per check, then details and the fix indented under it. */
export function formatReport(report: VerifyReport): string {
  const m = messages.verify;
  const width = Math.max(...report.checks.map((check) => check.title.length));
  const lines = [m.heading(report.dataverseUrl), ''];
  for (const check of report.checks) {
    lines.push(`  [${MARK[check.status]}] ${check.title.padEnd(width)}  ${check.summary}`);
    for (const detail of check.details ?? []) lines.push(`         ${' '.repeat(width)}  - ${detail}`);
    if (check.fix && (check.status === 'fail' || check.status === 'warn')) {
      lines.push(`         ${' '.repeat(width)}  ${m.fixLabel} ${check.fix}`);
    }
  }
  const count = (status: CheckStatus) => report.checks.filter((check) => check.status === status).length;
  lines.push(
    '',
    m.totals(count('pass'), count('fail'), count('warn'), count('skip')),
    report.ok ? m.allPassed : m.notReady,
  );
  return `${lines.join('\n')}\n`;
}
