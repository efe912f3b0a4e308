/**
 * Table-definition reads, in the forms Microsoft Learn documents ("Query table definitions using the Web
 * API"). Properties of a derived attribute type (`MaxLength`, `OptionSet`) are only reachable by casting
 * the attribute to that type; asked of the base `AttributeMetadata`, the service answers 400 "Could not
 * find a property named 'MaxLength' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'.".
 */
import type { DataverseClient } from './client.js';

export interface AttributeSummary {
  LogicalName: string;
  AttributeType: string;
  IsValidForCreate?: boolean;
}

export interface OptionValue {
  value: number;
  label: string;
}

/** The attribute types whose definitions carry a MaxLength. */
export type TextAttributeType = 'String' | 'Memo';
/** The attribute types whose definitions carry an option set. */
export type ChoiceAttributeType = 'Picklist' | 'State' | 'Status';

const attribute = (table: string, column: string) =>
  `EntityDefinitions(LogicalName='${table}')/Attributes(LogicalName='${column}')`;

/**
 * Every attribute of `table` with the properties all attributes share.
 * Query table definitions using the Web API: Querying EntityMetadata attributes.
 */
export async function readAttributes(client: DataverseClient, table: string): Promise<AttributeSummary[]> {
  const list = await client.get<{ value: AttributeSummary[] }>(
    `EntityDefinitions(LogicalName='${table}')/Attributes?$select=LogicalName,AttributeType,IsValidForCreate`,
  );
  return list.value;
}

/**
 * The MaxLength of a text column, cast to StringAttributeMetadata or MemoAttributeMetadata.
 * Query table definitions using the Web API: Retrieving attributes ("you must cast the attribute").
 */
export async function readMaxLength(
  client: DataverseClient,
  table: string,
  column: string,
  type: TextAttributeType,
): Promise<number | undefined> {
  const read = await client.get<{ MaxLength?: number | null }>(
    `${attribute(table, column)}/Microsoft.Dynamics.CRM.${type}AttributeMetadata?$select=MaxLength`,
  );
  return typeof read.MaxLength === 'number' ? read.MaxLength : undefined;
}

interface OptionSet {
  Options?: Array<{ Value: number; Label?: { UserLocalizedLabel?: { Label?: string } | null } }>;
}

/**
 * The options of a choice column, cast to its type with `$expand=OptionSet,GlobalOptionSet`, the query
 * Query table definitions using the Web API shows (Querying EntityMetadata attributes). A column bound to
 * a global choice has its options in GlobalOptionSet; a local one in OptionSet.
 */
export async function readOptions(
  client: DataverseClient,
  table: string,
  column: string,
  type: ChoiceAttributeType,
): Promise<OptionValue[]> {
  const read = await client.get<{ OptionSet?: OptionSet | null; GlobalOptionSet?: OptionSet | null }>(
    `${attribute(table, column)}/Microsoft.Dynamics.CRM.${type}AttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet`,
  );
  return optionsOf(read);
}

function optionsOf(read: {
  OptionSet?: OptionSet | null;
  GlobalOptionSet?: OptionSet | null;
}): OptionValue[] {
  const options = read.OptionSet?.Options ?? read.GlobalOptionSet?.Options ?? [];
  return options.map((o) => ({ value: o.Value, label: o.Label?.UserLocalizedLabel?.Label ?? '' }));
}

/**
 * The options of several choice (Picklist) columns in one request: the attributes collection cast to
 * PicklistAttributeMetadata with `$expand=OptionSet,GlobalOptionSet` (Query table definitions using the Web
 * API: Querying EntityMetadata attributes, "cast the Attributes collection-valued navigation property"),
 * filtered to the columns by LogicalName, a primitive property ("you can use $filter on any properties which
 * use primitive or enumeration values", same page, Querying the EntityMetadata entity type; the page filters
 * the attributes collection the same way by RequiredLevel). Metadata queries have no paging: "All matching
 * resources will be returned in the first response." The answer is also picked by name here, so a server
 * that ignored the filter would still give the right options.
 */
export async function readPicklistOptions(
  client: DataverseClient,
  table: string,
  columns: readonly string[],
): Promise<Record<string, OptionValue[]>> {
  const filter = columns.map((column) => `LogicalName eq '${column}'`).join(' or ');
  const read = await client.get<{
    value: Array<{ LogicalName: string; OptionSet?: OptionSet | null; GlobalOptionSet?: OptionSet | null }>;
  }>(
    `EntityDefinitions(LogicalName='${table}')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$filter=${encodeURIComponent(filter)}&$expand=OptionSet,GlobalOptionSet`,
  );
  const options: Record<string, OptionValue[]> = {};
  for (const attribute of read.value)
    if (columns.includes(attribute.LogicalName)) options[attribute.LogicalName] = optionsOf(attribute);
  return options;
}

/**
 * The incident table's AutoRouteToOwnerQueue: GET EntityDefinitions(LogicalName='incident')?$select=… (MS Learn,
 * Query table definitions using the Web API: Retrieve table definitions by name or MetadataId;
 * EntityMetadata.AutoRouteToOwnerQueue Property: "whether to automatically move records to the owner's default
 * queue when a record of this type is created or assigned"). A property of EntityMetadata itself: no cast.
 */
export async function readAutoRouteToOwnerQueue(client: DataverseClient): Promise<boolean> {
  const table = await client.get<{ AutoRouteToOwnerQueue?: boolean }>(
    "EntityDefinitions(LogicalName='incident')?$select=AutoRouteToOwnerQueue",
  );
  return table.AutoRouteToOwnerQueue === true;
}
