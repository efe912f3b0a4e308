/**
 * OData `$filter` subset: comparisons (eq ne gt ge lt le), and / or / not, parentheses, null, booleans,
 * numbers, GUIDs, date-time literals, string literals with doubled single quotes, and contains / startswith
 * / endswith.
 * String comparison is case-insensitive, as in Dataverse's default collation.
 */
import { errors } from './errors.js';

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: CompareOp; left: Operand; right: Operand }
  | { kind: 'function'; name: 'contains' | 'startswith' | 'endswith'; property: string; value: string };

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type Operand =
  { kind: 'property'; name: string } | { kind: 'literal'; value: string | number | boolean | null };

type Token =
  | { t: 'ident'; v: string }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'guid'; v: string }
  | { t: 'punct'; v: '(' | ')' | ',' };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/**
 * An Edm.DateTimeOffset literal, unquoted, with its offset (OData ABNF dateTimeOffsetValue): how date and time
 * columns such as `createdon`, "exposed as DateTimeOffset" to the Web API (MS Learn, Behavior and format of
 * the date and time column: UserLocal), are compared. Read as the UTC ISO string the sandbox stores.
 */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})/;

function syntaxError(detail: string) {
  return errors.badRequest(`Syntax error in $filter: ${detail}`, '0x0');
}

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch === ' ' || ch === '\t') {
      i += 1;
    } else if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ t: 'punct', v: ch });
      i += 1;
    } else if (ch === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= input.length) throw syntaxError('unterminated string literal');
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += input[i];
        i += 1;
      }
      tokens.push({ t: 'string', v: value });
    } else {
      const dateTime = DATE_TIME.exec(input.slice(i));
      if (dateTime) {
        const ms = Date.parse(dateTime[0]);
        if (Number.isNaN(ms)) throw syntaxError(`'${dateTime[0]}' is not a valid date and time`);
        tokens.push({ t: 'string', v: new Date(ms).toISOString() });
        i += dateTime[0].length;
        continue;
      }
      const guid = GUID.exec(input.slice(i));
      if (guid) {
        tokens.push({ t: 'guid', v: guid[0].toLowerCase() });
        i += guid[0].length;
        continue;
      }
      const num = /^-?\d+(?:\.\d+)?/.exec(input.slice(i));
      if (num && !/^[A-Z_]/i.test(input.slice(i + num[0].length))) {
        tokens.push({ t: 'number', v: Number(num[0]) });
        i += num[0].length;
        continue;
      }
      const ident = /^[A-Z_][\w./]*/i.exec(input.slice(i));
      if (!ident) throw syntaxError(`unexpected character '${ch}' at position ${i}`);
      tokens.push({ t: 'ident', v: ident[0] });
      i += ident[0].length;
    }
  }
  return tokens;
}

export function parseFilter(input: string): FilterNode {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (word: string) => {
    const token = peek();
    return token?.t === 'ident' && token.v.toLowerCase() === word;
  };
  const expectPunct = (v: string) => {
    const token = tokens[pos];
    if (token?.t !== 'punct' || token.v !== v) throw syntaxError(`expected '${v}'`);
    pos += 1;
  };

  function parseOr(): FilterNode {
    let left = parseAnd();
    while (isWord('or')) {
      pos += 1;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  }
  function parseAnd(): FilterNode {
    let left = parseUnary();
    while (isWord('and')) {
      pos += 1;
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  }
  function parseUnary(): FilterNode {
    if (isWord('not')) {
      pos += 1;
      return { kind: 'not', operand: parseUnary() };
    }
    const token = peek();
    if (token?.t === 'punct' && token.v === '(') {
      pos += 1;
      const inner = parseOr();
      expectPunct(')');
      return inner;
    }
    if (token?.t === 'ident' && ['contains', 'startswith', 'endswith'].includes(token.v.toLowerCase())) {
      const next = tokens[pos + 1];
      if (next?.t === 'punct' && next.v === '(') {
        pos += 2;
        const property = tokens[pos];
        if (property?.t !== 'ident') throw syntaxError('a function needs a property name');
        pos += 1;
        expectPunct(',');
        const value = tokens[pos];
        if (value?.t !== 'string') throw syntaxError('a function needs a string literal');
        pos += 1;
        expectPunct(')');
        return {
          kind: 'function',
          name: token.v.toLowerCase() as 'contains' | 'startswith' | 'endswith',
          property: property.v,
          value: value.v,
        };
      }
    }
    const left = parseOperand();
    const opToken = peek();
    if (opToken?.t !== 'ident' || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(opToken.v.toLowerCase())) {
      throw syntaxError('expected a comparison operator');
    }
    pos += 1;
    return { kind: 'compare', op: opToken.v.toLowerCase() as CompareOp, left, right: parseOperand() };
  }
  function parseOperand(): Operand {
    const token = tokens[pos];
    if (!token) throw syntaxError('unexpected end of expression');
    pos += 1;
    switch (token.t) {
      case 'string':
        return { kind: 'literal', value: token.v };
      case 'number':
        return { kind: 'literal', value: token.v };
      case 'guid':
        return { kind: 'literal', value: token.v };
      case 'ident': {
        const word = token.v.toLowerCase();
        if (word === 'null') return { kind: 'literal', value: null };
        if (word === 'true') return { kind: 'literal', value: true };
        if (word === 'false') return { kind: 'literal', value: false };
        return { kind: 'property', name: token.v };
      }
      default:
        throw syntaxError(`unexpected '${token.v}'`);
    }
  }

  const node = parseOr();
  if (pos !== tokens.length) throw syntaxError('unexpected trailing input');
  return node;
}

/** Every property name the filter reads, to validate them against metadata. */
export function filterProperties(node: FilterNode): string[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      return [...filterProperties(node.left), ...filterProperties(node.right)];
    case 'not':
      return filterProperties(node.operand);
    case 'function':
      return [node.property];
    case 'compare':
      return [node.left, node.right].flatMap((o) => (o.kind === 'property' ? [o.name] : []));
  }
}

export function usesLeadingWildcard(node: FilterNode): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return usesLeadingWildcard(node.left) || usesLeadingWildcard(node.right);
    case 'not':
      return usesLeadingWildcard(node.operand);
    case 'function':
      return node.name !== 'startswith';
    case 'compare':
      return false;
  }
}

type Row = Record<string, unknown>;

function valueOf(operand: Operand, row: Row): unknown {
  return operand.kind === 'property' ? (row[operand.name] ?? null) : operand.value;
}

function normalise(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function compare(op: CompareOp, a: unknown, b: unknown): boolean {
  const x = normalise(a);
  const y = normalise(b);
  switch (op) {
    case 'eq':
      return x === y;
    case 'ne':
      return x !== y;
    default: {
      if (x === null || y === null) return false;
      if (typeof x !== typeof y) return false;
      const lt = (x as number | string) < (y as number | string);
      const gt = (x as number | string) > (y as number | string);
      return op === 'lt' ? lt : op === 'le' ? lt || x === y : op === 'gt' ? gt : gt || x === y;
    }
  }
}

export function matches(node: FilterNode, row: Row): boolean {
  switch (node.kind) {
    case 'and':
      return matches(node.left, row) && matches(node.right, row);
    case 'or':
      return matches(node.left, row) || matches(node.right, row);
    case 'not':
      return !matches(node.operand, row);
    case 'compare':
      return compare(node.op, valueOf(node.left, row), valueOf(node.right, row));
    case 'function': {
      const value = row[node.property];
      if (typeof value !== 'string') return false;
      const haystack = value.toLowerCase();
      const needle = node.value.toLowerCase();
      if (node.name === 'contains') return haystack.includes(needle);
      if (node.name === 'startswith') return haystack.startsWith(needle);
      return haystack.endsWith(needle);
    }
  }
}
