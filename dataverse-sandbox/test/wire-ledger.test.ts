import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkRecorded,
  coverageLine,
  coverageOf,
  LEDGER,
  matchLedger,
  remainingAssumptions,
  renderLedgerMarkdown,
  renderRulesMarkdown,
  SANDBOX_RULES,
  wireRequest,
} from '../src/wire-ledger.js';

const ODATA = { Accept: 'application/json', 'OData-MaxVersion': '4.0', 'OData-Version': '4.0' };
const get = (target: string, headers: Record<string, string> = ODATA) =>
  matchLedger(wireRequest('request', 'GET', `/api/data/v9.2/${target}`, headers))?.id;

describe('the wire ledger', () => {
  it('rejects the uncast metadata reads the relay and verify used to send', () => {
    expect(
      get(
        "EntityDefinitions(LogicalName='incident')/Attributes?$select=LogicalName,AttributeType,IsValidForCreate,MaxLength",
      ),
    ).toBeUndefined();
    expect(
      get("EntityDefinitions(LogicalName='annotation')/Attributes(LogicalName='notetext')?$select=MaxLength"),
    ).toBeUndefined();
    expect(
      get(
        "EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='description')?$select=MaxLength",
      ),
    ).toBeUndefined();
  });

  it('accepts the documented casts (Query table definitions using the Web API)', () => {
    expect(
      get(
        "EntityDefinitions(LogicalName='incident')/Attributes?$select=LogicalName,AttributeType,IsValidForCreate",
      ),
    ).toBe('metadata.incident-attributes');
    expect(
      get(
        "EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='description')/Microsoft.Dynamics.CRM.MemoAttributeMetadata?$select=MaxLength",
      ),
    ).toBe('metadata.max-length');
    expect(
      get(
        "EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='prioritycode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet",
      ),
    ).toBe('metadata.options');
    // A cast the ledger does not list.
    expect(
      get(
        "EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='title')/Microsoft.Dynamics.CRM.IntegerAttributeMetadata?$select=MaxLength",
      ),
    ).toBeUndefined();
  });

  it('matches query options as a set, decoded, and refuses extra or missing ones', () => {
    const filter = encodeURIComponent("statecode eq 0 and emailaddress1 eq 'a@b.c'");
    expect(
      get(`contacts?$select=contactid,fullname,createdon&$orderby=createdon asc&$top=10&$filter=${filter}`),
    ).toBe('contacts.match');
    expect(
      get(`contacts?$select=contactid,fullname,createdon&$orderby=createdon asc&$filter=${filter}`),
    ).toBeUndefined();
    expect(
      get(
        `contacts?$select=contactid,fullname,createdon&$orderby=createdon asc&$top=10&$filter=${filter}&$count=true`,
      ),
    ).toBeUndefined();
  });

  it('requires the headers a row lists and refuses significant headers it does not', () => {
    const id = '0d7b3c5e-8f21-5a44-9c3e-6b1f2a9d4e70';
    expect(get(`queues(${id})?$select=name,statecode`)).toBe('queues.get');
    expect(get(`queues(${id})?$select=name,statecode`, { Accept: 'application/json' })).toBeUndefined();
    expect(
      get(`queues(${id})?$select=name,statecode`, { ...ODATA, Prefer: 'odata.include-annotations="*"' }),
    ).toBeUndefined();
    const patch = (headers: Record<string, string>) =>
      matchLedger(wireRequest('changeset', 'PATCH', `/api/data/v9.2/incidents(${id})`, headers))?.id;
    const entry = { 'Content-Type': 'application/json; type=entry' };
    expect(patch({ ...entry, 'If-Match': 'W/"1000123"' })).toBe('incidents.update');
    expect(patch({ ...entry, 'If-Match': '*' })).toBe('incidents.update');
    // Without If-Match a PATCH is an upsert that could re-create a deleted case.
    expect(patch(entry)).toBeUndefined();
  });

  it('checks a recorded $batch: its parts, their framing, and names the suite', () => {
    const misses = checkRecorded([
      {
        suite: 'webhook-relay/test/x.test.ts',
        method: 'POST',
        target: '/api/data/v9.2/$batch',
        headers: { ...lower(ODATA), 'content-type': 'multipart/mixed; boundary="batch_1"' },
        changesets: ['multipart/mixed; boundary="changeset_1"'],
        parts: [
          {
            place: 'changeset',
            part: {
              'content-type': 'application/http',
              'content-transfer-encoding': 'binary',
              'content-id': '1',
            },
            method: 'POST',
            target: '/api/data/v9.2/incidents',
            headers: { 'content-type': 'application/json; type=entry' },
          },
          {
            place: 'changeset',
            part: { 'content-type': 'application/http', 'content-transfer-encoding': 'binary' },
            method: 'DELETE',
            target: '/api/data/v9.2/incidents(0d7b3c5e-8f21-5a44-9c3e-6b1f2a9d4e70)',
            headers: {},
          },
        ],
      },
    ]);
    expect(misses.map((m) => [m.suite, m.request.split(' › ').at(-1), m.reason.split(':')[0]])).toEqual([
      [
        'webhook-relay/test/x.test.ts',
        'DELETE /api/data/v9.2/incidents(0d7b3c5e-8f21-5a44-9c3e-6b1f2a9d4e70)',
        'part header content-id',
      ],
      [
        'webhook-relay/test/x.test.ts',
        'DELETE /api/data/v9.2/incidents(0d7b3c5e-8f21-5a44-9c3e-6b1f2a9d4e70)',
        'no row has DELETE incidents(0d7b3c5e-8f21-5a44-9c3e-6b1f2a9d4e70)',
      ],
    ]);
  });

  it('gives every row and sandbox rule a unique id, a Microsoft Learn source, and a reading for each assumption', () => {
    for (const entries of [LEDGER, SANDBOX_RULES] as const) {
      expect(new Set(entries.map((r) => r.id)).size).toBe(entries.length);
      for (const entry of entries) {
        expect(entry.sources.length, entry.id).toBeGreaterThan(0);
        for (const source of entry.sources) {
          expect(source.url, entry.id).toMatch(/^https:\/\/learn\.microsoft\.com\//);
          expect(source.page && source.section, entry.id).toBeTruthy();
        }
        for (const assumption of entry.assumptions ?? []) {
          expect(assumption.what.length, entry.id).toBeGreaterThan(10);
          expect(assumption.reading.length, entry.id).toBeGreaterThan(10);
        }
      }
    }
  });

  it('marks the behaviours no page documents as assumptions, where the audit found them', () => {
    const assumed = new Set(remainingAssumptions().map((a) => a.id));
    // AddToQueue without SourceQueue, ApplyRoutingRule in a change set, the forms filter, unified routing's
    // repeat after an unknown outcome, and the sandbox's Retry-After values: no page says.
    for (const id of [
      'queues.add-to-queue',
      'apply-routing-rule',
      'systemforms.case-main',
      'unified.apply-routing-rule',
      'limits.requests',
      'limits.execution-time',
      'limits.concurrency',
      'add-to-queue.no-source',
    ])
      expect(assumed, id).toContain(id);
    // Documented, so not assumed: the duplicate create's 412 and If-Match on a missing record.
    for (const id of ['create.duplicate-key', 'update.if-match-missing', 'incidents.create'])
      expect(assumed, id).not.toContain(id);
  });

  it('says how much a passing check covered', () => {
    const entry = {
      suite: 'a.test.ts',
      method: 'GET',
      target: '/api/data/v9.2/WhoAmI()',
      headers: lower(ODATA),
    };
    const coverage = coverageOf([entry, { ...entry, suite: 'b.test.ts' }]);
    expect(coverage).toEqual({ requests: 2, parts: 0, suites: 2, rows: LEDGER.length, rowsUsed: 1 });
    expect(coverageLine(coverage, 0)).toBe(
      `wire ledger: 2 requests (0 $batch parts) from 2 suites checked against ${LEDGER.length} rows (1 used): all documented`,
    );
  });

  it('is rendered, row for row and rule for rule, in docs/dataverse-wire-ledger.md', () => {
    const doc = readFileSync(path.join(import.meta.dirname, '../../docs/dataverse-wire-ledger.md'), 'utf8');
    const table = /<!-- ledger:start -->\n([\s\S]*?)<!-- ledger:end -->/.exec(doc)?.[1];
    // Regenerate with: npx tsx scripts/wire-ledger-doc.ts (Prettier pads the cells; the content must be equal).
    expect(cells(table ?? '')).toEqual(cells(renderLedgerMarkdown()));
    const rules = /<!-- rules:start -->\n([\s\S]*?)<!-- rules:end -->/.exec(doc)?.[1];
    expect(cells(rules ?? '')).toEqual(cells(renderRulesMarkdown()));
  });
});

/** A Markdown table as rows of trimmed cells (the separator row left out). */
function cells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .filter((line) => !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
