/**
 * The org configurations customers run, each an option of the sandbox, end to end through the built CLI:
 * the Case table auto-routing new cases to the owner's default queue, a routing rule or flow queueing the
 * case on create, no queue configured, each routing mode (queue, legacy routing rules, unified routing),
 * and a synchronous plug-in that refuses the create.
 */
import { SEED_IDS, type Sandbox, type SandboxOptions } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it, vi } from 'vitest';
import { routeRecordKey } from '../../src/handoff/key.js';
import { phoneHandoffs, postSignedHandoff, testSandbox } from '../helpers.js';
import { cliRelayEnv, runCliAsync, startCliRelay, storedHandoff, storedStatuses } from './cli-relay.js';

async function org(
  options: SandboxOptions['org'],
): Promise<{ sandbox: Sandbox; env: Record<string, string> }> {
  const sandbox = await testSandbox({ org: options });
  const env = cliRelayEnv(sandbox.url);
  return { sandbox, env };
}

const itemsOf = (sandbox: Sandbox, incidentId: string) =>
  sandbox.state.rows('queueitems').filter((item) => item._objectid_value === incidentId);

/** Delivers `labels` through a freshly started CLI relay; answers the keys and the Dataverse requests per handoff. */
async function deliver(sandbox: Sandbox, env: Record<string, string>, prefix: string, labels: string[]) {
  const { documentFor, keyOf } = phoneHandoffs(prefix);
  const relay = await startCliRelay(env);
  const before = sandbox.requests.length;
  for (const label of labels)
    expect((await postSignedHandoff(relay.url, documentFor(label))).status).toBe(202);
  const keys = labels.map((label) => keyOf(documentFor(label)));
  await vi.waitFor(
    async () => {
      const statuses = await storedStatuses(env);
      for (const key of keys) expect(statuses.get(key)).toMatch(/^(created|duplicate|failed)$/);
    },
    { timeout: 15_000, interval: 100 },
  );
  const requests = sandbox.requests.length - before;
  expect(await relay.kill('SIGTERM')).toBe(0);
  return { keys, requestsPerHandoff: requests / labels.length };
}

async function verifyJson(env: Record<string, string>) {
  const verified = await runCliAsync(['verify', '--json'], env);
  return JSON.parse(verified.stdout) as {
    ok: boolean;
    queue: {
      mode: string;
      queueId?: string;
      applyRoutingRules: string | false;
      autoRouteToOwnerQueue?: boolean;
      sourceQueueId?: string;
      org?: { routes: string };
    };
  };
}

describe('org configurations, through the built CLI', () => {
  it("auto-route to the owner's queue on: each case lands in DEFAULT_QUEUE_ID once, in at most 3 requests, and verify says so", async () => {
    const { sandbox, env } = await org({ autoRouteToOwnerQueue: true });
    const { keys, requestsPerHandoff } = await deliver(sandbox, env, 'auto-route', ['a', 'b', 'c']);
    for (const key of keys) {
      expect((await storedHandoff(key, env)).status).toBe('created');
      // Dataverse put the case in the owner's queue on create; AddToQueue moved that one item.
      expect(itemsOf(sandbox, key)).toEqual([
        expect.objectContaining({ _queueid_value: SEED_IDS.voiceQueue, statecode: 0 }),
      ]);
    }
    expect(requestsPerHandoff).toBeLessThanOrEqual(3);
    const report = await verifyJson(env);
    expect(report.ok).toBe(true);
    expect(report.queue).toMatchObject({
      mode: 'queue',
      queueId: SEED_IDS.voiceQueue,
      applyRoutingRules: false,
      autoRouteToOwnerQueue: true,
      // AddToQueue names the owner's default queue as the source it moves the case from.
      sourceQueueId: SEED_IDS.ownerQueue,
      org: { routes: 'none' },
    });
  }, 60_000);

  it('auto-route on and the answer lost after commit: the retry neither fails nor queues the case twice', async () => {
    const { sandbox, env } = await org({ autoRouteToOwnerQueue: true });
    // An anonymous caller: no contact lookup, so the one request is the $batch whose answer is lost.
    const { documentFor: phoneDocument, keyOf } = phoneHandoffs('auto-route-lost');
    const documentFor = (label: string) => ({ ...phoneDocument(label), customer: {} });
    const relay = await startCliRelay(env);
    sandbox.setFaults({ dropAfterCommitRate: 1 });
    expect((await postSignedHandoff(relay.url, documentFor('x'))).status).toBe(202);
    await vi.waitFor(() => expect(sandbox.state.rows('incidents')).toHaveLength(1), {
      timeout: 10_000,
      interval: 20,
    });
    sandbox.setFaults({});
    const key = keyOf(documentFor('x'));
    await vi.waitFor(async () => expect((await storedStatuses(env)).get(key)).toBe('duplicate'), {
      timeout: 10_000,
      interval: 100,
    });
    expect(itemsOf(sandbox, key)).toEqual([expect.objectContaining({ _queueid_value: SEED_IDS.voiceQueue })]);
    expect(await relay.kill('SIGTERM')).toBe(0);
  }, 60_000);

  it('a routing rule or flow that queues the case on create: the case still lands in DEFAULT_QUEUE_ID once', async () => {
    const { sandbox, env } = await org({ queueOnCreate: SEED_IDS.triageQueue });
    const { keys } = await deliver(sandbox, env, 'queued-on-create', ['a', 'b']);
    for (const key of keys) {
      expect((await storedHandoff(key, env)).status).toBe('created');
      expect(itemsOf(sandbox, key)).toEqual([
        expect.objectContaining({ _queueid_value: SEED_IDS.voiceQueue, statecode: 0 }),
      ]);
    }
  }, 60_000);

  it('no queue configured: no queue item is written, and verify and setup say the mode', async () => {
    const { sandbox, env: withQueue } = await org({});
    const { DEFAULT_QUEUE_ID: _queue, ...env } = withQueue;
    const { keys } = await deliver(sandbox, env, 'no-queue', ['a']);
    expect((await storedHandoff(keys[0], env)).status).toBe('created');
    expect(sandbox.state.rows('incidents')).toHaveLength(1);
    expect(sandbox.state.rows('queueitems')).toHaveLength(0);
    const report = await verifyJson(env);
    expect(report.queue).toMatchObject({
      mode: 'unassigned',
      applyRoutingRules: false,
      autoRouteToOwnerQueue: false,
    });
    expect((await runCliAsync(['verify'], env)).stdout).toContain('queue mode: unassigned');
    const setup = JSON.parse((await runCliAsync(['setup', '--json'], env)).stdout) as { queueMode: string };
    expect(setup.queueMode).toBe('unassigned');
    expect((await runCliAsync(['setup'], env)).stdout).toContain('queue mode: unassigned');
  }, 60_000);

  it("no queue, legacy routing (APPLY_ROUTING_RULES=legacy, or true as it first meant): the org's routing rule set places each case, once, in the change set", async () => {
    const { sandbox, env: withQueue } = await org({ routingRuleQueue: SEED_IDS.triageQueue });
    const { DEFAULT_QUEUE_ID: _queue, ...rest } = withQueue;
    for (const [value, label] of [
      ['true', 'routing-rules'],
      ['legacy', 'routing-legacy'],
    ] as const) {
      const env = { ...rest, APPLY_ROUTING_RULES: value };
      const { keys, requestsPerHandoff } = await deliver(sandbox, env, label, ['a', 'b']);
      for (const key of keys)
        expect(itemsOf(sandbox, key)).toEqual([
          expect.objectContaining({ _queueid_value: SEED_IDS.triageQueue }),
        ]);
      expect(requestsPerHandoff).toBeLessThanOrEqual(3);
      expect((await verifyJson(env)).queue).toMatchObject({
        mode: 'routing-rules',
        applyRoutingRules: 'legacy',
        org: { routes: 'legacy' },
      });
    }
    const env = { ...rest, APPLY_ROUTING_RULES: 'legacy' };
    const setup = JSON.parse((await runCliAsync(['setup', '--json'], env)).stdout) as {
      queueMode: string;
      orgRouting: { routes: string; ruleSets: string[] };
    };
    expect(setup).toMatchObject({
      queueMode: 'routing-rules',
      orgRouting: { routes: 'legacy', ruleSets: ['Voice cases'] },
    });
    expect((await runCliAsync(['setup'], env)).stdout).toContain(
      'the org routes cases with an active routing rule set (Voice cases)',
    );
  }, 90_000);

  it('no queue, unified routing (APPLY_ROUTING_RULES=unified): each case is created, then routed once by a route record of its own, and verify and setup say so', async () => {
    const { sandbox, env: withQueue } = await org({ unifiedRouting: { queue: SEED_IDS.triageQueue } });
    const { DEFAULT_QUEUE_ID: _queue, ...rest } = withQueue;
    const env = { ...rest, APPLY_ROUTING_RULES: 'unified' };
    const report = await verifyJson(env);
    expect(report.ok).toBe(true);
    expect(report.queue).toMatchObject({
      mode: 'unified-routing',
      applyRoutingRules: 'unified',
      org: { routes: 'unified' },
    });
    expect((await runCliAsync(['verify'], env)).stdout).toContain('queue mode: unified routing');

    const { documentFor, keyOf } = phoneHandoffs('unified');
    const relay = await startCliRelay(env);
    const keys = ['a', 'b'].map((label) => keyOf(documentFor(label)));
    for (const label of ['a', 'b'])
      expect((await postSignedHandoff(relay.url, documentFor(label))).status).toBe(202);
    const routeKeys = keys.map((key) => routeRecordKey(key));
    await vi.waitFor(
      async () => {
        const statuses = await storedStatuses(env);
        for (const key of [...keys, ...routeKeys]) expect(statuses.get(key)).toBe('created');
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(await relay.kill('SIGTERM')).toBe(0);
    for (const key of keys) {
      expect(itemsOf(sandbox, key)).toEqual([
        expect.objectContaining({ _queueid_value: SEED_IDS.triageQueue }),
      ]);
      expect((await storedHandoff(key, env)).note).toContain(routeRecordKey(key));
    }
    // One routing request per case, outside any change set.
    const routed = sandbox.requests.filter((r) => r.path.endsWith('/msdyn_ApplyRoutingRuleEntityRecord'));
    expect(routed).toHaveLength(2);
    const batches = sandbox.requests.filter((r) => r.path.endsWith('$batch'));
    expect(batches.flatMap((b) => b.operations ?? []).some((o) => o.url.includes('ApplyRoutingRule'))).toBe(
      false,
    );
    // The route record is a record like any other: `handoffs show` names its kind.
    expect(
      JSON.parse((await runCliAsync(['handoffs', 'show', routeKeys[0], '--json'], env)).stdout),
    ).toMatchObject({
      kind: 'route',
      status: 'created',
      incidentId: keys[0],
    });
    expect((await runCliAsync(['handoffs', 'list'], env)).stdout).toContain(`route for ${keys[0]}`);
    const setup = JSON.parse((await runCliAsync(['setup', '--json'], env)).stdout) as { queueMode: string };
    expect(setup.queueMode).toBe('unified-routing');
  }, 90_000);

  it('a routing mode without the role "OpenCX Handoff Relay - Routing" (no prvWriteIncident): verify names the role, legacy dead-letters the case, unified fails the route record', async () => {
    const routes = [
      ['legacy', { routingRuleQueue: SEED_IDS.triageQueue }],
      ['unified', { unifiedRouting: { queue: SEED_IDS.triageQueue } }],
    ] as const;
    for (const [mode, options] of routes) {
      const { sandbox, env: withQueue } = await org(options);
      sandbox.setAuth({ missingPrivileges: ['prvWriteIncident'] });
      const { DEFAULT_QUEUE_ID: _queue, ...rest } = withQueue;
      const env = { ...rest, APPLY_ROUTING_RULES: mode };
      const verified = await runCliAsync(['verify'], env);
      expect(verified.status, mode).not.toBe(0);
      expect(verified.stdout).toContain('- prvWriteIncident: APPLY_ROUTING_RULES=legacy or unified');
      expect(verified.stdout).toContain('Assign the security role "OpenCX Handoff Relay - Routing"');

      const { documentFor, keyOf } = phoneHandoffs(`no-routing-role-${mode}`);
      const key = keyOf(documentFor('a'));
      const routeKey = routeRecordKey(key);
      const relay = await startCliRelay(env);
      expect((await postSignedHandoff(relay.url, documentFor('a'))).status).toBe(202);
      const settled = mode === 'legacy' ? key : routeKey;
      await vi.waitFor(
        async () => expect((await storedStatuses(env)).get(settled)).toMatch(/^(created|failed)$/),
        { timeout: 15_000, interval: 100 },
      );
      expect(await relay.kill('SIGTERM')).toBe(0);
      const failed = await storedHandoff(settled, env);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastError: { code: '0x80040220' } });
      expect(failed.lastError?.message).toContain('missing prvWriteIncident privilege');
      expect(failed.lastError?.reason).toContain('"OpenCX Handoff Relay - Routing"');
      if (mode === 'legacy') {
        // ApplyRoutingRule is in the case's change set: nothing was created.
        expect(sandbox.state.rows('incidents')).toHaveLength(0);
      } else {
        // The case exists, in no queue; the route record says why.
        expect((await storedHandoff(key, env)).status).toBe('created');
        expect(sandbox.state.get('incidents', key)).toBeDefined();
        expect(itemsOf(sandbox, key)).toHaveLength(0);
      }
    }
  }, 90_000);

  it('unified routing where the org has not provisioned it: verify fails the queue check and says why', async () => {
    const { env: withQueue } = await org({});
    const { DEFAULT_QUEUE_ID: _queue, ...rest } = withQueue;
    const env = { ...rest, APPLY_ROUTING_RULES: 'unified' };
    const verified = await runCliAsync(['verify'], env);
    expect(verified.status).not.toBe(0);
    expect(verified.stdout).toContain('unified routing is not provisioned in this org');
  }, 60_000);

  it("a synchronous plug-in that refuses the create: dead letter with the plug-in's message, after one try", async () => {
    const refusal = 'Phone cases need a product before they can be saved (Contoso validation).';
    const { sandbox, env } = await org({ refuseIncidentCreate: refusal });
    const { keys } = await deliver(sandbox, env, 'plugin', ['a']);
    const stored = await storedHandoff(keys[0], env);
    expect(stored).toMatchObject({ status: 'failed', attempts: 1, lastError: { code: '0x80040265' } });
    expect(stored.lastError?.message).toBe(refusal);
    expect(stored.lastError?.reason).toContain(refusal);
    expect(sandbox.requests.filter((r) => r.path.endsWith('$batch'))).toHaveLength(1);
    expect(sandbox.state.rows('incidents')).toHaveLength(0);
  }, 60_000);
});
