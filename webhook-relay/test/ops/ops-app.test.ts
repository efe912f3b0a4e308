/**
 * Who can read what: intake's port (the one OpenCX reaches from the internet) answers `/healthz` and a
 * `/readyz` of reason codes; `/metrics` and the detailed readiness (Dataverse's and Entra ID's own words,
 * the configuration problems, the store's error) are on the operations listener, loopback by default,
 * optionally behind OPS_TOKEN.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load.js';
import type { DeliveryStatus } from '../../src/delivery/readiness.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { buildOpsApp } from '../../src/ops-app.js';
import { startRelay, StartupError } from '../../src/server.js';
import { StoreUnavailableError, type HandoffStore } from '../../src/store/types.js';
import { embeddedStore, NOW, onCleanup, SECRET, sandboxEnv, tempDir, testSandbox } from '../helpers.js';

const AADSTS =
  "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'contoso-opencx-relay'.";

const STATUSES: Array<[string, DeliveryStatus, Record<string, unknown>]> = [
  [
    'waiting for a token',
    {
      state: 'waiting',
      reason: 'token_refused',
      detail: AADSTS,
      since: NOW,
      attempts: 3,
      nextAttemptAt: NOW + 4000,
    },
    { state: 'waiting', reason: 'token_refused' },
  ],
  [
    'stopped by the configuration',
    {
      state: 'stopped',
      reason: 'config_invalid',
      problems: ['DEFAULT_PRIORITY=4 is not a priority of this org.'],
      since: NOW,
    },
    { state: 'stopped', reason: 'config_invalid' },
  ],
  ['ready', { state: 'ready', since: NOW }, { state: 'ready' }],
];

async function apps(options: { store?: HandoffStore; status?: DeliveryStatus; token?: string } = {}) {
  const store = options.store ?? (await embeddedStore());
  const metrics = createMetrics(store);
  const deliveryStatus = options.status ? () => options.status! : undefined;
  const intake = buildApp({
    config: { webhookSecrets: [SECRET], bodyLimit: 1_000_000 },
    store,
    metrics,
    deliveryStatus,
  });
  const ops = buildOpsApp({ store, metrics, deliveryStatus, token: options.token });
  onCleanup(() => intake.close());
  onCleanup(() => ops.close());
  const get = (app: typeof intake, url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });
  return { intake, ops, get };
}

describe('the intake port', () => {
  it.each(STATUSES)(
    'answers /readyz with reason codes only when delivery is %s; the operations listener has the detail',
    async (_name, status, shown) => {
      const { intake, ops, get } = await apps({ status });
      const outside = await get(intake, '/readyz');
      expect(outside.statusCode).toBe(200);
      expect(outside.json()).toEqual({ store: true, dataverse: status.state === 'ready', delivery: shown });
      expect(outside.body).not.toContain('AADSTS');
      expect(outside.body).not.toContain('DEFAULT_PRIORITY');
      const inside = await get(ops, '/readyz');
      expect(inside.statusCode).toBe(200);
      expect(inside.json()).toEqual({ store: true, dataverse: status.state === 'ready', delivery: status });
    },
  );

  it('says only that the store is down; the operations listener says why', async () => {
    const store = await embeddedStore();
    store.ping = () => Promise.reject(new StoreUnavailableError('connect ECONNREFUSED 10.0.4.7:5432'));
    const { intake, ops, get } = await apps({ store, status: { state: 'ready', since: NOW } });
    const outside = await get(intake, '/readyz');
    expect(outside.statusCode).toBe(503);
    expect(outside.json()).toEqual({ store: false, dataverse: true, delivery: { state: 'ready' } });
    const inside = await get(ops, '/readyz');
    expect(inside.statusCode).toBe(503);
    expect(inside.json()).toMatchObject({ store: false, storeError: 'connect ECONNREFUSED 10.0.4.7:5432' });
  });

  it('serves no /metrics; /healthz answers on both', async () => {
    const { intake, ops, get } = await apps();
    expect((await get(intake, '/metrics')).statusCode).toBe(404);
    expect((await get(intake, '/healthz')).json()).toEqual({ status: 'ok' });
    expect((await get(ops, '/healthz')).json()).toEqual({ status: 'ok' });
    const metrics = await get(ops, '/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('opencx_relay_queue_depth');
  });
});

describe('OPS_TOKEN', () => {
  const token = 'ops-token-0123456789abcdef';

  it('is required for /metrics and /readyz on the operations listener, never for /healthz', async () => {
    const { ops, get } = await apps({ token, status: { state: 'ready', since: NOW } });
    for (const url of ['/metrics', '/readyz', '/nothing']) {
      expect((await get(ops, url)).statusCode).toBe(401);
      expect((await get(ops, url, { authorization: `Bearer ${token}x` })).statusCode).toBe(401);
      expect((await get(ops, url, { authorization: token })).statusCode).toBe(401);
    }
    expect((await get(ops, '/metrics', { authorization: `Bearer ${token}` })).statusCode).toBe(200);
    expect((await get(ops, '/readyz', { authorization: `Bearer ${token}` })).statusCode).toBe(200);
    expect((await get(ops, '/healthz')).statusCode).toBe(200);
  });
});

describe('the relay listens twice', () => {
  async function config(env: Record<string, string>) {
    const sandbox = await testSandbox();
    const result = loadConfig({
      ...sandboxEnv(sandbox.url),
      RELAY_DATA_DIR: tempDir(),
      PORT: '0',
      HOST: '127.0.0.1',
      ...env,
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    return result.config;
  }

  function logs() {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    return { lines, logger: createLogger('info', sink) };
  }

  it('serves /metrics and the detail on the operations port only, loopback by default', async () => {
    const relay = await startRelay(await config({}), { logger: createLogger('silent') });
    onCleanup(() => relay.stop());
    expect(new URL(relay.opsUrl).hostname).toBe('127.0.0.1');
    expect(relay.opsUrl).not.toBe(relay.url);
    expect((await fetch(`${relay.url}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${relay.opsUrl}/metrics`)).text()).toContain('opencx_relay_queue_depth');
    expect((await fetch(`${relay.opsUrl}/v1/handoffs`, { method: 'POST' })).status).toBe(404);
  });

  it('warns when the operations listener answers beyond loopback without a token', async () => {
    const { lines, logger } = logs();
    const relay = await startRelay(await config({ OPS_HOST: '0.0.0.0' }), { logger });
    onCleanup(() => relay.stop());
    expect(lines.join('')).toContain('without OPS_TOKEN');
    const port = new URL(relay.opsUrl).port;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('refuses to start when OPS_PORT is taken, naming it, and leaves the store free', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const taken = (holder.address() as net.AddressInfo).port;
    const settings = await config({ OPS_PORT: String(taken) });
    const failed = startRelay(settings, { logger: createLogger('silent') });
    await expect(failed).rejects.toBeInstanceOf(StartupError);
    await expect(failed).rejects.toThrow(`OPS_PORT ${taken} is already in use`);
    // The data directory's lock was released: the same store starts with a free port.
    const relay = await startRelay(
      { ...settings, ops: { ...settings.ops, port: 0 } },
      { logger: createLogger('silent') },
    );
    onCleanup(() => relay.stop());
    expect((await fetch(`${relay.opsUrl}/healthz`)).status).toBe(200);
  });
});
