// Builds the PCF control with pcf-scripts and fails loudly when it fails.
// pcf-scripts exits 0 even when the build fails and leaves an old bundle in out/, so we clean first
// and trust only its own success line.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { writePhoneMetadata } from './phone-metadata.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const mode = process.argv.includes('--dev') ? 'development' : 'production';

rmSync(path.join(root, 'out', 'controls'), { recursive: true, force: true });
writePhoneMetadata();
const result = spawnSync(
  process.execPath,
  [
    path.join(root, 'node_modules', 'pcf-scripts', 'bin', 'pcf-scripts.js'),
    'build',
    '--buildMode',
    mode,
    // --no-lint: the demo's first start skips pcf-scripts' ESLint pass (4 of its 11 s); `npm run lint`
    // runs the same rules over the control, and CI's `npm run build` keeps the pass.
    ...(process.argv.includes('--no-lint') ? ['--skipBuildLinting', 'true'] : []),
  ],
  { cwd: root, encoding: 'utf8', env: { ...process.env, PP_TOOLS_TELEMETRY_OPTOUT: 'true' } },
);
const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
process.stdout.write(output);
if (result.status !== 0 || !output.includes('[build] Succeeded') || /\[pcf-\d+\] \[Error\]/.test(output)) {
  console.error(
    `\nControl build failed (pcf-scripts exit code ${String(result.status)}); see the output above.`,
  );
  process.exit(1);
}
