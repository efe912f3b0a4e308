/**
 * A small local stand-in for Microsoft Entra ID's client-credentials flow: tenant metadata, the token
 * endpoint, and error bodies shaped like the real ones (`error`, `error_description` starting with the
 * AADSTS code, `error_codes`). msal-node only accepts https authorities, so tests reach it either
 * - in process, over http, through msal's `networkClient` option, which sends every request for the real
 *   host here instead; or
 * - from a child process, over https (`tls: true`) with the loopback certificate in test/fixtures/tls:
 *   the child gets AZURE_AUTHORITY_HOST=<url> and NODE_EXTRA_CA_CERTS=<that certificate>, both read by the
 *   relay as in production (the relay passes the host to msal as a `knownAuthorities` entry).
 * Client secrets and federated credentials (workload identity federation: a `client_assertion` JWT whose
 * issuer, subject and audience must equal one of the app's federated credentials, and which must not have
 * expired) are checked; assertion signatures are not (Entra ID checks them against the issuer's keys).
 * Tokens issued are unsigned JWTs carrying `appid`, `tid`, `aud` and `exp`, collected in `issued`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { claimsOf } from '../../src/admin/token.js';
import { unsignedJwt } from './jwt.js';

export const LOOPBACK_CERT = path.join(import.meta.dirname, '../fixtures/tls/loopback.crt');
const LOOPBACK_KEY = path.join(import.meta.dirname, '../fixtures/tls/loopback.key');

export const FAKE_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export interface FederatedCredential {
  issuer: string;
  subject: string;
  audience: string;
}

export interface FakeEntraApp {
  tenantId: string;
  clientId: string;
  /** Client secret; absent for an app that signs in only with federated credentials. */
  secret?: string;
  federated?: FederatedCredential[];
  /** Secret past its end date: AADSTS7000222. */
  expired?: boolean;
  /** Resources (Dataverse URLs) this tenant knows. */
  resources: string[];
}

export interface FakeEntraOptions {
  /** Serve https with the loopback certificate (for child processes); default http. */
  tls?: boolean;
  /** Clock for assertion expiry and issued tokens (ms since the epoch). */
  clock?: () => number;
  /** Lifetime of issued tokens in seconds (Entra ID's are 60–90 minutes). */
  expiresIn?: number;
}

export interface FakeEntra {
  url: string;
  networkClient: INetworkModule;
  /** Requests seen, as `METHOD path`. */
  requests: string[];
  /** Access tokens issued, in order (give the same array to the sandbox as its accepted tokens). */
  issued: string[];
  /** Client assertions received, in order. */
  assertions: string[];
  close(): Promise<void>;
}

function aadError(res: ServerResponse, status: number, error: string, code: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(
    JSON.stringify({
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: 00000000-0000-0000-0000-000000000000 Timestamp: 2026-11-24 14:06:00Z`,
      error_codes: [code],
      timestamp: '2026-11-24 14:06:00Z',
      trace_id: '00000000-0000-0000-0000-000000000000',
      correlation_id: '00000000-0000-0000-0000-000000000000',
    }),
  );
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function bodyOf(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The token endpoint's check of a federated assertion, in the order Entra ID reports problems. */
function federationRefusal(
  app: FakeEntraApp,
  assertion: string,
  now: number,
): { code: number; text: string } | undefined {
  const claims = claimsOf(assertion);
  const credentials = app.federated ?? [];
  const presented = `Assertion Issuer: '${claims.issuer ?? ''}'. Assertion Subject: '${claims.subject ?? ''}'. Assertion Audience: '${claims.audience ?? ''}'.`;
  if (credentials.length === 0) {
    return {
      code: 70021,
      text: `No matching federated identity record found for presented assertion. ${presented}`,
    };
  }
  if (claims.expiresAt === undefined || claims.expiresAt <= now) {
    return { code: 700024, text: 'Client assertion is not within its valid time range.' };
  }
  const byIssuer = credentials.filter((c) => c.issuer === claims.issuer);
  if (byIssuer.length === 0) {
    return {
      code: 700211,
      text: `No matching federated identity record found for presented assertion issuer '${claims.issuer ?? ''}'.`,
    };
  }
  const bySubject = byIssuer.filter((c) => c.subject === claims.subject);
  if (bySubject.length === 0) {
    return {
      code: 700213,
      text: `No matching federated identity record found for presented assertion subject '${claims.subject ?? ''}'.`,
    };
  }
  if (!bySubject.some((c) => c.audience === claims.audience)) {
    return {
      code: 700212,
      text: `No matching federated identity record found for presented assertion audience '${claims.audience ?? ''}'.`,
    };
  }
  return undefined;
}

export async function startFakeEntra(
  apps: FakeEntraApp[],
  options: FakeEntraOptions = {},
): Promise<FakeEntra> {
  const requests: string[] = [];
  const issued: string[] = [];
  const assertions: string[] = [];
  const clock = options.clock ?? (() => Date.now());
  const expiresIn = options.expiresIn ?? 3599;
  const tenants = new Set(apps.map((app) => app.tenantId));
  // Over https the stand-in is the authority host itself; over http it stands in for the public cloud's.
  let host = FAKE_AUTHORITY_HOST;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      requests.push(`${req.method} ${url.pathname}`);
      const [, tenant = '', ...rest] = url.pathname.split('/');
      const path = rest.join('/');
      const authority = `${host}/${tenant}`;
      if (tenant === 'common' && path === 'discovery/instance') {
        return json(res, {
          tenant_discovery_endpoint: `${host}/${url.searchParams.get('authorization_endpoint')?.split('/')[3] ?? 'common'}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [
            {
              preferred_network: 'login.microsoftonline.com',
              preferred_cache: 'login.windows.net',
              aliases: ['login.microsoftonline.com', 'login.windows.net', 'sts.windows.net'],
            },
          ],
        });
      }
      if (!tenants.has(tenant)) {
        return aadError(res, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
      }
      if (path === 'v2.0/.well-known/openid-configuration') {
        return json(res, {
          token_endpoint: `${authority}/oauth2/v2.0/token`,
          authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
          issuer: `${host}/${tenant}/v2.0`,
          jwks_uri: `${authority}/discovery/v2.0/keys`,
        });
      }
      if (path === 'oauth2/v2.0/token' && req.method === 'POST') {
        const form = await bodyOf(req);
        const app = apps.find((a) => a.tenantId === tenant && a.clientId === form.get('client_id'));
        if (!app) {
          return aadError(
            res,
            400,
            'unauthorized_client',
            700016,
            `Application with identifier '${form.get('client_id')}' was not found in the directory '${tenant}'.`,
          );
        }
        const assertion = form.get('client_assertion');
        if (assertion !== null) {
          assertions.push(assertion);
          const refusal = federationRefusal(app, assertion, clock());
          if (refusal) return aadError(res, 400, 'invalid_client', refusal.code, refusal.text);
        } else {
          if (app.secret === undefined || form.get('client_secret') !== app.secret) {
            return aadError(res, 401, 'invalid_client', 7000215, 'Invalid client secret provided.');
          }
          if (app.expired) {
            return aadError(
              res,
              401,
              'invalid_client',
              7000222,
              'The provided client secret keys are expired.',
            );
          }
        }
        const resource = (form.get('scope') ?? '').replace(/\/\.default$/, '');
        if (!app.resources.includes(resource)) {
          return aadError(
            res,
            400,
            'invalid_resource',
            500011,
            `The resource principal named ${resource} was not found in the tenant named ${tenant}.`,
          );
        }
        const token = unsignedJwt({
          aud: resource,
          iss: `https://sts.windows.net/${tenant}/`,
          appid: app.clientId,
          tid: tenant,
          exp: Math.floor(clock() / 1000) + expiresIn,
          n: issued.length + 1,
        });
        issued.push(token);
        return json(res, {
          token_type: 'Bearer',
          expires_in: expiresIn,
          ext_expires_in: expiresIn,
          access_token: token,
        });
      }
      res.writeHead(404).end();
    })();
  };
  const server = options.tls
    ? createTlsServer({ key: readFileSync(LOOPBACK_KEY), cert: readFileSync(LOOPBACK_CERT) }, handler)
    : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (options.tls) host = base;

  const send = async <T>(
    method: string,
    target: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    const local = target.replace(FAKE_AUTHORITY_HOST, base);
    const response = await fetch(local, { method, headers: options?.headers, body: options?.body });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return { status: response.status, headers, body: (await response.json()) as T };
  };
  return {
    url: base,
    requests,
    issued,
    assertions,
    networkClient: {
      sendGetRequestAsync: (target, options) => send('GET', target, options),
      sendPostRequestAsync: (target, options) => send('POST', target, options),
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
