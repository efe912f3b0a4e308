import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedStore } from '../../src/store/embedded.js';
import { NOW, tempDir } from '../helpers.js';

const root = path.resolve(import.meta.dirname, '../../..');
const cli = path.join(root, 'webhook-relay/bin/opencx-relay.js');

beforeAll(() => {
  if (
    !['transcript-format', 'dataverse-sandbox', 'webhook-relay'].every((p) =>
      existsSync(path.join(root, p, 'dist/index.js')),
    )
  ) {
    expect(spawnSync('npm', ['run', 'build:packages'], { cwd: root, stdio: 'inherit' }).status).toBe(0);
  }
}, 120_000);

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('opencx-relay', () => {
  it('starts the sandbox and says where it listens', async () => {
    const child = spawn(process.execPath, [cli, 'sandbox', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const line = await new Promise<string>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(d.toString())),
    );
    expect(line).toMatch(/^Dataverse sandbox listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses to start with every configuration problem listed', () => {
    const result = run(['start'], {
      DATAVERSE_URL: 'https://x.crm.dynamics.com/',
      RELAY_DATA_DIR: tempDir(),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('DATAVERSE_URL=https://x.crm.dynamics.com/ is not valid');
    expect(result.stderr).toContain('UNIDENTIFIED_CUSTOMER_ID is not set');
  });

  it('lists, shows and retries stored handoffs without printing the transcript', async () => {
    const dir = tempDir();
    const store = createEmbeddedStore({ file: path.join(dir, 'relay.sqlite') });
    await store.init();
    await store.insert({
      key: 'k-1',
      kind: 'handoff',
      sessionId: 's-1',
      payload: '{"secret":"transcript text"}',
      now: NOW,
    });
    await store.claim('w', 1, NOW, 1000);
    await store.update(
      'k-1',
      'w',
      { status: 'failed', lastError: { code: '0x80040220', message: 'm', reason: 'missing privilege' } },
      NOW,
    );
    await store.close();
    const env = { RELAY_DATA_DIR: dir };
    const listed = run(['handoffs', 'list', '--status', 'failed'], env);
    expect(listed.stdout).toContain('k-1');
    expect(listed.stdout).toContain('0x80040220 missing privilege');
    const shown = run(['handoffs', 'show', 'k-1', '--json'], env);
    expect(shown.stdout).not.toContain('transcript text');
    expect(JSON.parse(shown.stdout)).toMatchObject({ key: 'k-1', status: 'failed', payloadBytes: 28 });
    expect(run(['handoffs', 'retry', '--failed'], env).stdout).toContain('Queued 1 handoff(s)');
    expect(run(['handoffs', 'list', '--status', 'received'], env).stdout).toContain('k-1');
  });
});
