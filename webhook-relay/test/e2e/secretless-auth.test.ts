/**
 * Signing in without a secret, end to end: the built relay and `opencx-relay verify` run as child processes
 * - with DATAVERSE_AUTH=managed-identity against a stand-in of the identity endpoint App Service and
 *   Container Apps give an app (IDENTITY_ENDPOINT / IDENTITY_HEADER, found by msal-node as on the platform);
 * - with DATAVERSE_AUTH=workload-identity against the Entra ID stand-in over https on loopback, reached as a
 *   real deployment would reach another cloud: AZURE_AUTHORITY_HOST, and NODE_EXTRA_CA_CERTS to trust the
 *   stand-in's certificate.
 * The sandbox accepts only the tokens the stand-ins issued. Each failure `verify` names prints its fix.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { startSandbox, type Sandbox } from '@opencx-d365/dataverse-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../src/messages.js';
import { startFakeEntra, LOOPBACK_CERT } from '../admin/fake-entra.js';
import { startFakeIdentityEndpoint } from '../admin/fake-identity-endpoint.js';
import { serviceAccountToken } from '../admin/jwt.js';
import { onCleanup, postSignedHandoff, readFixture, sandboxEnv, tempDir } from '../helpers.js';

const root = path.resolve(import.meta.dirname, '../../..');
const cli = path.join(root, 'webhook-relay/bin/opencx-relay.js');
const TENANT = '11111111-2222-3333-4444-555555555555';
const SYSTEM_APP = '0d5a7e8f-1111-4c3b-9a55-000000000001';
const WORKLOAD_APP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const ISSUER = 'https://eastus.oic.prod-aks.azure.com/11111111-2222-3333-4444-555555555555/9f1c2d3e/';
const SUBJECT = 'system:serviceaccount:opencx:relay';
const t = messages.verify.token;

beforeAll(() => {
  const built = ['transcript-format', 'dataverse-sandbox', 'webhook-relay'].every((p) =>
    existsSync(path.join(root, p, 'dist/index.js')),
  );
  if (!built) {
    const result = spawnSync('npm', ['run', 'build:packages'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('could not build the packages for the end-to-end test');
  }
}, 120_000);

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** The relay's environment: the sandbox's settings with `auth` in place of DATAVERSE_AUTH=none. */
function relayEnv(sandbox: Sandbox, auth: Record<string, string>): Record<string, string> {
  const { DATAVERSE_AUTH: _none, ...base } = sandboxEnv(sandbox.url);
  return { PATH: process.env.PATH ?? '', ...base, ...auth };
}

function verify(env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, 'verify'], { cwd: tempDir(), env });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (status) => resolve({ status, stdout }));
  });
}

function startRelay(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [cli, 'start'], {
    cwd: tempDir(),
    env: { ...env, RELAY_DATA_DIR: tempDir(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  onCleanup(() => {
    child.kill('SIGTERM');
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /opencx-relay listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`relay exited (${String(code)}):\n${output}`)));
  });
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
    const sandbox = await startSandbox({ auth: { requireToken: true, tokens: endpoint.issued } });
    onCleanup(() => sandbox.close());
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
    const sandbox = await startSandbox();
    onCleanup(() => sandbox.close());
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
    const sandbox = await startSandbox({
      auth: { requireToken: true, tokens: endpoint.issued, applicationUserExists: false },
    });
    onCleanup(() => sandbox.close());
    const report = await verify(relayEnv(sandbox, { DATAVERSE_AUTH: 'managed-identity', ...endpoint.env }));
    expect(report.status).toBe(1);
    expect(report.stdout).toContain(messages.verify.whoami.createUserFor(SYSTEM_APP));
  });

  it('verify names a user-assigned identity that is not attached to the host', async () => {
    const endpoint = await startFakeIdentityEndpoint({ tenantId: TENANT, systemAssigned: SYSTEM_APP });
    onCleanup(() => endpoint.close());
    const sandbox = await startSandbox();
    onCleanup(() => sandbox.close());
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
    const sandbox = await startSandbox();
    onCleanup(() => sandbox.close());
    const entra = await startFakeEntra(
      [
        {
          tenantId: TENANT,
          clientId: WORKLOAD_APP,
          federated: [{ issuer: ISSUER, subject: SUBJECT, audience: 'api://AzureADTokenExchange' }],
          resources: [sandbox.url],
        },
      ],
      { tls: true },
    );
    onCleanup(() => entra.close());
    sandbox.setAuth({ requireToken: true, tokens: entra.issued });
    const tokenFile = path.join(tempDir(), 'azure-identity-token');
    writeFileSync(
      tokenFile,
      serviceAccountToken({
        issuer: ISSUER,
        subject: options.subject ?? SUBJECT,
        audience: options.audience,
        expiresAt: options.expiresAt ?? Date.now() + 3600_000,
      }),
    );
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
