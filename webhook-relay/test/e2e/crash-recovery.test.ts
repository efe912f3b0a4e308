/**
 * Crash recovery on the embedded store: the built relay (a child process) is killed with SIGKILL while a
 * Dataverse request of a delivery is in flight; the relay started again on the same data directory
 * delivers that handoff at once, although its lease (one hour here) is far from expired, because the
 * directory's lock tells it that the claim belonged to a dead predecessor. A second relay on a directory
 * whose relay is alive is refused, with the holder's process id.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startSandbox } from '@opencx-d365/dataverse-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import { handoffKey } from '../../src/handoff/key.js';
import { onCleanup, readFixture, sandboxEnv, sign, tempDir } from '../helpers.js';

const root = path.resolve(import.meta.dirname, '../../..');
const cli = path.join(root, 'webhook-relay/bin/opencx-relay.js');

beforeAll(() => {
  const built = ['transcript-format', 'dataverse-sandbox', 'webhook-relay'].every((p) =>
    existsSync(path.join(root, p, 'dist/index.js')),
  );
  if (!built) {
    const result = spawnSync('npm', ['run', 'build:packages'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('could not build the packages for the end-to-end test');
  }
}, 120_000);

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts `opencx-relay start`; resolves when it listens, or with its output when it exits first. */
function startRelay(env: Record<string, string>) {
  const child = spawn(process.execPath, [cli, 'start'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise<{ child: ChildProcess; url?: string; exitCode?: number | null; output: string }>(
    (resolve) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /opencx-relay listening on (http:\/\/\S+)/.exec(output);
        if (match) {
          child.stdout.off('data', onData);
          child.stdout.resume();
          resolve({ child, url: match[1], output });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (exitCode) => resolve({ child, exitCode, output }));
    },
  );
}

describe('crash recovery on the embedded store', () => {
  it('delivers the handoff a killed relay was delivering as soon as the relay is back, not after its lease', async () => {
    const sandbox = await startSandbox();
    onCleanup(() => sandbox.close());
    const dataDir = tempDir();
    const env = {
      ...sandboxEnv(sandbox.url),
      RELAY_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // A lease nobody could wait for in this test, and a Dataverse call that never times out in it.
      DELIVERY_LEASE_MS: '3600000',
      DATAVERSE_TIMEOUT_MS: '600000',
    };
    const first = await startRelay(env);
    expect(first.url, first.output).toBeDefined();

    // A second relay on the same directory is refused while the first one lives, and says which one.
    const second = await startRelay(env);
    expect(second.exitCode).toBe(1);
    expect(second.output).toContain(`process ${String(first.child.pid)} on `);

    // Every Dataverse request now hangs: the relay is caught mid-delivery, its request in flight.
    sandbox.setFaults({ latencyMs: 20_000 });
    const inFlight = new Promise<void>((resolve) => {
      const push = sandbox.requests.push.bind(sandbox.requests);
      sandbox.requests.push = (...entries) => {
        resolve();
        return push(...entries);
      };
    });
    const document = JSON.parse(readFixture('handoffs/phone-full-details.json').toString('utf8')) as {
      session_id: string;
      handoff_at: string;
    };
    const key = handoffKey(document.session_id, document.handoff_at);
    const body = JSON.stringify(document);
    const response = await fetch(`${first.url!}/v1/handoffs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(body, { at: Date.now() }) },
      body,
    });
    expect(response.status).toBe(202);
    await inFlight;
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const store = createEmbeddedStore({ file: path.join(dataDir, 'relay.sqlite') });
    await store.init();
    onCleanup(() => store.close());
    const orphan = await store.get(key);
    expect(orphan?.status).toBe('delivering');
    expect(orphan?.leaseUntil).toBeGreaterThan(Date.now() + 3_000_000); // the lease has most of an hour to run

    // Dataverse answers at once again; the restarted relay takes the orphan over and creates its case.
    sandbox.setFaults({});
    const created = new Promise<void>((resolve) => {
      const put = sandbox.state.put.bind(sandbox.state);
      sandbox.state.put = (entitySet, id, row) => {
        put(entitySet, id, row);
        if (entitySet === 'incidents' && id === key) resolve();
      };
    });
    const restarted = await startRelay(env);
    expect(restarted.url, restarted.output).toBeDefined();
    await created;
    expect(sandbox.state.rows('incidents').filter((row) => row.incidentid === key)).toHaveLength(1);
    restarted.child.kill('SIGTERM');
    await new Promise((resolve) => restarted.child.once('exit', resolve));
    expect((await store.get(key))?.status).toBe('created');
  }, 60_000);
});
