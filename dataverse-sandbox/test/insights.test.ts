import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SEED_IDS } from '../src/index.js';
import { INSIGHTS_CUSTOMIZATIONS, insightsSolution } from '../src/solution-source.js';
import { api, errorOf, post, sandbox } from './helpers.js';

const INCIDENT = '0d7b3c5e-8f21-5a44-9c3e-6b1f2a9d4e70';
const incident = {
  incidentid: INCIDENT,
  title: 'Delivery change - Dana Whitfield',
  'customerid_contact@odata.bind': `/contacts(${SEED_IDS.contacts.withEmail})`,
};
const insights = {
  opencx_sessionid: '4f1c2b9e-session',
  opencx_handoffon: '2026-11-24T14:05:09Z',
  opencx_handoffreason: 672630000,
  opencx_sentimentathandoff: 672630000,
  opencx_channel: 672630000,
  opencx_callerverification: 672630001,
  opencx_turnsbeforehandoff: 12,
  opencx_aihandlingseconds: 178,
};
const metadata = (s: Awaited<ReturnType<typeof sandbox>>, path: string) =>
  fetch(api(s, `EntityDefinitions(LogicalName='incident')/${path}`));

/** The attribute names the solution source declares, read with a plain regular expression. */
const declared = [
  ...readFileSync(INSIGHTS_CUSTOMIZATIONS, 'utf8').matchAll(/<LogicalName>(opencx_[a-z]+)<\/LogicalName>/g),
].map((m) => m[1]);

describe('an org without the OpenCX Insights solution', () => {
  it('refuses a case that writes the insights columns as Dataverse refuses an unknown property, and creates nothing', async () => {
    const s = await sandbox();
    const refused = await post(s, 'incidents', { ...incident, opencx_sessionid: 'x' });
    expect(await errorOf(refused)).toMatchObject({
      status: 400,
      code: '0x0',
      message: expect.stringContaining(
        "Invalid property 'opencx_sessionid' was found in entity 'Microsoft.Dynamics.CRM.incident'",
      ) as string,
    });
    expect(s.state.rows('incidents')).toHaveLength(0);
    expect((await post(s, 'incidents', incident)).status).toBe(204);
  });

  it('has no such columns in its table definitions', async () => {
    const s = await sandbox();
    expect((await metadata(s, "Attributes(LogicalName='opencx_sessionid')")).status).toBe(404);
    const picklists = (await (
      await metadata(s, 'Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName')
    ).json()) as { value: Array<{ LogicalName: string }> };
    expect(picklists.value.map((a) => a.LogicalName)).not.toContain('opencx_handoffreason');
    const select = await fetch(api(s, 'incidents?$select=opencx_channel'));
    expect(await errorOf(select)).toMatchObject({ status: 400, code: '0x0' });
  });
});

describe('an org with the OpenCX Insights solution imported (org.insights)', () => {
  it('serves exactly the columns the solution source declares', async () => {
    expect(declared).toHaveLength(8);
    expect(Object.keys(insightsSolution().columns).sort()).toEqual([...declared].sort());
    const s = await sandbox({ org: { insights: true } });
    const custom = (await (
      await metadata(s, 'Attributes?$select=LogicalName&$filter=IsCustomAttribute eq true')
    ).json()) as { value: Array<{ LogicalName: string }> };
    expect(custom.value.map((a) => a.LogicalName).sort()).toEqual([...declared].sort());
  });

  it('accepts them on create and update, reads them back with formatted values, and filters and orders by them', async () => {
    const s = await sandbox({ org: { insights: true } });
    expect((await post(s, 'incidents', { ...incident, ...insights })).status).toBe(204);
    const read = await fetch(api(s, `incidents(${INCIDENT})?$select=${Object.keys(insights).join(',')}`), {
      headers: { Prefer: 'odata.include-annotations="*"' },
    });
    const row = (await read.json()) as Record<string, unknown>;
    expect(row).toMatchObject({
      ...insights,
      opencx_handoffon: '2026-11-24T14:05:09.000Z',
      'opencx_sentimentathandoff@OData.Community.Display.V1.FormattedValue': 'Angry',
      'opencx_callerverification@OData.Community.Display.V1.FormattedValue': 'Stated by the caller',
    });
    const patched = await fetch(api(s, `incidents(${INCIDENT})`), {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ opencx_sentimentathandoff: 672630003 }),
    });
    expect(patched.status).toBe(204);
    const filtered = (await (
      await fetch(
        api(
          s,
          'incidents?$select=title&$filter=opencx_sentimentathandoff eq 672630003&$orderby=opencx_handoffon desc',
        ),
      )
    ).json()) as { value: unknown[] };
    expect(filtered.value).toHaveLength(1);
  });

  it('refuses an option the choice does not have and a session id over its MaxLength, as for any column', async () => {
    const s = await sandbox({ org: { insights: true } });
    expect(await errorOf(await post(s, 'incidents', { ...incident, opencx_channel: 4 }))).toMatchObject({
      status: 400,
      code: '0x8004431a',
      message: expect.stringContaining('Accepted Values: 672630000,672630001,672630002,672630003') as string,
    });
    const long = await post(s, 'incidents', { ...incident, opencx_sessionid: 'x'.repeat(101) });
    expect(await errorOf(long)).toMatchObject({ status: 400, code: '0x80044331' });
    expect(s.state.rows('incidents')).toHaveLength(0);
  });

  it('reads a choice with its options and their labels in English, French and Arabic through the documented cast', async () => {
    const s = await sandbox({ org: { insights: true } });
    const response = await metadata(
      s,
      "Attributes(LogicalName='opencx_sentimentathandoff')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet",
    );
    const body = (await response.json()) as {
      LogicalName: string;
      OptionSet: {
        Name: string;
        Options: Array<{
          Value: number;
          Label: { LocalizedLabels: Array<{ Label: string; LanguageCode: number }> };
        }>;
      };
    };
    expect(body.LogicalName).toBe('opencx_sentimentathandoff');
    expect(body.OptionSet.Name).toBe(insightsSolution().columns.opencx_sentimentathandoff.optionSetName);
    const angry = body.OptionSet.Options.find((o) => o.Value === 672630000);
    const byLanguage = (labels: Array<{ Label: string; LanguageCode: number }> = []) =>
      Object.fromEntries(labels.map((l) => [l.LanguageCode, l.Label]));
    expect(byLanguage(angry?.Label.LocalizedLabels)).toEqual({
      1033: 'Angry',
      1036: 'En colère',
      1025: 'غاضب',
    });
    // A derived property without the cast is refused, as for the reference columns.
    const uncast = await metadata(s, "Attributes(LogicalName='opencx_channel')?$expand=OptionSet");
    expect(uncast.status).toBe(400);
  });

  it('serves MaxLength, the date and time behaviour and the whole-number range through their casts', async () => {
    const s = await sandbox({ org: { insights: true } });
    const strings = (await (
      await metadata(
        s,
        "Attributes/Microsoft.Dynamics.CRM.StringAttributeMetadata?$select=LogicalName,MaxLength&$filter=LogicalName eq 'opencx_sessionid'",
      )
    ).json()) as { value: Array<{ LogicalName: string; MaxLength: number }> };
    expect(strings.value).toEqual([
      expect.objectContaining({ LogicalName: 'opencx_sessionid', MaxLength: 100 }),
    ]);
    const when = (await (
      await metadata(
        s,
        "Attributes(LogicalName='opencx_handoffon')/Microsoft.Dynamics.CRM.DateTimeAttributeMetadata?$select=DateTimeBehavior",
      )
    ).json()) as { DateTimeBehavior: { Value: string } };
    expect(when.DateTimeBehavior).toEqual({ Value: 'UserLocal' });
    const turns = (await (
      await metadata(
        s,
        "Attributes(LogicalName='opencx_turnsbeforehandoff')/Microsoft.Dynamics.CRM.IntegerAttributeMetadata?$select=MinValue,MaxValue,DisplayName",
      )
    ).json()) as {
      MinValue: number;
      MaxValue: number;
      DisplayName: { UserLocalizedLabel: { Label: string } };
    };
    expect(turns).toMatchObject({
      MinValue: 0,
      MaxValue: 2147483647,
      DisplayName: { UserLocalizedLabel: { Label: 'Turns before handoff' } },
    });
  });

  it('imports and removes with setOrg: the columns come and go, the rest of the org stays', async () => {
    const s = await sandbox();
    expect((await post(s, 'incidents', { ...incident, ...insights })).status).toBe(400);
    s.setOrg({ insights: true });
    expect((await post(s, 'incidents', { ...incident, ...insights })).status).toBe(204);
    s.setOrg({});
    const read = await fetch(api(s, `incidents(${INCIDENT})?$select=opencx_sessionid`));
    expect(read.status).toBe(400);
    expect((await fetch(api(s, `incidents(${INCIDENT})?$select=title`))).status).toBe(200);
  });

  it('refuses a metadata $filter on a property it does not know, naming the type', async () => {
    const s = await sandbox({ org: { insights: true } });
    const response = await metadata(s, "Attributes?$select=LogicalName&$filter=SchemaName eq 'x'");
    expect(await errorOf(response)).toMatchObject({
      status: 400,
      message:
        "Could not find a property named 'SchemaName' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'.",
    });
  });
});
