/**
 * The insights columns of a case, as the body of a create (delivery) or an update (backfill): only the
 * columns the org has, only values its columns accept. Pure.
 */
import {
  CALLER_VERIFICATION,
  CHANNEL,
  HANDOFF_REASON,
  INSIGHTS_COLUMNS,
  optionFor,
  SENTIMENT_AT_HANDOFF,
  type InsightsChoice,
} from './columns.js';
import type { InstalledInsights } from './installed.js';
import type { HandoffInsights } from './values.js';

export type InsightsFields = Record<string, string | number>;

/** Whole number columns hold -2,147,483,648 to 2,147,483,647 (IntegerAttributeMetadata MinValue/MaxValue bounds). */
const WHOLE_NUMBER_MAX = 2_147_483_647;

/**
 * The option for a code: its own, else the column's "other"; either only when the org's column has it. A code
 * the column lacks is left blank rather than sent: Dataverse refuses an option a column does not have
 * (0x8004431a), and that would refuse the whole case.
 */
function optionIn(
  choice: InsightsChoice,
  code: string | undefined,
  installed: InstalledInsights,
): number | undefined {
  const value = optionFor(choice, code);
  const available = installed.options[choice.logicalName] ?? [];
  if (value !== undefined && available.includes(value)) return value;
  return value !== undefined && available.includes(choice.other) ? choice.other : undefined;
}

export function insightsFields(insights: HandoffInsights, installed: InstalledInsights): InsightsFields {
  const has = (column: string) => installed.columns.includes(column);
  const fields: InsightsFields = {};
  const c = INSIGHTS_COLUMNS;
  // A session id longer than the column is not cut: a cut id names no session.
  if (has(c.sessionId) && insights.sessionId && insights.sessionId.length <= installed.sessionIdMaxLength)
    fields[c.sessionId] = insights.sessionId;
  if (has(c.handoffOn) && insights.handoffOn) fields[c.handoffOn] = insights.handoffOn;
  const choices: Array<[InsightsChoice, string | undefined]> = [
    [HANDOFF_REASON, insights.reason],
    [SENTIMENT_AT_HANDOFF, insights.sentiment],
    [CHANNEL, insights.channel],
    [CALLER_VERIFICATION, insights.callerVerification],
  ];
  for (const [choice, code] of choices) {
    if (!has(choice.logicalName)) continue;
    const value = optionIn(choice, code, installed);
    if (value !== undefined) fields[choice.logicalName] = value;
  }
  const counts: Array<[string, number | undefined]> = [
    [c.turnsBeforeHandoff, insights.turnsBeforeHandoff],
    [c.aiHandlingSeconds, insights.aiHandlingSeconds],
  ];
  for (const [column, value] of counts)
    if (
      has(column) &&
      value !== undefined &&
      Number.isInteger(value) &&
      value >= 0 &&
      value <= WHOLE_NUMBER_MAX
    )
      fields[column] = value;
  return fields;
}

/** The fields a case does not have yet: backfill fills empty columns and never overwrites a value. */
export function emptyOnly(
  fields: InsightsFields,
  current: Readonly<Record<string, unknown>>,
): InsightsFields {
  return Object.fromEntries(
    Object.entries(fields).filter(([column]) => current[column] === null || current[column] === undefined),
  );
}
