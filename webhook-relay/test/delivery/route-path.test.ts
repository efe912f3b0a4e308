import { Writable } from 'node:stream';
import { SEED_IDS, startSandbox } from '@opencx-d365/dataverse-sandbox';
import { expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createDataverseClient } from '../../src/dataverse/client.js';
import { scheduleRouting } from '../../src/delivery/route-step.js';
import { createDeliveryWorker } from '../../src/delivery/worker.js';
import { routeRecordKey } from '../../src/handoff/key.js';
import { messages } from '../../src/messages.js';
import { createLogger } from '../../src/observability/logger.js';
import { embeddedStore, NOW, onCleanup, sandboxEnv } from '../helpers.js';

it('a route record due again logs that unified routing failed, not an OpenCX fetch', async () => {
  const sandbox = await startSandbox({
    clock: () => NOW,
    org: { unifiedRouting: { queue: SEED_IDS.triageQueue } },
  });
  onCleanup(() => sandbox.close());
  const loaded = loadConfig({
    ...sandboxEnv(sandbox.url),
    DEFAULT_QUEUE_ID: '',
    APPLY_ROUTING_RULES: 'unified',
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const { config } = loaded;
  const store = await embeddedStore();
  const lines: Array<{ msg: string; handoffKey?: string; code?: string; attempts?: number }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as (typeof lines)[number]);
      done();
    },
  });
  const worker = createDeliveryWorker({
    config,
    store,
    dataverse: createDataverseClient({ url: config.dataverseUrl, auth: config.auth, timeoutMs: 5000 }),
    metadata: { titleMaxLength: 200, descriptionMaxLength: 2000, noteMaxLength: 100_000 },
    logger: createLogger('warn', sink),
    clock: () => NOW,
    random: () => 0.5,
  });
  const key = await scheduleRouting(
    store,
    { key: 'a0a0a0a0-0000-5000-8000-000000000001', sessionId: 's' },
    NOW,
  );
  expect(key).toBe(routeRecordKey('a0a0a0a0-0000-5000-8000-000000000001'));
  sandbox.setFaults({ errorRate: 1, errorStatus: 503 });
  await worker.runOnce();
  expect(await store.get(key)).toMatchObject({ status: 'received', attempts: 1 });
  expect(lines).toEqual([
    expect.objectContaining({ msg: messages.routing.retrying, handoffKey: key, attempts: 1 }),
  ]);
});
