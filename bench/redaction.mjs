// The redactor's cost on intake's request path, in CPU time per handoff: the 4 KB handoff the intake
// benchmark sends (a card number in it three ways) and the 150-turn call fixture, against JSON.parse +
// JSON.stringify of the same document (work every request does anyway) measured in the same run; then one
// text 64 times longer, which must cost about 64 times as much (linear, never quadratic).
// Usage: node bench/redaction.mjs [--rounds 7] [--iterations 2000]   (needs `npm run build:packages`)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { redactDocument } from '../webhook-relay/dist/redaction/payloads.js';
import { redactText } from '../webhook-relay/dist/redaction/redact.js';
import { handoffOf4k } from './intake-handoff.mjs';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '7' }, iterations: { type: 'string', default: '2000' } },
});
const rounds = Number(args.rounds);
const iterations = Number(args.iterations);
const RULES = { rules: ['cards', 'national-ids', 'digit-runs'], nationalIdPatterns: [] };

/** Microseconds of CPU time per call of `work`, the best of `rounds` (the least disturbed by other load). */
function cpuMicros(work, n = iterations) {
  let best = Infinity;
  for (let round = 0; round < rounds; round += 1) {
    const before = process.cpuUsage();
    for (let i = 0; i < n; i += 1) work();
    const used = process.cpuUsage(before);
    best = Math.min(best, (used.user + used.system) / n);
  }
  return best;
}

const fixture = (name) =>
  JSON.parse(
    readFileSync(
      path.join(import.meta.dirname, `../webhook-relay/test/fixtures/handoffs/${name}.json`),
      'utf8',
    ),
  );
const documents = [
  ['4 KB handoff, a card number given three ways', handoffOf4k()],
  ['150-turn call (phone-long-midnight)', fixture('phone-long-midnight')],
];

console.log(
  `redaction: CPU time per document, best of ${rounds} rounds of ${iterations}; ${process.version}`,
);
console.log('| document | bytes | JSON.parse + stringify µs | redaction µs | ratio | removed |');
console.log('|---|---:|---:|---:|---:|---|');
for (const [name, document] of documents) {
  const json = JSON.stringify(document);
  const baseline = cpuMicros(() => JSON.stringify(JSON.parse(json)));
  const redaction = cpuMicros(() => redactDocument(document, RULES));
  const { counts } = redactDocument(document, RULES);
  console.log(
    `| ${name} | ${json.length} | ${baseline.toFixed(1)} | ${redaction.toFixed(1)} | ${(redaction / baseline).toFixed(2)} | ${JSON.stringify(counts)} |`,
  );
}

// Linear: a text 64 times longer costs about 64 times as much (a quadratic step would cost about 4,096 times).
const unit = documents[0][1].messages.map((message) => message.text).join(' ');
const short = cpuMicros(() => redactText(unit, RULES), 200);
const long = unit.repeat(64);
const longMicros = cpuMicros(() => redactText(long, RULES), 5);
const ratio = longMicros / short;
console.log(
  `one text of ${unit.length} characters: ${short.toFixed(1)} µs; 64 times as long: ${longMicros.toFixed(0)} µs (${ratio.toFixed(0)}×, linear is 64×): ${ratio < 200 ? 'linear' : 'NOT linear'}`,
);
process.exit(ratio < 200 ? 0 : 1);
