#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli.ts, compiled to dist/ by `npm run build`.
import('../dist/cli.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('opencx-relay is not built yet: run `npm run build` at the repository root first.');
    process.exit(1);
  }
  throw error;
});
