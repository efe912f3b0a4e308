// The transcript control: production bundle size (against the same control with React and Fluent
// bundled in) and, in headless Chromium, first render of 2,000 turns against 20 turns.
// Needs `npm run build` first. Usage: npx tsx bench/control.mts [--runs 15]
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { write, type Transcript } from '../transcript-format/src/index.js';
import { startPreview } from '../preview/src/server.js';
import { launchChromium } from '../tests/browser/chromium.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
const WARMUP = 3;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function bundleSizes() {
  const production = statSync(path.join(ROOT, 'out/controls/OpenCXTranscriptControl/bundle.js')).size;
  // The baseline: the same entry point with React, ReactDOM and Fluent bundled instead of taken from
  // the platform (esbuild, minified, production React).
  const bundled = await build({
    entryPoints: [path.join(ROOT, 'OpenCXTranscriptControl/index.ts')],
    bundle: true,
    minify: true,
    write: false,
    format: 'iife',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  return { production, bundled: bundled.outputFiles[0].contents.length };
}

function transcriptOf(turns: number): Transcript {
  const start = Date.parse('2026-11-24T14:00:00Z');
  return {
    header: {
      channel: 'phone_voice',
      classification: 'Delivery change',
      summary: 'Caller wants a parcel delivered to another address.',
      sentiment: 'neutral',
      customer: { name: 'Dana Whitfield', phone: '+14155550134' },
      sessionId: `bench-${turns}`,
      sessionUrl: 'https://platform.open.cx/sessions/bench',
      handoffAt: new Date(start + turns * 5000).toISOString().replace('.000Z', 'Z'),
      handoffReason: 'caller_asked_for_a_human',
    },
    turns: Array.from({ length: turns }, (_, i) => ({
      at: new Date(start + i * 5000).toISOString().replace('.000Z', 'Z'),
      role: i % 2 ? ('ai' as const) : ('contact' as const),
      text: `Turn ${i + 1}: ${i % 2 ? 'the assistant explains the delivery options for order' : 'the caller asks about order'} ${1000 + i}, which was dispatched this morning.`,
    })),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1];

async function renderTimes(): Promise<Record<number, number[]>> {
  const strings = Object.fromEntries(
    [
      ...readFileSync(
        path.join(ROOT, 'OpenCXTranscriptControl/strings/OpenCXTranscriptControl.1033.resx'),
        'utf8',
      ).matchAll(/<data name="([^"]+)"[^>]*>\s*<value>([^<]*)<\/value>/g),
    ].map((m) => [m[1], m[2]]),
  );
  const preview = await startPreview({ sandboxUrl: 'http://127.0.0.1:9' });
  const { browser, close } = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${preview.url}/blank`);
    const times: Record<number, number[]> = { 20: [], 2000: [] };
    for (let run = 0; run < WARMUP + RUNS; run++) {
      // Alternate so both sizes see the same conditions (JIT, GC) run by run.
      for (const turns of [20, 2000]) {
        const description = write(transcriptOf(turns));
        const ms = await page.evaluate(
          ({ description, strings }) =>
            (
              window as unknown as { OpenCXPreview: { measureFirstRender: (o: unknown) => number } }
            ).OpenCXPreview.measureFirstRender({
              description,
              strings,
              languageId: 1033,
              isRTL: false,
              offsetMinutes: 0,
              theme: 'light',
              offline: true,
              readOnly: true,
            }),
          { description, strings },
        );
        if (run >= WARMUP) times[turns].push(ms);
      }
    }
    return times;
  } finally {
    await close();
    await preview.close();
  }
}

const sizes = await bundleSizes();
console.log('control bundle (production, pcf-scripts)');
console.log(`  ours, React + Fluent from the platform: ${kb(sizes.production)} (target <= 150 KB)`);
console.log(`  baseline, React + Fluent bundled (esbuild): ${kb(sizes.bundled)}`);
console.log(`  ratio: ${(sizes.production / sizes.bundled).toFixed(2)}`);

const times = await renderTimes();
const m20 = median(times[20]);
const m2000 = median(times[2000]);
console.log(`first render in Chromium (parse + React render + layout), ${RUNS} runs after ${WARMUP} warm-up`);
console.log(`  20 turns:    median ${m20.toFixed(1)} ms, p95 ${p95(times[20]).toFixed(1)} ms`);
console.log(
  `  2,000 turns: median ${m2000.toFixed(1)} ms, p95 ${p95(times[2000]).toFixed(1)} ms (target <= 150 ms)`,
);
console.log(`  ratio 2,000 / 20: ${(m2000 / m20).toFixed(2)} (target <= 2)`);
