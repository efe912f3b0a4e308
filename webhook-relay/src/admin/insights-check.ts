/**
 * The insights check of `verify`: whether the org has the columns the relay fills with each handoff as data
 * (spec §3.10). Missing columns are a warning, never a failure: verify's exit code says whether the relay can
 * create cases (spec §3.6), and it creates them without the columns, as it did before they existed. What a
 * warning costs is the supervisors' views and charts, which stay empty; verify says so and how to install.
 */
import { DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import { readAttributes } from '../dataverse/metadata.js';
import { INSIGHTS_CHOICES } from '../insights/columns.js';
import {
  ALL_INSIGHTS_COLUMNS,
  readInstalledInsights,
  type InstalledInsights,
} from '../insights/installed.js';
import { messages } from '../messages.js';
import type { CheckResult } from './report.js';
import { APPEND_ROLE_NAME } from './role.js';

const m = messages.verify.insights;

/** Choice options our solution defines that the org's column lacks: values that would map to them stay blank. */
function missingOptions(installed: InstalledInsights): string[] {
  return INSIGHTS_CHOICES.flatMap((choice) => {
    const available = installed.options[choice.logicalName];
    if (!available) return [];
    const ours = [...new Set([...Object.values(choice.options), choice.other])];
    const missing = ours.filter((value) => !available.includes(value));
    return missing.length ? [m.missingOptions(choice.logicalName, missing)] : [];
  });
}

/** The check's result from what was read (pure). */
export function insightsResult(installed: InstalledInsights): CheckResult {
  const base = { id: 'insights' as const, title: messages.verify.titles.insights };
  const absent = ALL_INSIGHTS_COLUMNS.filter(
    (column) =>
      !installed.columns.includes(column) && !installed.mismatched.some((found) => found.column === column),
  );
  const details = [
    ...installed.mismatched.map((found) => m.mismatched(found.column, found.found, found.expected)),
    ...missingOptions(installed),
  ];
  if (!installed.columns.length && !installed.mismatched.length)
    return { ...base, status: 'warn', summary: m.notInstalled, fix: m.installFix };
  if (absent.length || details.length)
    return {
      ...base,
      status: 'warn',
      summary: m.partial(installed.columns.length, ALL_INSIGHTS_COLUMNS.length),
      details: [...(absent.length ? [m.absent(absent)] : []), ...details],
      fix: m.partialFix,
    };
  return {
    ...base,
    status: 'pass',
    summary: m.passed(installed.columns.length),
    details: [m.backfillRole(APPEND_ROLE_NAME)],
  };
}

export async function checkInsights(client: DataverseClient): Promise<CheckResult> {
  try {
    return insightsResult(await readInstalledInsights(client, await readAttributes(client, 'incident')));
  } catch (error) {
    if (!(error instanceof DataverseRequestError)) throw error;
    const f = error.failure;
    return {
      id: 'insights',
      title: messages.verify.titles.insights,
      status: 'warn',
      code: f.code || String(f.httpStatus),
      summary: m.unreadable(f.httpStatus, f.code, f.reason),
      fix: m.unreadableFix,
    };
  }
}
