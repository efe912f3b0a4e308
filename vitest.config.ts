import path from 'node:path';
import { defineConfig } from 'vitest/config';

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
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
