/**
 * A small local stand-in for Microsoft Entra ID's client-credentials flow: tenant metadata, the token
 * endpoint, and error bodies shaped like the real ones (`error`, `error_description` starting with the
 * AADSTS code, `error_codes`). msal-node only accepts https authorities, so tests reach this http server
 * through msal's `networkClient` option, which sends every request for the real host here instead.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export const FAKE_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export interface FakeEntraApp {
  tenantId: string;
  clientId: string;
  secret: string;
  /** Secret past its end date: AADSTS7000222. */
  expired?: boolean;
  /** Resources (Dataverse URLs) this tenant knows. */
  resources: string[];
}

export interface FakeEntra {
  url: string;
  networkClient: INetworkModule;
  /** Requests seen, as `METHOD path`. */
  requests: string[];
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

export async function startFakeEntra(apps: FakeEntraApp[]): Promise<FakeEntra> {
  const requests: string[] = [];
  const tenants = new Set(apps.map((app) => app.tenantId));
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      requests.push(`${req.method} ${url.pathname}`);
      const [, tenant = '', ...rest] = url.pathname.split('/');
      const path = rest.join('/');
      const authority = `${FAKE_AUTHORITY_HOST}/${tenant}`;
      if (tenant === 'common' && path === 'discovery/instance') {
        return json(res, {
          tenant_discovery_endpoint: `${FAKE_AUTHORITY_HOST}/${url.searchParams.get('authorization_endpoint')?.split('/')[3] ?? 'common'}/v2.0/.well-known/openid-configuration`,
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
          issuer: `${FAKE_AUTHORITY_HOST}/${tenant}/v2.0`,
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
        if (form.get('client_secret') !== app.secret) {
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
        return json(res, {
          token_type: 'Bearer',
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: 'fake-token',
        });
      }
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

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
