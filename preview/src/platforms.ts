/**
 * The React and Fluent versions the preview host can give the production bundle, as a model-driven form
 * does: the platform sets its own React and Fluent as the globals pcf-scripts' externals read (`Reactv16`,
 * `FluentUIReactv940`), whatever version the manifest declared. The extra versions are npm aliases in the
 * root package.json (e.g. "react-18": "npm:react@18.3.1"), bundled into the host by esbuild: nothing is
 * downloaded at run time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type PlatformId = 'declared' | 'model-driven' | 'react-18';

interface PlatformPackages {
  react: string;
  reactDom: string;
  fluent: string;
}

/** Which installed package plays React, ReactDOM and Fluent in each combination. */
const PACKAGES: Readonly<Record<PlatformId, PlatformPackages>> = {
  // What the manifest declares (<platform-library name="React" version="16.14.0"/>, Fluent 9.46.2).
  declared: { react: 'react', reactDom: 'react-dom', fluent: '@fluentui/react-components' },
  // What model-driven apps load today: Learn, "React controls & platform libraries", "Supported platform
  // libraries list" (ms.date 10/10/2025): React 16.14.0 allowed, 17.0.2 loaded (Model); Fluent
  // >=9.4.0 <=9.46.2 allowed, 9.68.0 loaded.
  'model-driven': { react: 'react-17', reactDom: 'react-dom-17', fluent: 'fluent-9-68' },
  // The newest pcf-scripts 1.51.1 accepts (PlatformLibraryVersions.json: React up to 18.3.1, Fluent 9.68.0).
  'react-18': { react: 'react-18', reactDom: 'react-dom-18', fluent: 'fluent-9-68' },
};

export const PLATFORM_IDS = Object.keys(PACKAGES) as PlatformId[];

export interface Platform extends PlatformPackages {
  id: PlatformId;
  /** Installed versions, read from the packages themselves. */
  versions: { react: string; reactDom: string; fluent: string };
  /** e.g. "React 17.0.2 + Fluent 9.68.0" */
  label: string;
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));

function installedVersion(name: string): string {
  const manifest = requireFromRoot.resolve(`${name}/package.json`);
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

export function isPlatformId(value: string | undefined): value is PlatformId {
  return value !== undefined && (PLATFORM_IDS as string[]).includes(value);
}

export function platform(id: PlatformId): Platform {
  const packages = PACKAGES[id];
  const versions = {
    react: installedVersion(packages.react),
    reactDom: installedVersion(packages.reactDom),
    fluent: installedVersion(packages.fluent),
  };
  return { id, ...packages, versions, label: `React ${versions.react} + Fluent ${versions.fluent}` };
}

/** esbuild `alias`: the host imports react, react-dom and Fluent; these names pick the combination's. */
export function bundleAliases(p: Platform): Record<string, string> {
  const alias: Record<string, string> = {};
  if (p.react !== 'react') alias.react = p.react;
  if (p.reactDom !== 'react-dom') alias['react-dom'] = p.reactDom;
  if (p.fluent !== '@fluentui/react-components') alias['@fluentui/react-components'] = p.fluent;
  return alias;
}
