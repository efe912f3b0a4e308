/** Reads, at start, the column lengths and options the relay depends on, and validates the configuration against them. */
import type { RelayConfig } from '../config/types.js';
import type { DataverseClient } from '../dataverse/client.js';
import {
  readAttributes,
  readMaxLength,
  readOptions,
  type AttributeSummary,
  type ChoiceAttributeType,
} from '../dataverse/metadata.js';
import { ALL_INSIGHTS_COLUMNS, readInstalledInsights } from '../insights/installed.js';
import type { DeliveryMetadata } from './plan.js';
import { readPlacement } from './placement.js';

/**
 * Columns the incident builder writes itself: TICKET_PROPERTIES may not override them. The insights columns
 * are among them whether or not the org has them yet: importing the solution must not turn a configuration
 * that worked into one the relay refuses.
 */
const BUILDER_COLUMNS = [
  'incidentid',
  'title',
  'description',
  'caseorigincode',
  'prioritycode',
  'customerid',
  'ownerid',
  ...ALL_INSIGHTS_COLUMNS,
];

export async function prepareDelivery(
  config: Pick<
    RelayConfig,
    'defaultPriority' | 'ticketProperties' | 'defaultQueueId' | 'applyRoutingRules' | 'defaultOwner'
  >,
  client: DataverseClient,
  /** Where new cases start (the owner's queue): `verify` passes what it has read already. */
  placementOf: typeof readPlacement = readPlacement,
): Promise<{ ok: true; metadata: DeliveryMetadata } | { ok: false; errors: string[] }> {
  const errors: string[] = [];
  const attributes = await readAttributes(client, 'incident');
  const titleMaxLength = await readMaxLength(client, 'incident', 'title', 'String');
  const descriptionMaxLength = await readMaxLength(client, 'incident', 'description', 'Memo');
  const noteMaxLength = await readMaxLength(client, 'annotation', 'notetext', 'Memo');
  const optionsOf: OptionsOf = (column, type = 'Picklist') => readOptions(client, 'incident', column, type);
  const insights = await readInstalledInsights(client, attributes);
  const priorities = await optionsOf('prioritycode');
  if (!priorities.some((o) => o.value === config.defaultPriority)) {
    errors.push(
      `DEFAULT_PRIORITY=${config.defaultPriority} is not a priority of this org. Valid values: ${priorities
        .map((o) => `${o.value} (${o.label})`)
        .join(', ')}.`,
    );
  }
  const byName = new Map(attributes.map((a) => [a.LogicalName, a]));
  for (const [column, value] of Object.entries(config.ticketProperties)) {
    const problem = await ticketPropertyProblem(column, value, byName.get(column), optionsOf);
    if (problem) errors.push(problem);
  }
  if (errors.length) return { ok: false, errors };
  const placement = await placementOf(client, config);
  return {
    ok: true,
    metadata: {
      titleMaxLength: titleMaxLength ?? 200,
      descriptionMaxLength: descriptionMaxLength ?? 2000,
      noteMaxLength: noteMaxLength ?? 100_000,
      insights,
      ...(placement?.sourceQueueId ? { sourceQueueId: placement.sourceQueueId } : {}),
    },
  };
}

type OptionsOf = (column: string, type?: ChoiceAttributeType) => ReturnType<typeof readOptions>;

/** Why TICKET_PROPERTIES may not set `column` to `value` on this org; undefined when it may. */
async function ticketPropertyProblem(
  column: string,
  value: unknown,
  attribute: AttributeSummary | undefined,
  optionsOf: OptionsOf,
): Promise<string | undefined> {
  if (BUILDER_COLUMNS.includes(column))
    return `TICKET_PROPERTIES may not set ${column}: the relay writes it itself.`;
  if (!attribute) return `TICKET_PROPERTIES names ${column}, which is not a column of the incident table.`;
  if (attribute.IsValidForCreate === false)
    return `TICKET_PROPERTIES names ${column}, which cannot be set when a case is created.`;
  const type = attribute.AttributeType;
  if (['Picklist', 'State', 'Status'].includes(type)) {
    const options = await optionsOf(column, type as ChoiceAttributeType);
    return typeof value !== 'number' || !options.some((o) => o.value === value)
      ? `TICKET_PROPERTIES ${column}=${JSON.stringify(value)} is not an option. Valid values: ${options.map((o) => o.value).join(', ')}.`
      : undefined;
  }
  if (['String', 'Memo'].includes(type) && typeof value !== 'string')
    return `TICKET_PROPERTIES ${column} must be a string.`;
  if (type === 'Boolean' && typeof value !== 'boolean')
    return `TICKET_PROPERTIES ${column} must be true or false.`;
  if (type === 'Integer' && !Number.isInteger(value))
    return `TICKET_PROPERTIES ${column} must be a whole number.`;
  if (!['String', 'Memo', 'Boolean', 'Integer', 'Picklist', 'State', 'Status'].includes(type))
    return `TICKET_PROPERTIES ${column} is a ${type} column, which the relay does not set.`;
  return undefined;
}
