// `npm run bench`: builds once, then runs every benchmark one after the other (never in parallel: they
// share the 2 cores they measure) and prints each one's own figures. `--chaos` adds bench/chaos.mjs, which
// takes about 5 minutes at full size; `--quick` runs smaller sizes for a smoke check of the benches.
// Exit code: non-zero when a benchmark failed or reported its target as not met.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const node = process.execPath;
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

const benches = [
  ['transcript format', node, ['bench/transcript-format.mjs', '--no-build']],
  ['relay intake', node, ['bench/relay-intake.mjs', quick ? '3' : '8', '8']],
  ['Dataverse requests per handoff', node, ['bench/relay-requests.mjs']],
  ['transcript control', tsx, ['bench/control.mts', ...(quick ? ['--runs', '5'] : [])]],
  [
    'backlog drain',
    node,
    ['bench/drain.mjs', ...(quick ? ['--handoffs', '2000', '--budget', '1500', '--window', '10'] : [])],
  ],
];
if (process.argv.includes('--chaos'))
  benches.push([
    'chaos',
    node,
    ['bench/chaos.mjs', ...(quick ? ['--count', '1000', '--baseline-count', '250'] : [])],
  ]);

const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status;

console.log('bench: npm run build');
if (run('npm', ['run', 'build', '--silent']) !== 0) process.exit(1);
const failed = [];
for (const [name, command, args] of benches) {
  console.log(`\n=== ${name}: ${path.basename(command)} ${args.join(' ')}`);
  if (run(command, args) !== 0) failed.push(name);
}
console.log(failed.length ? `\nbench: failed or target not met: ${failed.join(', ')}` : '\nbench: all done');
process.exit(failed.length ? 1 : 0);
