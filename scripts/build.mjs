// `npm run build`: the four workspace packages and the control, two at a time on a 2-core machine.
// The relay depends on the other three packages and the control bundles transcript-format and
// contact-match, so they build in two waves:
//   1. transcript-format, contact-match, dataverse-sandbox
//   2. webhook-relay, and the control (scripts/build-control.mjs)
// Options: --packages (the packages only), --no-lint (the control without pcf-scripts' ESLint step; the
// demo's first start uses it, `npm run lint` and CI still lint the control).
// Each step's output is printed when it ends; the first failure stops the build with its output.
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const flag = (name) => process.argv.includes(name);
// Each package builds with its own `build` script, so this file never restates how.
const packageStep = (name) => ({ name, command: 'npm', args: ['run', 'build', '--silent', '-w', name] });
const controlStep = {
  name: 'control',
  command: process.execPath,
  args: [path.join(root, 'scripts', 'build-control.mjs'), ...(flag('--no-lint') ? ['--no-lint'] : [])],
};

const waves = [
  [packageStep('transcript-format'), packageStep('contact-match'), packageStep('dataverse-sandbox')],
  [packageStep('webhook-relay'), ...(flag('--packages') ? [] : [controlStep])],
];

/** Runs one step; resolves with its exit code and everything it printed. */
function run({ name, command, args }) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => resolve({ name, code, output, seconds: (Date.now() - started) / 1000 }));
  });
}

for (const wave of waves) {
  const results = await Promise.all(wave.map(run));
  for (const { name, code, output, seconds } of results) {
    if (output.trim()) process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
    console.log(
      `build: ${name} ${code === 0 ? 'built' : `FAILED (exit ${code})`} in ${seconds.toFixed(1)} s`,
    );
  }
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length) {
    console.error(`build failed: ${failed.map((r) => r.name).join(', ')}; see the output above`);
    process.exit(1);
  }
}
