/**
 * Microsoft's solution XML schemas (solution/schema, Schemas 9.0.0.2090) through xmllint, and the
 * documented exceptions (solution/schema/newer-than-9.0.json): what real exports carry that the 9.0 schemas
 * predate, removed exactly before validating.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import exceptionsFile from '../schema/newer-than-9.0.json' with { type: 'json' };

const SCHEMA_DIR = path.resolve(import.meta.dirname, '../schema');

export type Schema =
  'CustomizationsSolution.xsd' | 'Fetch.xsd' | 'FormXml.xsd' | 'VisualizationDataDescription.xsd';

export interface SchemaException {
  element: string;
  kind: string;
  solutions: string[];
  remove: string;
  why: string;
  export: { repo: string; path: string; commit: string };
}

export const EXCEPTIONS: SchemaException[] = exceptionsFile.exceptions;

/** xmllint's verdict on `xml` against one of the vendored schemas. */
export function validate(xml: string, schema: Schema): { ok: boolean; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'opencx-xsd-'));
  try {
    const file = path.join(dir, 'document.xml');
    writeFileSync(file, xml);
    const result = spawnSync('xmllint', ['--noout', '--schema', path.join(SCHEMA_DIR, schema), file], {
      encoding: 'utf8',
    });
    if (result.error)
      throw new Error(
        `xmllint is needed for this test (Debian: apt-get install libxml2-utils): ${result.error.message}`,
      );
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The exceptions that apply to a solution's customizations.xml. */
export const exceptionsFor = (solution: string) => EXCEPTIONS.filter((e) => e.solutions.includes(solution));

/** `xml` without exactly what the listed exceptions name. */
export function withoutExceptions(xml: string, exceptions: SchemaException[]): string {
  return exceptions.reduce((text, e) => text.replace(new RegExp(e.remove, 'g'), ''), xml);
}
