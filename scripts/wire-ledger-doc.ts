/** Rewrites the tables in docs/dataverse-wire-ledger.md from the ledger's rows and the sandbox's rules (a test keeps them equal). */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format } from 'prettier';
import { renderLedgerMarkdown, renderRulesMarkdown } from '../dataverse-sandbox/src/wire-ledger.js';

const file = path.resolve(import.meta.dirname, '../docs/dataverse-wire-ledger.md');
const doc = readFileSync(file, 'utf8');
const next = doc
  .replace(
    /<!-- ledger:start -->\n[\s\S]*?<!-- ledger:end -->/,
    `<!-- ledger:start -->\n${renderLedgerMarkdown()}<!-- ledger:end -->`,
  )
  .replace(
    /<!-- rules:start -->\n[\s\S]*?<!-- rules:end -->/,
    `<!-- rules:start -->\n${renderRulesMarkdown()}<!-- rules:end -->`,
  );
void format(next, { filepath: file }).then((text) => writeFileSync(file, text));
