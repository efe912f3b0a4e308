import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { defaultSeed, SEED_IDS, startSandbox } from '@opencx-d365/dataverse-sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLACEHOLDER_ID } from '../../src/admin/setup.js';
import { onCleanup, sandboxEnv, tempDir } from '../helpers.js';

const root = path.resolve(import.meta.dirname, '../../..');
const cli = path.join(root, 'webhook-relay/bin/opencx-relay.js');

beforeAll(() => {
  if (!existsSync(path.join(root, 'webhook-relay/dist/admin/verify.js'))) {
    expect(spawnSync('npm', ['run', 'build:packages'], { cwd: root, stdio: 'inherit' }).status).toBe(0);
  }
}, 120_000);

/** Runs the CLI in an empty directory (no .env) with only the given variables besides PATH. */
function run(args: string[], env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: tempDir(),
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('opencx-relay verify and setup (built CLI)', () => {
  it('exits 0 when every check passes, 1 when one fails, with a human report or --json', async () => {
    const dv = await startSandbox();
    onCleanup(() => dv.close());
    const passing = await run(['verify'], sandboxEnv(dv.url));
    expect(passing.status).toBe(0);
    expect(passing.stdout).toContain('[pass] Privileges');
    expect(passing.stdout).toContain('[WARN] Description length');

    const failing = await run(['verify', '--json'], {
      ...sandboxEnv(dv.url),
      DEFAULT_OWNER_ID: SEED_IDS.disabledUser,
    });
    expect(failing.status).toBe(1);
    const report = JSON.parse(failing.stdout) as {
      ok: boolean;
      checks: Array<{ id: string; status: string }>;
    };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'owner')?.status).toBe('fail');
  });

  it('setup creates the placeholder once and prints UNIDENTIFIED_CUSTOMER_ID', async () => {
    const seed = defaultSeed();
    seed.contacts = (seed.contacts ?? []).filter((row) => row.contactid !== SEED_IDS.unidentifiedCaller);
    const dv = await startSandbox({ seed });
    onCleanup(() => dv.close());
    const { UNIDENTIFIED_CUSTOMER_ID: _id, ...env } = sandboxEnv(dv.url);
    const first = await run(['setup'], env);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`UNIDENTIFIED_CUSTOMER_ID=${PLACEHOLDER_ID}`);
    const second = await run(['setup', '--json'], env);
    expect(JSON.parse(second.stdout)).toMatchObject({
      ok: true,
      placeholder: { id: PLACEHOLDER_ID, outcome: 'found' },
    });
    expect(dv.state.rows('contacts').filter((row) => row.contactid === PLACEHOLDER_ID)).toHaveLength(1);
  });
});
