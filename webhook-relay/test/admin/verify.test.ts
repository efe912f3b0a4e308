import { caseForm, defaultSeed, SEED_IDS, type SandboxOptions } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it } from 'vitest';
import { privilegeLine } from '../../src/admin/privileges.js';
import { formatReport, type CheckId, type VerifyReport } from '../../src/admin/report.js';
import { verify, type VerifyOptions } from '../../src/admin/verify.js';
import { createDataverseClient } from '../../src/dataverse/client.js';
import { onCleanup, sandboxEnv, testSandbox } from '../helpers.js';
import { keyEntry } from '../store-contract/vaults.js';
import { startFakeEntra } from './fake-entra.js';

/** The sandbox's environment with payloads encrypted at rest, as a production relay runs. */
const sealedEnv = (url: string) => ({ ...sandboxEnv(url), PAYLOAD_ENCRYPTION_KEYS: keyEntry('verify') });

const ORDER: CheckId[] = [
  'url',
  'token',
  'whoami',
  'privileges',
  'queue',
  'owner',
  'options',
  'description',
  'placeholder',
  'forms',
  'insights',
  'settings',
];
const MISSING_GUID = '0d0d0d0d-0000-4000-8000-00000000dead';

/** The default seed with the transcript control on every Case main form: nothing to warn about. */
function seedWithControlEverywhere() {
  const seed = defaultSeed();
  seed.systemforms = [
    caseForm(SEED_IDS.forms.multisession, 'Case for Multisession experience', ['web', 'tablet', 'phone']),
    caseForm(SEED_IDS.forms.interactive, 'Case for Interactive experience', ['web', 'tablet', 'phone']),
  ];
  return seed;
}

const check = (report: VerifyReport, id: CheckId) => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} check`);
  return found;
};
const statuses = (report: VerifyReport) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));

describe('opencx-relay verify against the Dataverse sandbox', () => {
  it('passes on a well-configured environment, in the documented order, and leaves nothing behind', async () => {
    const dv = await testSandbox({
      metadata: { maxLength: { 'incident.description': 100_000 } },
      seed: seedWithControlEverywhere(),
      org: { insights: true },
    });
    const contactsBefore = dv.state.rows('contacts').length;
    const report = await verify(sealedEnv(dv.url));
    expect(report.checks.map((c) => c.id)).toEqual(ORDER);
    expect(statuses(report)).toEqual(Object.fromEntries(ORDER.map((id) => [id, 'pass'])));
    expect(report.ok).toBe(true);
    // The test handoff ran as one change set (contact, case, AddToQueue, note, duplicate case) …
    const batch = dv.requests.find((r) => r.path.endsWith('$batch'));
    expect(batch?.operations?.map((o) => o.url.split('/').pop())).toEqual([
      'contacts',
      'incidents',
      'Microsoft.Dynamics.CRM.AddToQueue',
      'annotations',
      'incidents',
    ]);
    // … and was rolled back.
    expect(dv.state.rows('incidents')).toHaveLength(0);
    expect(dv.state.rows('queueitems')).toHaveLength(0);
    expect(dv.state.rows('annotations')).toHaveLength(0);
    expect(dv.state.rows('contacts')).toHaveLength(contactsBefore);
    expect(formatReport(report)).toContain('The relay can create cases in this environment.');
  });

  it('warns, but passes, when the description holds under 4,000 characters', async () => {
    const dv = await testSandbox();
    const report = await verify(sandboxEnv(dv.url));
    expect(check(report, 'description')).toMatchObject({ status: 'warn' });
    expect(check(report, 'description').summary).toContain('2,000 characters');
    expect(check(report, 'description').fix).toContain('Description column');
    expect(report.ok).toBe(true);
  });

  it.each([
    ['a trailing slash', (url: string) => `${url}/`, 'ends with a slash'],
    ['a path', (url: string) => `${url}/api/data/v9.2`, 'has a path (/api/data/v9.2)'],
    ['http on a public host', () => 'http://contoso.crm.dynamics.com', 'uses http:'],
    ['no URL at all', () => '', 'DATAVERSE_URL is not set.'],
  ])('fails the URL check for %s and skips everything that needs Dataverse', async (_name, url, reason) => {
    const dv = await testSandbox();
    const report = await verify({ ...sandboxEnv(dv.url), DATAVERSE_URL: url(dv.url) });
    expect(check(report, 'url')).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining(reason) as string,
    });
    expect(check(report, 'url').fix).toContain('without a path or trailing slash');
    for (const id of ORDER.slice(1, -1)) expect(check(report, id).status).toBe('skip');
    expect(report.ok).toBe(false);
    expect(dv.requests).toHaveLength(0);
  });

  it('fails the token check when the credentials are not configured, naming the variables', async () => {
    const dv = await testSandbox();
    const { DATAVERSE_AUTH: _none, ...env } = sandboxEnv(dv.url);
    const report = await verify(env);
    const token = check(report, 'token');
    expect(token.status).toBe('fail');
    expect(token.details?.join('\n')).toContain('AZURE_TENANT_ID is not set');
    expect(check(report, 'whoami').status).toBe('skip');
  });

  describe('with client credentials (a local Entra ID stand-in issues the token)', () => {
    const TENANT = '11111111-2222-3333-4444-555555555555';
    const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

    async function setUp(auth: SandboxOptions['auth']) {
      const dv = await testSandbox({ auth });
      const entra = await startFakeEntra([
        { tenantId: TENANT, clientId: CLIENT, secret: 's3cret', resources: [dv.url] },
      ]);
      onCleanup(() => entra.close());
      const { DATAVERSE_AUTH: _none, ...base } = sandboxEnv(dv.url);
      const env = {
        ...base,
        AZURE_TENANT_ID: TENANT,
        AZURE_CLIENT_ID: CLIENT,
        AZURE_CLIENT_SECRET: 's3cret',
      };
      // The relay's Dataverse client asks the real Entra ID for its token, so here it sends none:
      // a sandbox that requires a token answers it 401, as Dataverse answers an app it does not know.
      const options: VerifyOptions = {
        token: { networkClient: entra.networkClient },
        client: (config) =>
          createDataverseClient({ url: config.dataverseUrl, auth: { kind: 'none' }, timeoutMs: 5000 }),
      };
      return { dv, env, options };
    }

    it('explains a wrong secret with AADSTS7000215 and stops there', async () => {
      const { env, options, dv } = await setUp({});
      const report = await verify({ ...env, AZURE_CLIENT_SECRET: 'wrong' }, options);
      expect(check(report, 'token')).toMatchObject({ status: 'fail', code: 'AADSTS7000215' });
      expect(check(report, 'token').fix).toContain("secret's Value");
      expect(check(report, 'whoami').status).toBe('skip');
      expect(dv.requests).toHaveLength(0);
    });

    it('answers 401 from Dataverse with "create the application user"', async () => {
      const { env, options } = await setUp({ requireToken: true, tokens: ['some-other-token'] });
      const report = await verify(env, options);
      expect(check(report, 'token').status).toBe('pass');
      expect(check(report, 'whoami')).toMatchObject({ status: 'fail', code: '401' });
      expect(check(report, 'whoami').fix).toContain('Application users > New app user');
      expect(check(report, 'privileges').status).toBe('skip');
      expect(report.ok).toBe(false);
    });
  });

  it('answers 403 0x80072560 on WhoAmI with "create the application user"', async () => {
    const dv = await testSandbox({ auth: { applicationUserExists: false } });
    const report = await verify(sandboxEnv(dv.url));
    expect(check(report, 'whoami')).toMatchObject({ status: 'fail', code: '0x80072560' });
    expect(check(report, 'whoami').fix).toContain('assign the role "OpenCX Handoff Relay"');
    for (const id of ORDER.slice(3, -1)) expect(check(report, id).status).toBe('skip');
  });

  it.each([
    'prvReadContact',
    'prvReadIncident',
    'prvReadQueue',
    'prvReadUser',
    'prvReadTeam',
    'prvCreateContact',
    'prvCreateIncident',
    'prvAppendToQueue',
    'prvCreateNote',
  ])('names %s when the role lacks it (403 0x80040220), with why the relay needs it', async (privilege) => {
    const dv = await testSandbox({ auth: { missingPrivileges: [privilege] } });
    const report = await verify(sandboxEnv(dv.url));
    const privileges = check(report, 'privileges');
    expect(privileges).toMatchObject({ status: 'fail', code: '0x80040220' });
    expect(privileges.details).toEqual([privilegeLine(privilege)]);
    expect(privileges.fix).toContain('"OpenCX Handoff Relay"');
    expect(report.ok).toBe(false);
    expect(dv.state.rows('incidents')).toHaveLength(0);
  });

  it('lists every missing read privilege at once, and names them in the checks that needed them', async () => {
    const dv = await testSandbox({ auth: { missingPrivileges: ['prvReadQueue', 'prvReadUser'] } });
    const report = await verify(sandboxEnv(dv.url));
    expect(check(report, 'privileges').details).toEqual([
      privilegeLine('prvReadQueue'),
      privilegeLine('prvReadUser'),
    ]);
    expect(check(report, 'queue').details?.[0]).toEqual(privilegeLine('prvReadQueue'));
    expect(check(report, 'owner').details).toEqual([privilegeLine('prvReadUser')]);
    expect(check(report, 'placeholder').status).toBe('pass');
  });

  it('says when a privilege Dataverse asks for is not part of the role', () => {
    expect(privilegeLine('prvDeleteIncident')).toContain('not part of "OpenCX Handoff Relay"');
    expect(privilegeLine('prvCreateIncident')).toBe('prvCreateIncident: create the case');
  });

  describe('with APPEND_AFTER_HANDOFF=true', () => {
    const appendEnv = (url: string) => ({ ...sandboxEnv(url), APPEND_AFTER_HANDOFF: 'true' });

    it('also updates the test case and note, and still keeps nothing', async () => {
      const dv = await testSandbox();
      const report = await verify(appendEnv(dv.url));
      expect(check(report, 'privileges')).toMatchObject({
        status: 'pass',
        summary: expect.stringContaining('then both updated') as string,
      });
      const batch = dv.requests.find((r) => r.path.endsWith('$batch'));
      expect(batch?.operations?.map((o) => `${o.method} ${o.url.split('/').pop()?.split('(')[0]}`)).toEqual([
        'POST contacts',
        'POST incidents',
        'POST Microsoft.Dynamics.CRM.AddToQueue',
        'POST annotations',
        'PATCH incidents',
        'PATCH annotations',
        'POST incidents',
      ]);
      expect(dv.state.rows('incidents')).toHaveLength(0);
      expect(dv.state.rows('annotations')).toHaveLength(0);
      expect(report.ok).toBe(true);
    });

    it.each(['prvWriteIncident', 'prvReadNote', 'prvWriteNote'])(
      'names %s and the append role when it is missing',
      async (privilege) => {
        const dv = await testSandbox({ auth: { missingPrivileges: [privilege] } });
        const report = await verify(appendEnv(dv.url));
        const privileges = check(report, 'privileges');
        expect(privileges).toMatchObject({ status: 'fail', code: '0x80040220' });
        expect(privileges.details).toEqual([privilegeLine(privilege)]);
        expect(privileges.details?.[0]).toContain('APPEND_AFTER_HANDOFF');
        expect(privileges.fix).toContain('"OpenCX Handoff Relay - Append"');
        expect(privileges.fix).not.toContain('"OpenCX Handoff Relay" and');
        expect(dv.state.rows('incidents')).toHaveLength(0);
      },
    );

    it('does not ask for the append privileges when append is off', async () => {
      const dv = await testSandbox({
        auth: { missingPrivileges: ['prvWriteIncident', 'prvReadNote', 'prvWriteNote'] },
      });
      const report = await verify(sandboxEnv(dv.url));
      expect(check(report, 'privileges').status).toBe('pass');
    });
  });

  describe('in a routing mode (APPLY_ROUTING_RULES): Write on cases, from the role "OpenCX Handoff Relay - Routing"', () => {
    /** No DEFAULT_QUEUE_ID, the routing mode, and an org where that routing places cases. */
    async function routingSetUp(mode: 'legacy' | 'unified', missingPrivileges: string[] = []) {
      const dv = await testSandbox({
        auth: { missingPrivileges },
        org:
          mode === 'legacy'
            ? { routingRuleQueue: SEED_IDS.triageQueue }
            : { unifiedRouting: { queue: SEED_IDS.triageQueue } },
      });
      const { DEFAULT_QUEUE_ID: _queue, ...env } = sandboxEnv(dv.url);
      return { dv, env: { ...env, APPLY_ROUTING_RULES: mode } };
    }
    const operationsOf = (dv: Awaited<ReturnType<typeof testSandbox>>) =>
      dv.requests
        .find((r) => r.path.endsWith('$batch'))
        ?.operations?.map((o) => `${o.method} ${o.url.split('/').pop()?.split('(')[0]}`);

    it.each(['legacy', 'unified'] as const)(
      '%s: fails without prvWriteIncident, naming the routing role (not the append role), and keeps nothing',
      async (mode) => {
        const { dv, env } = await routingSetUp(mode, ['prvWriteIncident']);
        const report = await verify(env);
        const privileges = check(report, 'privileges');
        expect(privileges).toMatchObject({ status: 'fail', code: '0x80040220' });
        expect(privileges.details).toEqual([privilegeLine('prvWriteIncident')]);
        expect(privileges.details?.[0]).toContain('APPLY_ROUTING_RULES');
        expect(privileges.fix).toContain('Assign the security role "OpenCX Handoff Relay - Routing"');
        expect(privileges.fix).not.toContain('- Append');
        expect(report.ok).toBe(false);
        expect(dv.state.rows('incidents')).toHaveLength(0);
        expect(dv.state.rows('queueitems')).toHaveLength(0);
      },
    );

    it('legacy: the test handoff carries ApplyRoutingRule as a delivery does, and passes with the privilege', async () => {
      const { dv, env } = await routingSetUp('legacy');
      const report = await verify(env);
      expect(check(report, 'privileges')).toMatchObject({ status: 'pass' });
      expect(operationsOf(dv)).toEqual([
        'POST contacts',
        'POST incidents',
        'POST ApplyRoutingRule',
        'POST annotations',
        'POST incidents',
      ]);
      expect(report.ok).toBe(true);
      expect(dv.state.rows('queueitems')).toHaveLength(0);
    });

    it("unified: the test handoff updates its case, standing in for unified routing's Write on cases, and passes with the privilege", async () => {
      const { dv, env } = await routingSetUp('unified');
      const report = await verify(env);
      expect(check(report, 'privileges')).toMatchObject({
        status: 'pass',
        summary: expect.stringContaining('stands in for unified routing') as string,
      });
      // msdyn_ApplyRoutingRuleEntityRecord is never sent by verify: it cannot sit in a change set.
      expect(operationsOf(dv)).toEqual([
        'POST contacts',
        'POST incidents',
        'POST annotations',
        'PATCH incidents',
        'POST incidents',
      ]);
      expect(dv.requests.some((r) => r.path.endsWith('msdyn_ApplyRoutingRuleEntityRecord'))).toBe(false);
      expect(report.ok).toBe(true);
      expect(dv.state.rows('incidents')).toHaveLength(0);
    });

    it('unified with append: one update of the case checks both, and a missing prvWriteIncident names both roles', async () => {
      const { dv, env } = await routingSetUp('unified', ['prvWriteIncident']);
      const report = await verify({ ...env, APPEND_AFTER_HANDOFF: 'true' });
      expect(check(report, 'privileges').fix).toContain(
        '"OpenCX Handoff Relay - Append" and "OpenCX Handoff Relay - Routing"',
      );
      dv.setAuth({});
      dv.requests.length = 0;
      const passed = await verify({ ...env, APPEND_AFTER_HANDOFF: 'true' });
      expect(check(passed, 'privileges').status).toBe('pass');
      expect(operationsOf(dv)?.filter((o) => o === 'PATCH incidents')).toHaveLength(1);
    });

    it('does not ask for prvWriteIncident in the queue or unassigned mode', async () => {
      const dv = await testSandbox({ auth: { missingPrivileges: ['prvWriteIncident'] } });
      expect(check(await verify(sandboxEnv(dv.url)), 'privileges').status).toBe('pass');
      const { DEFAULT_QUEUE_ID: _queue, ...unassigned } = sandboxEnv(dv.url);
      expect(check(await verify(unassigned), 'privileges').status).toBe('pass');
      expect(
        dv.requests.filter((r) => r.path.endsWith('$batch')).flatMap((r) => r.operations ?? []),
      ).not.toContainEqual(expect.objectContaining({ method: 'PATCH' }));
    });
  });

  it.each([
    ['missing', MISSING_GUID, 'no queue', 'skip'],
    ['inactive', SEED_IDS.disabledQueue, 'is inactive', 'pass'],
  ])('fails the queue check for a %s queue', async (_name, queueId, summary, privilegeStatus) => {
    const dv = await testSandbox();
    const report = await verify({ ...sandboxEnv(dv.url), DEFAULT_QUEUE_ID: queueId });
    expect(check(report, 'queue')).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining(summary) as string,
    });
    expect(check(report, 'queue').fix).toMatch(/queue/);
    expect(check(report, 'privileges').status).toBe(privilegeStatus);
    expect(report.ok).toBe(false);
  });

  it('reports a malformed DEFAULT_QUEUE_ID as configuration, and tests the rest of the handoff without the queue', async () => {
    const dv = await testSandbox();
    const report = await verify({ ...sealedEnv(dv.url), DEFAULT_QUEUE_ID: 'voice-queue' });
    expect(check(report, 'queue').details?.[0]).toContain('DEFAULT_QUEUE_ID=voice-queue is not valid');
    expect(check(report, 'privileges')).toMatchObject({ status: 'pass' });
    expect(check(report, 'privileges').summary).toContain('without the parts that need DEFAULT_QUEUE_ID');
    expect(check(report, 'settings').status).toBe('pass');
  });

  it.each([
    ['disabled', SEED_IDS.disabledUser, 'is disabled'],
    ['missing', MISSING_GUID, 'no user'],
  ])('fails the owner check for a %s user', async (_name, ownerId, summary) => {
    const dv = await testSandbox();
    const report = await verify({ ...sandboxEnv(dv.url), DEFAULT_OWNER_ID: ownerId });
    expect(check(report, 'owner')).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining(summary) as string,
    });
    // The test handoff stops at the owner too; the owner check explains it, so privileges are not blamed.
    expect(check(report, 'privileges').status).toBe('skip');
  });

  it('accepts a team as the owner', async () => {
    const dv = await testSandbox();
    const report = await verify({ ...sandboxEnv(dv.url), DEFAULT_OWNER_TEAM_ID: SEED_IDS.team });
    expect(check(report, 'owner')).toMatchObject({
      status: 'pass',
      summary: expect.stringContaining('Voice team') as string,
    });
    expect(check(report, 'privileges').status).toBe('pass');
  });

  it('lists the valid priorities when DEFAULT_PRIORITY is not an option (OpenCX\'s "4")', async () => {
    const dv = await testSandbox();
    const report = await verify({ ...sandboxEnv(dv.url), DEFAULT_PRIORITY: '4' });
    expect(check(report, 'options').status).toBe('fail');
    expect(check(report, 'options').details).toEqual([
      'DEFAULT_PRIORITY=4 is not a priority of this org. Valid values: 1 (High), 2 (Normal), 3 (Low).',
    ]);
  });

  it('fails TICKET_PROPERTIES naming an unknown column, a wrong option and a column the relay writes', async () => {
    const dv = await testSandbox();
    const report = await verify({
      ...sandboxEnv(dv.url),
      TICKET_PROPERTIES: JSON.stringify({ new_channel: 1, casetypecode: 99, title: 'x' }),
    });
    const details = check(report, 'options').details?.join('\n') ?? '';
    expect(details).toContain('new_channel, which is not a column');
    expect(details).toContain('casetypecode=99 is not an option');
    expect(details).toContain('may not set title');
  });

  it('reads the options of a status column through its own cast (StatusAttributeMetadata)', async () => {
    const dv = await testSandbox();
    const wrong = await verify({ ...sandboxEnv(dv.url), TICKET_PROPERTIES: '{"statuscode": 77}' });
    expect(check(wrong, 'options').details?.join('\n')).toContain('statuscode=77 is not an option');
    const right = await verify({ ...sandboxEnv(dv.url), TICKET_PROPERTIES: '{"statuscode": 2}' });
    expect(check(right, 'options')).toMatchObject({ status: 'pass' });
    expect(dv.requests.map((r) => decodeURIComponent(r.path))).toContain(
      "/api/data/v9.2/EntityDefinitions(LogicalName='incident')/Attributes(LogicalName='statuscode')/Microsoft.Dynamics.CRM.StatusAttributeMetadata",
    );
  });

  it('passes valid TICKET_PROPERTIES and says which columns they set', async () => {
    const dv = await testSandbox();
    const report = await verify({ ...sandboxEnv(dv.url), TICKET_PROPERTIES: '{"casetypecode": 2}' });
    expect(check(report, 'options')).toMatchObject({
      status: 'pass',
      summary: expect.stringContaining('casetypecode') as string,
    });
  });

  it.each([
    ['missing', MISSING_GUID, 'no contact'],
    ['inactive', SEED_IDS.contacts.inactive, 'is inactive'],
  ])('fails the placeholder check for a %s contact', async (_name, contactId, summary) => {
    const dv = await testSandbox();
    const report = await verify({ ...sandboxEnv(dv.url), UNIDENTIFIED_CUSTOMER_ID: contactId });
    expect(check(report, 'placeholder')).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining(summary) as string,
    });
  });

  it('points at `opencx-relay setup` when UNIDENTIFIED_CUSTOMER_ID is not set', async () => {
    const dv = await testSandbox();
    const { UNIDENTIFIED_CUSTOMER_ID: _id, ...env } = sandboxEnv(dv.url);
    const report = await verify(env);
    expect(check(report, 'placeholder').fix).toContain('opencx-relay setup');
    expect(check(report, 'privileges').status).toBe('pass');
  });

  it('still checks Dataverse when webhook authentication is missing, and fails the settings check', async () => {
    const dv = await testSandbox({
      metadata: { maxLength: { 'incident.description': 100_000 } },
      seed: seedWithControlEverywhere(),
      org: { insights: true },
    });
    const { WEBHOOK_SECRETS: _secrets, ...env } = sandboxEnv(dv.url);
    const report = await verify({ ...env, PORT: 'eighty' });
    expect(ORDER.slice(0, -1).every((id) => check(report, id).status === 'pass')).toBe(true);
    expect(check(report, 'settings').status).toBe('fail');
    expect(check(report, 'settings').details?.join('\n')).toMatch(
      /No webhook authentication[\s\S]*PORT=eighty/,
    );
    expect(report.ok).toBe(false);
  });

  it('warns, and still passes, when payloads would be stored in plain text', async () => {
    const dv = await testSandbox({ seed: seedWithControlEverywhere() });
    const report = await verify(sandboxEnv(dv.url));
    expect(check(report, 'settings')).toMatchObject({
      status: 'warn',
      summary: expect.stringContaining('payloads are stored in plain text') as string,
      fix: expect.stringContaining('PAYLOAD_ENCRYPTION_KEYS=') as string,
    });
    expect(report.ok).toBe(true);
  });

  it('prints failures with their fix, and survives JSON', async () => {
    const dv = await testSandbox({ auth: { missingPrivileges: ['prvCreateIncident'] } });
    const report = await verify(sealedEnv(dv.url));
    const text = formatReport(report);
    expect(text).toMatch(/\[FAIL\] Privileges +the application user lacks 1 privilege\(s\)/);
    expect(text).toContain('- prvCreateIncident: create the case');
    expect(text).toContain('Fix: Assign the security role "OpenCX Handoff Relay"');
    // Three warnings: the description length, the default seed's Case form without the control, and no
    // insights columns.
    expect(text).toMatch(/\b\d+ passed, 1 failed, 3 warning\(s\), 0 skipped/);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  describe("queue mode and auto-route to the owner's queue", () => {
    it("reports queue mode and the AutoRouteToOwnerQueue setting, and passes in an org that auto-routes, naming the owner's queue as SourceQueue", async () => {
      const dv = await testSandbox({ org: { autoRouteToOwnerQueue: true } });
      const report = await verify(sandboxEnv(dv.url));
      expect(report.queue).toEqual({
        mode: 'queue',
        queueId: SEED_IDS.voiceQueue,
        applyRoutingRules: false,
        autoRouteToOwnerQueue: true,
        sourceQueueId: SEED_IDS.ownerQueue,
        org: {
          routes: 'none',
          ruleSets: [],
          unified: { provisioned: false, caseRecordType: false, workstreams: [] },
          unreadable: [],
        },
      });
      // The test handoff places the case as delivery does (AddToQueue from the owner's queue), so auto-routing does not fail it.
      expect(check(report, 'privileges').status).toBe('pass');
      const details = check(report, 'queue').details?.join('\n');
      expect(details).toContain("auto-route to the owner's queue is on");
      expect(details).toContain(`SourceQueue`);
      expect(details).toContain('the org has no routing for cases');
      expect(dv.requests.some((r) => r.path.endsWith("EntityDefinitions(LogicalName='incident')"))).toBe(
        true,
      );
      expect(dv.state.rows('queueitems')).toHaveLength(0);
      // The description's MaxLength is read once, by the options check (as delivery reads it).
      expect(
        dv.requests.filter((r) => r.path.includes("Attributes(LogicalName='description')")),
      ).toHaveLength(1);
    });

    it('reports the queue mode from the configuration even when Dataverse refuses the app', async () => {
      const dv = await testSandbox({ auth: { applicationUserExists: false } });
      const report = await verify(sandboxEnv(dv.url));
      expect(check(report, 'whoami').status).toBe('fail');
      expect(report.queue).toEqual({ mode: 'queue', queueId: SEED_IDS.voiceQueue, applyRoutingRules: false });
    });

    it('passes without DEFAULT_QUEUE_ID and says the cases stay unassigned, or go by routing rules', async () => {
      const dv = await testSandbox();
      const { DEFAULT_QUEUE_ID: _queue, ...env } = sandboxEnv(dv.url);
      const unassigned = await verify(env);
      expect(check(unassigned, 'queue')).toMatchObject({ status: 'pass', summary: 'no queue configured' });
      expect(unassigned.queue).toMatchObject({
        mode: 'unassigned',
        applyRoutingRules: false,
        autoRouteToOwnerQueue: false,
        org: { routes: 'none' },
      });
      expect(formatReport(unassigned)).toContain('queue mode: unassigned');
      dv.setOrg({ routingRuleQueue: SEED_IDS.triageQueue });
      const routed = await verify({ ...env, APPLY_ROUTING_RULES: 'true' });
      expect(routed.queue).toMatchObject({ mode: 'routing-rules', applyRoutingRules: 'legacy' });
      expect(check(routed, 'privileges').status).toBe('pass');
      expect(check(routed, 'queue')).toMatchObject({
        status: 'pass',
        summary: 'the active routing rule set (Voice cases) places each new case (ApplyRoutingRule)',
      });
      expect(formatReport(routed)).toContain('queue mode: routing rules');
    });

    it('fails legacy routing in an org with no active routing rule set, and unified routing where cases are not set up for it', async () => {
      const dv = await testSandbox();
      const { DEFAULT_QUEUE_ID: _queue, ...env } = sandboxEnv(dv.url);
      const legacy = await verify({ ...env, APPLY_ROUTING_RULES: 'legacy' });
      expect(check(legacy, 'queue')).toMatchObject({
        status: 'fail',
        summary: expect.stringContaining('no active routing rule set') as string,
        fix: expect.stringContaining('Basic routing rulesets') as string,
      });
      const notProvisioned = await verify({ ...env, APPLY_ROUTING_RULES: 'unified' });
      expect(check(notProvisioned, 'queue')).toMatchObject({
        status: 'fail',
        summary: expect.stringContaining('unified routing is not provisioned') as string,
      });
      expect(notProvisioned.ok).toBe(false);
      dv.setOrg({ unifiedRouting: {} });
      const noCases = await verify({ ...env, APPLY_ROUTING_RULES: 'unified' });
      expect(check(noCases, 'queue')).toMatchObject({
        status: 'fail',
        summary: expect.stringContaining('cases are not set up for unified routing') as string,
      });
      dv.setOrg({ unifiedRouting: { queue: SEED_IDS.triageQueue } });
      const unified = await verify({ ...env, APPLY_ROUTING_RULES: 'unified' });
      expect(check(unified, 'queue')).toMatchObject({
        status: 'pass',
        summary: expect.stringContaining('"Voice cases workstream"') as string,
      });
      expect(unified.queue).toMatchObject({
        mode: 'unified-routing',
        applyRoutingRules: 'unified',
        org: {
          routes: 'unified',
          unified: {
            provisioned: true,
            caseRecordType: true,
            workstreams: [
              {
                id: SEED_IDS.routing.workstream,
                name: 'Voice cases workstream',
                queueId: SEED_IDS.triageQueue,
              },
            ],
          },
        },
      });
      expect(unified.ok).toBe(true);
    });
  });
});
