import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireToken, explainTokenFailure, type TokenOutcome } from '../../src/admin/token.js';
import { messages } from '../../src/messages.js';
import {
  createDataverseClient,
  DataverseRequestError,
  TOKEN_UNAVAILABLE,
} from '../../src/dataverse/client.js';
import { decideRetry } from '../../src/delivery/retry-policy.js';
import { startFakeEntra, type FakeEntra } from './fake-entra.js';

const TENANT = '11111111-2222-3333-4444-555555555555';
const CLIENT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const DATAVERSE = 'https://contoso.crm.dynamics.com';

let entra: FakeEntra;
beforeAll(async () => {
  entra = await startFakeEntra([
    { tenantId: TENANT, clientId: CLIENT, secret: 'right-secret', resources: [DATAVERSE] },
    {
      tenantId: TENANT,
      clientId: 'expired-app',
      secret: 'old-secret',
      expired: true,
      resources: [DATAVERSE],
    },
  ]);
});
afterAll(() => entra.close());

const attempt = (
  overrides: { tenantId?: string; clientId?: string; clientSecret?: string; url?: string } = {},
) =>
  acquireToken(
    overrides.url ?? DATAVERSE,
    {
      kind: 'client-secret',
      tenantId: overrides.tenantId ?? TENANT,
      clientId: overrides.clientId ?? CLIENT,
      clientSecret: overrides.clientSecret ?? 'right-secret',
    },
    { networkClient: entra.networkClient },
  );

function failed(outcome: TokenOutcome): TokenOutcome & { ok: false } {
  if (outcome.ok) throw new Error('expected the token request to fail');
  return outcome;
}

describe('the token step against a local Entra ID stand-in (msal-node, real HTTP)', () => {
  it('gets a token with the right tenant, client and secret', async () => {
    expect(await attempt()).toMatchObject({ ok: true });
    expect(entra.requests).toContain(`POST /${TENANT}/oauth2/v2.0/token`);
  });

  it.each([
    ['a wrong secret', { clientSecret: 'wrong' }, '7000215', 'Value'],
    [
      'an unknown client id',
      { clientId: 'ffffffff-0000-0000-0000-000000000000' },
      '700016',
      'Application (client) ID',
    ],
    [
      'an expired secret',
      { clientId: 'expired-app', clientSecret: 'old-secret' },
      '7000222',
      'new client secret',
    ],
    [
      'a URL that is not a resource of the tenant',
      { url: 'https://typo.crm.dynamics.com' },
      '500011',
      'DATAVERSE_URL',
    ],
  ])('explains %s with its AADSTS code and the fix', async (_name, overrides, code, fixWords) => {
    const outcome = failed(await attempt(overrides));
    expect(outcome.aadsts).toBe(code);
    const explained = explainTokenFailure(outcome);
    expect(explained.summary).toMatch(new RegExp(`^AADSTS${code}: `));
    expect(explained.fix).toContain(fixWords);
  });

  it('explains an unknown tenant (msal knows the public cloud, so the token endpoint answers AADSTS90002)', async () => {
    const outcome = failed(await attempt({ tenantId: '99999999-9999-9999-9999-999999999999' }));
    expect(outcome.aadsts).toBe('90002');
    expect(explainTokenFailure(outcome).fix).toContain('Directory (tenant) ID');
  });

  it('explains the endpoint resolution error msal raises when tenant metadata cannot be read', () => {
    const outcome = { ok: false as const, error: 'endpoints_resolution_error', message: 'x' };
    expect(explainTokenFailure(outcome).fix).toContain('AZURE_TENANT_ID');
  });
});

describe('the AADSTS table', () => {
  it('has a meaning and a fix for every code it lists, and a lookup link for the others', () => {
    for (const [code, entry] of Object.entries(messages.verify.token.aadsts)) {
      expect(code).toMatch(/^\d+$/);
      expect(entry.meaning.length).toBeGreaterThan(10);
      expect(entry.fix.length).toBeGreaterThan(10);
    }
    const unknown = explainTokenFailure({
      ok: false,
      aadsts: '123456',
      error: 'invalid_request',
      message: 'x',
    });
    expect(unknown.fix).toContain('error?code=123456');
  });

  it('names the network when Entra ID cannot be reached', () => {
    const outcome = { ok: false as const, error: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND' };
    expect(explainTokenFailure(outcome).fix).toContain('login.microsoftonline.com');
  });
});

describe('a token refused once delivery runs (client)', () => {
  it('is a 401-class failure that pauses delivery instead of dead-lettering the handoff', async () => {
    const client = createDataverseClient({
      url: DATAVERSE,
      auth: { kind: 'client-secret', tenantId: TENANT, clientId: 'expired-app', clientSecret: 'old-secret' },
      timeoutMs: 5_000,
      credential: { networkClient: entra.networkClient },
    });
    const error: unknown = await client.get('WhoAmI()').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataverseRequestError);
    const failure = (error as DataverseRequestError).failure;
    expect(failure).toMatchObject({ httpStatus: 401, code: TOKEN_UNAVAILABLE });
    expect(failure.message).toContain('AADSTS7000222');
    const policy = { maxAttempts: 3, backoffBaseMs: 1_000, backoffMaxMs: 60_000 };
    expect(decideRetry(failure, 1, 0, policy, () => 0.5).kind).toBe('pause');
  });
});
