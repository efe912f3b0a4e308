/**
 * DATAVERSE_AUTH=managed-identity against a local stand-in of the identity endpoint App Service and
 * Container Apps expose (IDENTITY_ENDPOINT / IDENTITY_HEADER), through msal-node's ManagedIdentityApplication.
 * msal picks the identity source once per process from the environment, so this file sets the two variables
 * before the first request and changes the host's identities on the stand-in instead.
 */
import { startSandbox } from '@opencx-d365/dataverse-sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { acquireToken, claimsOf, explainTokenFailure, type TokenOutcome } from '../../src/admin/token.js';
import { createDataverseClient } from '../../src/dataverse/client.js';
import { createCredential } from '../../src/dataverse/credential.js';
import { messages } from '../../src/messages.js';
import { onCleanup } from '../helpers.js';
import { startFakeIdentityEndpoint, type FakeIdentityEndpoint } from './fake-identity-endpoint.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const SYSTEM_APP = '0d5a7e8f-1111-4c3b-9a55-000000000001';
const USER_ASSIGNED = '0d5a7e8f-2222-4c3b-9a55-000000000002';
const t = messages.verify.token;

let endpoint: FakeIdentityEndpoint;
const saved = { ...process.env };
beforeAll(async () => {
  endpoint = await startFakeIdentityEndpoint({
    tenantId: TENANT,
    systemAssigned: SYSTEM_APP,
    userAssigned: [USER_ASSIGNED],
    lifetime: 3600,
  });
  Object.assign(process.env, endpoint.env);
});
afterAll(async () => {
  for (const name of ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await endpoint.close();
});
afterEach(() => {
  vi.useRealTimers();
  endpoint.setOutage(undefined);
  endpoint.setIdentities({ systemAssigned: SYSTEM_APP, userAssigned: [USER_ASSIGNED] });
});

function failed(outcome: TokenOutcome): TokenOutcome & { ok: false } {
  if (outcome.ok) throw new Error('expected the token request to fail');
  return outcome;
}

describe('managed identity through the host identity endpoint', () => {
  it('gets a system-assigned token for the environment URL as resource, with the header and api-version the platform expects', async () => {
    const url = 'https://system.crm.dynamics.com';
    const outcome = await acquireToken(url, { kind: 'managed-identity' });
    expect(outcome).toMatchObject({ ok: true, claims: { appId: SYSTEM_APP, tenantId: TENANT } });
    expect(endpoint.requests.at(-1)).toEqual({
      apiVersion: '2019-08-01',
      resource: url,
      clientId: null,
      header: endpoint.env.IDENTITY_HEADER,
    });
  });

  it('asks for the user-assigned identity by client_id when AZURE_CLIENT_ID is set', async () => {
    const outcome = await acquireToken('https://user.crm.dynamics.com', {
      kind: 'managed-identity',
      clientId: USER_ASSIGNED,
    });
    expect(outcome).toMatchObject({ ok: true, claims: { appId: USER_ASSIGNED } });
    expect(endpoint.requests.at(-1)?.clientId).toBe(USER_ASSIGNED);
  });

  it('keeps the token while it is valid and fetches a new one before it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.parse('2026-11-24T14:00:00Z');
    vi.setSystemTime(start);
    const credential = createCredential('https://refresh.crm.dynamics.com', { kind: 'managed-identity' });
    const before = endpoint.requests.length;
    const first = await credential(false);
    vi.setSystemTime(start + 50 * 60_000); // 10 minutes left of 60: msal serves its cache
    expect((await credential(false)).token).toBe(first.token);
    expect(endpoint.requests.length).toBe(before + 1);
    vi.setSystemTime(start + 56 * 60_000); // 4 minutes left: inside msal's 5-minute margin
    const second = await credential(false);
    expect(endpoint.requests.length).toBe(before + 2);
    expect(second.token).not.toBe(first.token);
    expect(claimsOf(second.token).expiresAt).toBe(start + 116 * 60_000);
  });

  it('explains a host without the system-assigned identity', async () => {
    endpoint.setIdentities({ userAssigned: [USER_ASSIGNED] });
    const outcome = failed(
      await acquireToken('https://nosystem.crm.dynamics.com', { kind: 'managed-identity' }),
    );
    const explained = explainTokenFailure(outcome, { kind: 'managed-identity' });
    expect(explained.summary).toContain('no system-assigned identity');
    expect(explained.summary).toContain('No managed identity found');
    expect(explained.fix).toBe(t.systemAssignedNotFoundFix);
  });

  it('explains a user-assigned identity that is not attached to the host', async () => {
    const auth = { kind: 'managed-identity' as const, clientId: '0d5a7e8f-9999-4c3b-9a55-000000000009' };
    const outcome = failed(await acquireToken('https://nouser.crm.dynamics.com', auth));
    const explained = explainTokenFailure(outcome, auth);
    expect(explained.summary).toContain(auth.clientId);
    expect(explained.fix).toBe(t.userAssignedNotFoundFix);
  });

  it('explains an identity endpoint that keeps failing, after msal-node retried it three times', async () => {
    endpoint.setOutage(503);
    const before = endpoint.requests.length;
    const outcome = failed(
      await acquireToken('https://outage.crm.dynamics.com', { kind: 'managed-identity' }),
    );
    expect(endpoint.requests.length - before).toBe(4);
    const explained = explainTokenFailure(outcome, { kind: 'managed-identity' });
    expect(explained.summary).toContain('answered 503');
    expect(explained.fix).toBe(t.identityEndpointFailedFix);
  });

  it('is what the Dataverse client sends, and a 401 makes it fetch a fresh token once', async () => {
    const sandbox = await startSandbox({ auth: { requireToken: true, tokens: endpoint.issued } });
    onCleanup(() => sandbox.close());
    const client = createDataverseClient({
      url: sandbox.url,
      auth: { kind: 'managed-identity' },
      timeoutMs: 5000,
    });
    const me = await client.get<{ UserId: string }>('WhoAmI()');
    expect(me.UserId).toMatch(/^[0-9a-f-]{36}$/);
    const fetched = endpoint.requests.length;
    endpoint.issued.splice(0); // every token issued so far is now refused, as after a revocation
    await client.get('WhoAmI()');
    expect(endpoint.requests.length).toBe(fetched + 1);
  });
});
