/**
 * The demo's cases, made the way `npm start` makes them (scripts/demo/start.ts): the relay, on its embedded
 * store with the demo's settings, takes every sample in examples/handoffs through the signed webhook and
 * writes the cases into the Dataverse sandbox. The browser suites then open what a demo user opens.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SEED_IDS } from '@opencx-d365/dataverse-sandbox';
import { postHandoff } from '../../scripts/demo/signed-post';
import { titleOf } from '../../webhook-relay/src/delivery/plan';
import type { HandoffDocument } from '../../webhook-relay/src/handoff/document';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples/handoffs');

/**
 * The relay's entry points, from its sources at run time. Imported by a computed name so the tests'
 * TypeScript settings never check the relay, which is built with its own (webhook-relay/tsconfig.json).
 */
interface Relay {
  loadConfig(
    env: Record<string, string>,
    options: { cwd: string },
  ): { ok: true; config: unknown } | { ok: false; errors: unknown };
  startRelay(config: unknown, options: { logger: unknown }): Promise<{ url: string; stop(): Promise<void> }>;
  createLogger(level: string): unknown;
}
const RELAY_SOURCE = path.resolve(import.meta.dirname, '../../webhook-relay/src/index.ts');

export interface DemoCase {
  /** The sample it came from (`phone-long-midnight.json`). */
  sample: string;
  incidentId: string;
  /** As the relay titles it: "Internet outage - Tomás Herrera". */
  title: string;
}

/** The relay's settings in `npm start`, with a fresh data directory and secret. */
function demoEnv(sandboxUrl: string, dataDir: string, secret: string): Record<string, string> {
  return {
    DATAVERSE_URL: sandboxUrl,
    DATAVERSE_AUTH: 'none',
    DEFAULT_QUEUE_ID: SEED_IDS.voiceQueue,
    DEFAULT_OWNER_ID: SEED_IDS.owner,
    UNIDENTIFIED_CUSTOMER_ID: SEED_IDS.unidentifiedCaller,
    CONTACT_MATCH: 'email',
    PHONE_DEFAULT_COUNTRY: 'US',
    WEBHOOK_SECRETS: secret,
    OPENCX_SESSION_URL_TEMPLATE: 'https://platform.open.cx/sessions/{session_id}',
    RELAY_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
  };
}

async function incidentsByTitle(sandboxUrl: string): Promise<Map<string, string>> {
  const response = await fetch(`${sandboxUrl}/api/data/v9.2/incidents?$select=incidentid,title`);
  const page = (await response.json()) as { value: { incidentid: string; title: string }[] };
  return new Map(page.value.map((row) => [row.title, row.incidentid]));
}

/**
 * Sends every sample through a relay started for the purpose, waits until the sandbox holds each case,
 * stops the relay and returns the cases (the sandbox keeps them).
 */
export async function createDemoCases(sandboxUrl: string, timeoutMs = 60_000): Promise<DemoCase[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opencx-demo-'));
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const { loadConfig, startRelay, createLogger } = (await import(RELAY_SOURCE)) as Relay;
  const config = loadConfig(demoEnv(sandboxUrl, dataDir, secret), { cwd: dataDir });
  if (!config.ok) throw new Error(`demo settings refused: ${JSON.stringify(config.errors)}`);
  const relay = await startRelay(config.config, { logger: createLogger('silent') });
  try {
    const samples = readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.json'))
      .sort();
    const expected = new Map<string, string>();
    for (const sample of samples) {
      const body = readFileSync(path.join(EXAMPLES, sample), 'utf8');
      const answer = await postHandoff(relay.url, secret, body);
      if (answer.status !== 202) throw new Error(`${sample}: the relay answered ${answer.status}`);
      expected.set(sample, titleOf(JSON.parse(body) as HandoffDocument));
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const made = await incidentsByTitle(sandboxUrl);
      if ([...expected.values()].every((title) => made.has(title)))
        return [...expected].map(([sample, title]) => ({ sample, title, incidentId: made.get(title)! }));
      if (Date.now() > deadline) throw new Error('the demo cases were not all delivered in time');
      // Waiting for another process's work (the relay's delivery), not ordering our own steps.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await relay.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
