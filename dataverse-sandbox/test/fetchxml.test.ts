import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SEED_IDS, type Sandbox } from '../src/index.js';
import { insightsSolution } from '../src/solution-source.js';
import { api, errorOf, post, sandbox } from './helpers.js';

const NOW = Date.parse('2026-11-24T14:05:09Z');
const SENTIMENT = { angry: 672630000, frustrated: 672630001, neutral: 672630003, happy: 672630005 };
const REASON = { aiDecided: 672630000, agentTookOver: 672630003 };

const view = (name: string) => insightsSolution().views.find((v) => v.name[1033] === name)!;
const chart = (name: string) => insightsSolution().charts.find((c) => c.name[1033] === name)!;
/** The chart's own fetch, as its data description holds it. */
const chartFetch = (name: string) => chart(name).fetchXml;

async function handoff(s: Sandbox, title: string, fields: Record<string, unknown>) {
  const response = await post(s, 'incidents', {
    title,
    'customerid_contact@odata.bind': `/contacts(${SEED_IDS.contacts.withEmail})`,
    ...fields,
  });
  expect(response.status).toBe(204);
}

async function seeded(): Promise<Sandbox> {
  const s = await sandbox({ org: { insights: true }, clock: () => NOW });
  const day = (offset: number) => new Date(NOW - offset * 86_400_000).toISOString();
  await handoff(s, 'Angry today', {
    opencx_sessionid: 's-1',
    opencx_handoffon: day(0),
    opencx_sentimentathandoff: SENTIMENT.angry,
    opencx_handoffreason: REASON.aiDecided,
  });
  await handoff(s, 'Happy yesterday', {
    opencx_sessionid: 's-2',
    opencx_handoffon: day(1),
    opencx_sentimentathandoff: SENTIMENT.happy,
    opencx_handoffreason: REASON.agentTookOver,
  });
  await handoff(s, 'Frustrated yesterday', {
    opencx_sessionid: 's-3',
    opencx_handoffon: day(1),
    opencx_sentimentathandoff: SENTIMENT.frustrated,
    opencx_handoffreason: REASON.aiDecided,
  });
  await handoff(s, 'Neutral a month ago', {
    opencx_sessionid: 's-4',
    opencx_handoffon: day(40),
    opencx_sentimentathandoff: SENTIMENT.neutral,
  });
  await handoff(s, 'Not from OpenCX', {});
  return s;
}

async function fetchXml(s: Sandbox, xml: string, annotated = true) {
  const response = await fetch(api(s, `incidents?fetchXml=${encodeURIComponent(xml)}`), {
    headers: annotated ? { Prefer: 'odata.include-annotations="*"' } : {},
  });
  return response;
}
const valueOf = async (response: Response) =>
  ((await response.json()) as { value: Array<Record<string, unknown>> }).value;

describe('fetchXml: the OpenCX handoffs views, from the solution', () => {
  it('"OpenCX handoffs" lists every OpenCX handoff, newest first, with the layout columns and their labels', async () => {
    const s = await seeded();
    const response = await fetchXml(s, view('OpenCX handoffs').fetchXml);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      '@odata.context': string;
      value: Array<Record<string, unknown>>;
    };
    expect(body['@odata.context']).toMatch(/\$metadata#incidents\(title,opencx_handoffon,.*,incidentid\)$/);
    expect(body.value.map((row) => row.title)).toEqual([
      'Angry today',
      'Happy yesterday',
      'Frustrated yesterday',
      'Neutral a month ago',
    ]);
    expect(body.value[0]).toMatchObject({
      'opencx_sentimentathandoff@OData.Community.Display.V1.FormattedValue': 'Angry',
      'opencx_handoffreason@OData.Community.Display.V1.FormattedValue': 'AI decided to hand off',
      '@odata.etag': expect.stringMatching(/^W\/"\d+"$/) as string,
    });
    // Null values are left out, as the Web API answers FetchXML.
    expect(body.value[3]).not.toHaveProperty('opencx_handoffreason');
  });

  it('"OpenCX handoffs with negative sentiment" holds only angry, frustrated and negative callers', async () => {
    const s = await seeded();
    const rows = await valueOf(await fetchXml(s, view('OpenCX handoffs with negative sentiment').fetchXml));
    expect(rows.map((row) => row.title)).toEqual(['Angry today', 'Frustrated yesterday']);
  });
});

describe('fetchXml aggregates: the OpenCX charts, from the solution', () => {
  it('counts handoffs by sentiment, largest first, with the option labels', async () => {
    const s = await seeded();
    const rows = await valueOf(await fetchXml(s, chartFetch('OpenCX handoffs by sentiment')));
    expect(rows[0]).toEqual({ aggregate_column: 1, ...rows[0] });
    const counts = Object.fromEntries(
      rows.map((r) => [
        (r['groupby_column@OData.Community.Display.V1.FormattedValue'] as string | undefined) ?? '(none)',
        r.aggregate_column,
      ]),
    );
    // The case that did not come from OpenCX has no sentiment: its group has no groupby value.
    expect(counts).toEqual({ Angry: 1, Frustrated: 1, Happy: 1, Neutral: 1, '(none)': 1 });
    expect(rows.find((r) => !('groupby_column' in r))).toEqual({ aggregate_column: 1 });
  });

  it('counts handoffs per day of the month over the last 27 days, in day order', async () => {
    const s = await seeded();
    const rows = await valueOf(await fetchXml(s, chartFetch('OpenCX handoffs per day')));
    expect(rows).toEqual([
      { groupby_column: 23, aggregate_column: 2 },
      { groupby_column: 24, aggregate_column: 1 },
    ]);
  });

  it('groups by reason and counts a column only where it has a value (countcolumn)', async () => {
    const s = await seeded();
    const rows = await valueOf(
      await fetchXml(
        s,
        `<fetch aggregate="true"><entity name="incident">
           <attribute name="opencx_handoffreason" groupby="true" alias="reason" />
           <attribute name="opencx_sentimentathandoff" aggregate="countcolumn" alias="withsentiment" />
           <attribute name="opencx_sentimentathandoff" aggregate="countcolumn" distinct="true" alias="sentiments" />
           <order alias="reason" />
         </entity></fetch>`,
        false,
      ),
    );
    expect(rows).toEqual([
      { withsentiment: 1, sentiments: 1 },
      { reason: REASON.aiDecided, withsentiment: 2, sentiments: 2 },
      { reason: REASON.agentTookOver, withsentiment: 1, sentiments: 1 },
    ]);
  });
});

describe('fetchXml: what Dataverse refuses, and what the sandbox does not support', () => {
  const simple = (inner: string, fetchAttributes = '') =>
    `<fetch${fetchAttributes}><entity name="incident">${inner}</entity></fetch>`;

  it('refuses an attribute the table does not have with QueryBuilderNoAttribute (0x80041103)', async () => {
    const s = await seeded();
    const response = await fetchXml(s, simple('<attribute name="nosuch" />'));
    expect(await errorOf(response)).toMatchObject({
      status: 400,
      code: '0x80041103',
      message: expect.stringContaining(
        "'incident' entity doesn't contain attribute with Name = 'nosuch'",
      ) as string,
    });
  });

  it('knows the insights columns only in an org that imported the solution', async () => {
    const s = await sandbox();
    const response = await fetchXml(s, view('OpenCX handoffs').fetchXml);
    expect(await errorOf(response)).toMatchObject({ status: 400, code: '0x80041103' });
  });

  it('refuses malformed XML, an aggregate without aliases, and an entity that is not the entity set’s table', async () => {
    const s = await seeded();
    expect((await fetchXml(s, '<fetch><entity name="incident">')).status).toBe(400);
    const noAlias = await fetchXml(
      s,
      simple('<attribute name="incidentid" aggregate="count" />', ' aggregate="true"'),
    );
    expect(await errorOf(noAlias)).toMatchObject({
      status: 400,
      message: expect.stringContaining('no alias') as string,
    });
    const other = await fetch(
      api(s, `contacts?fetchXml=${encodeURIComponent(simple('<attribute name="title" />'))}`),
    );
    expect(other.status).toBe(400);
  });

  it('answers 501 "not supported" for joins, other operators and other aggregates, and for mixing query options', async () => {
    const s = await seeded();
    for (const inner of [
      '<link-entity name="contact" from="contactid" to="customerid" />',
      '<filter><condition attribute="title" operator="like" value="%x%" /></filter>',
    ]) {
      const response = await fetchXml(s, simple(`<attribute name="title" />${inner}`));
      expect(await errorOf(response)).toMatchObject({ status: 501, code: 'SandboxNotSupported' });
    }
    const sum = await fetchXml(
      s,
      simple('<attribute name="opencx_turnsbeforehandoff" aggregate="sum" alias="s" />', ' aggregate="true"'),
    );
    expect(sum.status).toBe(501);
    const mixed = await fetch(
      api(s, `incidents?$top=1&fetchXml=${encodeURIComponent(simple('<attribute name="title" />'))}`),
    );
    expect(mixed.status).toBe(501);
  });

  it('orders choices by their label unless useraworderby, and honours top', async () => {
    const s = await seeded();
    const inner =
      '<attribute name="title" /><order attribute="opencx_sentimentathandoff" /><filter><condition attribute="opencx_sessionid" operator="not-null" /></filter>';
    const byLabel = await valueOf(await fetchXml(s, simple(inner)));
    expect(byLabel.map((r) => r.title)).toEqual([
      'Angry today',
      'Frustrated yesterday',
      'Happy yesterday',
      'Neutral a month ago',
    ]);
    const raw = await valueOf(await fetchXml(s, simple(inner, ' useraworderby="true" top="2"')));
    expect(raw.map((r) => r.title)).toEqual(['Angry today', 'Frustrated yesterday']);
  });

  it('refuses an aggregate over more than 50,000 records (AggregateQueryRecordLimit, 0x8004E023)', async () => {
    const s = await sandbox({ org: { insights: true } });
    for (let i = 0; i < 50_001; i += 1) {
      const id = randomUUID();
      s.state.put('incidents', id, { incidentid: id, opencx_sessionid: `s-${i}` });
    }
    const response = await fetchXml(s, chartFetch('OpenCX handoffs by reason'));
    expect(await errorOf(response)).toMatchObject({ status: 400, code: '0x8004E023' });
  });
});
