/** The metadata reads the relay makes: attribute max lengths, option sets and attribute lists. */
import { errors } from './errors.js';
import type { TableMetadata } from './metadata-types.js';

export interface MetadataOverrides {
  /** `"incident.description": 100000` */
  maxLength?: Record<string, number>;
  /** `"incident.prioritycode": { "1": "High", "2": "Normal", "3": "Low" }` */
  options?: Record<string, Record<string, string>>;
}

export function applyOverrides(
  tables: Record<string, TableMetadata>,
  overrides: MetadataOverrides = {},
): Record<string, TableMetadata> {
  const copy = structuredClone(tables);
  for (const [path, maxLength] of Object.entries(overrides.maxLength ?? {})) {
    const [table, column] = path.split('.');
    const meta = copy[table ?? '']?.columns[column ?? ''];
    if (meta) meta.maxLength = maxLength;
  }
  for (const [path, options] of Object.entries(overrides.options ?? {})) {
    const [table, column] = path.split('.');
    const meta = copy[table ?? '']?.columns[column ?? ''];
    if (meta) meta.options = options;
  }
  return copy;
}

const label = (text: string) => ({
  LocalizedLabels: [{ Label: text, LanguageCode: 1033 }],
  UserLocalizedLabel: { Label: text, LanguageCode: 1033 },
});

function attributeBody(tableName: string, table: TableMetadata, column: string): Record<string, unknown> {
  const meta = table.columns[column];
  if (!meta) throw errors.notFound('Attribute', `${tableName}.${column}`);
  const body: Record<string, unknown> = {
    LogicalName: column,
    AttributeType: meta.type,
    IsValidForCreate: meta.create,
    IsValidForUpdate: meta.update,
  };
  if (meta.maxLength !== undefined) body.MaxLength = meta.maxLength;
  return body;
}

/**
 * Answers `EntityDefinitions(LogicalName='t')/Attributes(LogicalName='c')[/Microsoft.Dynamics.CRM.XAttributeMetadata]`
 * and `EntityDefinitions(LogicalName='t')/Attributes`; `undefined` when the path is not a metadata read.
 */
export function readMetadata(
  tables: Record<string, TableMetadata>,
  path: string,
  query: URLSearchParams,
  root: string,
): Record<string, unknown> | undefined {
  const match =
    /^EntityDefinitions\(LogicalName='([a-z_]+)'\)\/Attributes(?:\(LogicalName='([a-z0-9_]+)'\))?(?:\/Microsoft\.Dynamics\.CRM\.([A-Za-z]+))?$/.exec(
      path,
    );
  if (!match) return undefined;
  const [, tableName = '', column, cast] = match;
  const table = tables[tableName];
  if (!table) throw errors.notFound('Entity', tableName);
  if (!column) {
    return {
      '@odata.context': `${root}$metadata#EntityDefinitions('${tableName}')/Attributes`,
      value: Object.keys(table.columns).map((name) => attributeBody(tableName, table, name)),
    };
  }
  const body = attributeBody(tableName, table, column);
  const meta = table.columns[column];
  if (cast) {
    const expected = `${meta.type}AttributeMetadata`;
    if (cast !== expected) {
      throw errors.badRequest(`The attribute '${column}' is not of type ${cast}.`, '0x0');
    }
  }
  if ((query.get('$expand') ?? '').startsWith('OptionSet') && meta.options) {
    body.OptionSet = {
      Options: Object.entries(meta.options).map(([value, text]) => ({
        Value: Number(value),
        Label: label(text),
      })),
    };
  }
  body['@odata.context'] = `${root}$metadata#EntityDefinitions('${tableName}')/Attributes/$entity`;
  return body;
}
