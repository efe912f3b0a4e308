/**
 * Create, update, retrieve and query rows with Dataverse's validation rules, driven by table metadata.
 * Lookups are stored the way Dataverse reads them back: `_<column>_value` plus the target's logical name.
 */
import { randomUUID } from 'node:crypto';
import { DataverseError, errors } from './errors.js';
import { filterProperties, matches, parseFilter, usesLeadingWildcard } from './filter.js';
import type { ColumnMetadata, TableMetadata } from './metadata-types.js';
import type { Row, SandboxState } from './state.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Tables large enough in a real org that a leading wildcard times out (reference: 0x80048573). */
const LARGE_TABLES = new Set(['contact', 'incident', 'account', 'annotation', 'queueitem']);

export interface EntityContext {
  tables: Record<string, TableMetadata>;
  state: SandboxState;
  now: () => Date;
  callerId: string;
  /** Resolves `$n` Content-ID references inside a change set to `/<set>(<id>)`. */
  resolveReference?: (reference: string) => string | undefined;
  ticketSequence: () => number;
  /** Row versions (the `@odata.etag` value), increasing per sandbox. */
  nextVersion: () => number;
  /** The code a duplicate key is answered with (SandboxOptions.duplicateKeyCode). */
  duplicateKeyCode?: string;
}

export function tableBySet(
  tables: Record<string, TableMetadata>,
  entitySet: string,
): TableMetadata | undefined {
  return Object.values(tables).find((table) => table.entitySet === entitySet);
}

function logicalNameOf(tables: Record<string, TableMetadata>, table: TableMetadata): string {
  return Object.keys(tables).find((name) => tables[name] === table) ?? table.entitySet;
}

const lookupTypes = new Set(['Customer', 'Lookup', 'Owner']);
const lookupKey = (column: string) => `_${column}_value`;
const lookupTargetKey = (column: string) => `_${column}_value@Microsoft.Dynamics.CRM.lookuplogicalname`;

/** Parses `/contacts(<id>)`, `contacts(<id>)` or an absolute URL ending so. */
function parseBindValue(value: string): { entitySet: string; id: string } | undefined {
  const match = /(?:^|\/)([A-Z_]\w*)\(([0-9a-f-]{36})\)$/i.exec(value.trim());
  return match ? { entitySet: match[1], id: match[2].toLowerCase() } : undefined;
}

function findBind(table: TableMetadata, navigation: string): { column: string; target: string } | undefined {
  for (const [column, meta] of Object.entries(table.columns)) {
    for (const [target, nav] of Object.entries(meta.bind ?? {})) {
      if (nav === navigation) return { column, target };
    }
  }
  return undefined;
}

function checkValue(entity: string, column: string, meta: ColumnMetadata, value: unknown): unknown {
  if (value === null) return null;
  switch (meta.type) {
    case 'String':
    case 'Memo':
    case 'EntityName':
      if (typeof value !== 'string') throw errors.badValue(column, entity, 'Edm.String');
      if (meta.maxLength !== undefined && value.length > meta.maxLength) {
        throw errors.tooLong(column, entity, meta.maxLength);
      }
      return value;
    case 'Picklist':
    case 'State':
    case 'Status': {
      if (typeof value !== 'number' || !Number.isInteger(value))
        throw errors.badValue(column, entity, 'Edm.Int32');
      const accepted = Object.keys(meta.options ?? {});
      if (accepted.length > 0 && !accepted.includes(String(value))) {
        throw errors.optionOutOfRange(value, column, entity, accepted);
      }
      return value;
    }
    case 'Boolean':
      if (typeof value !== 'boolean') throw errors.badValue(column, entity, 'Edm.Boolean');
      return value;
    case 'Integer':
      if (typeof value !== 'number' || !Number.isInteger(value))
        throw errors.badValue(column, entity, 'Edm.Int32');
      return value;
    case 'DateTime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        throw errors.badValue(column, entity, 'Edm.DateTimeOffset');
      }
      return new Date(value).toISOString();
    case 'Uniqueidentifier':
      if (typeof value !== 'string' || !GUID.test(value)) throw errors.badValue(column, entity, 'Edm.Guid');
      return value.toLowerCase();
    default:
      throw errors.badValue(column, entity, meta.type);
  }
}

/** Applies a create/update body to `row`, enforcing binds, types, lengths and options. */
function applyBody(
  ctx: EntityContext,
  table: TableMetadata,
  body: Record<string, unknown>,
  row: Row,
  operation: 'create' | 'update',
): void {
  const entity = logicalNameOf(ctx.tables, table);
  for (const [key, raw] of Object.entries(body)) {
    if (key.endsWith('@odata.bind')) {
      const navigation = key.slice(0, -'@odata.bind'.length);
      const bind = findBind(table, navigation);
      if (!bind) throw errors.undeclaredNavigation(table.entitySet, navigation);
      const meta = table.columns[bind.column];
      if (!(operation === 'create' ? meta.create : meta.update)) continue;
      if (raw === null) {
        row[lookupKey(bind.column)] = null;
        delete row[lookupTargetKey(bind.column)];
        continue;
      }
      if (typeof raw !== 'string') throw errors.badValue(navigation, entity, 'Edm.EntityReference');
      const resolved = raw.startsWith('$') ? ctx.resolveReference?.(raw) : raw;
      if (!resolved) throw errors.contentIdUnknown(raw.slice(1));
      const target = parseBindValue(resolved);
      const targetTable = target ? tableBySet(ctx.tables, target.entitySet) : undefined;
      const targetName = targetTable ? logicalNameOf(ctx.tables, targetTable) : undefined;
      if (!target || !targetTable || !targetName || !(meta.targets ?? []).includes(targetName)) {
        throw errors.badRequest(
          `Error identified in Payload provided by the user for Entity :'${table.entitySet}' ----> InnerException : Microsoft.OData.ODataException: The URI '${String(raw)}' in the payload is not valid for the navigation property '${navigation}'.`,
          '0x80048d19',
        );
      }
      if (!ctx.state.get(targetTable.entitySet, target.id)) throw errors.notFound(targetName, target.id);
      row[lookupKey(bind.column)] = target.id;
      row[lookupTargetKey(bind.column)] = targetName;
      continue;
    }
    if (key.includes('@')) continue; // instance annotations such as @odata.type are accepted and ignored
    const meta = table.columns[key];
    if (!meta || lookupTypes.has(meta.type)) throw errors.unknownProperty(entity, key);
    if (!(operation === 'create' ? meta.create : meta.update)) continue; // ignored, as documented
    if (key === table.primaryKey && operation === 'create') continue; // handled by the caller
    row[key] = checkValue(entity, key, meta, raw);
  }
}

function ticketNumber(sequence: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let suffix = '';
  let seed = (sequence * 2654435761) >>> 0;
  for (let i = 0; i < 6; i += 1) {
    suffix += alphabet[seed % alphabet.length];
    seed = Math.floor(seed / alphabet.length) + i * 7919;
  }
  return `CAS-${String(sequence).padStart(5, '0')}-${suffix}`;
}

/** The record's active queue item (other than `except`): a record has one at most (0x80040526). */
export function activeQueueItem(state: SandboxState, objectId: string, except?: string): Row | undefined {
  return state
    .rowsWhere('queueitems', lookupKey('objectid'), objectId)
    .find((item) => item.queueitemid !== except && item.statecode === 0);
}

function enforceTableRules(ctx: EntityContext, entity: string, row: Row, id: string): void {
  if (entity === 'incident') {
    const customer = row[lookupKey('customerid')];
    if (!customer) throw errors.missingCustomer();
  }
  if (entity === 'queueitem') {
    if (!row[lookupKey('queueid')]) throw errors.queueItemMissingQueue();
    const object = row[lookupKey('objectid')];
    if (typeof object !== 'string' || !object) throw errors.queueItemMissingObject();
    if (activeQueueItem(ctx.state, object, id)) throw errors.queueItemAlreadyActive();
  }
  const owner = row[lookupKey('ownerid')];
  if (typeof owner === 'string' && row[lookupTargetKey('ownerid')] === 'systemuser') {
    const user = ctx.state.get('systemusers', owner);
    if (user?.isdisabled === true) throw errors.ownerDisabled();
  }
}

export function createRow(ctx: EntityContext, table: TableMetadata, body: Record<string, unknown>): Row {
  const entity = logicalNameOf(ctx.tables, table);
  const rawId = body[table.primaryKey];
  const id =
    rawId === undefined || rawId === null
      ? randomUUID()
      : (checkValue(entity, table.primaryKey, table.columns[table.primaryKey], rawId) as string);
  const now = ctx.now().toISOString();
  const row: Row = { [table.primaryKey]: id };
  if (table.columns.statecode) row.statecode = 0;
  if (table.columns.statuscode) row.statuscode = 1;
  applyBody(ctx, table, body, row, 'create');
  if (ctx.state.get(table.entitySet, id)) throw errors.duplicateKey(ctx.duplicateKeyCode);
  if (table.columns.ownerid && !row[lookupKey('ownerid')]) {
    row[lookupKey('ownerid')] = ctx.callerId;
    row[lookupTargetKey('ownerid')] = 'systemuser';
  }
  if (table.columns.createdon) row.createdon = now;
  if (table.columns.modifiedon) row.modifiedon = now;
  if (entity === 'incident') row.ticketnumber = ticketNumber(ctx.ticketSequence());
  if (entity === 'contact' || entity === 'systemuser') {
    row.fullname = [row.firstname, row.lastname].filter((part) => typeof part === 'string' && part).join(' ');
  }
  if (entity === 'annotation' && row.isdocument === undefined) row.isdocument = false;
  if (entity === 'annotation' && typeof row.documentbody === 'string') {
    row.filesize = Buffer.from(row.documentbody, 'base64').length;
  }
  if (entity === 'queueitem') row.enteredon = now;
  enforceTableRules(ctx, entity, row, id);
  row.versionnumber = versionOf(ctx);
  ctx.state.put(table.entitySet, id, row);
  return row;
}

function versionOf(ctx: EntityContext): number {
  return ctx.nextVersion();
}

export function updateRow(
  ctx: EntityContext,
  table: TableMetadata,
  id: string,
  body: Record<string, unknown>,
): Row {
  const entity = logicalNameOf(ctx.tables, table);
  const existing = ctx.state.get(table.entitySet, id);
  if (!existing) throw errors.notFound(entity, id);
  const row: Row = { ...existing };
  applyBody(ctx, table, body, row, 'update');
  if (entity === 'contact') {
    row.fullname = [row.firstname, row.lastname].filter((part) => typeof part === 'string' && part).join(' ');
  }
  if (table.columns.modifiedon) row.modifiedon = ctx.now().toISOString();
  enforceTableRules(ctx, entity, row, id);
  row.versionnumber = versionOf(ctx);
  ctx.state.put(table.entitySet, id, row);
  return row;
}

export interface QueryOptions {
  select?: string[];
  filter?: string;
  top?: number;
  orderby?: Array<{ property: string; descending: boolean }>;
  count?: boolean;
}

function readableNames(table: TableMetadata): Set<string> {
  const names = new Set<string>();
  for (const [column, meta] of Object.entries(table.columns)) {
    names.add(lookupTypes.has(meta.type) ? lookupKey(column) : column);
  }
  names.add('versionnumber');
  return names;
}

function checkProperties(entity: string, table: TableMetadata, names: string[]): void {
  const readable = readableNames(table);
  for (const name of names) if (!readable.has(name)) throw errors.unknownSelect(entity, name);
}

/** Refuses a `$select` naming a column the table does not have, as a query would. */
export function checkSelect(ctx: EntityContext, table: TableMetadata, select: string[]): void {
  checkProperties(logicalNameOf(ctx.tables, table), table, select);
}

export function queryRows(
  ctx: EntityContext,
  table: TableMetadata,
  options: QueryOptions,
): { rows: Row[]; count: number } {
  const entity = logicalNameOf(ctx.tables, table);
  // The rows themselves until the page is cut, then copies of the page only: copying the whole table on
  // every query made a sandbox holding a benchmark's tens of thousands of cases answer slower with each.
  let rows = [...ctx.state.table(table.entitySet).values()];
  if (options.filter) {
    const node = parseFilter(options.filter);
    checkProperties(entity, table, filterProperties(node));
    if (usesLeadingWildcard(node) && LARGE_TABLES.has(entity)) throw errors.leadingWildcard();
    rows = rows.filter((row) => matches(node, row));
  }
  if (options.orderby?.length) {
    checkProperties(
      entity,
      table,
      options.orderby.map((o) => o.property),
    );
    const order = options.orderby;
    rows.sort((a, b) => {
      for (const { property, descending } of order) {
        const x = a[property] as string | number | null | undefined;
        const y = b[property] as string | number | null | undefined;
        if (x === y) continue;
        if (x === null || x === undefined) return descending ? 1 : -1;
        if (y === null || y === undefined) return descending ? -1 : 1;
        return (x < y ? -1 : 1) * (descending ? -1 : 1);
      }
      return 0;
    });
  }
  const count = rows.length;
  if (options.top !== undefined) rows = rows.slice(0, options.top);
  if (options.select) checkProperties(entity, table, options.select);
  return { rows: rows.map((row) => ({ ...row })), count };
}

/** Rows hold only JSON scalars: render one as a string key. */
function scalar(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Serialises a row as the Web API returns it (optionally only `select`ed columns, with annotations). */
export function presentRow(
  ctx: EntityContext,
  table: TableMetadata,
  row: Row,
  select: string[] | undefined,
  annotations: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': `W/"${scalar(row.versionnumber ?? 1)}"` };
  const names = select ? [...new Set([...select, table.primaryKey])] : [...readableNames(table)];
  for (const name of names) {
    if (name === 'versionnumber' && !select) continue;
    const value = row[name];
    out[name] = value === undefined ? null : value;
    if (!annotations || value === undefined || value === null) continue;
    if (name.startsWith('_') && name.endsWith('_value')) {
      const targetName = row[`${name}@Microsoft.Dynamics.CRM.lookuplogicalname`];
      if (typeof targetName === 'string') {
        out[`${name}@Microsoft.Dynamics.CRM.lookuplogicalname`] = targetName;
        const targetTable = ctx.tables[targetName];
        const target = targetTable ? ctx.state.get(targetTable.entitySet, scalar(value)) : undefined;
        const label = targetTable?.primaryName ? target?.[targetTable.primaryName] : undefined;
        if (typeof label === 'string') out[`${name}@OData.Community.Display.V1.FormattedValue`] = label;
      }
    } else {
      const options = table.columns[name]?.options;
      const label = options?.[scalar(value)];
      if (label !== undefined) out[`${name}@OData.Community.Display.V1.FormattedValue`] = label;
    }
  }
  return out;
}

export { DataverseError };
