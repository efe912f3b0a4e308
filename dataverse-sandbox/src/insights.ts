/**
 * The sandbox org with the OpenCX Insights solution imported (SandboxOrg.insights): the incident table gains
 * the columns the solution defines, read from the project's own solution source, with their types, lengths,
 * ranges, options and labels. Everything else (create, update, $filter, $select, metadata reads) then treats
 * them as any other column. Without the option the org is one where the solution was never imported, and a
 * create that writes them is refused as Dataverse refuses an unknown property (400, "Invalid property … was
 * found in entity": Troubleshoot Dataverse Web API client errors; errors.unknownProperty).
 */
import { applyOverrides, type MetadataOverrides } from './metadata.js';
import type { ColumnMetadata, ColumnType, TableMetadata } from './metadata-types.js';
import { insightsSolution, type SolutionColumn } from './solution-source.js';

/**
 * The export's `<Type>` → the Web API AttributeType the column reads back as (AttributeTypeCode EnumType:
 * String, DateTime, Picklist, Integer). Only the types the insights solution uses: any other fails loudly,
 * so a new kind of column cannot slip into the solution without the sandbox learning it.
 */
const TYPES: Record<string, ColumnType> = {
  nvarchar: 'String',
  datetime: 'DateTime',
  picklist: 'Picklist',
  int: 'Integer',
};

/**
 * An export's `<Behavior>` of a date and time column → DateTimeBehavior (Learn, "Behavior and format of the
 * date and time column": User local, Date only, Time zone independent). Assumption: the numbering 1, 2, 3 in
 * that order, as exports show UserLocal columns such as createdon with `<Behavior>1</Behavior>`.
 */
const DATE_TIME_BEHAVIORS = { 1: 'UserLocal', 2: 'DateOnly', 3: 'TimeZoneIndependent' } as const;

function columnMetadata(column: SolutionColumn): ColumnMetadata {
  const type = TYPES[column.type];
  if (!type) throw new Error(`The sandbox does not know insights columns of type ${column.type}.`);
  const meta: ColumnMetadata = {
    type,
    create: true,
    update: true,
    custom: true,
    labels: {
      displayName: column.displayName,
      description: column.description,
      options: column.options
        ? Object.fromEntries(column.options.map((option) => [String(option.value), option.label]))
        : undefined,
    },
  };
  if (column.maxLength !== undefined) meta.maxLength = column.maxLength;
  if (column.minValue !== undefined) meta.minValue = column.minValue;
  if (column.maxValue !== undefined) meta.maxValue = column.maxValue;
  if (column.options) {
    meta.options = Object.fromEntries(
      column.options.map((option) => [String(option.value), option.label[1033] ?? '']),
    );
    meta.optionSetName = column.optionSetName;
  }
  if (type === 'DateTime') {
    meta.dateTimeBehavior =
      DATE_TIME_BEHAVIORS[(column.dateTimeBehavior ?? 1) as keyof typeof DATE_TIME_BEHAVIORS];
  }
  return meta;
}

/** The incident columns the insights solution adds, as the sandbox's metadata. */
export function insightsColumns(): Record<string, ColumnMetadata> {
  return Object.fromEntries(
    Object.entries(insightsSolution().columns).map(([name, column]) => [name, columnMetadata(column)]),
  );
}

/** `tables` with the insights solution imported: incident gains its columns. */
export function withInsights(tables: Record<string, TableMetadata>): Record<string, TableMetadata> {
  const copy = structuredClone(tables);
  const incident = copy.incident;
  if (!incident) throw new Error('The sandbox has no incident table to add the insights columns to.');
  incident.columns = { ...incident.columns, ...insightsColumns() };
  return copy;
}

/**
 * The org's table metadata with or without the insights, overrides applied last (so a test can shorten an
 * insights column too). Computed once per variant: setOrg switches between them.
 */
export function tablesForOrg(
  base: Record<string, TableMetadata>,
  overrides: MetadataOverrides | undefined,
): (insights: boolean) => Record<string, TableMetadata> {
  const variants = new Map<boolean, Record<string, TableMetadata>>();
  return (insights) => {
    let tables = variants.get(insights);
    if (!tables) {
      tables = applyOverrides(insights ? withInsights(base) : base, overrides);
      variants.set(insights, tables);
    }
    return tables;
  };
}
