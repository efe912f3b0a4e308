// Benchmarks every parser of untrusted text on inputs built to hurt it, at growing sizes, and prints time
// against size with the growth ratio: linear means 10x the size takes about 10x the time (issue 29).
// A case description can be a multi-MB note anyone with write access to the case can edit; the relay
// parses it when it appends, the control in the rep's browser; the redactor reads every caller's words.
// Usage: node bench/adversarial.mjs [--quick] [--no-build]
//   --quick     10k, 30k and 100k characters only (a smoke check of the bench itself)
//   --no-build  use the built packages as they are (npm run build:packages builds them)
// Side by side, on the same input and sizes: a baseline that is linear by construction (one pass over the
// characters, one small object kept per token, as the parsers keep turns and the redactor digits). On a
// busy machine, and once the objects kept outgrow V8's young generation, even that baseline takes far
// more than 10x the time for 10x the size; dividing by it leaves what the parser itself adds.
// Target: from 100k to 1M characters, time / baseline grows at most 3x (a quadratic grows it about 10x,
// a backtracking regex far more); exit code 1 when an input does not.
// Also side by side: the https-link check as it was (quadratic), on the sizes where it ends in seconds.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const SIZES = quick ? [10_000, 30_000, 100_000] : [10_000, 30_000, 100_000, 300_000, 1_000_000];
/** Largest growth of time / baseline allowed when the size grows 10x (linear is 1; quadratic about 10). */
const MAX_NORMALISED_GROWTH = 3;

// gc() before each timed run, so that one run does not pay for the garbage of the last.
if (typeof globalThis.gc !== 'function') {
  const { spawnSync } = await import('node:child_process');
  const args = ['--expose-gc', import.meta.filename, ...process.argv.slice(2)];
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1);
}

if (!process.argv.includes('--no-build')) {
  for (const workspace of ['transcript-format', 'webhook-relay'])
    execFileSync('npm', ['run', 'build', '-w', workspace], { cwd: root, stdio: 'ignore' });
}
const load = (file) => import(pathToFileURL(path.join(root, file)).href);
const { isSafeHttpsUrl } = await load('transcript-format/dist/normalize.js');
const { parseV1 } = await load('transcript-format/dist/parse-v1.js');
const { parseLenient } = await load('transcript-format/dist/parse-lenient.js');
const { splitLines } = await load('transcript-format/dist/syntax.js');
const { parse, write } = await load('transcript-format/dist/index.js');
const { redactText } = await load('webhook-relay/dist/redaction/redact.js');

// The check before issue 29, kept here only as the baseline: two overlapping quantifiers.
// eslint-disable-next-line regexp/no-super-linear-backtracking, regexp/optimal-quantifier-concatenation -- the baseline being measured
const QUADRATIC_LINK = /^https:\/\/[^\s/?#\\"<>`]+[^\s\\"<>`]*$/i;

/** `unit` repeated until the text is `size` characters long (cut to size). */
const fill = (unit, size) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

const URL_PLACEHOLDER = 'https://platform.open.cx/sessions/PLACEHOLDER';
/** A transcript in our format (the strict reader's path), `turns` turns of `text`, to edit into an attack. */
const ours = (turns, text = 'TURNTEXT') =>
  write({
    header: { channel: 'phone_voice', summary: 'synthetic', sessionUrl: URL_PLACEHOLDER },
    turns: Array.from({ length: turns }, (_, i) => ({
      at: new Date(Date.UTC(2026, 10, 24, 14) + i * 1000).toISOString(),
      role: i % 2 ? 'ai' : 'contact',
      text,
    })),
  });
/** Parses with the strict reader, and says so if the input did not take its path. */
const strict = (text) => {
  const result = parseV1(splitLines(text));
  if (!result)
    throw new Error('the strict reader did not read this input: the bench would measure the wrong path');
  return result;
};

const REDACT = { rules: ['cards', 'national-ids', 'digit-runs'] };

/** [parser, input name, make(size) → text, run(text)]. Each input is built to reach a parser's slow path. */
const CASES = [
  [
    'link check',
    'https:// + host characters + a refused "',
    (n) => `https://${fill('a', n - 9)}"`,
    isSafeHttpsUrl,
  ],
  [
    'link check',
    'https:// + path of slashes and dots + a space',
    (n) => `https://a${fill('/.', n - 10)} `,
    isSafeHttpsUrl,
  ],
  [
    'strict parser',
    'session link ending in a refused character',
    (n) => ours(1).replace(URL_PLACEHOLDER, `https://${fill('a', n - 150)}"`),
    strict,
  ],
  [
    'strict parser',
    'one turn of brackets and colons',
    (n) => ours(1).replace('TURNTEXT', fill('[14:02:11] AI: ', n - 150)),
    strict,
  ],
  ['strict parser', 'many turns', (n) => ours(Math.round(n / 34), 'four one one one'), strict],
  [
    'lenient parser',
    'foreign text, URL line ending in a refused character',
    (n) => `Channel: phone\nSession URL: https://${fill('a', n - 40)}"\nCaller: hi`,
    (t) => parseLenient(splitLines(t)),
  ],
  [
    'lenient parser',
    'one line of spaces and tabs, no colon',
    (n) => `Channel: phone\n${fill(' \t', n - 20)}x`,
    (t) => parseLenient(splitLines(t)),
  ],
  [
    'lenient parser',
    'lines that almost start a turn',
    (n) => fill('[14:02:11 Caller (agent (x) \n', n),
    (t) => parseLenient(splitLines(t)),
  ],
  [
    'lenient parser',
    'verification marks without a closing bracket',
    (n) => `Customer phone: ${fill(' (stated by the caller', n - 30)}`,
    (t) => parseLenient(splitLines(t)),
  ],
  ['parse (strict then lenient)', 'a description of open brackets', (n) => fill('(((([[[[', n), parse],
  ['redactor', 'typed digits one at a time', (n) => fill('1 ', n), (t) => redactText(t, REDACT)],
  ['redactor', 'one digit run', (n) => fill('4111', n), (t) => redactText(t, REDACT)],
  ['redactor', 'spoken digits', (n) => fill('four one ', n), (t) => redactText(t, REDACT)],
  ['redactor', 'spoken digits, commas between', (n) => fill('four, oh, ', n), (t) => redactText(t, REDACT)],
  [
    'redactor',
    '"double" and "forty" before each digit',
    (n) => fill('double forty-one ', n),
    (t) => redactText(t, REDACT),
  ],
  ['redactor', 'SSN-shaped groups', (n) => fill('SSN 123-45-6789 ', n), (t) => redactText(t, REDACT)],
  ['redactor', 'one word with apostrophes', (n) => fill("o'", n), (t) => redactText(t, REDACT)],
  ['redactor', 'digits glued to letters', (n) => fill('A1b2', n), (t) => redactText(t, REDACT)],
];

/** Least time of a few runs (ms): the least is the one the machine disturbed least. */
function time(run, text) {
  run(text); // warm up
  const runs = text.length <= 100_000 ? 7 : 3;
  let best = Infinity;
  for (let i = 0; i < runs; i += 1) {
    globalThis.gc();
    const t0 = performance.now();
    run(text);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** Linear by construction: one pass, a token per run of digits, letters or other characters, each kept. */
function baseline(text) {
  const tokens = [];
  let start = 0;
  const kind = (code) => (code >= 48 && code <= 57 ? 1 : (code | 32) >= 97 && (code | 32) <= 122 ? 2 : 3);
  for (let i = 1; i <= text.length; i += 1) {
    if (i === text.length || kind(text.charCodeAt(i)) !== kind(text.charCodeAt(start))) {
      tokens.push({ start, end: i });
      start = i;
    }
  }
  return tokens.length;
}

const pad = (value, width) => String(value).padStart(width);
const ms = (value) => (value < 10 ? value.toFixed(3) : value.toFixed(1));
const label = (n) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

console.log(
  'adversarial inputs: least time of 3-7 runs (ms) against size, next to a linear baseline on the same input',
);
console.log(`(linear: time grows like the size, and time / baseline stays flat; target: time / baseline`);
console.log(` grows at most ${MAX_NORMALISED_GROWTH}x from 100k to 1M)\n`);
const failures = [];
for (const [parser, name, make, run] of CASES) {
  const rows = SIZES.map((n) => {
    const text = make(n);
    return { n, ms: time(run, text), base: time(baseline, text) };
  });
  console.log(`${parser}: ${name}`);
  const first = rows[0];
  for (const { n, ms: t, base } of rows) {
    const growth = t / Math.max(first.ms, 1e-3);
    console.log(
      `  ${pad(label(n), 5)}  ${pad(ms(t), 9)} ms  ${pad(growth.toFixed(1), 6)}x  (size ${pad(n / first.n, 3)}x)   baseline ${pad(ms(base), 8)} ms   time / baseline ${pad((t / base).toFixed(2), 8)}`,
    );
  }
  const at100k = rows.find((r) => r.n === 100_000);
  const at1m = rows.find((r) => r.n === 1_000_000);
  if (at100k && at1m) {
    const raw = at1m.ms / at100k.ms;
    const normalised = at1m.ms / at1m.base / (at100k.ms / at100k.base);
    const linear = normalised <= MAX_NORMALISED_GROWTH;
    console.log(
      `  100k → 1M: ${raw.toFixed(1)}x the time (baseline ${(at1m.base / at100k.base).toFixed(1)}x); time / baseline ${normalised.toFixed(2)}x: ${linear ? 'linear' : 'SUPER-LINEAR'}`,
    );
    if (!linear) failures.push(`${parser}: ${name}`);
  }
}

// The baseline, side by side: the link check before issue 29 on the same input, while it ends in seconds.
console.log('\nbaseline: the https-link check before issue 29 (quadratic) against today’s, same input');
for (const n of SIZES.filter((s) => s <= 30_000)) {
  const text = `https://${fill('a', n - 9)}"`;
  const before = time((t) => QUADRATIC_LINK.test(t), text);
  const now = time(isSafeHttpsUrl, text);
  console.log(
    `  ${pad(label(n), 5)} chars  before ${pad(ms(before), 9)} ms  now ${pad(ms(now), 7)} ms  (${(before / Math.max(now, 1e-3)).toFixed(0)}x)`,
  );
}

if (failures.length) {
  console.log(`\nSUPER-LINEAR: ${failures.join('; ')}`);
  process.exit(1);
}
console.log(
  `\nevery input ${SIZES.includes(1_000_000) ? 'grows linearly (100k → 1M within the target)' : 'measured (run without --quick for the 1M verdict)'}`,
);
