/**
 * Intake independent of Dataverse, through the built CLI: with the sandbox answering 503 to everything, or
 * 429 with Retry-After (0x80072322), or 401 to the relay's token, `opencx-relay start` listens, answers 202
 * to signed handoffs, says why delivery waits (/readyz, the metric, one log line — not one per try), survives
 * a kill -9 and restart during the outage, and delivers each handoff exactly once when Dataverse answers.
 * A configuration the org refuses holds delivery without losing what was taken; a restart with the fix
 * delivers it.
 */
import { SEED_IDS, type Sandbox } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it, vi } from 'vitest';
import { phoneHandoffs, postSignedHandoff, testSandbox } from '../helpers.js';
import { cliRelayEnv, startCliRelay, storedHandoff, storedStatuses } from './cli-relay.js';

async function sandboxWith(fault: (s: Sandbox) => void): Promise<Sandbox> {
  const sandbox = await testSandbox();
  fault(sandbox);
  return sandbox;
}

interface Readiness {
  store: boolean;
  dataverse: boolean;
  delivery: { state: string; reason?: string; detail?: string; problems?: string[] };
}

/** `/readyz` on the intake port (reason codes only), or on the operations listener (in detail). */
async function readiness(url: string): Promise<{ status: number; body: Readiness }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as Readiness };
}

const OUTAGES: Array<[string, (s: Sandbox) => void, (s: Sandbox) => void, string]> = [
  [
    '503 to everything',
    (s) => s.setFaults({ errorRate: 1, errorStatus: 503 }),
    (s) => s.setFaults({}),
    'dataverse_unavailable',
  ],
  [
    '429 0x80072322 with Retry-After to everything',
    (s) => s.setFaults({ throttleNext: 1_000_000, throttleRetryAfterSeconds: 1 }),
    (s) => s.setFaults({}),
    'throttled',
  ],
  [
    "401 to the relay's token",
    (s) => s.setAuth({ requireToken: true, tokens: ['someone-else'] }),
    (s) => s.setAuth({}),
    'token_refused',
  ],
];

describe('intake while Dataverse is down, through the built CLI', () => {
  it.each(OUTAGES)(
    'with %s: listens, answers 202, survives kill -9, delivers each handoff once after recovery',
    async (_name, breakIt, fixIt, reason) => {
      const sandbox = await sandboxWith(breakIt);
      const env = cliRelayEnv(sandbox.url);
      const { documentFor, keyOf } = phoneHandoffs(`outage-${reason}`);
      const documents = ['a', 'b', 'c', 'd', 'e'].map(documentFor);

      const first = await startCliRelay(env);
      for (const document of documents.slice(0, 3))
        expect((await postSignedHandoff(first.url, document)).status).toBe(202);
      const waiting = await readiness(first.url);
      // Ready for intake (a load balancer keeps routing webhooks here); delivery says why it waits.
      expect(waiting.status).toBe(200);
      // The public probe says why with a reason code only; the detail is on the operations listener.
      expect(waiting.body).toEqual({ store: true, dataverse: false, delivery: { state: 'waiting', reason } });
      expect((await readiness(first.opsUrl)).body).toMatchObject({
        store: true,
        dataverse: false,
        delivery: { state: 'waiting', reason, detail: expect.any(String) as string },
      });
      expect((await fetch(`${first.url}/metrics`)).status).toBe(404);
      const metrics = await (await fetch(`${first.opsUrl}/metrics`)).text();
      expect(metrics).toContain(`opencx_relay_delivery_waiting{reason="${reason}"} 1`);
      expect(await first.kill('SIGKILL')).toBeNull();

      const second = await startCliRelay(env);
      for (const document of documents.slice(3))
        expect((await postSignedHandoff(second.url, document)).status).toBe(202);
      // The same webhook again: taken once.
      expect((await postSignedHandoff(second.url, documents[0])).status).toBeLessThan(300);
      expect(sandbox.state.rows('incidents')).toHaveLength(0);

      fixIt(sandbox);
      await vi.waitFor(() => expect(sandbox.state.rows('incidents')).toHaveLength(documents.length), {
        timeout: 20_000,
        interval: 50,
      });
      const incidents = sandbox.state.rows('incidents').map((row) => row.incidentid);
      expect(new Set(incidents)).toEqual(new Set(documents.map(keyOf)));
      for (const key of incidents) {
        const items = sandbox.state.rows('queueitems').filter((item) => item._objectid_value === key);
        expect(items).toEqual([
          expect.objectContaining({ _queueid_value: SEED_IDS.voiceQueue, statecode: 0 }),
        ]);
      }
      expect((await readiness(second.url)).body.delivery.state).toBe('ready');
      // One "waiting" line when the outage was first seen, not one per try; one line when it ended.
      expect(second.logLines('Delivery is waiting')).toHaveLength(1);
      expect(second.logLines('Dataverse answered after')).toHaveLength(1);
      await vi.waitFor(
        async () => {
          const statuses = await storedStatuses(env);
          for (const document of documents)
            expect(statuses.get(keyOf(document))).toMatch(/^(created|duplicate)$/);
        },
        { timeout: 10_000, interval: 100 },
      );
      expect(await second.kill('SIGTERM')).toBe(0);
    },
    60_000,
  );

  it('a token refused after delivery started: handoffs wait (no attempt counted, none dead-lettered) and go once it is accepted', async () => {
    const sandbox = await sandboxWith(() => undefined);
    const env = cliRelayEnv(sandbox.url);
    const { documentFor, keyOf } = phoneHandoffs('token-mid-run');
    const relay = await startCliRelay(env);
    sandbox.setAuth({ requireToken: true, tokens: ['someone-else'] });
    expect((await postSignedHandoff(relay.url, documentFor('x'))).status).toBe(202);
    const refusedBefore = sandbox.requests.filter((r) => r.status === 401).length;
    await vi.waitFor(
      () =>
        expect(sandbox.requests.filter((r) => r.status === 401).length).toBeGreaterThan(refusedBefore + 2),
      { timeout: 10_000, interval: 20 },
    );
    // Waiting, tried again and again, but never an attempt counted towards a dead letter.
    const waiting = await storedHandoff(keyOf(documentFor('x')), env);
    expect(waiting.status).toMatch(/^(received|delivering)$/);
    expect(waiting.attempts).toBe(0);
    sandbox.setAuth({});
    await vi.waitFor(() => expect(sandbox.state.rows('incidents')).toHaveLength(1), {
      timeout: 10_000,
      interval: 50,
    });
    expect(await relay.kill('SIGTERM')).toBe(0);
  }, 60_000);

  it('holds delivery on a configuration the org refuses, keeps taking handoffs, and delivers after the fix', async () => {
    const sandbox = await sandboxWith(() => undefined);
    const env = cliRelayEnv(sandbox.url, { DEFAULT_PRIORITY: '4' });
    const { documentFor, keyOf } = phoneHandoffs('org-invalid');
    const relay = await startCliRelay(env);
    expect((await postSignedHandoff(relay.url, documentFor('x'))).status).toBe(202);
    const held = await readiness(relay.url);
    expect(held.status).toBe(200);
    expect(held.body.delivery).toEqual({ state: 'stopped', reason: 'config_invalid' });
    const detail = await readiness(relay.opsUrl);
    expect(detail.body.delivery).toMatchObject({ state: 'stopped', reason: 'config_invalid' });
    expect(detail.body.delivery.problems?.join('\n')).toContain(
      'DEFAULT_PRIORITY=4 is not a priority of this org',
    );
    expect(relay.logLines('Delivery is stopped')[0]?.msg).toContain(
      'Valid values: 1 (High), 2 (Normal), 3 (Low)',
    );
    expect(await relay.kill('SIGTERM')).toBe(0);
    expect(sandbox.state.rows('incidents')).toHaveLength(0);
    expect((await storedHandoff(keyOf(documentFor('x')), env)).status).toBe('received');

    const fixed = await startCliRelay({ ...env, DEFAULT_PRIORITY: '2' });
    await vi.waitFor(() => expect(sandbox.state.rows('incidents')).toHaveLength(1), {
      timeout: 10_000,
      interval: 50,
    });
    expect(sandbox.state.rows('incidents')[0]).toMatchObject({ incidentid: keyOf(documentFor('x')) });
    expect(await fixed.kill('SIGTERM')).toBe(0);
  }, 60_000);
});
