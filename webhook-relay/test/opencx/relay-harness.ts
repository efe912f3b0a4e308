/** A relay (app + worker on an embedded store) against the Dataverse sandbox and the fake OpenCX API. */
import { startSandbox } from '@opencx-d365/dataverse-sandbox';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { RelayConfig } from '../../src/config/types.js';
import { createDataverseClient } from '../../src/dataverse/client.js';
import { prepareDelivery } from '../../src/delivery/metadata.js';
import { createDeliveryWorker } from '../../src/delivery/worker.js';
import { handoffKey } from '../../src/handoff/key.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { createOpenCxClient, type OpenCxHistoryItem, type OpenCxSession } from '../../src/opencx/client.js';
import { createRateLimiter } from '../../src/opencx/rate-limiter.js';
import type { HandoffStore } from '../../src/store/types.js';
import { embeddedStore, NOW, onCleanup, readFixture, sandboxEnv, sign } from '../helpers.js';
import { startFakeOpenCxApi, type FakeSession } from './fake-opencx-api.js';

export const KEY = 'ocx_test_key';
export const json = <T>(name: string) => JSON.parse(readFixture(`opencx/${name}.json`).toString('utf8')) as T;
export const SESSION_ID = 'ba2f757e-39b0-47ce-a8a2-c34b3b41819e';
export const INCIDENT = handoffKey(SESSION_ID, '2026-11-24T12:04:30Z');

export function fixtureSession(overrides: Partial<OpenCxSession> = {}): FakeSession {
  const history = [
    ...json<{ items: OpenCxHistoryItem[] }>('history-page-1').items,
    ...json<{ items: OpenCxHistoryItem[] }>('history-page-2').items,
  ];
  return { session: { ...json<OpenCxSession>('session'), ...overrides }, history };
}

/** A relay (app + worker on an embedded store) against the Dataverse sandbox and the fake OpenCX API. */
export async function setup(
  options: {
    pageSize?: number;
    sessions?: readonly FakeSession[];
    key?: string;
    env?: Record<string, string>;
  } = {},
) {
  let now = NOW;
  const clock = () => now;
  const sandbox = await startSandbox({ clock });
  onCleanup(() => sandbox.close());
  const api = await startFakeOpenCxApi({
    keys: { [KEY]: { scopes: ['chat-sessions:read'] }, ocx_no_scope: { scopes: [] } },
    sessions: options.sessions ?? [fixtureSession()],
    pageSize: options.pageSize,
  });
  onCleanup(() => api.close());
  const result = loadConfig({
    ...sandboxEnv(sandbox.url),
    OPENCX_API_URL: api.url,
    OPENCX_API_KEY: options.key ?? KEY,
    ...options.env,
  });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const config: RelayConfig = result.config;
  const store: HandoffStore = await embeddedStore();
  const metrics = createMetrics(store);
  const dataverse = createDataverseClient({ url: config.dataverseUrl, auth: config.auth, timeoutMs: 5000 });
  const prepared = await prepareDelivery(config, dataverse);
  if (!prepared.ok) throw new Error(prepared.errors.join('\n'));
  const apiKey = config.opencx.apiKey;
  // A sleep moves the test's clock instead of waiting; what was slept is kept for the test to read.
  const slept: number[] = [];
  const sleep = (ms: number) => {
    slept.push(ms);
    now += ms;
    return Promise.resolve();
  };
  const opencx = apiKey
    ? createOpenCxClient({
        apiUrl: api.url,
        apiKey,
        // The real limiter and the client's tries in place, on the test's clock.
        limiter: createRateLimiter({ perMinute: 100, clock, sleep }),
        clock,
        sleep,
        random: () => 0.5,
      })
    : undefined;
  const worker = createDeliveryWorker({
    config,
    store,
    dataverse,
    metadata: prepared.metadata,
    metrics,
    clock,
    random: () => 0.5,
    ownerId: 'w',
    opencx,
  });
  const app = buildApp({ config, store, logger: createLogger('silent'), metrics, clock });
  onCleanup(() => app.close());
  const post = (path: string, body: unknown, id?: string) => {
    const payload = JSON.stringify(body);
    return app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json', ...sign(payload, { at: now, id }) },
      payload,
    });
  };
  /** Runs rounds until nothing is due, moving the clock to the next attempt in between. */
  const drain = async () => {
    for (let round = 0; round < 50; round++) {
      await worker.runOnce();
      const pending = (await store.list({})).filter((r) =>
        ['received', 'fetching', 'delivering'].includes(r.status),
      );
      if (!pending.length) return;
      now = Math.max(now + 1, ...pending.map((r) => r.nextAttemptAt));
    }
  };
  return {
    sandbox,
    api,
    store,
    metrics,
    post,
    drain,
    worker,
    dataverse,
    metadata: prepared.metadata,
    slept,
    clock,
  };
}
