/**
 * Exactly once, end to end: the built relay runs as a child process on an embedded store; the sandbox
 * injects 5xx, 429 storms and dropped-after-commit connections; every webhook is sent twice; the relay
 * is killed with SIGKILL at random moments and restarted on the same store. At the end the sandbox holds
 * exactly one incident per handoff and the store has nothing stuck.
 */
import path from 'node:path';
import { mulberry32 } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it } from 'vitest';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import { handoffKey } from '../../src/handoff/key.js';
import { FAST_RETRY_ENV, readFixture, sandboxEnv, sign, tempDir, testSandbox } from '../helpers.js';
import { startCliRelay } from './cli-relay.js';

describe('exactly once under faults and kill -9', () => {
  it('creates one incident per handoff, whatever fails', async () => {
    const random = mulberry32(7);
    const sandbox = await testSandbox({
      faults: { errorRate: 0.1, errorStatus: 503, dropAfterCommitRate: 0.05, seed: 11 },
    });
    const dataDir = tempDir();
    const port = 20000 + Math.floor(random() * 20000);
    const env = {
      ...sandboxEnv(sandbox.url),
      RELAY_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...FAST_RETRY_ENV,
      LOG_LEVEL: 'warn',
    };
    // Metadata reads at start must succeed: start without faults, then turn them on.
    const faults = { errorRate: 0.1, errorStatus: 503 as const, dropAfterCommitRate: 0.05, seed: 11 };
    sandbox.setFaults({});
    let relay = await startCliRelay(env);
    sandbox.setFaults(faults);

    const base = JSON.parse(readFixture('handoffs/phone-no-email.json').toString('utf8')) as Record<
      string,
      unknown
    >;
    const total = 300;
    const documents = Array.from({ length: total }, (_, i) => ({
      ...base,
      session_id: `exactly-once-${i}`,
      customer: i % 3 === 0 ? { name: `Caller ${i}`, email: `caller${i % 30}@example.com` } : base.customer,
    }));
    const keys = documents.map((d) => handoffKey(d.session_id, String(base.handoff_at)));

    const send = async (body: string, headers: Record<string, string>) => {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/v1/handoffs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body,
          });
          if (response.status === 200 || response.status === 202) return;
        } catch {
          // the relay is down (killed): the sender retries, as OpenCX would
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('a webhook was never accepted');
    };

    let killed = 0;
    for (let i = 0; i < total; i += 1) {
      const body = JSON.stringify(documents[i]);
      const headers = sign(body, { at: Date.now() });
      await send(body, headers);
      await send(body, sign(body, { at: Date.now() })); // every webhook twice (a new delivery id)
      if (i % 40 === 39) {
        sandbox.setFaults({ ...faults, throttleNext: 5, throttleRetryAfterSeconds: 1 });
      }
      if (i % 50 === 37) {
        await relay.kill('SIGKILL');
        killed += 1;
        sandbox.setFaults({});
        relay = await startCliRelay(env);
        sandbox.setFaults(faults);
      }
    }

    // Let delivery finish, then stop the faults so the last retries can land.
    const deadline = Date.now() + 45_000;
    sandbox.setFaults({});
    const store = createEmbeddedStore({ file: path.join(dataDir, 'relay.sqlite') });
    await store.init();
    for (;;) {
      const counts = await store.countByStatus();
      if (counts.received + counts.delivering + counts.fetching === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const counts = await store.countByStatus();
    await store.close();
    await relay.kill('SIGTERM');

    const incidents = sandbox.state.rows('incidents');
    const perKey = new Map<string, number>();
    for (const incident of incidents)
      perKey.set(String(incident.incidentid), (perKey.get(String(incident.incidentid)) ?? 0) + 1);
    expect(killed).toBeGreaterThanOrEqual(3);
    expect(keys.filter((key) => perKey.get(key) !== 1)).toEqual([]); // none lost, none twice
    expect(incidents).toHaveLength(total);
    expect(counts.received + counts.delivering + counts.fetching + counts.failed).toBe(0); // nothing stuck
    expect(counts.created + counts.duplicate).toBe(total);
    const queueItems = sandbox.state.rows('queueitems');
    expect(new Set(queueItems.map((q) => q._objectid_value)).size).toBe(total);
  }, 150_000);
});
