/** Reads a resx file's strings (what `context.resources.getString` returns in a real host). */
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

export function readResx(file: string): Record<string, string> {
  const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'data' }).parse(
    readFileSync(file, 'utf8'),
  ) as { root: { data?: { '@_name': string; value: unknown }[] } };
  return Object.fromEntries((parsed.root.data ?? []).map((d) => [d['@_name'], String(d.value)]));
}
