/**
 * `npm start`: the whole product on this machine, nothing to configure. Builds what is missing, starts
 * the Dataverse sandbox (with the OpenCX Insights solution imported), the relay on its embedded store
 * against it, sends the sample handoffs in examples/handoffs through the signed webhook, and serves the
 * preview: the OpenCX handoffs view where each case opens in the transcript control, and the supervisor
 * dashboard. One process; Ctrl+C stops everything.
 *
 * Options: --port <n> (preview, default 4280; 0 = any free port), --no-build.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
// Types only: on a fresh clone these packages have no dist/ until the build step below has run, so
// their code is imported after it (tests/browser/quick-start.test.ts keeps it that way).
import type { Sandbox } from '@opencx-d365/dataverse-sandbox';
import type { HandoffStatus, RunningRelay } from '@opencx-d365/webhook-relay';
import { startPreview, type Preview } from '../../preview/src/server.js';
import { daysToToday, shiftHandoff } from './as-of-today.js';
import { postHandoff } from './signed-post.js';
import { clearState, DEMO_DIR, writeState } from './state.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples/handoffs');
const STEPS = 5;
let step = 0;
const progress = (text: string) => console.log(`[${++step}/${STEPS}] ${text}`);

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function needsBuild(): boolean {
  const outputs = [
    'out/controls/OpenCXTranscriptControl/bundle.js',
    'transcript-format/dist/index.js',
    'contact-match/dist/index.js',
    'dataverse-sandbox/dist/index.js',
    'webhook-relay/dist/index.js',
  ].map((p) => path.join(ROOT, p));
  return outputs.some((p) => !existsSync(p));
}

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    // The control's ESLint pass is left to `npm run lint`: a newcomer waits for what the demo needs.
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--no-lint'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    const started = Date.now();
    // A terminal gets one line rewritten in place; a log file (CI, `> start.log`) gets a line every 10 s
    // rather than a run of carriage returns.
    const tty = process.stdout.isTTY;
    let ticks = 0;
    const tick = setInterval(() => {
      ticks += 1;
      const seconds = Math.round((Date.now() - started) / 1000);
      if (tty) process.stdout.write(`\r      building… ${seconds} s`);
      else if (ticks % 10 === 0) console.log(`      building… ${seconds} s`);
    }, 1000);
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('close', (code) => {
      clearInterval(tick);
      if (tty) process.stdout.write('\r\x1b[K');
      const output = Buffer.concat(chunks).toString();
      if (code === 0) return resolve();
      console.error(output.split('\n').slice(-30).join('\n'));
      reject(new Error(`the build failed (exit ${String(code)}); the end of its output is above`));
    });
  });
}

function examples(): { name: string; body: string }[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f, body: readFileSync(path.join(EXAMPLES, f), 'utf8') }));
}

async function waitForCases(
  relay: RunningRelay,
  keys: string[],
  timeoutMs: number,
  isTerminal: (status: HandoffStatus) => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await Promise.all(keys.map((key) => relay.store.get(key)));
    const pending = records.filter((r) => !r || !isTerminal(r.status));
    const failed = records.filter((r) => r?.status === 'failed');
    if (failed.length)
      throw new Error(
        `${failed.length} sample handoffs failed: ${failed.map((r) => r?.lastError?.reason).join('; ')}`,
      );
    if (!pending.length) return;
    if (Date.now() > deadline)
      throw new Error(`${pending.length} sample handoffs were not delivered within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portInUse(error: unknown, port: number, what: string, fix: string): never {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
    throw new Error(
      `Port ${port} (${what}) is already in use, perhaps by another demo. Stop it, or choose another: ${fix}`,
    );
  throw error;
}

async function main() {
  const started = Date.now();
  const port = Number(option('port') ?? process.env.DEMO_PORT ?? 4280);
  let sandbox: Sandbox | undefined;
  let relay: RunningRelay | undefined;
  let preview: Preview | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the demo…');
    await preview?.close().catch(() => undefined);
    await relay?.stop().catch(() => undefined);
    await sandbox?.close().catch(() => undefined);
    clearState();
    console.log('Stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    if (!process.argv.includes('--no-build') && needsBuild()) {
      progress('Building the packages and the control (first run only, about 15 s on 2 cores)…');
      await build();
    } else progress('Already built (npm run build rebuilds).');

    const { startSandbox, SEED_IDS } = await import('@opencx-d365/dataverse-sandbox');
    const { createLogger, isTerminal, loadConfig, startRelay, StartupError } =
      await import('@opencx-d365/webhook-relay');
    // The org has the OpenCX Insights solution imported: Case carries the handoff columns the relay fills,
    // and the preview shows the solution's own views, charts and dashboard over them.
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1', org: { insights: true } });
    progress(`Dataverse sandbox (a local test double) on ${sandbox.url} (OpenCX Insights imported)`);

    // A fresh store each run: the sandbox starts empty, so old handoffs would point at nothing.
    rmSync(path.join(DEMO_DIR, 'relay'), { recursive: true, force: true });
    const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
    const config = loadConfig(
      {
        DATAVERSE_URL: sandbox.url,
        DATAVERSE_AUTH: 'none',
        DEFAULT_QUEUE_ID: SEED_IDS.voiceQueue,
        DEFAULT_OWNER_ID: SEED_IDS.owner,
        UNIDENTIFIED_CUSTOMER_ID: SEED_IDS.unidentifiedCaller,
        // The demo leaves phone matching to the rep, so "Link contact by phone" has callers to link; like
        // the default, it never links through an email the caller only stated (examples/handoffs/stated-email.json).
        CONTACT_MATCH: 'email',
        PHONE_DEFAULT_COUNTRY: 'US',
        WEBHOOK_SECRETS: webhookSecret,
        OPENCX_SESSION_URL_TEMPLATE: 'https://platform.open.cx/sessions/{session_id}',
        RELAY_DATA_DIR: path.join(DEMO_DIR, 'relay'),
        PORT: '0',
        HOST: '127.0.0.1',
        OPS_PORT: '0',
      },
      { cwd: ROOT },
    );
    if (!config.ok) throw new StartupError(config.errors);
    const logFile = path.join(DEMO_DIR, 'relay.log');
    mkdirSync(DEMO_DIR, { recursive: true });
    relay = await startRelay(config.config, { logger: createLogger('info', createWriteStream(logFile)) });
    progress(`Relay on ${relay.url} (embedded store in data/demo/relay, log in data/demo/relay.log)`);
    progress(`Relay operations (/metrics, /readyz in detail) on ${relay.opsUrl}`);

    const samples = examples();
    // Moved to this week, so the per-day chart and "handed off … ago" read as they would in a live org.
    const days = daysToToday(
      samples.map((sample) => sample.body),
      Date.now(),
    );
    const keys: string[] = [];
    for (const sample of samples) {
      const answer = await postHandoff(relay.url, webhookSecret, shiftHandoff(sample.body, days));
      if (answer.status !== 202 || !answer.body.handoff_id)
        throw new Error(`${sample.name}: the relay answered ${answer.status} ${JSON.stringify(answer.body)}`);
      keys.push(answer.body.handoff_id);
    }
    await waitForCases(relay, keys, 60_000, isTerminal);
    progress(
      `Sent ${samples.length} sample handoffs from examples/handoffs; the relay created ${samples.length} cases`,
    );

    preview = await startPreview({
      sandboxUrl: sandbox.url,
      port,
      placeholderCustomerId: SEED_IDS.unidentifiedCaller,
      defaultCountry: 'US',
    }).catch((error: unknown) => portInUse(error, port, 'preview page', 'npm start -- --port 4300'));
    progress(`Preview page on ${preview.url}`);

    writeState({
      pid: process.pid,
      relayUrl: relay.url,
      previewUrl: preview.url,
      sandboxUrl: sandbox.url,
      webhookSecret,
      sampleDays: days,
    });
    console.log('');
    console.log(`Webhook secret for this run: ${webhookSecret}`);
    console.log('Send one more handoff: npm run demo:handoff -- examples/handoffs/uk-phone.json');
    console.log(`Supervisors: the OpenCX handoffs dashboard is at ${preview.url}/dashboard`);
    console.log(`Started in ${((Date.now() - started) / 1000).toFixed(1)} s. Ctrl+C stops everything.`);
    console.log(`Demo ready: ${preview.url}`);
  } catch (error) {
    console.error(`\nThe demo could not start: ${error instanceof Error ? error.message : String(error)}`);
    await stop(1);
  }
}

void main();
