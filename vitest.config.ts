import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { platform, PLATFORM_IDS } from './preview/src/platforms';

const here = import.meta.dirname;

// Tests always run against the workspace sources, so `npm test` needs no package build first.
const alias = [
  ['transcript-format', 'transcript-format/src/index.ts'],
  ['dataverse-sandbox', 'dataverse-sandbox/src/index.ts'],
  ['contact-match/core', 'contact-match/src/core.ts'],
  ['contact-match', 'contact-match/src/index.ts'],
].map(([name, source]) => ({
  find: new RegExp(`^@opencx-d365/${name}$`),
  replacement: path.join(here, source),
}));

/**
 * The control's browser suite runs once per platform combination (preview/src/platforms.ts): the production
 * bundle, unchanged, with the React and Fluent the preview host gives it. The project's name is the
 * combination, so a failure names it; OPENCX_PLATFORMS=declared,react-18 runs only some.
 */
const CONTROL_SUITES = [
  'tests/browser/control.test.ts',
  'tests/browser/bidi.test.ts',
  'tests/browser/phone.test.ts',
];
const wanted = process.env.OPENCX_PLATFORMS?.split(',').map((id) => id.trim());
const NOTE: Record<string, string> = {
  declared: ' (declared)',
  'model-driven': ' (model-driven apps today)',
};
/** The combination's name from the installed packages; a missing alias fails that project's tests only. */
function projectName(id: (typeof PLATFORM_IDS)[number]): string {
  try {
    return `browser: ${platform(id).label}${NOTE[id] ?? ''}`;
  } catch {
    return `browser: ${id} (its React/Fluent aliases are not installed: run npm ci)`;
  }
}
const platformProjects = PLATFORM_IDS.filter((id) => !wanted || wanted.includes(id)).map((id) => ({
  extends: true as const,
  test: {
    name: projectName(id),
    environment: 'node' as const,
    include: CONTROL_SUITES,
    env: { OPENCX_PLATFORM: id },
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
}));

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ['default', './scripts/vitest-summary-reporter.ts'],
    // Parts land issue by issue; a project with no test files yet is not a failure of the others.
    passWithNoTests: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          setupFiles: ['scripts/vitest-fast-check.ts', 'scripts/vitest-wire-suite.ts'],
          // Every Dataverse request the run sends must be in the wire ledger (scripts/wire-ledger-check.ts).
          globalSetup: ['scripts/wire-ledger-check.ts'],
          include: [
            '{transcript-format,contact-match,dataverse-sandbox,webhook-relay,solution}/test/**/*.test.ts',
          ],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'control',
          environment: 'jsdom',
          include: ['tests/control/**/*.test.{ts,tsx}'],
          setupFiles: ['scripts/vitest-fast-check.ts', 'tests/control/setup.ts'],
          // The control's regional phone metadata is generated (scripts/phone-metadata.mjs), not committed.
          globalSetup: ['tests/control/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          environment: 'node',
          include: ['tests/browser/**/*.test.ts'],
          setupFiles: ['scripts/vitest-wire-suite.ts'],
          globalSetup: ['scripts/wire-ledger-check.ts'],
          // The control's own suites run in the platform projects below.
          exclude: CONTROL_SUITES,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      ...platformProjects,
    ],
  },
});
