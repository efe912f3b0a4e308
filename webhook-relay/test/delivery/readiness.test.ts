import { describe, expect, it } from 'vitest';
import { DataverseRequestError, TOKEN_UNAVAILABLE } from '../../src/dataverse/client.js';
import { classify } from '../../src/dataverse/errors.js';
import { createDeliveryGate, type Preparation } from '../../src/delivery/readiness.js';
import { messages } from '../../src/messages.js';
import { createMetrics } from '../../src/observability/metrics.js';

const metadata = { titleMaxLength: 200, descriptionMaxLength: 2000, noteMaxLength: 100_000 };
const answer = (status: number, code = '', retryAfter?: string) =>
  new DataverseRequestError(classify(status, code, 'refused', retryAfter));

interface Line {
  level: string;
  msg: string;
}

/** A gate driven by a script of outcomes, with a clock that moves only by the waits it asks for. */
function scripted(outcomes: Array<Preparation | Error>, random = () => 0.5) {
  let now = 1_000_000;
  const waits: number[] = [];
  const lines: Line[] = [];
  const logged: Array<{ msg: string; fields: object }> = [];
  const logger = {
    info: (_o: object, msg: string) => lines.push({ level: 'info', msg }),
    warn: (_o: object, msg: string) => lines.push({ level: 'warn', msg }),
    error: (fields: object, msg: string) => {
      lines.push({ level: 'error', msg });
      logged.push({ msg, fields });
    },
  };
  const metrics = createMetrics();
  let ready: unknown;
  let tries = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const gate = createDeliveryGate({
    prepare: () => {
      const next = outcomes[tries];
      // Past the script: the try never ends, so the gate stays as the last outcome left it.
      if (next === undefined) return new Promise<Preparation>(() => undefined);
      tries += 1;
      if (tries >= outcomes.length) queueMicrotask(done);
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    onReady: (m) => (ready = m),
    backoffBaseMs: 1000,
    backoffMaxMs: 300_000,
    // The test logger records only the level and the sentence an operator reads.
    logger: logger as never,
    metrics,
    clock: () => now,
    random,
    sleep: (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
    logEveryMs: 60_000,
  });
  return { gate, waits, lines, logged, metrics, finished, ready: () => ready, tries: () => tries };
}

describe('delivery gate', () => {
  it('waits out a 503 outage with jittered exponential backoff capped at a minute, then opens', async () => {
    const outages = Array.from({ length: 12 }, () => answer(503));
    const g = scripted([...outages, { ok: true, metadata }]);
    await g.gate.start();
    expect(g.gate.status()).toMatchObject({ state: 'waiting', reason: 'dataverse_unavailable', attempts: 1 });
    await g.finished;
    await new Promise((resolve) => setImmediate(resolve));
    expect(g.gate.status()).toMatchObject({ state: 'ready' });
    expect(g.ready()).toEqual(metadata);
    // random() = 0.5: half of 1 s, 2 s, 4 s … capped at 60 s.
    expect(g.waits).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000, 30000]);
    // One line at the first failure, then at most one a minute — not one per try — and one on recovery.
    const warned = g.lines.filter((l) => l.level === 'warn');
    expect(warned.length).toBeLessThan(6);
    expect(warned[0].msg).toContain('Dataverse is unavailable');
    expect(g.lines.at(-1)).toMatchObject({ level: 'info' });
    expect(g.lines.at(-1)!.msg).toContain('after 13 tries');
    const metric = await g.metrics.registry.getSingleMetricAsString('opencx_relay_delivery_waiting');
    expect(metric).toContain('opencx_relay_delivery_waiting{reason="dataverse_unavailable"} 0');
  });

  it("honours a 429's Retry-After as the least wait and says it is throttled", async () => {
    const g = scripted([answer(429, '0x80072322', '7'), { ok: true, metadata }], () => 0);
    await g.gate.start();
    expect(g.gate.status()).toMatchObject({ state: 'waiting', reason: 'throttled' });
    const metric = await g.metrics.registry.getSingleMetricAsString('opencx_relay_delivery_waiting');
    expect(metric).toContain('opencx_relay_delivery_waiting{reason="throttled"} 1');
    await g.finished;
    expect(g.waits).toEqual([7000]);
  });

  it('names a refused token (401, or no token from Entra ID) as its own reason', async () => {
    // No token from Entra ID reaches the gate as the client reports it (dataverse/client.ts): a 401 token_unavailable.
    const noToken = new DataverseRequestError(
      classify(
        401,
        TOKEN_UNAVAILABLE,
        'no token from Microsoft Entra ID: AADSTS7000215: Invalid client secret provided.',
      ),
    );
    const g = scripted([answer(401), noToken]);
    await g.gate.start();
    expect(g.gate.status()).toMatchObject({ state: 'waiting', reason: 'token_refused' });
    await g.finished;
    expect(g.gate.status()).toMatchObject({ state: 'waiting', reason: 'token_refused' });
    expect(g.gate.status()).toMatchObject({ detail: expect.stringContaining('AADSTS7000215') as string });
    g.gate.stop();
  });

  it("names the relay's own error (a bug) relay_error, not a refused token, and logs it whole", async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'MaxLength')");
    const g = scripted([bug, { ok: true, metadata }]);
    await g.gate.start();
    expect(g.gate.status()).toMatchObject({
      state: 'waiting',
      reason: 'relay_error',
      detail: "Cannot read properties of undefined (reading 'MaxLength')",
    });
    // The error itself goes to the log (pino's err serializer writes its stack), not only its message.
    expect(g.logged.find((entry) => entry.msg === messages.delivery.relayError)?.fields).toEqual({
      err: bug,
    });
    expect(await g.metrics.registry.getSingleMetricAsString('opencx_relay_delivery_waiting')).toContain(
      'reason="relay_error"} 1',
    );
    await g.finished;
    expect(g.gate.status()).toMatchObject({ state: 'ready' });
  });

  it('stops for good on a configuration the org refuses, naming each problem, and never retries', async () => {
    const problems = ['DEFAULT_PRIORITY=9 is not a priority of this org. Valid values: 1 (High).'];
    const g = scripted([
      { ok: false, errors: problems },
      { ok: true, metadata },
    ]);
    await g.gate.start();
    expect(g.gate.status()).toMatchObject({ state: 'stopped', reason: 'config_invalid', problems });
    expect(g.tries()).toBe(1);
    expect(g.ready()).toBeUndefined();
    expect(g.lines).toEqual([{ level: 'error', msg: expect.stringContaining(problems[0]) as string }]);
    const metric = await g.metrics.registry.getSingleMetricAsString('opencx_relay_delivery_waiting');
    expect(metric).toContain('opencx_relay_delivery_waiting{reason="config_invalid"} 1');
  });
});
