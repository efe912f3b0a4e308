/**
 * The comparison with real exported solutions (solution/test/exports/*.json) holds for our XML: every row's
 * `ours` is what our component carries at that path, every difference from the export says why, and
 * docs/solution-comparison.md lists every row (regenerate: npx tsx scripts/solution-comparison-doc.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparisons, ourComponent, renderComparisonMarkdown, resolve, textOf } from './exports.js';

const root = path.resolve(import.meta.dirname, '../..');

describe.each(comparisons().map((c) => [c.component, c] as const))('%s', (_name, comparison) => {
  it('names a real export: repository, path and a full commit', () => {
    expect(comparison.export.repo).toMatch(/^[\w.-]+\/[\w.-]+$/);
    expect(comparison.export.path.length).toBeGreaterThan(0);
    expect(comparison.export.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it.each(comparison.rows.map((row) => [row.path, row] as const))('%s: ours as recorded', (rowPath, row) => {
    expect(textOf(resolve(ourComponent(comparison), rowPath))).toBe(row.ours);
  });

  it('says why wherever ours differs from the export', () => {
    const unexplained = comparison.rows.filter((r) => r.ours !== r.export && !r.why?.trim());
    expect(unexplained.map((r) => r.path)).toEqual([]);
    const paths = comparison.rows.map((r) => r.path);
    expect(new Set(paths).size).toBe(paths.length);
  });
});

describe('docs/solution-comparison.md', () => {
  it('lists every comparison row, as the data holds them', () => {
    const doc = readFileSync(path.join(root, 'docs/solution-comparison.md'), 'utf8');
    const generated = /<!-- comparison:start -->\n([\s\S]*?)<!-- comparison:end -->/.exec(doc)?.[1] ?? '';
    const rendered = renderComparisonMarkdown();
    // Table rows, each cell trimmed (Prettier pads the columns).
    const rows = (markdown: string) =>
      markdown
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) =>
          line
            .split(/(?<!\\)\|/)
            .map((c) => c.trim())
            .join('|'),
        );
    expect(rows(generated)).toEqual(rows(rendered));
    expect(rows(generated).length).toBe(comparisons().reduce((n, c) => n + c.rows.length, 0));
  });
});
