/** Rewrites the tables in docs/solution-comparison.md from solution/test/exports/*.json (a test keeps them equal). */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'prettier';
import { renderComparisonMarkdown } from '../solution/test/exports.js';

const file = path.resolve(import.meta.dirname, '../docs/solution-comparison.md');
const doc = readFileSync(file, 'utf8');
const next = doc.replace(
  /<!-- comparison:start -->\n[\s\S]*?<!-- comparison:end -->/,
  `<!-- comparison:start -->\n${renderComparisonMarkdown()}<!-- comparison:end -->`,
);
void format(next, { filepath: file }).then((text) => writeFileSync(file, text));
