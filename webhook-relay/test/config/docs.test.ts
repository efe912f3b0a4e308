/**
 * The configuration tables are part of the product: every variable the relay reads is documented in the
 * relay's README, and the operator guide names no variable the relay does not read.
 */
import { describe, expect, it } from 'vitest';
import { read, variablesRead } from './documented.js';

/**
 * Backticked upper-case names in the table rows of one section (`## heading` up to the next one): in the
 * first cell, or in any cell with `anyCell` (a row may name an alternative in its description).
 */
function documented(file: string, heading: string, anyCell = false): Set<string> {
  const text = read(file);
  const start = text.indexOf(`\n## ${heading}\n`);
  expect(start, `${file} has a "## ${heading}" section`).toBeGreaterThan(-1);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end === -1 ? undefined : end);
  const names = new Set<string>();
  for (const line of section.split('\n').filter((l) => l.startsWith('|'))) {
    const cells = anyCell ? line : (line.split('|')[1] ?? '');
    for (const [, name] of cells.matchAll(/`([A-Z][A-Z0-9_]{2,})`/g)) names.add(name);
  }
  return names;
}

describe('configuration documentation', () => {
  const relayReads = variablesRead();

  it('finds the variables the relay reads', () => {
    expect(relayReads.size).toBeGreaterThan(30);
    expect(relayReads).toContain('DATAVERSE_URL');
    expect(relayReads).toContain('REDACT_NATIONAL_ID_PATTERNS');
  });

  it("lists every variable in the relay README's configuration table, and nothing else", () => {
    const table = documented('webhook-relay/README.md', 'Configuration');
    const mentioned = documented('webhook-relay/README.md', 'Configuration', true);
    expect([...relayReads].filter((name) => !mentioned.has(name)).sort()).toEqual([]);
    expect([...table].filter((name) => !relayReads.has(name)).sort()).toEqual([]);
  });

  it('names only real variables in the operator guide and the root README', () => {
    for (const [file, heading] of [
      ['docs/operator-guide.md', 'Configuration'],
      ['README.md', 'Configure it for a real org'],
    ]) {
      const table = documented(file, heading);
      expect(table.size, file).toBeGreaterThan(5);
      expect([...table].filter((name) => !relayReads.has(name)).sort(), file).toEqual([]);
    }
  });
});
