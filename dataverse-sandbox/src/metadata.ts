/**
 * Table definitions (metadata) as the Web API serves them: `EntityDefinitions(LogicalName='t')/Attributes`,
 * one attribute by `(LogicalName='c')`, either cast to a derived type (`/Microsoft.Dynamics.CRM.XAttributeMetadata`).
 * Strict where the service is: `$select`/`$expand` may only name properties of the type the path names
 * (Query table definitions using the Web API: Querying EntityMetadata attributes, Retrieving attributes).
 */
import { createHash } from 'node:crypto';
import { errors } from './errors.js';
import { filterProperties, matches, parseFilter } from './filter.js';
import {
  ATTRIBUTE_METADATA,
  attributeType,
  typeByName,
  type AttributeTypeInfo,
} from './metadata-properties.js';
import type { ColumnMetadata, TableMetadata } from './metadata-types.js';

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

/**
 * A Label ComplexType: every language's LocalizedLabel, and the caller's language (1033, the sandbox's only
 * user) as UserLocalizedLabel (Label ComplexType; Query table definitions using the Web API: Retrieving attributes).
 */
function label(texts: string | Readonly<Record<number, string>>): Record<string, unknown> {
  const byLanguage = typeof texts === 'string' ? { 1033: texts } : texts;
  const localized = Object.entries(byLanguage).map(([code, text]) => ({
    Label: text,
    LanguageCode: Number(code),
  }));
  return {
    LocalizedLabels: localized,
    UserLocalizedLabel: localized.find((l) => l.LanguageCode === 1033) ?? localized[0] ?? null,
  };
}

/** A stable MetadataId per attribute ("The MetadataId property value is always returned"). */
function metadataId(table: string, column: string): string {
  const hex = createHash('sha1').update(`${table}.${column}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The names in a `$select` or `$expand` value (`OptionSet($select=Options),GlobalOptionSet` → both names). */
function names(option: string | null): string[] {
  if (!option) return [];
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of option) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else if (depth === 0 && char !== ')') current += char;
  }
  out.push(current);
  return out.map((name) => name.trim()).filter(Boolean);
}

/** 400 as an OData service answers a property the type does not have (Troubleshoot Dataverse Web API client errors). */
function checkNames(type: AttributeTypeInfo, select: string[], expand: string[]): void {
  for (const name of select) {
    if (!type.properties.includes(name) && !type.navigation.includes(name))
      throw errors.unknownSelect(type.name, name);
  }
  for (const name of expand) {
    if (!type.navigation.includes(name)) throw errors.unknownSelect(type.name, name);
  }
}

function attributeBody(
  tableName: string,
  column: string,
  meta: ColumnMetadata,
  select: string[],
  expand: string[],
): Record<string, unknown> {
  const all: Record<string, unknown> = {
    LogicalName: column,
    AttributeType: meta.type,
    EntityLogicalName: tableName,
    IsValidForCreate: meta.create,
    IsValidForUpdate: meta.update,
  };
  if (meta.maxLength !== undefined) all.MaxLength = meta.maxLength;
  if (meta.minValue !== undefined) all.MinValue = meta.minValue;
  if (meta.maxValue !== undefined) all.MaxValue = meta.maxValue;
  if (meta.dateTimeBehavior) all.DateTimeBehavior = { Value: meta.dateTimeBehavior };
  if (meta.labels) {
    all.DisplayName = label(meta.labels.displayName);
    all.Description = label(meta.labels.description);
  }
  const body: Record<string, unknown> = {};
  for (const name of select.length ? select : Object.keys(all)) if (name in all) body[name] = all[name];
  body.MetadataId = metadataId(tableName, column);
  if (expand.includes('OptionSet')) {
    body.OptionSet = {
      Options: Object.entries(meta.options ?? {}).map(([value, text]) => ({
        Value: Number(value),
        Label: label(meta.labels?.options?.[value] ?? text),
      })),
      IsGlobal: false,
      ...(meta.optionSetName ? { Name: meta.optionSetName, OptionSetType: 'Picklist' } : {}),
    };
  }
  // The sandbox's choices are all local: a column bound to no global choice expands GlobalOptionSet to null.
  if (expand.includes('GlobalOptionSet')) body.GlobalOptionSet = null;
  return body;
}

/**
 * The properties a metadata `$filter` may name here: "you can use $filter on any properties which use
 * primitive or enumeration values" (Query table definitions using the Web API: Querying the EntityMetadata
 * entity type). The sandbox knows these primitive ones; any other name is answered like an unknown property.
 */
function filterableFacts(table: string, column: string, meta: ColumnMetadata): Record<string, unknown> {
  return {
    LogicalName: column,
    EntityLogicalName: table,
    IsValidForCreate: meta.create,
    IsValidForUpdate: meta.update,
    IsCustomAttribute: meta.custom === true,
  };
}

function filterAttributes(
  table: string,
  columns: Array<[string, ColumnMetadata]>,
  filter: string,
  type: AttributeTypeInfo,
): Array<[string, ColumnMetadata]> {
  const node = parseFilter(filter);
  const known = Object.keys(filterableFacts(table, '', { type: 'String', create: false, update: false }));
  for (const name of filterProperties(node)) {
    if (!known.includes(name)) throw errors.unknownSelect(type.name, name);
  }
  return columns.filter(([column, meta]) => matches(node, filterableFacts(table, column, meta)));
}

/**
 * Answers a table-definition read; `undefined` when the path is not one.
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
  const type = cast ? typeByName(cast) : ATTRIBUTE_METADATA;
  if (!type) throw errors.unknownSegment(`Microsoft.Dynamics.CRM.${cast}`);
  const select = names(query.get('$select'));
  const expand = names(query.get('$expand'));
  checkNames(type, select, expand);
  const context = `${root}$metadata#EntityDefinitions('${tableName}')/Attributes${cast ? `/Microsoft.Dynamics.CRM.${cast}` : ''}`;
  if (!column) {
    // A cast collection holds only the attributes of that type.
    let columns = Object.entries(table.columns).filter(
      ([, meta]) => !cast || attributeType(meta.type).name === type.name,
    );
    const filter = query.get('$filter');
    if (filter) columns = filterAttributes(tableName, columns, filter, type);
    return {
      '@odata.context': context,
      value: columns.map(([name, meta]) => attributeBody(tableName, name, meta, select, expand)),
    };
  }
  const meta = table.columns[column];
  if (!meta) throw errors.notFound('Attribute', `${tableName}.${column}`);
  if (cast && attributeType(meta.type).name !== type.name) {
    throw errors.badRequest(
      `The attribute '${column}' is not of type Microsoft.Dynamics.CRM.${cast}.`,
      '0x0',
    );
  }
  return {
    '@odata.context': `${context}/$entity`,
    ...attributeBody(tableName, column, meta, select, expand),
  };
}
