/**
 * Which insights columns an org has, read with the table definitions at start (the delivery gate's
 * preparation, `verify`, `backfill`). Only columns that exist under our name, with our type, and that a create
 * may set are ever written; a choice column's options are read too, so a value the org's column does not
 * have (an older solution version, an option an admin removed) is left out instead of failing the case.
 */
import { DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import {
  readMaxLength,
  readOptions,
  readPicklistOptions,
  type AttributeSummary,
  type OptionValue,
} from '../dataverse/metadata.js';
import { INSIGHTS_CHOICES, INSIGHTS_COLUMNS } from './columns.js';

/** The attribute type each insights column has in our solution (AttributeMetadata.AttributeType). */
export const INSIGHTS_TYPES: Readonly<Record<string, string>> = {
  [INSIGHTS_COLUMNS.sessionId]: 'String',
  [INSIGHTS_COLUMNS.handoffOn]: 'DateTime',
  [INSIGHTS_COLUMNS.handoffReason]: 'Picklist',
  [INSIGHTS_COLUMNS.sentimentAtHandoff]: 'Picklist',
  [INSIGHTS_COLUMNS.channel]: 'Picklist',
  [INSIGHTS_COLUMNS.callerVerification]: 'Picklist',
  [INSIGHTS_COLUMNS.turnsBeforeHandoff]: 'Integer',
  [INSIGHTS_COLUMNS.aiHandlingSeconds]: 'Integer',
};

export const ALL_INSIGHTS_COLUMNS: readonly string[] = Object.values(INSIGHTS_COLUMNS);

/** The session id column's length in our solution, used when the org's definition does not say. */
const SESSION_ID_MAX_LENGTH = 100;

export interface InstalledInsights {
  /** The columns the relay writes: present with our type and valid for create, in the contract's order. */
  columns: readonly string[];
  /** For each written choice column, the option values the org's column has. */
  options: Readonly<Record<string, readonly number[]>>;
  sessionIdMaxLength: number;
  /** Columns under our names that are not ours (another type, or not settable on create): never written. */
  mismatched: ReadonlyArray<{ column: string; found: string; expected: string }>;
}

export const NO_INSIGHTS: InstalledInsights = {
  columns: [],
  options: {},
  sessionIdMaxLength: SESSION_ID_MAX_LENGTH,
  mismatched: [],
};

/** The insights columns of the incident table, from its attributes (pure). */
export function presentColumns(
  attributes: readonly AttributeSummary[],
): Pick<InstalledInsights, 'columns' | 'mismatched'> {
  const byName = new Map(attributes.map((attribute) => [attribute.LogicalName, attribute]));
  const columns: string[] = [];
  const mismatched: Array<{ column: string; found: string; expected: string }> = [];
  for (const column of ALL_INSIGHTS_COLUMNS) {
    const attribute = byName.get(column);
    if (!attribute) continue;
    const expected = INSIGHTS_TYPES[column] ?? '';
    if (attribute.AttributeType !== expected)
      mismatched.push({ column, found: attribute.AttributeType, expected });
    else if (attribute.IsValidForCreate === false)
      mismatched.push({ column, found: `${attribute.AttributeType}, not valid for create`, expected });
    else columns.push(column);
  }
  return { columns, mismatched };
}

/**
 * The choices' options in one filtered read; should an environment refuse that filter (400), one read per
 * column in the form the page shows for a single attribute (Retrieving attributes), so an insights read
 * never holds delivery up. Other failures (throttling, an outage) are the delivery gate's to wait out.
 */
async function choiceOptions(
  client: DataverseClient,
  choices: readonly string[],
): Promise<Record<string, OptionValue[]>> {
  try {
    return await readPicklistOptions(client, 'incident', choices);
  } catch (error) {
    if (!(error instanceof DataverseRequestError) || error.failure.httpStatus !== 400) throw error;
    const each: Record<string, OptionValue[]> = {};
    for (const column of choices) each[column] = await readOptions(client, 'incident', column, 'Picklist');
    return each;
  }
}

/**
 * Reads what `presentColumns` cannot tell: the choice columns' options (one request for all four, filtered to
 * their names) and the session id's maximum length (one request), each only when the column is there. An org
 * without the columns costs no request beyond the attributes read the relay makes anyway.
 */
export async function readInstalledInsights(
  client: DataverseClient,
  attributes: readonly AttributeSummary[],
): Promise<InstalledInsights> {
  const present = presentColumns(attributes);
  if (!present.columns.length) return { ...NO_INSIGHTS, mismatched: present.mismatched };
  const choices = INSIGHTS_CHOICES.map((choice) => choice.logicalName).filter((column) =>
    present.columns.includes(column),
  );
  const options: Record<string, readonly number[]> = {};
  if (choices.length) {
    const read = await choiceOptions(client, choices);
    for (const column of choices) options[column] = (read[column] ?? []).map((o: OptionValue) => o.value);
  }
  const sessionIdMaxLength = present.columns.includes(INSIGHTS_COLUMNS.sessionId)
    ? ((await readMaxLength(client, 'incident', INSIGHTS_COLUMNS.sessionId, 'String')) ??
      SESSION_ID_MAX_LENGTH)
    : SESSION_ID_MAX_LENGTH;
  return { ...present, options, sessionIdMaxLength };
}
