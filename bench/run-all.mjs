// `npm run bench`: builds once, then runs every benchmark one after the other (never in parallel: they
// share the 2 cores they measure) and prints each one's own figures, then a summary.
//   --chaos     adds bench/chaos.mjs: about 7 minutes at full size, 10 at most (its --deadline)
//   --quick     smaller sizes, for a smoke check of the benches themselves (figures not comparable)
//   --no-build  skip `npm run build` (the benches import the built packages and the control bundle)
// intake, handoff to case, drain and chaos use PostgreSQL (RELAY_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test);
// when it cannot be reached they run on the embedded store only, and the summary says so.
// Exit code: non-zero when a benchmark failed or reported its target as not met.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';

const root = path.resolve(import.meta.dirname, '..');
const flag = (name) => process.argv.includes(name);
const quick = flag('--quick');
const node = process.execPath;
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status;

async function postgresProblem() {
  const client = new pg.Client({
    connectionString: process.env.RELAY_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error.message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const problem = await postgresProblem();
const stores = problem ? ['--stores', 'embedded'] : [];
if (problem)
  console.warn(
    `bench: PostgreSQL is not reachable (${problem}): the relay benchmarks run on the embedded store only`,
  );

const benches = [
  ['transcript format', node, ['bench/transcript-format.mjs', '--no-build']],
  [
    'adversarial inputs (parsers, redactor)',
    node,
    ['bench/adversarial.mjs', '--no-build', ...(quick ? ['--quick'] : [])],
  ],
  ['redaction', node, ['bench/redaction.mjs', ...(quick ? ['--rounds', '3', '--iterations', '300'] : [])]],
  ['relay intake', node, ['bench/relay-intake.mjs', ...stores, ...(quick ? ['--quick'] : [])]],
  ['handoff to case', node, ['bench/latency.mjs', ...stores, ...(quick ? ['--quick'] : [])]],
  ['Dataverse requests per handoff', node, ['bench/relay-requests.mjs']],
  ['transcript control', tsx, ['bench/control.mts', ...(quick ? ['--runs', '5'] : [])]],
  [
    'backlog drain',
    node,
    [
      'bench/drain.mjs',
      ...stores,
      ...(quick ? ['--count', '2000', '--budget', '2000', '--window', '20'] : []),
    ],
  ],
  [
    'intake during a retention purge',
    node,
    ['bench/retention-purge.mjs', ...stores, ...(quick ? ['--quick'] : [])],
  ],
  [
    'store size under steady load with retention',
    node,
    ['bench/retention-size.mjs', ...(quick ? ['--quick'] : [])],
  ],
  ['after a long outage', node, ['bench/backlog.mjs', ...stores, ...(quick ? ['--sizes', '500,2000'] : [])]],
];
if (flag('--chaos'))
  benches.push([
    'chaos',
    node,
    [
      'bench/chaos.mjs',
      ...stores,
      ...(quick ? ['--quick', '--kill-every', '2-4', '--storm-every', '2-4'] : []),
    ],
  ]);

if (!flag('--no-build')) {
  console.log('bench: npm run build');
  if (run('npm', ['run', 'build', '--silent']) !== 0) process.exit(1);
}
const summary = [];
for (const [name, command, args] of benches) {
  console.log(`\n=== ${name}: ${path.basename(command)} ${args.join(' ')}`);
  const started = Date.now();
  const status = run(command, args);
  summary.push({ name, ok: status === 0, seconds: (Date.now() - started) / 1000 });
}
console.log('\nbench summary:');
for (const s of summary)
  console.log(`  ${s.ok ? 'ok    ' : 'FAILED'}  ${s.name} (${s.seconds.toFixed(0)} s)`);
if (problem)
  console.log('  note: PostgreSQL was not reachable; the relay benchmarks ran on the embedded store only');
if (!flag('--chaos')) console.log('  chaos not run (npm run bench -- --chaos)');
process.exit(summary.every((s) => s.ok) ? 0 : 1);
