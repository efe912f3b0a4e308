/**
 * DATAVERSE_AUTH=workload-identity against the local Entra ID stand-in: the token file is the client
 * assertion (msal-node ConfidentialClientApplication with a `clientAssertion` callback), re-read for every
 * token request so that a rotated file is what Entra ID sees, and each refusal is explained.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { acquireToken, explainTokenFailure, type TokenOutcome } from '../../src/admin/token.js';
import type { DataverseAuthWorkloadIdentity } from '../../src/config/types.js';
import { createCredential } from '../../src/dataverse/credential.js';
import { messages } from '../../src/messages.js';
import { tempDir } from '../helpers.js';
import { startFakeEntra, type FakeEntra } from './fake-entra.js';
import { federatedApp, projectedToken, SUBJECT, TENANT, WORKLOAD_APP } from './workload-identity-app.js';

const DATAVERSE = 'https://contoso.crm.dynamics.com';
const t = messages.verify.token;

let entra: FakeEntra;
beforeAll(async () => {
  entra = await startFakeEntra([
    federatedApp([DATAVERSE]),
    { tenantId: TENANT, clientId: 'no-federation-app', resources: [DATAVERSE] },
  ]);
});
afterAll(() => entra.close());
afterEach(() => vi.useRealTimers());

function setup(claims: Parameters<typeof projectedToken>[0] = {}, clientId = WORKLOAD_APP) {
  const file = path.join(tempDir(), 'azure-identity-token');
  const write = (serial: number, at = Date.now()) =>
    writeFileSync(file, projectedToken({ expiresAt: at + 3600_000, serial, ...claims }));
  write(1);
  const auth: DataverseAuthWorkloadIdentity = {
    kind: 'workload-identity',
    tenantId: TENANT,
    clientId,
    tokenFile: file,
  };
  return { file, write, auth };
}

const options = () => ({ networkClient: entra.networkClient });

function failed(outcome: TokenOutcome): TokenOutcome & { ok: false } {
  if (outcome.ok) throw new Error('expected the token request to fail');
  return outcome;
}

describe('workload identity federation through the token file', () => {
  it('exchanges the token in the file for a Dataverse token of the app', async () => {
    const { auth, file } = setup();
    const outcome = await acquireToken(DATAVERSE, auth, options());
    expect(outcome).toMatchObject({ ok: true, claims: { appId: WORKLOAD_APP, tenantId: TENANT } });
    expect(entra.assertions.at(-1)).toBe(readFileSync(file, 'utf8'));
  });

  it('re-reads the file when msal needs a new token, so the rotated token is the one sent', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.parse('2026-11-24T14:00:00Z');
    vi.setSystemTime(start);
    const { auth, write, file } = setup();
    const credential = createCredential(DATAVERSE, auth, options());
    const sent = entra.assertions.length;
    const first = await credential(false);
    expect(entra.assertions.length).toBe(sent + 1);

    vi.setSystemTime(start + 40 * 60_000); // the kubelet rotates the token; msal still holds a valid one
    write(2);
    expect((await credential(false)).token).toBe(first.token);
    expect(entra.assertions.length).toBe(sent + 1);

    vi.setSystemTime(start + 56 * 60_000); // within msal's 5-minute margin of the token's hour
    const second = await credential(false);
    expect(second.token).not.toBe(first.token);
    expect(entra.assertions.length).toBe(sent + 2);
    expect(entra.assertions.at(-1)).toBe(readFileSync(file, 'utf8'));
    expect(entra.assertions.at(-1)).not.toBe(entra.assertions.at(-2));
  });

  it.each([
    [
      'a subject the federated credential does not name',
      { subject: 'system:serviceaccount:default:relay' },
      '700213',
      'subject: system:serviceaccount:default:relay',
    ],
    [
      'an audience the federated credential does not accept',
      { audience: 'api://other' },
      '700212',
      'audience: api://other',
    ],
    [
      'an issuer the app does not trust',
      { issuer: 'https://oidc.example.com/' },
      '700211',
      'issuer: https://oidc.example.com/',
    ],
    ['an expired token in the file', { expiresAt: Date.now() - 60_000 }, '700024', 'expiry'],
  ])(
    'explains %s with its AADSTS code, the token\u2019s claims and the fix',
    async (_name, claims, code, detail) => {
      const { auth } = setup(claims);
      const outcome = failed(await acquireToken(DATAVERSE, auth, options()));
      expect(outcome.aadsts).toBe(code);
      const explained = explainTokenFailure(outcome, auth);
      expect(explained.summary).toMatch(new RegExp(`^AADSTS${code}: `));
      expect(explained.fix).toBe(t.aadsts[code as keyof typeof t.aadsts].fix);
      expect(explained.details?.join('\n')).toContain(detail);
    },
  );

  it('explains an app with no federated credential at all (AADSTS70021)', async () => {
    const { auth } = setup({}, 'no-federation-app');
    const outcome = failed(await acquireToken(DATAVERSE, auth, options()));
    expect(outcome.aadsts).toBe('70021');
    const explained = explainTokenFailure(outcome, auth);
    expect(explained.fix).toContain('Federated credentials');
    expect(explained.details).toContain(t.assertionClaim('subject', SUBJECT));
  });

  const spoilers: Array<[string, (file: string) => void, string]> = [
    ['missing', (file) => rmSync(file), 'does not exist'],
    ['empty', (file) => writeFileSync(file, '\n'), 'is empty'],
  ];
  // root reads any file whatever its mode
  if (process.getuid?.() !== 0)
    spoilers.push(['unreadable', (file) => chmodSync(file, 0o000), 'may not read']);
  it.each(spoilers)('explains a token file that is %s, naming the file', async (_name, spoil, words) => {
    const { auth, file } = setup();
    spoil(file);
    const outcome = failed(await acquireToken(DATAVERSE, auth, options()));
    expect(outcome.error).toBe('token_file');
    const explained = explainTokenFailure(outcome, auth);
    expect(explained.summary).toContain(file);
    expect(explained.summary).toContain(words);
    expect(explained.fix).toBe(t.tokenFileFix);
  });
});
