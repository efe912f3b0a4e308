import { defaultSeed, SEED_IDS } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it } from 'vitest';
import { PLACEHOLDER_ID } from '../../src/admin/setup.js';
import { sandboxEnv, testSandbox } from '../helpers.js';
import { isolated, runCliAsync } from '../e2e/cli-relay.js';

/** Runs the built CLI in an empty directory (no .env) with only the given variables besides PATH. */
function run(args: string[], env: Record<string, string>) {
  return runCliAsync(args, { PATH: process.env.PATH ?? '', ...env }, isolated());
}

describe('opencx-relay verify and setup (built CLI)', () => {
  it('exits 0 when every check passes, 1 when one fails, with a human report or --json', async () => {
    const dv = await testSandbox();
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
    const dv = await testSandbox({ seed });
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
