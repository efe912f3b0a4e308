/**
 * An org that reports the duplicate key with an empty code ("A record with matching key values already
 * exists." and `"code": ""`, as Perform conditional operations using the Web API: Prevent update in upsert
 * shows it): the built relay still recognises the duplicate, so a handoff delivered again after the store
 * lost its answer is recorded as a duplicate of the one case, never dead-lettered or retried.
 */
import { describe, expect, it } from 'vitest';
import { handoffKey } from '../../src/handoff/key.js';
import {
  FAST_RETRY_ENV,
  postSignedHandoff,
  readFixture,
  sandboxEnv,
  tempDir,
  testSandbox,
} from '../helpers.js';
import { metric, startCliRelay } from './cli-relay.js';

/** Waits for `condition`, checking whenever the relay may have moved on (bounded: fails after 20 s). */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a duplicate key reported with an empty code', () => {
  it('is still the duplicate it is: one case, the second delivery recorded as a duplicate', async () => {
    const sandbox = await testSandbox({ duplicateKeyCode: '' });
    const document = JSON.parse(readFixture('handoffs/phone-no-email.json').toString('utf8')) as {
      session_id: string;
      handoff_at: string;
    };
    const key = handoffKey(document.session_id, document.handoff_at);
    const env = { ...sandboxEnv(sandbox.url), ...FAST_RETRY_ENV, LOG_LEVEL: 'warn' };

    const first = await startCliRelay({ ...env, RELAY_DATA_DIR: tempDir() });
    expect((await postSignedHandoff(first.url, document)).status).toBe(202);
    await until(
      async () => (await metric(first.opsUrl, 'opencx_relay_handoffs_total{status="created"}')) === 1,
    );
    await first.kill('SIGKILL');

    // A relay that never saw the answer (a new store) delivers the same handoff again.
    const second = await startCliRelay({ ...env, RELAY_DATA_DIR: tempDir() });
    expect((await postSignedHandoff(second.url, document)).status).toBe(202);
    await until(
      async () => (await metric(second.opsUrl, 'opencx_relay_handoffs_total{status="duplicate"}')) === 1,
    );
    expect(await metric(second.opsUrl, 'opencx_relay_handoffs_total{status="failed"}')).toBe(0);

    const refused = sandbox.requests.filter((r) => r.path.endsWith('$batch') && r.status === 412);
    expect(refused).toHaveLength(1);
    expect(sandbox.state.rows('incidents').filter((row) => row.incidentid === key)).toHaveLength(1);
  });
});
