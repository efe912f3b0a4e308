/**
 * What the relay reads at start about the insights columns, against the sandbox (which serves the columns of
 * the solution's own customizations.xml with `org: { insights: true }`), and the insights check of verify.
 */
import { describe, expect, it } from 'vitest';
import { insightsResult } from '../../src/admin/insights-check.js';
import { verify } from '../../src/admin/verify.js';
import { createDataverseClient } from '../../src/dataverse/client.js';
import { prepareDelivery } from '../../src/delivery/metadata.js';
import {
  CALLER_VERIFICATION,
  CHANNEL,
  HANDOFF_REASON,
  INSIGHTS_COLUMNS as C,
  SENTIMENT_AT_HANDOFF,
} from '../../src/insights/columns.js';
import { ALL_INSIGHTS_COLUMNS, NO_INSIGHTS } from '../../src/insights/installed.js';
import { sandboxEnv, testSandbox } from '../helpers.js';

const config = {
  defaultPriority: 2,
  ticketProperties: {},
  applyRoutingRules: false as const,
  defaultOwner: { kind: 'systemuser' as const, id: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000b2' },
};
const clientFor = (url: string) => createDataverseClient({ url, auth: { kind: 'none' }, timeoutMs: 5000 });
const metadataReads = (requests: Array<{ path: string; query: string }>) =>
  requests
    .filter((r) => r.path.includes('EntityDefinitions'))
    .map((r) => decodeURIComponent(r.path + r.query));

describe('the insights columns read at start', () => {
  it('an org without them: no request beyond those the relay made before they existed, and nothing to write', async () => {
    const dv = await testSandbox();
    const prepared = await prepareDelivery(config, clientFor(dv.url));
    expect(prepared.ok && prepared.metadata.insights).toEqual(NO_INSIGHTS);
    // The five reads of the relay before issue 26, and nothing else.
    expect(metadataReads(dv.requests)).toEqual([
      "/api/data/v9.2/EntityDefinitions(LogicalName='incident')/Attributes?$select=LogicalName,AttributeType,IsValidForCreate",
      "/api/data/v9.2/EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='title')/Microsoft.Dynamics.CRM.StringAttributeMetadata?$select=MaxLength",
      "/api/data/v9.2/EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='description')/Microsoft.Dynamics.CRM.MemoAttributeMetadata?$select=MaxLength",
      "/api/data/v9.2/EntityDefinitions(LogicalName='annotation')/Attributes(LogicalName='notetext')/Microsoft.Dynamics.CRM.MemoAttributeMetadata?$select=MaxLength",
      "/api/data/v9.2/EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='prioritycode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet",
    ]);
  });

  it('an org with them: every column, the options of the four choices in one read, the session id length in another', async () => {
    const dv = await testSandbox({ org: { insights: true } });
    const prepared = await prepareDelivery(config, clientFor(dv.url));
    if (!prepared.ok) throw new Error(prepared.errors.join('\n'));
    const insights = prepared.metadata.insights!;
    expect(insights.columns).toEqual(ALL_INSIGHTS_COLUMNS);
    expect(insights.sessionIdMaxLength).toBe(100);
    for (const choice of [HANDOFF_REASON, SENTIMENT_AT_HANDOFF, CHANNEL, CALLER_VERIFICATION])
      expect([...(insights.options[choice.logicalName] ?? [])].sort()).toEqual(
        [...new Set([...Object.values(choice.options), choice.other])].sort(),
      );
    // Two reads more than an org without them: the choices' options, the session id's length.
    expect(metadataReads(dv.requests)).toHaveLength(7);
    expect(metadataReads(dv.requests)).toContain(
      "/api/data/v9.2/EntityDefinitions(LogicalName='incident')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata" +
        "?$select=LogicalName&$filter=LogicalName eq 'opencx_handoffreason' or LogicalName eq 'opencx_sentimentathandoff' or " +
        "LogicalName eq 'opencx_channel' or LogicalName eq 'opencx_callerverification'&$expand=OptionSet,GlobalOptionSet",
    );
  });

  it('TICKET_PROPERTIES may not set an insights column, installed or not', async () => {
    for (const org of [{}, { insights: true }]) {
      const dv = await testSandbox({ org });
      const prepared = await prepareDelivery(
        { ...config, ticketProperties: { [C.channel]: 672630000 } },
        clientFor(dv.url),
      );
      expect(prepared).toEqual({
        ok: false,
        errors: [`TICKET_PROPERTIES may not set ${C.channel}: the relay writes it itself.`],
      });
    }
  });
});

describe('verify: the insights check', () => {
  const insightsCheck = async (org: { insights?: boolean }) => {
    const dv = await testSandbox({ org });
    const report = await verify(sandboxEnv(dv.url));
    return { report, check: report.checks.find((c) => c.id === 'insights')! };
  };

  it('warns, and passes verify, when the columns are not installed, naming how to install them', async () => {
    const { report, check } = await insightsCheck({});
    expect(check).toMatchObject({
      status: 'warn',
      summary: expect.stringContaining('not installed') as string,
    });
    expect(check.fix).toContain('OpenCX Insights solution');
    expect(check.fix).toContain('opencx-relay insights backfill');
    expect(report.ok).toBe(true);
  });

  it('passes when they are, and says what backfill needs', async () => {
    const { check } = await insightsCheck({ insights: true });
    expect(check).toMatchObject({
      status: 'pass',
      summary: expect.stringContaining('all 8 insights columns') as string,
    });
    expect(check.details?.join('\n')).toContain('prvWriteIncident');
  });

  it('a partial install, a column of another type and a missing option are warnings with details', () => {
    const result = insightsResult({
      columns: [C.sessionId, C.channel],
      options: { [C.channel]: [672630000, 672630001, 672630003] },
      sessionIdMaxLength: 100,
      mismatched: [{ column: C.handoffOn, found: 'String', expected: 'DateTime' }],
    });
    expect(result.status).toBe('warn');
    expect(result.summary).toBe('2 of 8 insights columns can be filled: the others stay blank on new cases');
    expect(result.details).toEqual([
      `not on the Case table: ${ALL_INSIGHTS_COLUMNS.filter((c) => ![C.sessionId, C.channel, C.handoffOn].includes(c)).join(', ')}`,
      `${C.handoffOn} is a String column, not DateTime: not the solution's column, so the relay leaves it alone`,
      `${C.channel} lacks option(s) 672630002: handoffs that map to them leave it blank`,
    ]);
  });
});
