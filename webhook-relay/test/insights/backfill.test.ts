/**
 * The backfill run's decisions over a scripted Web API: paging through @odata.nextLink, retrying a page or a
 * batch in place, honouring 429 through the shared pause, setting aside a case Dataverse refuses, stopping on
 * a missing privilege. Against the real sandbox end to end: test/e2e/insights-cli.test.ts.
 */
import { write, type Transcript } from '@opencx-d365/transcript-format';
import { describe, expect, it } from 'vitest';
import type { ChangeSetOperation } from '../../src/dataverse/batch.js';
import { DataverseRequestError, type DataverseClient, type GetOptions } from '../../src/dataverse/client.js';
import { classify } from '../../src/dataverse/errors.js';
import { candidatesPath, nextPagePath } from '../../src/insights/backfill-plan.js';
import { runBackfill, type BackfillDeps } from '../../src/insights/backfill.js';
import { INSIGHTS_COLUMNS as C } from '../../src/insights/columns.js';
import type { InstalledInsights } from '../../src/insights/installed.js';
import { ownPause, storePause } from '../../src/insights/shared-pause.js';

const URL_ROOT = 'https://contoso.crm.dynamics.com';
const installed: InstalledInsights = {
  columns: [C.sessionId, C.channel, C.turnsBeforeHandoff],
  options: { [C.channel]: [672630000, 672630003] },
  sessionIdMaxLength: 100,
  mismatched: [],
};
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const transcript = (session: string): Transcript => ({
  header: { channel: 'phone_voice', sessionId: session, handoffAt: '2026-11-24T14:05:09Z' },
  turns: [{ at: '2026-11-24T14:04:09Z', role: 'contact', text: 'hello' }],
});
const row = (n: number, description = write(transcript(`s-${n}`))) => ({
  incidentid: id(n),
  ticketnumber: `CAS-${n}`,
  description,
  [C.sessionId]: null,
  [C.channel]: null,
  [C.turnsBeforeHandoff]: null,
});
const failure = (status: number, code = '', retryAfter?: string, message = '') =>
  new DataverseRequestError(classify(status, code, message, retryAfter));

/** A Web API that answers from a script: pages by path, and a queue of failures to throw first. */
function scripted(
  pages: Record<string, { value: unknown[]; '@odata.count'?: number; '@odata.nextLink'?: string }>,
) {
  const gets: Array<{ path: string; prefer?: string }> = [];
  const batches: ChangeSetOperation[][] = [];
  const failGet: DataverseRequestError[] = [];
  const failBatch: Array<
    DataverseRequestError | ((ops: ChangeSetOperation[]) => DataverseRequestError | undefined)
  > = [];
  const client: DataverseClient = {
    get<T>(path: string, options?: GetOptions) {
      gets.push({ path, prefer: options?.headers?.Prefer });
      const fail = failGet.shift();
      if (fail) return Promise.reject(fail);
      const page = pages[path];
      if (!page) return Promise.reject(failure(404, '', undefined, `no page ${path}`));
      return Promise.resolve(page as T);
    },
    batch(operations) {
      batches.push(operations);
      const next = failBatch.shift();
      const fail = typeof next === 'function' ? next(operations) : next;
      if (fail) return Promise.reject(fail);
      return Promise.resolve(operations.map(() => ({ status: 204, headers: {}, body: '' })));
    },
    post: () => Promise.reject(new Error('backfill sends no action')),
  };
  return { client, gets, batches, failGet, failBatch };
}

function deps(
  client: DataverseClient,
  extra: Partial<BackfillDeps> = {},
): BackfillDeps & { slept: number[] } {
  let now = Date.UTC(2026, 11, 1);
  const slept: number[] = [];
  return {
    client,
    dataverseUrl: URL_ROOT,
    installed,
    pause: ownPause(),
    policy: { maxAttempts: 3, backoffBaseMs: 100, backoffMaxMs: 1000 },
    clock: () => now,
    random: () => 0.5,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
    slept,
    ...extra,
  };
}

const since = new Date('2026-11-01T00:00:00Z');
const first = candidatesPath(since, installed);
const page2 = 'incidents?$select=incidentid&$skiptoken=%3Ccookie%20pagenumber=%222%22%20/%3E';

describe('candidatesPath and nextPagePath', () => {
  it('asks for cases created in the window with any insights column empty, counted, never by description', () => {
    expect(decodeURIComponent(first)).toBe(
      'incidents?$select=incidentid,ticketnumber,description,opencx_sessionid,opencx_channel,opencx_turnsbeforehandoff' +
        '&$filter=createdon ge 2026-11-01T00:00:00.000Z and (opencx_sessionid eq null or opencx_channel eq null or opencx_turnsbeforehandoff eq null)' +
        '&$count=true',
    );
  });

  it('takes the next page as Dataverse gave it, and refuses a link to another host', () => {
    expect(nextPagePath(`${URL_ROOT}/api/data/v9.2/${page2}`, URL_ROOT)).toBe(page2);
    expect(nextPagePath(`https://evil.example/api/data/v9.2/${page2}`, URL_ROOT)).toBeUndefined();
    expect(nextPagePath(`${URL_ROOT}/other/${page2}`, URL_ROOT)).toBeUndefined();
  });
});

describe('runBackfill', () => {
  it('pages through @odata.nextLink with one page size, filling ours and leaving the rest alone', async () => {
    const api = scripted({
      [first]: {
        value: [row(1), row(2, 'Typed by a rep: customer called back.')],
        '@odata.count': 3,
        '@odata.nextLink': `${URL_ROOT}/api/data/v9.2/${page2}`,
      },
      [page2]: { value: [{ ...row(3), [C.sessionId]: 's-3' }] },
    });
    const report = await runBackfill({ since, dryRun: false, batchSize: 2 }, deps(api.client));
    expect(api.gets).toEqual([
      { path: first, prefer: 'odata.maxpagesize=2' },
      { path: page2, prefer: 'odata.maxpagesize=2' },
    ]);
    expect(api.batches).toEqual([
      [
        {
          method: 'PATCH',
          url: `/api/data/v9.2/incidents(${id(1)})`,
          body: { [C.sessionId]: 's-1', [C.channel]: 672630000, [C.turnsBeforeHandoff]: 1 },
          headers: { 'If-Match': '*' },
        },
      ],
      // Case 3 already had its session id: only the empty columns.
      [expect.objectContaining({ body: { [C.channel]: 672630000, [C.turnsBeforeHandoff]: 1 } })],
    ]);
    expect(report).toMatchObject({ total: 3, read: 3, notOurs: 1, filled: 2, failed: [], pauses: 0 });
  });

  it('keeps change sets at the batch size when a server sends a larger page than asked', async () => {
    const api = scripted({ [first]: { value: [row(1), row(2), row(3), row(4), row(5)] } });
    const report = await runBackfill({ since, dryRun: false, batchSize: 2 }, deps(api.client));
    expect(api.batches.map((ops) => ops.length)).toEqual([2, 2, 1]);
    expect(report.filled).toBe(5);
  });

  it('--dry-run reads the same pages and writes nothing', async () => {
    const api = scripted({ [first]: { value: [row(1), row(2)] } });
    const report = await runBackfill({ since, dryRun: true, batchSize: 50 }, deps(api.client));
    expect(api.batches).toEqual([]);
    expect(report.changes.map((c) => [c.ticketNumber, c.fields[C.sessionId]])).toEqual([
      ['CAS-1', 's-1'],
      ['CAS-2', 's-2'],
    ]);
    expect(report.filled).toBe(2);
  });

  it('retries a failed page in place (5xx, then a dropped connection), never from the start', async () => {
    const api = scripted({
      [first]: { value: [row(1)], '@odata.nextLink': `${URL_ROOT}/api/data/v9.2/${page2}` },
      [page2]: { value: [row(2)] },
    });
    const d = deps(api.client);
    // The first page succeeds; the second fails twice before it answers.
    const get = api.client.get.bind(api.client);
    let calls = 0;
    api.client.get = <T>(path: string, options?: GetOptions) => {
      calls += 1;
      if (calls === 2) return Promise.reject(failure(503));
      if (calls === 3) return Promise.reject(failure(0, '', undefined, 'socket hang up'));
      return get<T>(path, options);
    };
    const report = await runBackfill({ since, dryRun: false, batchSize: 50 }, d);
    expect(api.gets.map((g) => g.path)).toEqual([first, page2]);
    expect(calls).toBe(4);
    expect(report).toMatchObject({ filled: 2, retries: 2 });
    expect(d.slept).toEqual([50, 100]);
  });

  it('waits out a 429 on a batch (Retry-After) through the shared pause, then sends the same batch again', async () => {
    const api = scripted({ [first]: { value: [row(1), row(2)] } });
    api.failBatch.push(failure(429, '0x80072322', '7'));
    const pauses: Array<[string, number]> = [];
    const store = {
      paused: 0,
      getPauseUntil: () => Promise.resolve(store.paused),
      setPauseUntil: (scope: string, until: number) => {
        pauses.push([scope, until]);
        store.paused = Math.max(store.paused, until);
        return Promise.resolve();
      },
    };
    const d = deps(api.client, { pause: storePause(store, 'dataverse:x:app') });
    const report = await runBackfill({ since, dryRun: false, batchSize: 50 }, d);
    expect(pauses).toEqual([['dataverse:x:app', Date.UTC(2026, 11, 1) + 7000]]);
    expect(d.slept).toEqual([7000]);
    expect(api.batches).toHaveLength(2);
    expect(api.batches[1]).toEqual(api.batches[0]);
    expect(report).toMatchObject({ filled: 2, pauses: 1, retries: 0 });
  });

  it("honours a pause the relay's workers set before the first request", async () => {
    const api = scripted({ [first]: { value: [] } });
    const paused = Date.UTC(2026, 11, 1) + 30_000;
    const store = { getPauseUntil: () => Promise.resolve(paused), setPauseUntil: () => Promise.resolve() };
    const d = deps(api.client, { pause: storePause(store, 's') });
    await runBackfill({ since, dryRun: false, batchSize: 50 }, d);
    expect(d.slept).toEqual([30_000]);
  });

  it('sets aside a case deleted since it was read (404 on its Content-ID) and fills the others', async () => {
    const api = scripted({ [first]: { value: [row(1), row(2), row(3)] } });
    api.failBatch.push(
      Object.assign(failure(404, '', undefined, `incident With Id = ${id(2)} Does Not Exist`), {
        contentId: '2',
      }),
    );
    const report = await runBackfill({ since, dryRun: false, batchSize: 50 }, deps(api.client));
    expect(api.batches.map((ops) => ops.map((op) => op.url.slice(-3, -1)))).toEqual([
      ['01', '02', '03'],
      ['01', '03'],
    ]);
    expect(report.filled).toBe(2);
    expect(report.failed).toEqual([
      expect.objectContaining({
        incidentId: id(2),
        ticketNumber: 'CAS-2',
        code: '404',
        reason: expect.stringContaining('deleted') as string,
      }),
    ]);
  });

  it('stops at a missing privilege and names the role that holds it', async () => {
    const api = scripted({ [first]: { value: [row(1)] } });
    api.failBatch.push(
      failure(
        403,
        '0x80040220',
        undefined,
        'Principal user (Id=…) is missing prvWriteIncident privilege (Id=…) on OTC=112',
      ),
    );
    const report = await runBackfill({ since, dryRun: false, batchSize: 50 }, deps(api.client));
    expect(report.filled).toBe(0);
    expect(report.stopped).toEqual({
      code: '0x80040220',
      reason: expect.stringContaining('"OpenCX Handoff Relay - Append"') as string,
    });
  });

  it('gives up after the configured attempts on a page that keeps failing, and says so', async () => {
    const api = scripted({ [first]: { value: [row(1)] } });
    api.failGet.push(failure(503), failure(503), failure(503));
    const report = await runBackfill({ since, dryRun: false, batchSize: 50 }, deps(api.client));
    expect(api.gets).toHaveLength(3);
    expect(report.stopped?.code).toBe('503');
    expect(report.read).toBe(0);
  });

  it('stops rather than send the token to a next-page link on another host', async () => {
    const api = scripted({
      [first]: { value: [row(1)], '@odata.nextLink': `https://evil.example/api/data/v9.2/${page2}` },
    });
    const report = await runBackfill({ since, dryRun: false, batchSize: 50 }, deps(api.client));
    expect(api.gets).toHaveLength(1);
    expect(report).toMatchObject({ filled: 1, stopped: { code: 'next_link' } });
  });

  it('does nothing on an org without the columns', async () => {
    const api = scripted({});
    const report = await runBackfill(
      { since, dryRun: false, batchSize: 50 },
      deps(api.client, { installed: { ...installed, columns: [], options: {} } }),
    );
    expect(report.notInstalled).toBe(true);
    expect(api.gets).toEqual([]);
  });
});
