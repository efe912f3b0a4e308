/**
 * Signing in without a secret, end to end: the built relay and `opencx-relay verify` run as child processes
 * - with DATAVERSE_AUTH=managed-identity against a stand-in of the identity endpoint App Service and
 *   Container Apps give an app (IDENTITY_ENDPOINT / IDENTITY_HEADER, found by msal-node as on the platform);
 * - with DATAVERSE_AUTH=workload-identity against the Entra ID stand-in over https on loopback, reached as a
 *   real deployment would reach another cloud: AZURE_AUTHORITY_HOST, and NODE_EXTRA_CA_CERTS to trust the
 *   stand-in's certificate.
 * The sandbox accepts only the tokens the stand-ins issued. Each failure `verify` names prints its fix.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Sandbox } from '@opencx-d365/dataverse-sandbox';
import { describe, expect, it } from 'vitest';
import { messages } from '../../src/messages.js';
import { startFakeEntra, LOOPBACK_CERT } from '../admin/fake-entra.js';
import { startFakeIdentityEndpoint } from '../admin/fake-identity-endpoint.js';
import { federatedApp, projectedToken, TENANT, WORKLOAD_APP } from '../admin/workload-identity-app.js';
import { onCleanup, postSignedHandoff, readFixture, sandboxEnv, tempDir, testSandbox } from '../helpers.js';
import { isolated, runCliAsync, startCliRelay } from './cli-relay.js';

const SYSTEM_APP = '0d5a7e8f-1111-4c3b-9a55-000000000001';
const t = messages.verify.token;

/** The relay's environment: the sandbox's settings with `auth` in place of DATAVERSE_AUTH=none. */
function relayEnv(sandbox: Sandbox, auth: Record<string, string>): Record<string, string> {
  const { DATAVERSE_AUTH: _none, ...base } = sandboxEnv(sandbox.url);
  return { PATH: process.env.PATH ?? '', ...base, ...auth };
}

/** `opencx-relay verify`'s exit status and everything it printed. */
async function verify(env: Record<string, string>): Promise<{ status: number | null; stdout: string }> {
  const { status, stdout, stderr } = await runCliAsync(['verify'], env, isolated());
  return { status, stdout: stdout + stderr };
}

async function startRelay(env: Record<string, string>): Promise<string> {
  const relay = await startCliRelay({ ...env, RELAY_DATA_DIR: tempDir(), LOG_LEVEL: 'warn' }, isolated());
  return relay.url;
}

/** Sends one handoff to the relay and waits (bounded) until the sandbox holds its case. */
async function createsACase(relayUrl: string, sandbox: Sandbox): Promise<void> {
  const document = JSON.parse(readFixture('handoffs/phone-full-details.json').toString('utf8')) as object;
  expect((await postSignedHandoff(relayUrl, document)).status).toBe(202);
  for (let i = 0; i < 300 && sandbox.state.rows('incidents').length === 0; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(sandbox.state.rows('incidents')).toHaveLength(1);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('DATAVERSE_AUTH=managed-identity (App Service / Container Apps identity endpoint)', () => {
  it('verify passes, and the relay gets a token from the endpoint and creates a case', async () => {
    const endpoint = await startFakeIdentityEndpoint({ tenantId: TENANT, systemAssigned: SYSTEM_APP });
    onCleanup(() => endpoint.close());
    const sandbox = await testSandbox({ auth: { requireToken: true, tokens: endpoint.issued } });
    const env = relayEnv(sandbox, { DATAVERSE_AUTH: 'managed-identity', ...endpoint.env });

    const report = await verify(env);
    expect(report.stdout).toContain(t.passedManagedIdentity(t.systemAssigned, SYSTEM_APP, TENANT));
    expect(report.status).toBe(0);

    await createsACase(await startRelay(env), sandbox);
    expect(endpoint.requests.every((r) => r.resource === sandbox.url && r.apiVersion === '2019-08-01')).toBe(
      true,
    );
  });

  it('verify names the missing managed identity on a host without one', async () => {
    const sandbox = await testSandbox();
    // No IDENTITY_ENDPOINT: msal falls back to the VM's instance metadata service, here a loopback address
    // that nothing answers (msal's AZURE_POD_IDENTITY_AUTHORITY_HOST), as on a machine outside Azure.
    const report = await verify(
      relayEnv(sandbox, {
        DATAVERSE_AUTH: 'managed-identity',
        AZURE_POD_IDENTITY_AUTHORITY_HOST: `http://127.0.0.1:${await closedPort()}`,
      }),
    );
    expect(report.status).toBe(1);
    expect(report.stdout).toContain('no managed identity answered on this host');
    expect(report.stdout).toContain(t.noManagedIdentityFix);
  });

  it('verify names the identity without an application user by its application ID', async () => {
    const endpoint = await startFakeIdentityEndpoint({ tenantId: TENANT, systemAssigned: SYSTEM_APP });
    onCleanup(() => endpoint.close());
    const sandbox = await testSandbox({
      auth: { requireToken: true, tokens: endpoint.issued, applicationUserExists: false },
    });
    const report = await verify(relayEnv(sandbox, { DATAVERSE_AUTH: 'managed-identity', ...endpoint.env }));
    expect(report.status).toBe(1);
    expect(report.stdout).toContain(messages.verify.whoami.createUserFor(SYSTEM_APP));
  });

  it('verify names a user-assigned identity that is not attached to the host', async () => {
    const endpoint = await startFakeIdentityEndpoint({ tenantId: TENANT, systemAssigned: SYSTEM_APP });
    onCleanup(() => endpoint.close());
    const sandbox = await testSandbox();
    const clientId = '0d5a7e8f-9999-4c3b-9a55-000000000009';
    const report = await verify(
      relayEnv(sandbox, { DATAVERSE_AUTH: 'managed-identity', AZURE_CLIENT_ID: clientId, ...endpoint.env }),
    );
    expect(report.status).toBe(1);
    expect(report.stdout).toContain(t.userAssignedNotFoundFix);
  });
});

describe('DATAVERSE_AUTH=workload-identity (federated token file, Entra ID over https)', () => {
  async function setup(options: { subject?: string; audience?: string; expiresAt?: number } = {}) {
    const sandbox = await testSandbox();
    const entra = await startFakeEntra([federatedApp([sandbox.url])], { tls: true });
    onCleanup(() => entra.close());
    sandbox.setAuth({ requireToken: true, tokens: entra.issued });
    const tokenFile = path.join(tempDir(), 'azure-identity-token');
    writeFileSync(tokenFile, projectedToken(options));
    const env = relayEnv(sandbox, {
      DATAVERSE_AUTH: 'workload-identity',
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: WORKLOAD_APP,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile,
      AZURE_AUTHORITY_HOST: entra.url,
      NODE_EXTRA_CA_CERTS: LOOPBACK_CERT,
    });
    return { entra, sandbox, env, tokenFile };
  }

  it('verify passes, and the relay exchanges the token file and creates a case', async () => {
    const { entra, sandbox, env, tokenFile } = await setup();
    const report = await verify(env);
    expect(report.stdout).toContain(t.passedWorkloadIdentity(WORKLOAD_APP, TENANT, tokenFile));
    expect(report.status).toBe(0);

    await createsACase(await startRelay(env), sandbox);
    expect(entra.assertions.length).toBeGreaterThanOrEqual(2);
    expect(entra.requests).toContain(`POST /${TENANT}/oauth2/v2.0/token`);
  });

  it.each([
    ['a subject', { subject: 'system:serviceaccount:default:relay' }, '700213'],
    ['an audience', { audience: 'api://other' }, '700212'],
    ['an expiry', { expiresAt: Date.now() - 60_000 }, '700024'],
  ])('verify explains %s the federated credential refuses, with the fix', async (_what, claims, code) => {
    const { env } = await setup(claims);
    const report = await verify(env);
    expect(report.status).toBe(1);
    expect(report.stdout).toContain(`AADSTS${code}`);
    expect(report.stdout).toContain(t.aadsts[code as keyof typeof t.aadsts].fix);
  });

  it('verify names a missing token file and the fix', async () => {
    const { env } = await setup();
    const report = await verify({
      ...env,
      AZURE_FEDERATED_TOKEN_FILE: '/var/run/secrets/azure/tokens/absent',
    });
    expect(report.status).toBe(1);
    expect(report.stdout).toContain('/var/run/secrets/azure/tokens/absent, which does not exist');
    expect(report.stdout).toContain(t.tokenFileFix);
  });
});
