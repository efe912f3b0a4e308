import path from 'node:path';
import { defineConfig } from 'vitest/config';

const here = import.meta.dirname;

// Tests always run against the workspace sources, so `npm test` needs no package build first.
const alias = {
  '@opencx-d365/transcript-format': path.join(here, 'transcript-format/src/index.ts'),
  '@opencx-d365/dataverse-sandbox': path.join(here, 'dataverse-sandbox/src/index.ts'),
};

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
          include: ['{transcript-format,dataverse-sandbox,webhook-relay,solution}/test/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'control',
          environment: 'jsdom',
          include: ['tests/control/**/*.test.{ts,tsx}'],
          setupFiles: ['tests/control/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          environment: 'node',
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
