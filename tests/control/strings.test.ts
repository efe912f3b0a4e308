import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STRING_KEYS } from '../../OpenCXTranscriptControl/model/strings';
import { CONTROL_DIR, resxStrings } from './harness';

const manifest = readFileSync(path.join(CONTROL_DIR, 'ControlManifest.Input.xml'), 'utf8');
const languages = readdirSync(path.join(CONTROL_DIR, 'strings'))
  .map((f) => /\.(\d+)\.resx$/.exec(f)?.[1])
  .filter((lcid): lcid is string => lcid !== undefined)
  .map(Number);
const manifestKeys = [...manifest.matchAll(/(?:display-name-key|description-key)="([^"]+)"/g)].map(
  (m) => m[1],
);

describe('localisation', () => {
  it('ships English and at least two more languages, all declared in the manifest', () => {
    expect(languages).toEqual(expect.arrayContaining([1033, 1036, 1025]));
    for (const lcid of languages) expect(manifest).toContain(`strings/OpenCXTranscriptControl.${lcid}.resx`);
  });

  it.each(languages)('resx %i has every key the code and the manifest use, none empty', (lcid) => {
    const strings = resxStrings(lcid);
    const missing = [...STRING_KEYS, ...manifestKeys].filter((key) => !strings[key]?.trim());
    expect(missing).toEqual([]);
  });

  it.each(languages)('resx %i has no key the code does not use', (lcid) => {
    const used = new Set<string>([...STRING_KEYS, ...manifestKeys]);
    expect(Object.keys(resxStrings(lcid)).filter((key) => !used.has(key))).toEqual([]);
  });

  it.each(languages)('resx %i keeps the placeholders of the English text', (lcid) => {
    const english = resxStrings(1033);
    const strings = resxStrings(lcid);
    const placeholders = (text: string) => [...text.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
    for (const key of STRING_KEYS)
      expect([key, placeholders(strings[key])]).toEqual([key, placeholders(english[key])]);
  });

  it('has every key used as strings.<key> or strings[`…`] in the components listed in STRING_KEYS', () => {
    const sources = ['components', 'model']
      .flatMap((dir) =>
        readdirSync(path.join(CONTROL_DIR, dir), { recursive: true, encoding: 'utf8' })
          .filter((f) => /\.tsx?$/.test(f))
          .map((f) => path.join(CONTROL_DIR, dir, f)),
      )
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    const used = new Set([
      ...[...sources.matchAll(/strings\.([A-Za-z_]+)/g)].map((m) => m[1]),
      ...[...sources.matchAll(/'((?:Link|Full|Search|Copy)_[A-Za-z_]+)'/g)].map((m) => m[1]),
    ]);
    const known = new Set<string>(STRING_KEYS);
    expect([...used].filter((key) => !known.has(key))).toEqual([]);
  });
});
