import { describe, expect, it } from 'vitest';
import { SEED_IDS, type Sandbox } from '../src/index.js';
import { api, batchBody, errorOf, post, sandbox } from './helpers.js';

const INCIDENT = '0d7b3c5e-8f21-5a44-9c3e-6b1f2a9d4e70';
const QUEUE_ITEM = '7a1f6d2c-94b3-5e08-8d4a-2c6e1b9f0a33';

const validIncident = (id = INCIDENT) => ({
  incidentid: id,
  title: 'Delivery change - Dana Whitfield',
  description: 'Channel: phone_voice',
  caseorigincode: 1,
  prioritycode: 2,
  'customerid_contact@odata.bind': `/contacts(${SEED_IDS.contacts.withEmail})`,
  'ownerid@odata.bind': `/systemusers(${SEED_IDS.owner})`,
});

describe('creating records', () => {
  it('creates a phone case with a client id and answers 204 with OData-EntityId', async () => {
    const s = await sandbox();
    const response = await post(s, 'incidents', validIncident());
    expect(response.status).toBe(204);
    expect(response.headers.get('odata-entityid')).toBe(`${s.url}/api/data/v9.2/incidents(${INCIDENT})`);
    const [row] = s.state.rows('incidents');
    expect(row).toMatchObject({
      incidentid: INCIDENT,
      _customerid_value: SEED_IDS.contacts.withEmail,
      statecode: 0,
    });
    expect(String(row.ticketnumber)).toMatch(/^CAS-\d{5}-[A-Z0-9]{6}$/);
    expect(row.createdon).toBe('2026-11-24T14:05:09.000Z');
  });

  it('answers 412 0x80040237 when the id already exists', async () => {
    const s = await sandbox();
    expect((await post(s, 'incidents', validIncident())).status).toBe(204);
    expect(await errorOf(await post(s, 'incidents', validIncident()))).toMatchObject({
      status: 412,
      code: '0x80040237',
    });
    expect(s.state.rows('incidents')).toHaveLength(1);
  });

  it('refuses queueid@odata.bind on an incident with 400 0x80048d19', async () => {
    const s = await sandbox();
    const response = await post(s, 'incidents', {
      ...validIncident(),
      'queueid@odata.bind': `/queues(${SEED_IDS.voiceQueue})`,
    });
    expect(await errorOf(response)).toMatchObject({ status: 400, code: '0x80048d19' });
  });

  it('refuses an unknown plain property with 400 0x0', async () => {
    const s = await sandbox();
    expect(
      await errorOf(await post(s, 'incidents', { ...validIncident(), queueid: SEED_IDS.voiceQueue })),
    ).toMatchObject({
      status: 400,
      code: '0x0',
    });
  });

  it('refuses priority 4 with 0x8004431a listing the accepted values', async () => {
    const s = await sandbox();
    const error = await errorOf(await post(s, 'incidents', { ...validIncident(), prioritycode: 4 }));
    expect(error).toMatchObject({ status: 400, code: '0x8004431a' });
    expect(error.message).toContain('Accepted Values: 1,2,3');
  });

  it('refuses a title over 200 characters with 0x80044331, and honours a configured description length', async () => {
    const s = await sandbox({ metadata: { maxLength: { 'incident.description': 100 } } });
    expect(
      await errorOf(await post(s, 'incidents', { ...validIncident(), title: 'x'.repeat(201) })),
    ).toMatchObject({
      code: '0x80044331',
    });
    expect(
      await errorOf(await post(s, 'incidents', { ...validIncident(), description: 'x'.repeat(101) })),
    ).toMatchObject({
      code: '0x80044331',
    });
  });

  it('requires a customer (0x80044410) but not the business-required title', async () => {
    const s = await sandbox();
    const { 'customerid_contact@odata.bind': _drop, ...withoutCustomer } = validIncident();
    expect(await errorOf(await post(s, 'incidents', withoutCustomer))).toMatchObject({
      status: 400,
      code: '0x80044410',
    });
    const { title: _title, ...withoutTitle } = validIncident();
    expect((await post(s, 'incidents', withoutTitle)).status).toBe(204);
  });

  it('answers 404 0x80040217 for a bind to a missing record', async () => {
    const s = await sandbox();
    const response = await post(s, 'incidents', {
      ...validIncident(),
      'customerid_contact@odata.bind': '/contacts(00000000-0000-0000-0000-00000000dead)',
    });
    expect(await errorOf(response)).toMatchObject({ status: 404, code: '0x80040217' });
  });

  it('refuses a queue item without a queue, and a second active queue item for one case', async () => {
    const s = await sandbox();
    await post(s, 'incidents', validIncident());
    expect(
      await errorOf(
        await post(s, 'queueitems', { 'objectid_incident@odata.bind': `/incidents(${INCIDENT})` }),
      ),
    ).toMatchObject({ code: '0x80040528' });
    const item = {
      'objectid_incident@odata.bind': `/incidents(${INCIDENT})`,
      'queueid@odata.bind': `/queues(${SEED_IDS.voiceQueue})`,
    };
    expect((await post(s, 'queueitems', item)).status).toBe(204);
    expect(await errorOf(await post(s, 'queueitems', item))).toMatchObject({ code: '0x80040526' });
  });

  it('refuses a disabled owner with 0x80040225', async () => {
    const s = await sandbox();
    const response = await post(s, 'incidents', {
      ...validIncident(),
      'ownerid@odata.bind': `/systemusers(${SEED_IDS.disabledUser})`,
    });
    expect(await errorOf(response)).toMatchObject({ code: '0x80040225' });
  });

  it('returns the record with Prefer: return=representation', async () => {
    const s = await sandbox();
    const response = await post(s, 'incidents', validIncident(), { Prefer: 'return=representation' });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      incidentid: INCIDENT,
      _customerid_value: SEED_IDS.contacts.withEmail,
    });
  });
});

describe('reading records', () => {
  it('filters with eq / or / parentheses, doubles quotes, and honours $select, $top, $orderby, $count', async () => {
    const s = await sandbox();
    await post(s, 'contacts', { lastname: "O'Brien-Smith", emailaddress1: "sean.o'brien@example.com" });
    const filter = encodeURIComponent(
      "statecode eq 0 and (emailaddress1 eq 'sean.o''brien@example.com' or mobilephone eq '+14155550104')",
    );
    const response = await fetch(
      api(
        s,
        `contacts?$select=fullname,emailaddress1&$filter=${filter}&$orderby=fullname desc&$count=true&$top=5`,
      ),
    );
    const body = (await response.json()) as { '@odata.count': number; value: Array<Record<string, unknown>> };
    expect(response.status).toBe(200);
    expect(body['@odata.count']).toBe(2);
    expect(body.value.map((row) => row.fullname)).toEqual(['Tom Baker', "O'Brien-Smith"]);
    expect(Object.keys(body.value[0]).sort()).toEqual([
      '@odata.etag',
      'contactid',
      'emailaddress1',
      'fullname',
    ]);
  });

  it('compares date and time columns with DateTimeOffset literals, whatever their offset', async () => {
    let now = Date.parse('2026-11-01T10:00:00Z');
    const s = await sandbox({ clock: () => now });
    await post(s, 'incidents', validIncident());
    now = Date.parse('2026-11-03T10:00:00Z');
    await post(s, 'incidents', { ...validIncident(), incidentid: '0d7b3c5e-8f21-5a44-9c3e-6b1f2a9d4e71' });
    const count = async (filter: string) =>
      (
        (await (
          await fetch(api(s, `incidents?$select=incidentid&$filter=${encodeURIComponent(filter)}`))
        ).json()) as {
          value: unknown[];
        }
      ).value.length;
    expect(await count('createdon ge 2026-11-02T00:00:00Z')).toBe(1);
    expect(await count('createdon ge 2026-11-01T11:00:00+02:00')).toBe(2);
    expect(await count('createdon lt 2026-11-01T10:00:00.000Z')).toBe(0);
    expect(
      await errorOf(
        await fetch(api(s, `incidents?$filter=${encodeURIComponent('createdon ge 2026-13-45T00:00:00Z')}`)),
      ),
    ).toMatchObject({
      status: 400,
    });
  });

  it('compares strings case-insensitively and matches null', async () => {
    const s = await sandbox();
    const filter = encodeURIComponent("emailaddress1 eq 'DANA.WHITFIELD@EXAMPLE.COM' and telephone1 eq null");
    const body = (await (await fetch(api(s, `contacts?$filter=${filter}`))).json()) as { value: unknown[] };
    expect(body.value).toHaveLength(1);
  });

  it('answers contains / endswith on contacts with 0x80048573, as a leading wildcard does', async () => {
    const s = await sandbox();
    for (const fn of ["contains(mobilephone,'5550104')", "endswith(telephone1,'0101')"]) {
      const response = await fetch(api(s, `contacts?$filter=${encodeURIComponent(fn)}`));
      expect(await errorOf(response)).toMatchObject({ status: 400, code: '0x80048573' });
    }
  });

  it('refuses an unknown $select column and an unknown entity set', async () => {
    const s = await sandbox();
    expect(await errorOf(await fetch(api(s, 'contacts?$select=nope')))).toMatchObject({
      status: 400,
      code: '0x0',
    });
    expect(await errorOf(await fetch(api(s, 'cases')))).toMatchObject({ status: 404, code: '0x8006088a' });
  });

  it('reads lookups as _x_value with annotations on request', async () => {
    const s = await sandbox();
    await post(s, 'incidents', validIncident());
    const response = await fetch(api(s, `incidents(${INCIDENT})?$select=_customerid_value,prioritycode`), {
      headers: { Prefer: 'odata.include-annotations="*"' },
    });
    expect(await response.json()).toMatchObject({
      _customerid_value: SEED_IDS.contacts.withEmail,
      '_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'contact',
      '_customerid_value@OData.Community.Display.V1.FormattedValue': 'Dana Whitfield',
      'prioritycode@OData.Community.Display.V1.FormattedValue': 'Normal',
    });
  });

  it('updates with a bind to a contact or an account', async () => {
    const s = await sandbox();
    await post(s, 'incidents', validIncident());
    const patch = (body: unknown) =>
      fetch(api(s, `incidents(${INCIDENT})`), {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (await patch({ 'customerid_contact@odata.bind': `/contacts(${SEED_IDS.contacts.uk})` })).status,
    ).toBe(204);
    expect(s.state.get('incidents', INCIDENT)).toMatchObject({ _customerid_value: SEED_IDS.contacts.uk });
    expect((await patch({ 'customerid_account@odata.bind': `/accounts(${SEED_IDS.account})` })).status).toBe(
      204,
    );
    expect(s.state.get('incidents', INCIDENT)).toMatchObject({
      _customerid_value: SEED_IDS.account,
      '_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'account',
    });
  });
});

describe('$batch', () => {
  async function sendBatch(
    s: Awaited<ReturnType<typeof sandbox>>,
    batch: { body: string; contentType: string },
    prefer?: string,
  ) {
    const response = await fetch(api(s, '$batch'), {
      method: 'POST',
      headers: { 'Content-Type': batch.contentType, ...(prefer ? { Prefer: prefer } : {}) },
      body: batch.body,
    });
    return { response, text: await response.text() };
  }

  it('creates a case and its queue item in one change set, with $1 references, and reads back the ticket number', async () => {
    const s = await sandbox();
    const { response, text } = await sendBatch(
      s,
      batchBody(
        [
          { method: 'POST', url: '/api/data/v9.2/incidents', body: validIncident() },
          {
            method: 'POST',
            url: '/api/data/v9.2/queueitems',
            body: {
              queueitemid: QUEUE_ITEM,
              'objectid_incident@odata.bind': '$1',
              'queueid@odata.bind': `/queues(${SEED_IDS.voiceQueue})`,
            },
          },
        ],
        [`/api/data/v9.2/incidents(${INCIDENT})?$select=ticketnumber`],
      ),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
    expect(text).toContain('Content-ID: 1\r\n\r\nHTTP/1.1 204 No Content');
    expect(text).toContain('changesetresponse_');
    expect(text).toMatch(/"ticketnumber":"CAS-\d{5}-/);
    expect(s.state.get('queueitems', QUEUE_ITEM)).toMatchObject({ _objectid_value: INCIDENT });
  });

  it('rolls back the whole change set when one operation fails, and stops there', async () => {
    const s = await sandbox();
    const { response, text } = await sendBatch(
      s,
      batchBody(
        [
          { method: 'POST', url: '/api/data/v9.2/incidents', body: validIncident() },
          {
            method: 'POST',
            url: '/api/data/v9.2/queueitems',
            body: { 'objectid_incident@odata.bind': '$1' },
          },
        ],
        [`/api/data/v9.2/incidents(${INCIDENT})`],
      ),
    );
    expect(response.status).toBe(400);
    expect(text).toContain('Content-ID: 2');
    expect(text).toContain('0x80040528');
    expect(text).not.toContain('HTTP/1.1 200 OK');
    expect(s.state.rows('incidents')).toHaveLength(0);
  });

  it('answers an unknown $n reference as Dataverse does', async () => {
    const s = await sandbox();
    const { response, text } = await sendBatch(
      s,
      batchBody([
        { method: 'POST', url: '/api/data/v9.2/queueitems', body: { 'objectid_incident@odata.bind': '$7' } },
      ]),
    );
    expect(response.status).toBe(400);
    expect(text).toContain("Content-ID Reference: '$7' does not exist in the batch context.");
  });

  it('with continue-on-error answers 200 and runs later parts', async () => {
    const s = await sandbox();
    const { response, text } = await sendBatch(
      s,
      batchBody(
        [{ method: 'POST', url: '/api/data/v9.2/incidents', body: { title: 'no customer' } }],
        [`/api/data/v9.2/queues(${SEED_IDS.voiceQueue})?$select=name`],
      ),
      'odata.continue-on-error',
    );
    expect(response.status).toBe(200);
    expect(text).toContain('0x80044410');
    expect(text).toContain('"name":"Voice support"');
  });

  it('refuses a GET inside a change set and an unreadable body', async () => {
    const s = await sandbox();
    const withGet = batchBody([{ method: 'GET', url: `/api/data/v9.2/queues(${SEED_IDS.voiceQueue})` }]);
    expect((await sendBatch(s, withGet)).response.status).toBe(400);
    const broken = await sendBatch(s, {
      body: '--batch_x\r\nno end',
      contentType: 'multipart/mixed; boundary=batch_x',
    });
    expect(broken.response.status).toBe(400);
    expect(broken.text).toContain('0x80048d19');
  });

  it('refuses bare LF line endings and a body whose last line has no CRLF (Stream was not readable)', async () => {
    const s = await sandbox();
    const good = batchBody([{ method: 'POST', url: '/api/data/v9.2/incidents', body: validIncident() }]);
    const withLf = { ...good, body: good.body.replace(/\r\n/g, '\n') };
    const noFinalCrlf = { ...good, body: good.body.replace(/\r\n$/, '') };
    for (const batch of [withLf, noFinalCrlf]) {
      const { response, text } = await sendBatch(s, batch);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed; boundary=batchresponse_/);
      expect(text).toContain('HTTP/1.1 400 Bad Request');
      expect(text).toContain('"code":"0x80048d19"');
      expect(text).toContain('Stream was not readable.');
    }
    expect(s.state.rows('incidents')).toHaveLength(0);
    // The documented way out when CRLF is impossible: two more non-CRLF line endings at the end.
    const { response } = await sendBatch(s, { ...withLf, body: `${withLf.body}\n\n` });
    expect(response.status).toBe(200);
    expect(s.state.rows('incidents')).toHaveLength(1);
  });
});

describe('identity, privileges and metadata', () => {
  it('answers WhoAmI with the application user', async () => {
    const s = await sandbox();
    expect(await (await fetch(api(s, 'WhoAmI'))).json()).toMatchObject({ UserId: SEED_IDS.applicationUser });
  });

  it('answers 401 with a challenge when a token is required and missing or expired', async () => {
    const now = Date.parse('2026-11-24T14:05:09Z');
    const s = await sandbox({ auth: { requireToken: true, tokens: ['good'] }, clock: () => now });
    const missing = await fetch(api(s, 'WhoAmI'));
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer authorization_uri=/);
    expect((await fetch(api(s, 'WhoAmI'), { headers: { Authorization: 'Bearer good' } })).status).toBe(200);
    s.setFaults({ tokensExpireAt: now });
    expect((await fetch(api(s, 'WhoAmI'), { headers: { Authorization: 'Bearer good' } })).status).toBe(401);
  });

  it('simulates a missing application user and a missing privilege', async () => {
    const s = await sandbox({ auth: { applicationUserExists: false } });
    expect(await errorOf(await fetch(api(s, 'WhoAmI')))).toMatchObject({ status: 403, code: '0x80072560' });
    s.setAuth({ missingPrivileges: ['prvAppendToQueue'] });
    const error = await errorOf(await post(s, 'queueitems', {}));
    expect(error).toMatchObject({ status: 403, code: '0x80040220' });
    expect(error.message).toContain('missing prvAppendToQueue privilege');
  });

  it('reads max lengths and option sets through the documented casts, and attribute lists', async () => {
    const s = await sandbox({ metadata: { maxLength: { 'incident.description': 100000 } } });
    const read = async (path: string) =>
      (await fetch(api(s, path))).json() as Promise<Record<string, unknown>>;
    expect(
      await read(
        "EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='description')/Microsoft.Dynamics.CRM.MemoAttributeMetadata?$select=MaxLength",
      ),
    ).toMatchObject({ MaxLength: 100000, MetadataId: expect.any(String) as string });
    const strings = (await read(
      "EntityDefinitions(LogicalName='incident')/Attributes/Microsoft.Dynamics.CRM.StringAttributeMetadata?$select=LogicalName,MaxLength",
    )) as { value: Array<{ LogicalName: string; MaxLength: number }> };
    expect(strings.value).toContainEqual(expect.objectContaining({ LogicalName: 'title', MaxLength: 200 }));
    // Only the attributes of the cast type: description is a Memo.
    expect(strings.value.map((a) => a.LogicalName)).not.toContain('description');
    const body = (await read(
      "EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='prioritycode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet",
    )) as {
      OptionSet: { Options: Array<{ Value: number; Label: { UserLocalizedLabel: { Label: string } } }> };
      GlobalOptionSet: unknown;
    };
    expect(body.OptionSet.Options.map((o) => [o.Value, o.Label.UserLocalizedLabel.Label])).toEqual([
      [1, 'High'],
      [2, 'Normal'],
      [3, 'Low'],
    ]);
    expect(body.GlobalOptionSet).toBeNull();
    const list = (await read(
      "EntityDefinitions(LogicalName='incident')/Attributes?$select=LogicalName,AttributeType,IsValidForCreate",
    )) as { value: Array<Record<string, unknown>> };
    expect(list.value).toContainEqual(
      expect.objectContaining({
        LogicalName: 'casetypecode',
        AttributeType: 'Picklist',
        IsValidForCreate: true,
      }),
    );
    expect(list.value[0]).not.toHaveProperty('IsValidForUpdate');
  });

  it('refuses a derived property asked of AttributeMetadata, as an OData service does', async () => {
    const s = await sandbox();
    const refused = async (path: string) => errorOf(await fetch(api(s, path)));
    expect(
      await refused(
        "EntityDefinitions(LogicalName='incident')/Attributes?$select=LogicalName,AttributeType,IsValidForCreate,MaxLength",
      ),
    ).toEqual({
      status: 400,
      code: '0x0',
      message:
        "Could not find a property named 'MaxLength' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'.",
    });
    expect(
      await refused(
        "EntityDefinitions(LogicalName='annotation')/Attributes(LogicalName='notetext')?$select=MaxLength",
      ),
    ).toMatchObject({
      status: 400,
      message: expect.stringContaining(
        "'MaxLength' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'",
      ) as string,
    });
    expect(
      await refused(
        "EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='prioritycode')?$select=LogicalName&$expand=OptionSet",
      ),
    ).toMatchObject({
      status: 400,
      message: expect.stringContaining(
        "'OptionSet' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'",
      ) as string,
    });
    // A property the cast type does not have either.
    expect(
      await refused(
        "EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='description')/Microsoft.Dynamics.CRM.MemoAttributeMetadata?$select=MaxLenght",
      ),
    ).toMatchObject({
      status: 400,
      message: expect.stringContaining(
        "'MaxLenght' on type 'Microsoft.Dynamics.CRM.MemoAttributeMetadata'",
      ) as string,
    });
  });
});

describe('service protection and faults', () => {
  it('answers 429 0x80072322 once the request budget is spent, with Retry-After until the oldest request leaves the sliding window', async () => {
    let now = Date.parse('2026-11-24T14:00:00Z');
    const s = await sandbox({ limits: { requestsPerWindow: 3, windowMs: 60_000 }, clock: () => now });
    for (let i = 0; i < 3; i += 1) {
      expect((await fetch(api(s, 'WhoAmI'))).status).toBe(200);
      now += 10_000;
    }
    const refused = await fetch(api(s, 'WhoAmI'));
    expect(await errorOf(refused.clone())).toEqual({
      status: 429,
      code: '0x80072322',
      message: 'Number of requests exceeded the limit of 3 over time window of 60 seconds.',
    });
    // The first request (at 0 s) leaves the window at 60 s; it is 30 s now.
    expect(refused.headers.get('retry-after')).toBe('30');
    now += 30_000;
    expect((await fetch(api(s, 'WhoAmI'))).status).toBe(200);
    // Sliding: the second request (10 s) is still in the window, so the next one waits for it.
    const again = await fetch(api(s, 'WhoAmI'));
    expect([again.status, again.headers.get('retry-after')]).toEqual([429, '10']);
    expect(s.ceilingPerSecond()).toBeCloseTo(0.05);
    // A budget of zero refuses everything for one window from its first request: an outage of that length.
    s.setLimits({ requestsPerWindow: 0, windowMs: 60_000 });
    const none = await fetch(api(s, 'WhoAmI'));
    expect([none.status, none.headers.get('retry-after')]).toEqual([429, '60']);
    now += 45_000;
    const later = await fetch(api(s, 'WhoAmI'));
    expect([later.status, later.headers.get('retry-after')]).toEqual([429, '15']);
  });

  it('answers 429 0x80072321 once the combined execution time is spent, charging each operation of a $batch', async () => {
    let now = Date.parse('2026-11-24T14:00:00Z');
    const s = await sandbox({
      limits: { executionMsPerWindow: 1000, executionMsPerOperation: 400, windowMs: 60_000 },
      clock: () => now,
    });
    // Three operations: 1,200 ms of execution time, over the budget once it has run.
    const batch = batchBody([
      { method: 'POST', url: '/api/data/v9.2/contacts', body: { lastname: 'One' } },
      { method: 'POST', url: '/api/data/v9.2/contacts', body: { lastname: 'Two' } },
      { method: 'POST', url: '/api/data/v9.2/contacts', body: { lastname: 'Three' } },
    ]);
    const sent = await fetch(api(s, '$batch'), {
      method: 'POST',
      headers: { 'Content-Type': batch.contentType },
      body: batch.body,
    });
    expect(sent.status).toBe(200);
    now += 5_000;
    const refused = await fetch(api(s, 'WhoAmI'));
    expect(await errorOf(refused.clone())).toEqual({
      status: 429,
      code: '0x80072321',
      message:
        'Combined execution time of incoming requests exceeded limit of 1,000  milliseconds over time window of 60 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.',
    });
    expect(refused.headers.get('retry-after')).toBe('55');
    now += 55_000;
    expect((await fetch(api(s, 'WhoAmI'))).status).toBe(200);
  });

  it('answers 429 0x80072326 at once to a request over the concurrency limit, Retry-After 1', async () => {
    const s = await sandbox({ limits: { maxConcurrent: 2 }, faults: { latencyMs: 1000 } });
    const answers = await Promise.all([0, 1, 2].map(() => fetch(api(s, 'WhoAmI'))));
    const refused = answers.find((a) => a.status === 429)!;
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 429]);
    expect(await errorOf(refused.clone())).toEqual({
      status: 429,
      code: '0x80072326',
      message: 'Number of concurrent requests exceeded the limit of 2.',
    });
    expect(refused.headers.get('retry-after')).toBe('1');
    // The slots are free again once the requests in flight are answered.
    expect((await fetch(api(s, 'WhoAmI'))).status).toBe(200);
  });

  it('injects a 429 storm, 5xx, and drops the connection after committing', async () => {
    const s = await sandbox();
    s.setFaults({ throttleNext: 2, throttleRetryAfterSeconds: 7 });
    const first = await fetch(api(s, 'WhoAmI'));
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '7']);
    expect((await fetch(api(s, 'WhoAmI'))).status).toBe(429);
    expect((await fetch(api(s, 'WhoAmI'))).status).toBe(200);
    s.setFaults({ errorRate: 1, errorStatus: 503 });
    expect((await fetch(api(s, 'WhoAmI'))).status).toBe(503);
    s.setFaults({ dropAfterCommitRate: 1 });
    await expect(post(s, 'incidents', validIncident())).rejects.toThrow();
    expect(s.state.rows('incidents')).toHaveLength(1);
    s.setFaults({});
    expect(await errorOf(await post(s, 'incidents', validIncident()))).toMatchObject({ status: 412 });
  });

  it('drops the connection before committing when asked', async () => {
    const s = await sandbox({ faults: { dropBeforeCommitRate: 1 } });
    await expect(post(s, 'incidents', validIncident())).rejects.toThrow();
    expect(s.state.rows('incidents')).toHaveLength(0);
  });
});

describe('duplicate keys', () => {
  it('answers a create whose key is taken 412 0x80040237 "Cannot insert duplicate key.", or the empty-code variant when asked', async () => {
    for (const [options, code, message] of [
      [{}, '0x80040237', 'Cannot insert duplicate key.'],
      [{ duplicateKeyCode: '' }, '', 'A record with matching key values already exists.'],
    ] as const) {
      const s = await sandbox(options);
      expect((await post(s, 'incidents', validIncident())).status).toBe(204);
      expect(await errorOf(await post(s, 'incidents', validIncident()))).toEqual({
        status: 412,
        code,
        message,
      });
    }
  });
});

describe('PATCH: upsert and concurrency', () => {
  const note = '11111111-2222-4333-8444-555555555555';
  const patch = (s: Sandbox, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(api(s, path), {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('creates a missing record (Dataverse PATCH is an upsert), but not with If-Match: *', async () => {
    const s = await sandbox();
    const onlyUpdate = await patch(s, `annotations(${note})`, { subject: 'x' }, { 'If-Match': '*' });
    // As Perform conditional operations using the Web API: Prevent create in upsert shows it.
    expect(await errorOf(onlyUpdate)).toEqual({
      status: 404,
      code: '',
      message: `annotation With Id = ${note} Does Not Exist`,
    });
    expect(s.state.get('annotations', note)).toBeUndefined();
    const upsert = await patch(s, `annotations(${note})`, { subject: 'OpenCX transcript s1', notetext: 'a' });
    expect(upsert.status).toBe(204);
    expect(s.state.get('annotations', note)).toMatchObject({
      subject: 'OpenCX transcript s1',
      notetext: 'a',
    });
    expect((await patch(s, `annotations(${note})`, { notetext: 'b' })).status).toBe(204);
    expect(s.state.get('annotations', note)).toMatchObject({ notetext: 'b' });
  });

  it('answers 412 to If-Match with a stale etag, and updates with the current one', async () => {
    const s = await sandbox();
    await patch(s, `annotations(${note})`, { subject: 's', notetext: 'a' });
    const read = (await (await fetch(api(s, `annotations(${note})?$select=notetext`))).json()) as {
      '@odata.etag': string;
    };
    const current = read['@odata.etag'];
    expect((await patch(s, `annotations(${note})`, { notetext: 'b' }, { 'If-Match': current })).status).toBe(
      204,
    );
    const stale = await patch(s, `annotations(${note})`, { notetext: 'c' }, { 'If-Match': current });
    expect(await errorOf(stale)).toMatchObject({
      status: 412,
      message: expect.stringContaining("doesn't match") as string,
    });
    expect(s.state.get('annotations', note)).toMatchObject({ notetext: 'b' });
  });
});

describe('form definitions (systemforms)', () => {
  const query = (filter: string, select = 'formid,name,formxml') =>
    `systemforms?$select=${select}&$filter=${encodeURIComponent(filter)}`;

  it('serves the Case main forms, one with the transcript control and one without', async () => {
    const s = await sandbox();
    const response = await fetch(api(s, query("objecttypecode eq 'incident' and type eq 2")));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      value: Array<{ formid: string; name: string; formxml: string }>;
    };
    expect(body.value.map((form) => [form.formid, form.name])).toEqual([
      [SEED_IDS.forms.multisession, 'Case for Multisession experience'],
      [SEED_IDS.forms.interactive, 'Case for Interactive experience'],
    ]);
    const [withControl, without] = body.value;
    expect(withControl.formxml).toContain(
      '<customControl formFactor="2" name="opencx_OpenCX.OpenCXTranscriptControl">',
    );
    expect(withControl.formxml).toContain('<transcript>description</transcript>');
    expect(without.formxml).toContain('datafieldname="description"');
    expect(without.formxml).not.toContain('OpenCXTranscriptControl');
    // Other tables and form types are not Case main forms.
    const quick = await fetch(api(s, query("objecttypecode eq 'incident' and type eq 7")));
    expect(((await quick.json()) as { value: unknown[] }).value).toEqual([]);
  });

  it('applies the query rules: unknown columns are refused, reading needs prvReadSystemForm', async () => {
    const s = await sandbox();
    expect(
      await errorOf(await fetch(api(s, query("objecttypecode eq 'incident'", 'formid,layout')))),
    ).toMatchObject({
      status: 400,
      code: '0x0',
    });
    expect(await errorOf(await fetch(api(s, query("objecttype eq 'incident'"))))).toMatchObject({
      status: 400,
    });
    s.setAuth({ missingPrivileges: ['prvReadSystemForm'] });
    const refused = await errorOf(await fetch(api(s, query("objecttypecode eq 'incident' and type eq 2"))));
    expect(refused).toMatchObject({ status: 403, code: '0x80040220' });
    expect(refused.message).toContain('missing prvReadSystemForm privilege');
  });

  it('keeps teams that cannot own records apart (teamtype 1, access team)', async () => {
    const s = await sandbox();
    const response = await fetch(
      api(s, `teams?$select=teamid,teamtype&$filter=${encodeURIComponent('teamtype ne 1')}`),
    );
    const body = (await response.json()) as { value: Array<{ teamid: string; teamtype: number }> };
    expect(body.value).toEqual([expect.objectContaining({ teamid: SEED_IDS.team, teamtype: 0 })]);
  });
});
