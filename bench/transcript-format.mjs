// Benchmarks the built transcript-format package: write+fit and parse on long synthetic calls.
// Usage: node bench/transcript-format.mjs [--no-build]
// Target (docs/design): write+fit and parse of 2,000 turns <= 10 ms each.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const TARGET_MS = 10;

if (!process.argv.includes('--no-build')) {
  execFileSync('npm', ['run', 'build', '-w', 'transcript-format'], { cwd: root, stdio: 'ignore' });
}
const { fit, parse, write } = await import(
  pathToFileURL(path.join(root, 'transcript-format/dist/index.js')).href
);

/** The same deterministic generator as the long handoff fixture (seeded LCG), as a Transcript. */
function generate(n) {
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const words =
    'router order refund invoice delivery address account password reset modem parcel warranty cable signal light blinking orange green customer agent please thanks'.split(
      ' ',
    );
  const sentence = () => {
    const k = 3 + Math.floor(rnd() * (rnd() < 0.1 ? 120 : 18));
    return Array.from({ length: k }, () => words[Math.floor(rnd() * words.length)]).join(' ') + '.';
  };
  let t = Date.parse('2026-11-24T08:00:00Z');
  const roles = ['contact', 'ai', 'ai', 'contact', 'system'];
  const turns = Array.from({ length: n }, (_, i) => {
    t += (2 + Math.floor(rnd() * 40)) * 1000;
    return { at: new Date(t).toISOString(), role: i % 97 === 96 ? 'system' : roles[i % 4], text: sentence() };
  });
  const sessionId = '00000000-0000-4000-a000-' + String(n).padStart(12, '0');
  return {
    header: {
      channel: 'phone_voice',
      summary: `Synthetic long call with ${n} turns.`,
      classification: 'Long call',
      sentiment: 'neutral',
      language: 'en',
      customer: { name: 'Long Caller', phone: '+14155550111' },
      sessionId,
      handoffAt: new Date(t + 5000).toISOString(),
      handoffReason: 'ai_decided_to_handoff_the_conversation',
    },
    turns,
  };
}

function measure(operation) {
  for (let i = 0; i < 30; i++) operation();
  const samples = [];
  const started = performance.now();
  while (samples.length < 300 && (samples.length < 30 || performance.now() - started < 3000)) {
    const t0 = performance.now();
    operation();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { median: at(0.5), p95: at(0.95), runs: samples.length };
}

const rows = [];
for (const n of [2000, 10000]) {
  const t = generate(n);
  const ref = `note "OpenCX transcript ${t.header.sessionId}"`;
  const full = write(t);
  const fitted2000 = fit(t, { maxLength: 2000, fullTextRef: ref }).text;
  const cases = [
    ['write (full text)', () => write(t)],
    ['write+fit, maxLength 2,000', () => fit(t, { maxLength: 2000, fullTextRef: ref })],
    ['write+fit, maxLength 100,000', () => fit(t, { maxLength: 100000, fullTextRef: ref })],
    [`parse full text (${full.length.toLocaleString('en')} chars)`, () => parse(full)],
    ['parse fitted text (2,000 chars)', () => parse(fitted2000)],
  ];
  for (const [name, operation] of cases) rows.push({ turns: n, name, ...measure(operation) });
}

const fmt = (ms) => ms.toFixed(3).padStart(8);
console.log(
  `transcript-format bench (Node ${process.version}); target <= ${TARGET_MS} ms per operation at 2,000 turns`,
);
console.log(
  `${'turns'.padStart(6)}  ${'operation'.padEnd(40)} ${'median ms'.padStart(9)} ${'p95 ms'.padStart(8)}  ${'p95/target'.padStart(10)}  runs`,
);
for (const r of rows) {
  const ratio = (r.p95 / TARGET_MS).toFixed(2);
  console.log(
    `${String(r.turns).padStart(6)}  ${r.name.padEnd(40)} ${fmt(r.median)} ${fmt(r.p95)}  ${ratio.padStart(10)}  ${r.runs}`,
  );
}
const failing = rows.filter((r) => r.turns === 2000 && r.p95 > TARGET_MS);
console.log(
  failing.length === 0
    ? 'all 2,000-turn operations within target'
    : `over target: ${failing.map((r) => r.name).join(', ')}`,
);
