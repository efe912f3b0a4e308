import { describe, expect, it } from 'vitest';
import { SEED_IDS, type Sandbox } from '../src/index.js';
import { api, batchBody, errorOf, post, sandbox } from './helpers.js';

const INCIDENT = '0d7b3c5e-8f21-5a44-9c3e-6b1f2a9d4e70';
const incident = {
  incidentid: INCIDENT,
  title: 'Delivery change - Dana Whitfield',
  'customerid_contact@odata.bind': `/contacts(${SEED_IDS.contacts.withEmail})`,
  'ownerid@odata.bind': `/systemusers(${SEED_IDS.owner})`,
};
const target = { '@odata.type': 'Microsoft.Dynamics.CRM.incident', incidentid: INCIDENT };
const itemsOf = (s: Sandbox) => s.state.rows('queueitems').filter((i) => i._objectid_value === INCIDENT);
const addToQueue = (s: Sandbox, queue: string, body: unknown = { Target: target }) =>
  post(s, `queues(${queue})/Microsoft.Dynamics.CRM.AddToQueue`, body);

describe('org configurations', () => {
  it("auto-route to the owner's queue puts a new case in the owner's default queue on create", async () => {
    const s = await sandbox({ org: { autoRouteToOwnerQueue: true } });
    expect((await post(s, 'incidents', incident)).status).toBe(204);
    expect(itemsOf(s)).toEqual([
      expect.objectContaining({ _queueid_value: SEED_IDS.ownerQueue, statecode: 0 }),
    ]);
  });

  it('refuses a second active queue item for the case with 0x80040526, and rolls the create back in a change set', async () => {
    const s = await sandbox({ org: { queueOnCreate: SEED_IDS.triageQueue } });
    expect((await post(s, 'incidents', incident)).status).toBe(204);
    const second = await post(s, 'queueitems', {
      'objectid_incident@odata.bind': `/incidents(${INCIDENT})`,
      'queueid@odata.bind': `/queues(${SEED_IDS.voiceQueue})`,
    });
    expect(await errorOf(second)).toMatchObject({
      status: 400,
      code: '0x80040526',
      message: expect.stringContaining(
        'Cannot create more than one active queue item for this object',
      ) as string,
    });
    expect(itemsOf(s)).toHaveLength(1);
  });

  it('AddToQueue moves the active item to the destination, adds one when there is none, and answers its id', async () => {
    const s = await sandbox({ org: { autoRouteToOwnerQueue: true } });
    await post(s, 'incidents', incident);
    const moved = await addToQueue(s, SEED_IDS.voiceQueue);
    expect(moved.status).toBe(200);
    const { QueueItemId } = (await moved.json()) as { QueueItemId: string };
    expect(itemsOf(s)).toEqual([
      expect.objectContaining({
        queueitemid: QueueItemId,
        _queueid_value: SEED_IDS.voiceQueue,
        statecode: 0,
      }),
    ]);
    // Again: already there, nothing changes.
    expect((await addToQueue(s, SEED_IDS.voiceQueue)).status).toBe(200);
    expect(itemsOf(s)).toHaveLength(1);

    const plain = await sandbox();
    await post(plain, 'incidents', incident);
    expect((await addToQueue(plain, SEED_IDS.voiceQueue)).status).toBe(200);
    expect(itemsOf(plain)).toEqual([expect.objectContaining({ _queueid_value: SEED_IDS.voiceQueue })]);
  });

  it("AddToQueue's Target must name its entity type (@odata.type), and the queue and record must exist", async () => {
    const s = await sandbox();
    await post(s, 'incidents', incident);
    expect((await addToQueue(s, SEED_IDS.voiceQueue, { Target: { incidentid: INCIDENT } })).status).toBe(400);
    expect((await addToQueue(s, '7b0c0d6e-1c1a-4e5f-9d2a-0000000000ff')).status).toBe(404);
    const missing = { Target: { ...target, incidentid: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000ff' } };
    expect((await addToQueue(s, SEED_IDS.voiceQueue, missing)).status).toBe(404);
  });

  it("ApplyRoutingRule places the case by the org's routing rules, and does nothing without an active rule set", async () => {
    const routed = await sandbox({ org: { routingRuleQueue: SEED_IDS.triageQueue } });
    await post(routed, 'incidents', incident);
    expect((await post(routed, 'ApplyRoutingRule', { Target: target })).status).toBe(204);
    expect(itemsOf(routed)).toEqual([expect.objectContaining({ _queueid_value: SEED_IDS.triageQueue })]);
    const none = await sandbox();
    await post(none, 'incidents', incident);
    expect((await post(none, 'ApplyRoutingRule', { Target: target })).status).toBe(204);
    expect(itemsOf(none)).toHaveLength(0);
  });

  it('ApplyRoutingRule needs prvWriteIncident (ApplyRoutingRule message privileges): 403 0x80040220 naming it, nothing placed', async () => {
    const s = await sandbox({ org: { routingRuleQueue: SEED_IDS.triageQueue } });
    await post(s, 'incidents', incident);
    s.setAuth({ missingPrivileges: ['prvWriteIncident'] });
    const refused = await errorOf(await post(s, 'ApplyRoutingRule', { Target: target }));
    expect(refused).toMatchObject({ status: 403, code: '0x80040220' });
    expect(refused.message).toContain(
      "missing prvWriteIncident privilege (Id=00000000-0000-0000-0000-000000000000) on OTC=0 for entity 'incident'",
    );
    expect(itemsOf(s)).toHaveLength(0);
    // In a change set, the refusal rolls the case back with it.
    const other = '1e2d3c4b-5a69-4788-9a1b-2c3d4e5f6a7b';
    const { body, contentType } = batchBody([
      { method: 'POST', url: '/api/data/v9.2/incidents', body: { ...incident, incidentid: other } },
      {
        method: 'POST',
        url: '/api/data/v9.2/ApplyRoutingRule',
        body: { Target: { ...target, incidentid: other } },
      },
    ]);
    const batch = await fetch(api(s, '$batch'), {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body,
    });
    expect(await batch.text()).toContain('missing prvWriteIncident privilege');
    expect(s.state.get('incidents', other)).toBeUndefined();
    // Every other privilege missing does not stop it: Write on cases is the one it needs.
    s.setAuth({ missingPrivileges: ['prvAppendToQueue', 'prvCreateIncident', 'prvReadRoutingRule'] });
    expect((await post(s, 'ApplyRoutingRule', { Target: target })).status).toBe(204);
    expect(itemsOf(s)).toEqual([expect.objectContaining({ _queueid_value: SEED_IDS.triageQueue })]);
  });

  it("a synchronous plug-in's refusal answers 0x80040265 with the plug-in's own message, and nothing is kept", async () => {
    const s = await sandbox({ org: { refuseIncidentCreate: 'Cases need a product.' } });
    expect(await errorOf(await post(s, 'incidents', incident))).toEqual({
      status: 400,
      code: '0x80040265',
      message: 'Cases need a product.',
    });
    expect(s.state.rows('incidents')).toHaveLength(0);
  });

  it("reads the incident table's AutoRouteToOwnerQueue, and refuses an unknown EntityMetadata property", async () => {
    const on = await sandbox({ org: { autoRouteToOwnerQueue: true } });
    const read = await fetch(
      api(on, "EntityDefinitions(LogicalName='incident')?$select=AutoRouteToOwnerQueue"),
    );
    expect(await read.json()).toMatchObject({ AutoRouteToOwnerQueue: true });
    const off = await sandbox();
    const unknown = await fetch(api(off, "EntityDefinitions(LogicalName='incident')?$select=MaxLength"));
    expect(unknown.status).toBe(400);
  });

  it('AddToQueue with SourceQueue moves the item out of that queue (the documented move)', async () => {
    const s = await sandbox({ org: { autoRouteToOwnerQueue: true } });
    await post(s, 'incidents', incident);
    const moved = await addToQueue(s, SEED_IDS.voiceQueue, {
      Target: target,
      SourceQueue: { queueid: SEED_IDS.ownerQueue },
    });
    expect(moved.status).toBe(200);
    expect(itemsOf(s)).toEqual([
      expect.objectContaining({ _queueid_value: SEED_IDS.voiceQueue, statecode: 0 }),
    ]);
  });

  it("auto-route puts a team-owned case in the team's default queue (team.queueid)", async () => {
    const s = await sandbox({ org: { autoRouteToOwnerQueue: true } });
    // The voice team's default queue is Triage here.
    s.state.put('teams', SEED_IDS.team, {
      ...s.state.get('teams', SEED_IDS.team),
      _queueid_value: SEED_IDS.triageQueue,
    });
    await post(s, 'incidents', { ...incident, 'ownerid@odata.bind': `/teams(${SEED_IDS.team})` });
    expect(itemsOf(s)).toEqual([expect.objectContaining({ _queueid_value: SEED_IDS.triageQueue })]);
  });

  describe('unified routing', () => {
    const unified = (s: Sandbox, body: unknown) => post(s, 'msdyn_ApplyRoutingRuleEntityRecord', body);

    it("routes a case to its workstream's queue, with the Target as @odata.type and id, or as the reference page's string", async () => {
      for (const body of [{ Target: target }, { Target: `incidents(${INCIDENT})` }]) {
        const s = await sandbox({ org: { unifiedRouting: { queue: SEED_IDS.triageQueue } } });
        await post(s, 'incidents', incident);
        expect((await unified(s, body)).status).toBe(204);
        expect(itemsOf(s)).toEqual([expect.objectContaining({ _queueid_value: SEED_IDS.triageQueue })]);
      }
    });

    it('is an unknown segment where unified routing is not provisioned, and 404 0x80040217 for a missing case', async () => {
      const none = await sandbox();
      await post(none, 'incidents', incident);
      expect(await errorOf(await unified(none, { Target: target }))).toMatchObject({
        status: 404,
        code: '0x8006088a',
        message: "Resource not found for the segment 'msdyn_ApplyRoutingRuleEntityRecord'.",
      });
      const provisioned = await sandbox({ org: { unifiedRouting: {} } });
      expect(await errorOf(await unified(provisioned, { Target: target }))).toMatchObject({
        status: 404,
        code: '0x80040217',
      });
    });

    it('needs prvWriteIncident on a case (assumed, as ApplyRoutingRule documents it): 403 0x80040220 naming it, the case left where it is', async () => {
      for (const body of [{ Target: target }, { Target: `incidents(${INCIDENT})` }]) {
        const s = await sandbox({ org: { unifiedRouting: { queue: SEED_IDS.triageQueue } } });
        await post(s, 'incidents', incident);
        s.setAuth({ missingPrivileges: ['prvWriteIncident'] });
        const refused = await errorOf(await unified(s, body));
        expect(refused).toMatchObject({ status: 403, code: '0x80040220' });
        expect(refused.message).toContain('missing prvWriteIncident privilege');
        expect(refused.message).toContain("for entity 'incident'");
        expect(itemsOf(s)).toHaveLength(0);
        s.setAuth({});
        expect((await unified(s, body)).status).toBe(204);
        expect(itemsOf(s)).toHaveLength(1);
      }
      // Where unified routing is not provisioned, the action does not exist, whatever the caller holds.
      const none = await sandbox({ auth: { missingPrivileges: ['prvWriteIncident'] } });
      expect(await errorOf(await unified(none, { Target: target }))).toMatchObject({
        status: 404,
        code: '0x8006088a',
      });
    });

    it("serves the org's routing configuration: rule sets always, unified routing's tables only where provisioned", async () => {
      const get = async (s: Sandbox, path: string) => fetch(api(s, path));
      const plain = await sandbox();
      expect(
        await (await get(plain, 'routingrules?$select=name&$filter=statecode eq 1')).json(),
      ).toMatchObject({
        value: [],
      });
      expect((await get(plain, 'msdyn_liveworkstreams?$select=msdyn_name')).status).toBe(404);
      const s = await sandbox({ org: { routingRuleQueue: SEED_IDS.triageQueue } });
      s.setOrg({ unifiedRouting: { queue: SEED_IDS.voiceQueue } });
      expect(await (await get(s, 'routingrules?$select=name&$filter=statecode eq 1')).json()).toMatchObject({
        value: [],
      });
      const types = await get(
        s,
        `msdyn_masterentityroutingconfigurations?$select=msdyn_name&$filter=${encodeURIComponent("msdyn_entitylogicalname eq 'incident' and statecode eq 0")}`,
      );
      expect(await types.json()).toMatchObject({
        value: [{ msdyn_masterentityroutingconfigurationid: SEED_IDS.routing.caseRecordType }],
      });
      const streams = await get(
        s,
        `msdyn_liveworkstreams?$select=msdyn_name,_msdyn_defaultqueue_value&$filter=${encodeURIComponent(`msdyn_streamsource eq 192350000 and statecode eq 0 and _msdyn_masterentityroutingconfigurationid_value eq ${SEED_IDS.routing.caseRecordType}`)}`,
      );
      expect(await streams.json()).toMatchObject({
        value: [{ msdyn_name: 'Voice cases workstream', _msdyn_defaultqueue_value: SEED_IDS.voiceQueue }],
      });
    });
  });
});
