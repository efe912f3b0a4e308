import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { RetentionSettings } from '../../src/config/data-at-rest.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import {
  createRetention,
  purgeCutoffs,
  purgeIntervalMs,
  warningWindowMs,
} from '../../src/privacy/retention.js';
import type { HandoffStore } from '../../src/store/types.js';
import { embeddedStore, NOW } from '../helpers.js';

const DAY = 86_400_000;
const settings: RetentionSettings = { payloadMs: 7 * DAY, deadLetterMs: 30 * DAY, recordMs: 90 * DAY };

function logSink() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

async function settle(store: HandoffStore, key: string, status: 'created' | 'failed', at: number) {
  await store.insert({ key, kind: 'handoff', sessionId: `s-${key}`, payload: '{"messages":[]}', now: at });
  const [claimed] = await store.claim('w', 1, at, 60_000);
  await store.update(claimed.key, 'w', { status }, at);
}

describe('retention in the running relay', () => {
  it('derives cutoffs, the warning window and the interval from the settings', () => {
    expect(purgeCutoffs(settings, NOW)).toEqual({
      settledBefore: NOW - 7 * DAY,
      failedBefore: NOW - 30 * DAY,
      recordsBefore: NOW - 90 * DAY,
      webhookIdsBefore: NOW - 90 * DAY,
    });
    expect(warningWindowMs(settings)).toBe(3 * DAY);
    expect(warningWindowMs({ ...settings, deadLetterMs: 10 * 60_000 })).toBe(60_000);
    expect(purgeIntervalMs(settings)).toBe(60_000);
    expect(purgeIntervalMs({ payloadMs: 2000, deadLetterMs: 2000, recordMs: 3000 })).toBe(1000);
    expect(purgeIntervalMs({ payloadMs: 0, deadLetterMs: 0, recordMs: 0 })).toBe(250);
  });

  it('removes what expired in rounds, counts it, audits the totals and logs them', async () => {
    const store = await embeddedStore();
    for (const key of ['a', 'b', 'c', 'd', 'e']) await settle(store, key, 'created', NOW);
    await store.insert({ key: 'pending', kind: 'handoff', sessionId: 's', payload: '{}', now: NOW });
    const metrics = createMetrics();
    const { lines, logger } = logSink();
    let now = NOW + 7 * DAY - 1;
    const retention = createRetention({
      store,
      settings,
      logger,
      metrics,
      clock: () => now,
      batchSize: 2,
      actor: { user: 'relay', host: 'h1' },
    });
    expect(await retention.runOnce()).toEqual({ payloads: 0, deadLetters: 0, records: 0, webhookIds: 0 });
    expect(await store.auditTrail(10)).toEqual([]);
    now = NOW + 7 * DAY;
    expect(await retention.runOnce()).toEqual({ payloads: 5, deadLetters: 0, records: 0, webhookIds: 0 });
    expect((await store.get('pending'))?.payload).toBe('{}');
    expect(await store.auditTrail(10)).toEqual([
      {
        at: now,
        action: 'purge',
        user: 'relay',
        host: 'h1',
        counts: { payloads: 5, deadLetters: 0, records: 0, webhookIds: 0 },
      },
    ]);
    expect(await metrics.registry.getSingleMetricAsString('opencx_relay_purged_total')).toContain(
      'opencx_relay_purged_total{what="payload"} 5',
    );
    expect(lines.filter((line) => line.msg === 'retention: removed expired payloads and records')).toEqual([
      expect.objectContaining({ payloads: 5 }),
    ]);
  });

  it('names each dead letter once before DEAD_LETTER_RETENTION removes its payload, and counts them', async () => {
    const store = await embeddedStore();
    await settle(store, 'soon', 'failed', NOW);
    await settle(store, 'later', 'failed', NOW + 10 * DAY);
    const metrics = createMetrics();
    const { lines, logger } = logSink();
    let now = NOW + 27 * DAY - 1;
    const retention = createRetention({ store, settings, logger, metrics, clock: () => now });
    await retention.runOnce();
    expect(lines.filter((line) => line.level === 40)).toEqual([]);
    now = NOW + 27 * DAY; // 3 days before it goes
    await retention.runOnce();
    await retention.runOnce();
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings).toEqual([expect.objectContaining({ keys: ['soon'], deadLetters: 1, within: '3d' })]);
    expect(String(warnings[0].msg)).toContain('opencx-relay handoffs retry');
    expect(await metrics.registry.getSingleMetricAsString('opencx_relay_dead_letters_expiring')).toContain(
      'opencx_relay_dead_letters_expiring 1',
    );
    now = NOW + 30 * DAY;
    expect((await retention.runOnce()).deadLetters).toBe(1);
    expect(await metrics.registry.getSingleMetricAsString('opencx_relay_dead_letters_expiring')).toContain(
      'opencx_relay_dead_letters_expiring 0',
    );
  });

  it('runs on its timer until stopped, and a failing round is logged, not thrown', async () => {
    const store = await embeddedStore();
    const { lines, logger } = logSink();
    let rounds = 0;
    const failing: HandoffStore = {
      ...store,
      purge: () => {
        rounds += 1;
        return Promise.reject(new Error('store down'));
      },
    };
    const retention = createRetention({ store: failing, settings, logger, intervalMs: 5 });
    retention.start();
    await expect.poll(() => rounds, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    await retention.stop();
    const after = rounds;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(rounds).toBe(after);
    expect(lines.some((line) => line.err === 'store down')).toBe(true);
  });
});
