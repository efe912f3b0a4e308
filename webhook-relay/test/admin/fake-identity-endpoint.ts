/**
 * A local stand-in for the managed identity endpoint that App Service, Functions and Container Apps give an
 * app: IDENTITY_ENDPOINT (an http URL on the host itself) and IDENTITY_HEADER; a GET with the header
 * `X-IDENTITY-HEADER`, `api-version=2019-08-01`, `resource`, and `client_id` for a user-assigned identity,
 * answered with `access_token`, `expires_on` (seconds since the epoch), `resource`, `token_type` and
 * `client_id` ("Managed identities for App Service and Azure Functions", REST endpoint reference;
 * "Managed identities in Azure Container Apps", Connect to Azure services in app code, HTTP GET).
 * msal-node finds it through those two variables, as on the platform.
 * Microsoft's pages document no error body for these endpoints; App Service answers
 * `{ statusCode, message, correlationId }`, which this stand-in sends, and the relay never branches on
 * the text (the IMDS page says error descriptions change at any time).
 * Tokens are unsigned JWTs carrying `appid` (the identity's application ID), `tid`, `aud` and `exp`.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unsignedJwt } from './jwt.js';

export interface HostIdentities {
  /** Application ID of the system-assigned identity; absent → it is off. */
  systemAssigned?: string;
  /** Client IDs (= application IDs) of the user-assigned identities attached to the host. */
  userAssigned?: string[];
}

export interface FakeIdentityEndpointOptions extends HostIdentities {
  tenantId: string;
  /** Resources the tenant knows; absent → any. */
  resources?: string[];
  clock?: () => number;
  /** Token lifetime in seconds. */
  lifetime?: number;
}

export interface IdentityRequest {
  apiVersion: string | null;
  resource: string | null;
  clientId: string | null;
  header: string | undefined;
}

export interface FakeIdentityEndpoint {
  /** What the platform sets in the app's environment. */
  env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  requests: IdentityRequest[];
  /** Access tokens issued, in order (give the same array to the sandbox as its accepted tokens). */
  issued: string[];
  /** Turn identities on or off, as the portal's Identity page does. */
  setIdentities(identities: HostIdentities): void;
  /** Answer every request with this server error (undefined: answer normally). */
  setOutage(status: number | undefined): void;
  close(): Promise<void>;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const failure = (res: ServerResponse, status: number, message: string) =>
  answer(res, status, { statusCode: status, message, correlationId: '00000000-0000-0000-0000-000000000000' });

export async function startFakeIdentityEndpoint(
  options: FakeIdentityEndpointOptions,
): Promise<FakeIdentityEndpoint> {
  const secret = 'identity-header-rotated-by-the-platform';
  const clock = options.clock ?? (() => Date.now());
  const lifetime = options.lifetime ?? 86_400;
  let identities: HostIdentities = {
    systemAssigned: options.systemAssigned,
    userAssigned: options.userAssigned,
  };
  const requests: IdentityRequest[] = [];
  const issued: string[] = [];
  let outage: number | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://identity');
    const header = req.headers['x-identity-header'];
    const request: IdentityRequest = {
      apiVersion: url.searchParams.get('api-version'),
      resource: url.searchParams.get('resource'),
      clientId: url.searchParams.get('client_id'),
      header: typeof header === 'string' ? header : undefined,
    };
    requests.push(request);
    if (outage) return failure(res, outage, 'The identity service is unavailable.');
    if (req.method !== 'GET' || url.pathname !== '/msi/token') return failure(res, 404, 'Not found.');
    if (request.header !== secret)
      return failure(res, 401, 'The X-IDENTITY-HEADER header is missing or wrong.');
    if (request.apiVersion !== '2019-08-01') return failure(res, 400, 'Unsupported api-version.');
    const resource = request.resource ?? '';
    const appId = request.clientId
      ? identities.userAssigned?.find((id) => id === request.clientId)
      : identities.systemAssigned;
    if (!appId) {
      return failure(
        res,
        400,
        request.clientId
          ? 'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.'
          : 'No managed identity found for this resource.',
      );
    }
    if (options.resources && !options.resources.includes(resource)) {
      return failure(
        res,
        400,
        `AADSTS500011: The resource principal named ${resource} was not found in the tenant named ${options.tenantId}.`,
      );
    }
    const expiresOn = Math.floor(clock() / 1000) + lifetime;
    const token = unsignedJwt({
      aud: resource,
      iss: `https://sts.windows.net/${options.tenantId}/`,
      appid: appId,
      tid: options.tenantId,
      exp: expiresOn,
      n: issued.length + 1,
    });
    issued.push(token);
    return answer(res, 200, {
      access_token: token,
      expires_on: String(expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: appId,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    env: { IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, IDENTITY_HEADER: secret },
    requests,
    issued,
    setIdentities(next) {
      identities = { ...next };
    },
    setOutage(status) {
      outage = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
