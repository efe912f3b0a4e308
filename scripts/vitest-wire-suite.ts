/**
 * setupFile: names the running test file in OPENCX_WIRE_SUITE, so the Dataverse sandbox's wire log
 * (and any child process started by the test, which inherits the variable) says which suite sent what.
 */
import path from 'node:path';
import { beforeAll } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

beforeAll((suite) => {
  const file = 'filepath' in suite && typeof suite.filepath === 'string' ? suite.filepath : suite.name;
  process.env.OPENCX_WIRE_SUITE = path.relative(root, file);
});
