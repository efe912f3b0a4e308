/**
 * The Web API's `fetchXml` query option for the subset the OpenCX Insights views and charts use (Learn: "Use
 * FetchXml to retrieve data", Web API tab: "Pass your FetchXml query as a URL-encoded string value to the
 * entity set collection using the fetchXml query parameter"): attributes, order, filter with and/or and the
 * conditions below, `top`, and aggregate queries with `groupby`, `count`/`countcolumn` and
 * `dategrouping` day/month/year. Anything else is answered with a clear sandbox "not supported" error (501),
 * never silently ignored, so a view or chart that grows beyond the subset fails its test instead of lying.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DataverseError } from './errors.js';
import { presentRow, type EntityContext } from './entities.js';
import type { ColumnMetadata, TableMetadata } from './metadata-types.js';
import type { Row } from './state.js';

export type ConditionOperator =
  'eq' | 'ne' | 'neq' | 'gt' | 'ge' | 'lt' | 'le' | 'null' | 'not-null' | 'in' | 'not-in' | 'last-x-days';
const OPERATORS = new Set<string>([
  'eq',
  'ne',
  'neq',
  'gt',
  'ge',
  'lt',
  'le',
  'null',
  'not-null',
  'in',
  'not-in',
  'last-x-days',
]);

export interface FetchAttribute {
  name: string;
  alias?: string;
  aggregate?: 'count' | 'countcolumn';
  groupby: boolean;
  dategrouping?: 'day' | 'month' | 'year';
  distinct: boolean;
}
export interface FetchOrder {
  attribute?: string;
  alias?: string;
  descending: boolean;
}
export interface FetchCondition {
  attribute: string;
  operator: ConditionOperator;
  values: string[];
}
export interface FetchFilter {
  type: 'and' | 'or';
  conditions: FetchCondition[];
  filters: FetchFilter[];
}
export interface FetchQuery {
  entity: string;
  aggregate: boolean;
  top?: number;
  useRawOrderBy: boolean;
  attributes: FetchAttribute[];
  orders: FetchOrder[];
  filter?: FetchFilter;
}

/** The sandbox's answer to a part of FetchXML it does not implement (Dataverse would run the query). */
export function notSupported(what: string): DataverseError {
  return new DataverseError(
    501,
    'SandboxNotSupported',
    `The Dataverse sandbox does not support ${what} in fetchXml queries (see dataverse-sandbox/README.md, "fetchXml").`,
  );
}

/**
 * A query Dataverse refuses. Assumption: 400 with InvalidArgument (0x80040203); the Fetch pages name the
 * rule but not the error the Web API returns for it.
 */
function refused(message: string): DataverseError {
  return new DataverseError(400, '0x80040203', message);
}

/**
 * QueryBuilderNoAttribute, 0x80041103 (Learn, "Web service error codes"), with the wording observed from
 * Dataverse ("'account' entity doesn't contain attribute with Name = 'nope'").
 */
export function noAttribute(entity: string, name: string): DataverseError {
  return new DataverseError(
    400,
    '0x80041103',
    `'${entity}' entity doesn't contain attribute with Name = '${name}' and NameMapping = 'Logical'.`,
  );
}

type Node = Record<string, unknown>;
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ['entity', 'attribute', 'order', 'filter', 'condition', 'value'].includes(name),
});

/** The attributes an element may carry here; others are unknown to FetchXML or beyond the subset. */
const ALLOWED: Record<string, readonly string[]> = {
  fetch: ['version', 'output-format', 'mapping', 'distinct', 'aggregate', 'top', 'useraworderby', 'no-lock'],
  entity: ['name'],
  attribute: ['name', 'alias', 'aggregate', 'groupby', 'dategrouping', 'usertimezone', 'distinct'],
  order: ['attribute', 'alias', 'descending'],
  filter: ['type'],
  condition: ['attribute', 'operator', 'value'],
};
const CHILDREN: Record<string, readonly string[]> = {
  fetch: ['entity'],
  entity: ['attribute', 'order', 'filter'],
  filter: ['condition', 'filter'],
  condition: ['value'],
};

const asNode = (value: unknown): Node => (value && typeof value === 'object' ? (value as Node) : {});
const nodes = (value: unknown): Node[] => (Array.isArray(value) ? value.map(asNode) : []);
const attr = (element: Node, name: string): string | undefined => {
  const value = element[`@${name}`];
  return typeof value === 'string' ? value : undefined;
};
const isTrue = (value: string | undefined) => value === 'true' || value === '1';
/** Rows and parsed XML hold scalars: their text. */
function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

function checkShape(name: string, element: Node): void {
  for (const key of Object.keys(element)) {
    if (key.startsWith('@')) {
      if (!ALLOWED[name]?.includes(key.slice(1))) notSupportedAttribute(name, key.slice(1));
    } else if (key !== '#text' && !CHILDREN[name]?.includes(key)) {
      throw notSupported(`the <${key}> element${key === 'link-entity' ? ' (joins)' : ''}`);
    }
  }
}

function notSupportedAttribute(element: string, name: string): never {
  throw notSupported(`the ${name} attribute of <${element}>`);
}

function parseFilter(element: Node): FetchFilter {
  checkShape('filter', element);
  const type = attr(element, 'type') ?? 'and';
  if (type !== 'and' && type !== 'or') throw refused(`The filter type '${type}' is not valid.`);
  const conditions = nodes(element.condition).map((condition): FetchCondition => {
    checkShape('condition', condition);
    const attribute = attr(condition, 'attribute');
    const operator = attr(condition, 'operator');
    if (!attribute || !operator) throw refused('A condition needs an attribute and an operator.');
    if (!OPERATORS.has(operator)) throw notSupported(`the condition operator '${operator}'`);
    const inline = attr(condition, 'value');
    const listed = (Array.isArray(condition.value) ? (condition.value as unknown[]) : []).map((v) =>
      typeof v === 'string' ? v : scalarText(asNode(v)['#text'] ?? ''),
    );
    // "in" and "not-in" take <value> elements (Learn, "condition element", in / not-in operators).
    const values = inline !== undefined ? [inline, ...listed] : listed;
    return { attribute, operator: operator as ConditionOperator, values };
  });
  return { type, conditions, filters: nodes(element.filter).map(parseFilter) };
}

/** Parses a FetchXML query, refusing what Dataverse refuses and naming what the sandbox does not support. */
export function parseFetch(xml: string): FetchQuery {
  if (XMLValidator.validate(xml) !== true) throw refused('The fetchXml parameter is not well-formed XML.');
  const root = asNode(parser.parse(xml) as unknown);
  const fetch = asNode(root.fetch);
  if (!root.fetch) throw refused('The fetchXml parameter has no <fetch> element.');
  checkShape('fetch', fetch);
  const entities = nodes(fetch.entity);
  if (entities.length !== 1) throw refused('A fetch query has exactly one <entity> element.');
  const entity = entities[0];
  checkShape('entity', entity);
  const name = attr(entity, 'name');
  if (!name) throw refused('The <entity> element needs a name.');
  if (attr(fetch, 'distinct') === 'true') throw notSupported('distinct="true"');
  const aggregate = isTrue(attr(fetch, 'aggregate'));
  const topText = attr(fetch, 'top');
  const top = topText === undefined ? undefined : Number(topText);
  if (top !== undefined && (!Number.isInteger(top) || top < 1 || top > 5000))
    throw refused(`The top value '${topText}' is not between 1 and 5,000.`);
  const attributes = nodes(entity.attribute).map((element): FetchAttribute => {
    checkShape('attribute', element);
    const attributeName = attr(element, 'name');
    if (!attributeName) throw refused('An <attribute> element needs a name.');
    const aggregateFunction = attr(element, 'aggregate');
    if (aggregateFunction && !['count', 'countcolumn'].includes(aggregateFunction))
      throw notSupported(`the aggregate function '${aggregateFunction}'`);
    const dategrouping = attr(element, 'dategrouping');
    if (dategrouping && !['day', 'month', 'year'].includes(dategrouping))
      throw notSupported(`dategrouping="${dategrouping}"`);
    return {
      name: attributeName,
      alias: attr(element, 'alias'),
      aggregate: aggregateFunction as FetchAttribute['aggregate'],
      groupby: isTrue(attr(element, 'groupby')),
      dategrouping: dategrouping as FetchAttribute['dategrouping'],
      distinct: isTrue(attr(element, 'distinct')),
    };
  });
  const orders = nodes(entity.order).map((element): FetchOrder => {
    checkShape('order', element);
    return {
      attribute: attr(element, 'attribute'),
      alias: attr(element, 'alias'),
      descending: isTrue(attr(element, 'descending')),
    };
  });
  const filters = nodes(entity.filter);
  if (filters.length > 1) throw notSupported('more than one <filter> directly under <entity>');
  const query: FetchQuery = {
    entity: name,
    aggregate,
    top,
    useRawOrderBy: isTrue(attr(fetch, 'useraworderby')),
    attributes,
    orders,
    filter: filters[0] ? parseFilter(filters[0]) : undefined,
  };
  checkAggregateRules(query);
  return query;
}

/**
 * Learn, "Aggregate data using FetchXml": "To return an aggregate value, you must set the fetch element
 * aggregate attribute to true, set the alias attribute for each attribute element, set the aggregate attribute
 * for each attribute element" (or group by it); "when grouping, you should specify an order element with an
 * alias value set to the alias of the group".
 */
function checkAggregateRules(query: FetchQuery): void {
  const aggregated = query.attributes.some((a) => a.aggregate || a.groupby || a.dategrouping);
  if (!query.aggregate) {
    if (aggregated) refusedAggregate('aggregate or groupby attributes need <fetch aggregate="true">');
    return;
  }
  for (const attribute of query.attributes) {
    if (!attribute.alias) refusedAggregate(`the attribute '${attribute.name}' has no alias`);
    if (!attribute.aggregate && !attribute.groupby)
      refusedAggregate(`the attribute '${attribute.name}' is neither aggregated nor grouped by`);
    if (attribute.dategrouping && !attribute.groupby)
      refusedAggregate(`dategrouping on '${attribute.name}' needs groupby="true"`);
  }
  const aliases = new Set(query.attributes.map((a) => a.alias));
  for (const order of query.orders) {
    if (order.attribute || !order.alias) throw notSupported('ordering an aggregate query by attribute');
    if (!aliases.has(order.alias)) refusedAggregate(`the order alias '${order.alias}' names no attribute`);
  }
}

function refusedAggregate(detail: string): never {
  throw refused(`Invalid aggregate query: ${detail}.`);
}

const lookupTypes = new Set(['Customer', 'Lookup', 'Owner']);

/** The name a column's value is stored and read under: lookups as `_<name>_value`. */
function storedName(column: string, meta: ColumnMetadata): string {
  return lookupTypes.has(meta.type) ? `_${column}_value` : column;
}

function columnOf(table: TableMetadata, entity: string, name: string): ColumnMetadata {
  const meta = table.columns[name];
  if (!meta) throw noAttribute(entity, name);
  return meta;
}

type Comparable = string | number;

/** A stored or literal value as the column's type compares it (strings case-insensitively, as Dataverse). */
function comparable(meta: ColumnMetadata, value: unknown): Comparable | null {
  if (value === null || value === undefined || value === '') return null;
  switch (meta.type) {
    case 'Picklist':
    case 'State':
    case 'Status':
    case 'Integer':
      return Number(value);
    case 'DateTime':
      return Date.parse(scalarText(value));
    case 'Boolean':
      return value === true || value === 'true' || value === '1' ? 1 : 0;
    default:
      return scalarText(value).toLowerCase();
  }
}

const DAY_MS = 86_400_000;

function matchesCondition(ctx: EntityContext, meta: ColumnMetadata, condition: FetchCondition, raw: unknown) {
  const value = comparable(meta, raw);
  const literals = condition.values.map((v) => comparable(meta, v));
  const [first] = literals;
  switch (condition.operator) {
    case 'null':
      return value === null;
    case 'not-null':
      return value !== null;
    case 'in':
      return value !== null && literals.includes(value);
    case 'not-in':
      return value !== null && !literals.includes(value);
    case 'last-x-days': {
      // "The value is within last X days" (Learn, condition operators, last-x-days). Reading: from midnight
      // (UTC, the sandbox user's time zone) X days before today, up to now.
      if (value === null || meta.type !== 'DateTime') return false;
      const days = Number(condition.values[0]);
      const now = ctx.now().getTime();
      const from = Math.floor(now / DAY_MS) * DAY_MS - days * DAY_MS;
      return (value as number) >= from && (value as number) <= now;
    }
    default:
      break;
  }
  if (value === null || first === null || first === undefined) return false;
  switch (condition.operator) {
    case 'eq':
      return value === first;
    case 'ne':
    case 'neq':
      return value !== first;
    case 'gt':
      return value > first;
    case 'ge':
      return value >= first;
    case 'lt':
      return value < first;
    case 'le':
      return value <= first;
    default:
      return false;
  }
}

function checkConditionValues(entity: string, meta: ColumnMetadata, condition: FetchCondition): void {
  const needsNone = condition.operator === 'null' || condition.operator === 'not-null';
  const needsList = condition.operator === 'in' || condition.operator === 'not-in';
  if (needsNone && condition.values.length > 0)
    throw refused(`The condition operator '${condition.operator}' takes no value.`);
  if (needsList && condition.values.length === 0)
    throw refused(`The condition operator '${condition.operator}' needs <value> elements.`);
  if (!needsNone && !needsList && condition.values.length !== 1)
    throw refused(`The condition operator '${condition.operator}' takes one value.`);
  if (condition.operator === 'last-x-days') {
    if (meta.type !== 'DateTime') throw refused(`last-x-days needs a date and time column on '${entity}'.`);
    if (!/^\d+$/.test(condition.values[0] ?? '')) throw refused('last-x-days needs a whole number of days.');
  }
  for (const literal of condition.values) {
    const number = meta.type === 'Picklist' || meta.type === 'Integer' || meta.type === 'State';
    if (number && !/^-?\d+$/.test(literal))
      throw refused(`The value '${literal}' is not valid for the attribute '${condition.attribute}'.`);
    if (meta.type === 'DateTime' && condition.operator !== 'last-x-days' && Number.isNaN(Date.parse(literal)))
      throw refused(`The value '${literal}' is not a valid date and time.`);
  }
}

function checkFilter(table: TableMetadata, entity: string, filter: FetchFilter): void {
  for (const condition of filter.conditions)
    checkConditionValues(entity, columnOf(table, entity, condition.attribute), condition);
  for (const nested of filter.filters) checkFilter(table, entity, nested);
}

function matchesFilter(ctx: EntityContext, table: TableMetadata, filter: FetchFilter, row: Row): boolean {
  const results = [
    ...filter.conditions.map((condition) => {
      const meta = table.columns[condition.attribute];
      return matchesCondition(ctx, meta, condition, row[storedName(condition.attribute, meta)]);
    }),
    ...filter.filters.map((nested) => matchesFilter(ctx, table, nested, row)),
  ];
  return filter.type === 'and' ? results.every(Boolean) : results.some(Boolean);
}

/** Ascending, nulls first (SQL Server's order, which Dataverse queries follow). */
function compare(a: Comparable | null, b: Comparable | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** Learn, "Aggregate data using FetchXml", Limitations: 50,000 records (AggregateQueryRecordLimit). */
export const AGGREGATE_RECORD_LIMIT = 50_000;

export interface FetchResult {
  /** The column names the answer's `@odata.context` lists. */
  columns: string[];
  value: Record<string, unknown>[];
}

/** Runs a parsed query against the table's rows, as the Web API answers `GET <set>?fetchXml=…`. */
export function runFetch(
  ctx: EntityContext,
  table: TableMetadata,
  entity: string,
  query: FetchQuery,
  annotations: boolean,
): FetchResult {
  for (const attribute of query.attributes) columnOf(table, entity, attribute.name);
  for (const order of query.orders) if (order.attribute) columnOf(table, entity, order.attribute);
  if (query.filter) checkFilter(table, entity, query.filter);
  const filter = query.filter;
  const rows = ctx.state
    .rows(table.entitySet)
    .filter((row) => !filter || matchesFilter(ctx, table, filter, row));
  return query.aggregate
    ? aggregate(table, query, rows, annotations)
    : select(ctx, table, query, rows, annotations);
}

/** The label a choice value shows in the user's language (1033 here): what choice columns sort by. */
function labelOf(meta: ColumnMetadata, value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : meta.options?.[scalarText(value)];
}

function select(
  ctx: EntityContext,
  table: TableMetadata,
  query: FetchQuery,
  rows: Row[],
  annotations: boolean,
): FetchResult {
  // "Choice column values are also sorted using the formatted values rather than the values stored in the
  // database", unless useraworderby (Learn, "Order rows using FetchXml", Choice columns).
  const sortKey = (meta: ColumnMetadata, row: Row, column: string): Comparable | null => {
    const raw = row[storedName(column, meta)];
    if (meta.options && !query.useRawOrderBy) return labelOf(meta, raw)?.toLowerCase() ?? null;
    return comparable(meta, raw);
  };
  const sorted = [...rows];
  if (query.orders.length) {
    sorted.sort((a, b) => {
      for (const order of query.orders) {
        const column = order.attribute ?? '';
        const meta = table.columns[column];
        const result = compare(sortKey(meta, a, column), sortKey(meta, b, column));
        if (result !== 0) return order.descending ? -result : result;
      }
      return 0;
    });
  }
  const limited = query.top === undefined ? sorted : sorted.slice(0, query.top);
  const names = query.attributes.map((a) => storedName(a.name, table.columns[a.name]));
  const columns = [...new Set([...query.attributes.map((a) => a.name), table.primaryKey])];
  const value = limited.map((row) => {
    const presented = presentRow(ctx, table, row, names, annotations);
    // "FetchXML queries sent using Web API don't return properties with null values" (Learn, "Use FetchXml
    // to retrieve data", Web API).
    for (const [key, item] of Object.entries(presented)) if (item === null) delete presented[key];
    return presented;
  });
  return { columns, value };
}

/** The part of a date a `dategrouping` names, in UTC (the sandbox user's time zone). */
function datePart(value: unknown, grouping: 'day' | 'month' | 'year'): number | null {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  if (grouping === 'day') return date.getUTCDate();
  if (grouping === 'month') return date.getUTCMonth() + 1;
  return date.getUTCFullYear();
}

function aggregate(table: TableMetadata, query: FetchQuery, rows: Row[], annotations: boolean): FetchResult {
  if (rows.length > AGGREGATE_RECORD_LIMIT) {
    throw new DataverseError(
      400,
      '0x8004E023',
      'AggregateQueryRecordLimit exceeded. Cannot perform this operation.',
    );
  }
  const groupBys = query.attributes.filter((a) => a.groupby);
  const keyOf = (row: Row) =>
    groupBys.map((g) => {
      const raw = row[storedName(g.name, table.columns[g.name])] ?? null;
      return g.dategrouping ? datePart(raw, g.dategrouping) : raw;
    });
  const groups = new Map<string, { key: unknown[]; rows: Row[] }>();
  for (const row of rows) {
    const key = keyOf(row);
    const id = JSON.stringify(key);
    const group = groups.get(id) ?? { key, rows: [] };
    group.rows.push(row);
    groups.set(id, group);
  }
  // With no group by, an aggregate query answers one row, also over no records.
  if (groupBys.length === 0 && groups.size === 0) groups.set('[]', { key: [], rows: [] });
  const value = [...groups.values()].map(({ key, rows: members }) => {
    const out: Record<string, unknown> = {};
    query.attributes.forEach((attribute) => {
      const alias = attribute.alias ?? attribute.name;
      const meta = table.columns[attribute.name];
      if (attribute.groupby) {
        const item = key[groupBys.indexOf(attribute)];
        if (item === null || item === undefined) return;
        out[alias] = item;
        const label = attribute.dategrouping ? undefined : labelOf(meta, item);
        if (annotations && label !== undefined)
          out[`${alias}@OData.Community.Display.V1.FormattedValue`] = label;
        return;
      }
      const stored = storedName(attribute.name, meta);
      if (attribute.aggregate === 'count') {
        out[alias] = members.length;
      } else {
        const present = members.map((row) => row[stored]).filter((v) => v !== null && v !== undefined);
        out[alias] = attribute.distinct
          ? new Set(present.map((v) => JSON.stringify(v))).size
          : present.length;
      }
    });
    return out;
  });
  if (query.orders.length) {
    value.sort((a, b) => {
      for (const order of query.orders) {
        const alias = order.alias ?? '';
        const result = compare(
          (a[alias] as Comparable | undefined) ?? null,
          (b[alias] as Comparable | undefined) ?? null,
        );
        if (result !== 0) return order.descending ? -result : result;
      }
      return 0;
    });
  }
  const limited = query.top === undefined ? value : value.slice(0, query.top);
  return { columns: query.attributes.map((a) => a.alias ?? a.name), value: limited };
}
