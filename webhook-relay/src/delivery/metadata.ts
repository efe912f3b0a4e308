/** Reads, at start, the column lengths and options the relay depends on, and validates the configuration against them. */
import type { RelayConfig } from '../config/types.js';
import type { DataverseClient } from '../dataverse/client.js';
import {
  readAttributes,
  readMaxLength,
  readOptions,
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
  const byName = new Map(attributes.map((a) => [a.LogicalName, a]));
  const titleMaxLength = await readMaxLength(client, 'incident', 'title', 'String');
  const descriptionMaxLength = await readMaxLength(client, 'incident', 'description', 'Memo');
  const noteMaxLength = await readMaxLength(client, 'annotation', 'notetext', 'Memo');
  const optionsOf = (column: string, type: ChoiceAttributeType = 'Picklist') =>
    readOptions(client, 'incident', column, type);
  const insights = await readInstalledInsights(client, attributes);
  const priorities = await optionsOf('prioritycode');
  if (!priorities.some((o) => o.value === config.defaultPriority)) {
    errors.push(
      `DEFAULT_PRIORITY=${config.defaultPriority} is not a priority of this org. Valid values: ${priorities
        .map((o) => `${o.value} (${o.label})`)
        .join(', ')}.`,
    );
  }
  for (const [column, value] of Object.entries(config.ticketProperties)) {
    const attribute = byName.get(column);
    if (BUILDER_COLUMNS.includes(column)) {
      errors.push(`TICKET_PROPERTIES may not set ${column}: the relay writes it itself.`);
    } else if (!attribute) {
      errors.push(`TICKET_PROPERTIES names ${column}, which is not a column of the incident table.`);
    } else if (attribute.IsValidForCreate === false) {
      errors.push(`TICKET_PROPERTIES names ${column}, which cannot be set when a case is created.`);
    } else if (['Picklist', 'State', 'Status'].includes(attribute.AttributeType)) {
      const options = await optionsOf(column, attribute.AttributeType as ChoiceAttributeType);
      if (typeof value !== 'number' || !options.some((o) => o.value === value)) {
        errors.push(
          `TICKET_PROPERTIES ${column}=${JSON.stringify(value)} is not an option. Valid values: ${options.map((o) => o.value).join(', ')}.`,
        );
      }
    } else if (['String', 'Memo'].includes(attribute.AttributeType) && typeof value !== 'string') {
      errors.push(`TICKET_PROPERTIES ${column} must be a string.`);
    } else if (attribute.AttributeType === 'Boolean' && typeof value !== 'boolean') {
      errors.push(`TICKET_PROPERTIES ${column} must be true or false.`);
    } else if (attribute.AttributeType === 'Integer' && !Number.isInteger(value)) {
      errors.push(`TICKET_PROPERTIES ${column} must be a whole number.`);
    } else if (
      !['String', 'Memo', 'Boolean', 'Integer', 'Picklist', 'State', 'Status'].includes(
        attribute.AttributeType,
      )
    ) {
      errors.push(
        `TICKET_PROPERTIES ${column} is a ${attribute.AttributeType} column, which the relay does not set.`,
      );
    }
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
