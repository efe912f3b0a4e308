/**
 * The React and Fluent versions the manifest declares, against what pcf-scripts accepts, what Learn allows,
 * what we build with, and what the browser suite's combinations really install (preview/src/platforms.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { platform, PLATFORM_IDS } from '../../preview/src/platforms';
import { CONTROL_DIR } from './harness';

const require = createRequire(import.meta.url);
const manifest = readFileSync(path.join(CONTROL_DIR, 'ControlManifest.Input.xml'), 'utf8');
const declared = Object.fromEntries(
  [...manifest.matchAll(/<platform-library name="(\w+)" version="([^"]+)"/g)].map((m) => [m[1], m[2]]),
);

interface Range {
  minVersion: string;
  maxVersion: string;
  libAlias: string;
}
const accepted = JSON.parse(
  readFileSync(require.resolve('pcf-scripts/PlatformLibraryVersions.json'), 'utf8'),
) as Record<'react' | 'fluent', Range[]>;

const parts = (v: string) => v.split('.').map(Number);
function compare(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}
const rangeOf = (ranges: Range[], v: string) =>
  ranges.find((r) => compare(v, r.minVersion) >= 0 && compare(v, r.maxVersion) <= 0);
const installed = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

describe('platform libraries', () => {
  it('declares React 16.14.0 and Fluent 9.46.2, the highest Learn allows, and builds against exactly those', () => {
    // Learn, "React controls & platform libraries", "Supported platform libraries list" (ms.date
    // 10/10/2025): React 16.14.0; Fluent (@fluentui/react-components) >=9.4.0 <=9.46.2.
    expect(declared).toEqual({ React: '16.14.0', Fluent: '9.46.2' });
    expect(installed('react')).toBe(declared.React);
    expect(installed('react-dom')).toBe(declared.React);
    expect(installed('@fluentui/react-components')).toBe(declared.Fluent);
  });

  it('declares versions pcf-scripts maps to the globals the platform provides (Reactv16, FluentUIReactv940)', () => {
    expect(rangeOf(accepted.react, declared.React)?.libAlias).toBe('Reactv16');
    expect(rangeOf(accepted.fluent, declared.Fluent)?.libAlias).toBe('FluentUIReactv940');
  });

  it('tests the versions model-driven apps load and the newest pcf-scripts accepts', () => {
    const combos = Object.fromEntries(PLATFORM_IDS.map((id) => [id, platform(id).versions]));
    expect(combos).toEqual({
      declared: { react: '16.14.0', reactDom: '16.14.0', fluent: '9.46.2' },
      // Learn's "Version loaded" column: React 17.0.2 (Model), Fluent 9.68.0.
      'model-driven': { react: '17.0.2', reactDom: '17.0.2', fluent: '9.68.0' },
      'react-18': { react: '18.3.1', reactDom: '18.3.1', fluent: '9.68.0' },
    });
    // The newest React and Fluent pcf-scripts 1.51.1 accepts are the ones the last combination runs.
    const newest = (ranges: Range[]) =>
      ranges
        .map((r) => r.maxVersion)
        .sort(compare)
        .at(-1);
    expect(newest(accepted.react)).toBe(combos['react-18'].react);
    expect(newest(accepted.fluent.filter((r) => r.minVersion.startsWith('9')))).toBe(
      combos['react-18'].fluent,
    );
  });
});
