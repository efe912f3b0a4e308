/**
 * The point-by-point comparison of our solution components with real exported solutions, as data
 * (solution/test/exports/*.json): per component, each element or attribute, our value, the export's value,
 * the export's repository, path and commit, and why the two differ where they do. exports.test.ts checks every
 * row against our XML; scripts/solution-comparison-doc.ts renders docs/solution-comparison.md from the rows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export interface ComparisonRow {
  /** Relative to the component: `a/b[0]/c[key=value]/@attr`; `#text` for an element's text beside attributes. */
  path: string;
  /** Our value (null: absent). */
  ours: string | null;
  /** The export's value (null: absent). */
  export: string | null;
  /** Why they differ (required when they do). */
  why?: string;
}

export interface Comparison {
  component: string;
  ours: { file: string; select: string; name: string };
  export: { repo: string; path: string; commit: string; name: string };
  rows: ComparisonRow[];
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIR = path.join(ROOT, 'solution/test/exports');

export function comparisons(): Comparison[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(DIR, f), 'utf8')) as Comparison);
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  commentPropName: '#comment',
});

type Node = unknown;

function step(node: Node, segment: string): Node {
  if (node === undefined || node === null) return undefined;
  const match = /^([^[\]]+)(?:\[([^\]]+)\])?$/.exec(segment);
  if (!match) throw new Error(`Bad path segment: ${segment}`);
  const [, name, selector] = match;
  const value = (node as Record<string, Node>)[name];
  const items = Array.isArray(value) ? (value as Node[]) : value === undefined ? [] : [value];
  if (selector === undefined) return Array.isArray(value) ? items[0] : value;
  if (/^\d+$/.test(selector)) return items[Number(selector)];
  const [key, wanted] = selector.split('=');
  return items.find((item) => textOf(step(item, key)) === wanted);
}

/** An element or attribute's value as text ('' for an empty element), null when absent. */
export function textOf(node: Node): string | null {
  if (node === undefined || node === null) return null;
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  const text = (node as Record<string, Node>)['#text'];
  return typeof text === 'string' ? text : '';
}

export function resolve(node: Node, pathText: string): Node {
  return pathText.split('/').reduce(step, node);
}

/** Our component, as the comparison's `ours.select` picks it out of `ours.file`. */
export function ourComponent(comparison: Comparison): Node {
  const xml = readFileSync(path.join(ROOT, comparison.ours.file), 'utf8');
  const component = resolve(parser.parse(xml), comparison.ours.select);
  if (component === undefined)
    throw new Error(`${comparison.component}: ${comparison.ours.select} is not in ${comparison.ours.file}`);
  return component;
}

/** A table cell: pipes escaped, so a DisplayMask such as `A|B` stays one cell. */
const escapePipes = (text: string) => text.replaceAll('|', '\\|');
const cell = (value: string | null) =>
  value === null ? '(absent)' : value === '' ? '(empty)' : `\`${escapePipes(value)}\``;

/** docs/solution-comparison.md's tables, one per component. */
export function renderComparisonMarkdown(): string {
  return comparisons()
    .map((c) => {
      const source = `[${c.export.repo}](https://github.com/${c.export.repo}) \`${c.export.path}\` at \`${c.export.commit.slice(0, 12)}\``;
      const rows = c.rows
        .map(
          (r) => `| \`${r.path}\` | ${cell(r.ours)} | ${cell(r.export)} | ${escapePipes(r.why ?? 'same')} |`,
        )
        .join('\n');
      return `### ${c.component}\n\nOurs: ${c.ours.name} (\`${c.ours.file}\`). Export: ${c.export.name}, ${source}.\n\n| element or attribute | ours | the export | why they differ |\n| --- | --- | --- | --- |\n${rows}\n`;
    })
    .join('\n');
}
