/**
 * Issue 26, end to end through the built CLI against the sandbox: every case created from the sample handoffs
 * carries the insights columns with the handoff's values; an org without them gets its cases as before and
 * verify warns; `insights backfill` fills the cases created before the columns existed, and a second run
 * changes nothing (the sandbox's request log shows no write).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Sandbox } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it, vi } from 'vitest';
import { handoffKey } from '../../src/handoff/key.js';
import type { HandoffDocument } from '../../src/handoff/document.js';
import {
  CALLER_VERIFICATION,
  CHANNEL,
  HANDOFF_REASON,
  INSIGHTS_COLUMNS as C,
  SENTIMENT_AT_HANDOFF,
} from '../../src/insights/columns.js';
import { postSignedHandoff, testSandbox } from '../helpers.js';
import { cliRelayEnv, runCliAsync, startCliRelay, storedStatuses } from './cli-relay.js';

const root = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as HandoffDocument;
const fixtureDir = path.join(root, 'webhook-relay/test/fixtures/handoffs');
const samples = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.json'))
  .map((name) => read(path.join(fixtureDir, name)));
// The demo's caller who only stated her email, and one OpenCX verified: the three answers of the column.
const stated = read(path.join(root, 'examples/handoffs/stated-email.json'));
const verified: HandoffDocument = {
  ...samples[0],
  session_id: `${samples[0].session_id}-verified`,
  customer: { ...samples[0].customer, phone: '+14155550199', verification: { phone: 'verified' } },
};
const handoffs = [...samples, stated, verified];

const option = (choice: { options: Readonly<Record<string, number>>; other: number }, code?: string) =>
  code ? (choice.options[code.toLowerCase()] ?? choice.other) : null;

/** The columns a case must carry for `doc`, worked out here from the handoff itself. */
function expectedColumns(doc: HandoffDocument): Record<string, unknown> {
  const marks = (['name', 'email', 'phone'] as const)
    .filter((detail) => doc.customer?.[detail])
    .map((detail) => doc.customer?.verification?.[detail]);
  const first = doc.messages[0];
  return {
    [C.sessionId]: doc.session_id,
    [C.handoffOn]: Date.parse(doc.handoff_at),
    [C.handoffReason]: option(HANDOFF_REASON, doc.reason),
    [C.sentimentAtHandoff]: option(SENTIMENT_AT_HANDOFF, doc.sentiment),
    [C.channel]: option(CHANNEL, doc.channel ?? 'phone_voice'),
    [C.callerVerification]:
      CALLER_VERIFICATION.options[
        marks.includes('verified') ? 'verified' : marks.includes('stated') ? 'stated' : 'none'
      ],
    [C.turnsBeforeHandoff]: doc.messages.length,
    [C.aiHandlingSeconds]: first
      ? Math.floor((Date.parse(doc.handoff_at) - Date.parse(first.at)) / 1000)
      : null,
  };
}

/** The insights columns of a case as the sandbox holds it (the time as milliseconds, to compare instants). */
function columnsOf(sandbox: Sandbox, doc: HandoffDocument): Record<string, unknown> {
  const key = handoffKey(doc.session_id, doc.handoff_at);
  const row = sandbox.state.rows('incidents').find((r) => r.incidentid === key);
  if (!row) throw new Error(`no case for ${doc.session_id}`);
  return Object.fromEntries(
    Object.values(C).map((column) => {
      const value = row[column] ?? null;
      return [column, column === C.handoffOn && typeof value === 'string' ? Date.parse(value) : value];
    }),
  );
}

async function deliver(sandbox: Sandbox, env: Record<string, string>, docs: HandoffDocument[]) {
  const relay = await startCliRelay(env);
  for (const doc of docs) expect((await postSignedHandoff(relay.url, doc)).status).toBe(202);
  const keys = docs.map((doc) => handoffKey(doc.session_id, doc.handoff_at));
  await vi.waitFor(
    async () => {
      const statuses = await storedStatuses(env);
      for (const key of keys) expect([key, statuses.get(key)]).toEqual([key, 'created']);
    },
    { timeout: 30_000, interval: 200 },
  );
  expect(await relay.kill('SIGTERM')).toBe(0);
  expect(sandbox.state.rows('incidents')).toHaveLength(docs.length);
}

type Report = { checks: Array<{ id: string; status: string; summary: string; fix?: string }>; ok: boolean };
const insightsCheck = (report: Report) => report.checks.find((c) => c.id === 'insights');

describe('the insights columns, through the built CLI', () => {
  it('every case created from the sample handoffs carries the columns, with the values of its handoff', async () => {
    const sandbox = await testSandbox({ org: { insights: true } });
    const env = cliRelayEnv(sandbox.url);
    await deliver(sandbox, env, handoffs);
    for (const doc of handoffs)
      expect([doc.session_id, columnsOf(sandbox, doc)]).toEqual([doc.session_id, expectedColumns(doc)]);
    // All three answers of caller verification occur.
    expect(new Set(handoffs.map((doc) => expectedColumns(doc)[C.callerVerification])).size).toBe(3);
    const verified = await runCliAsync(['verify', '--json'], env);
    expect(insightsCheck(JSON.parse(verified.stdout) as Report)).toMatchObject({ status: 'pass' });
  }, 120_000);

  it('an org without the columns still gets its cases, created as before, and verify warns (exit 0)', async () => {
    const sandbox = await testSandbox();
    const env = cliRelayEnv(sandbox.url);
    await deliver(sandbox, env, samples.slice(0, 3));
    for (const row of sandbox.state.rows('incidents'))
      expect(Object.keys(row).filter((name) => name.startsWith('opencx_'))).toEqual([]);
    const text = await runCliAsync(['verify'], env);
    expect(text.stdout).toMatch(/\[WARN\] Insights columns +the insights columns are not installed/);
    expect(text.stdout).toContain('Import the OpenCX Insights solution');
    const json = await runCliAsync(['verify', '--json'], env);
    expect(insightsCheck(JSON.parse(json.stdout) as Report)).toMatchObject({ status: 'warn' });
    expect([text.status, json.status]).toEqual([0, 0]);
    // The backfill has nothing to fill there, and says how to install.
    const backfill = await runCliAsync(['insights', 'backfill'], env);
    expect(backfill.status).toBe(1);
    expect(backfill.stdout).toContain('not on the Case table');
  }, 120_000);

  it('backfill fills the cases created before the columns existed, through a 429, and a second run changes nothing', async () => {
    const sandbox = await testSandbox();
    const env = cliRelayEnv(sandbox.url);
    await deliver(sandbox, env, handoffs);
    // A case typed by a rep: not ours, left alone.
    const typed = '0d7b3c5e-8f21-4a44-9c3e-6b1f2a9d4e99';
    sandbox.state.put('incidents', typed, {
      ...sandbox.state.rows('incidents')[0],
      incidentid: typed,
      description: 'Customer called back about the refund; see email thread.',
    });
    sandbox.setOrg({ insights: true });

    const before = sandbox.requests.length;
    const dryRun = await runCliAsync(['insights', 'backfill', '--since', '30d', '--dry-run'], env);
    expect(dryRun.status).toBe(0);
    expect(dryRun.stdout).toContain(`would fill ${handoffs.length} case(s)`);
    expect(dryRun.stdout).toContain(`${C.channel}=phone_voice (${CHANNEL.options.phone_voice})`);
    const writes = (from: number) => sandbox.requests.slice(from).filter((r) => r.method !== 'GET');
    expect(writes(before)).toEqual([]);

    sandbox.setFaults({ throttleNext: 1, throttleRetryAfterSeconds: 1 });
    const first = await runCliAsync(
      ['insights', 'backfill', '--since', '30d', '--batch-size', '5', '--json'],
      env,
    );
    expect(first.stderr).toContain('resuming at');
    const report = JSON.parse(first.stdout) as {
      filled: number;
      notOurs: number;
      pauses: number;
      pause: string;
      failed: unknown[];
    };
    expect(report).toMatchObject({
      filled: handoffs.length,
      notOurs: 1,
      pauses: 1,
      pause: 'store',
      failed: [],
    });
    expect(first.status).toBe(0);
    for (const doc of handoffs)
      expect([doc.session_id, columnsOf(sandbox, doc)]).toEqual([doc.session_id, expectedColumns(doc)]);
    expect(
      Object.keys(sandbox.state.get('incidents', typed) ?? {}).filter((k) => k.startsWith('opencx_')),
    ).toEqual([]);

    const afterFirst = sandbox.requests.length;
    const second = await runCliAsync(['insights', 'backfill', '--since', '30d'], env);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('Nothing to fill');
    expect(writes(afterFirst)).toEqual([]);
    expect(sandbox.requests.slice(afterFirst).every((r) => r.status === 200)).toBe(true);
  }, 120_000);
});
