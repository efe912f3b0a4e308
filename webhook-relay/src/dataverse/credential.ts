/**
 * Where the relay's Dataverse token comes from, one msal-node application per DATAVERSE_AUTH mode:
 * - client-secret / certificate: client credentials (ConfidentialClientApplication);
 * - workload-identity: client credentials whose client assertion is the platform's token, read from
 *   AZURE_FEDERATED_TOKEN_FILE each time msal asks for one, so a rotated file is always the one sent;
 * - managed-identity: the host's identity endpoint (ManagedIdentityApplication), which msal finds itself:
 *   IDENTITY_ENDPOINT + IDENTITY_HEADER on App Service and Container Apps, else the VM's IMDS.
 * msal caches each token and fetches a new one before it expires (five minutes before, or at the
 * refresh_in time the endpoint gives); the Dataverse client forces one refresh when Dataverse answers 401.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  ConfidentialClientApplication,
  ManagedIdentityApplication,
  type Configuration,
  type INetworkModule,
} from '@azure/msal-node';
import type {
  DataverseAuth,
  DataverseAuthCertificate,
  DataverseAuthClientSecret,
  DataverseAuthNone,
  DataverseAuthWorkloadIdentity,
} from '../config/types.js';
import { withoutTrailingSlashes } from '../config/url.js';

export const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** Every mode that asks Microsoft Entra ID (directly or through the host) for a token. */
export type EntraAuth = Exclude<DataverseAuth, DataverseAuthNone>;

export interface CredentialOptions {
  /** msal's network client (its `system.networkClient` option); tests route requests to local stand-ins. */
  networkClient?: INetworkModule;
  /** Overrides the configured AZURE_AUTHORITY_HOST. */
  authorityHost?: string;
}

export interface AccessToken {
  token: string;
  expiresOn?: Date;
}

/** Returns a valid token, from msal's cache unless `forceRefresh`. */
export type Credential = (forceRefresh: boolean) => Promise<AccessToken>;

/** AZURE_FEDERATED_TOKEN_FILE could not be read, or held nothing. */
export class TokenFileError extends Error {
  constructor(
    readonly file: string,
    /** `ENOENT`, `EACCES`, … or `EMPTY`. */
    readonly code: string,
    detail: string,
  ) {
    super(`AZURE_FEDERATED_TOKEN_FILE ${file}: ${detail}`);
    this.name = 'TokenFileError';
  }
}

/** The platform's current token from the file it rotates (Kubernetes writes it anew well before expiry). */
export async function readTokenFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    throw new TokenFileError(file, err.code ?? 'EIO', err.message);
  }
  const token = text.trim();
  if (!token) throw new TokenFileError(file, 'EMPTY', 'the file is empty');
  return token;
}

function confidentialApp(
  auth: DataverseAuthClientSecret | DataverseAuthCertificate | DataverseAuthWorkloadIdentity,
  options: CredentialOptions,
): ConfidentialClientApplication {
  const host = withoutTrailingSlashes(options.authorityHost ?? auth.authorityHost ?? PUBLIC_AUTHORITY_HOST);
  const credential: Pick<
    NonNullable<Configuration['auth']>,
    'clientSecret' | 'clientCertificate' | 'clientAssertion'
  > = auth.kind === 'client-secret'
    ? { clientSecret: auth.clientSecret }
    : auth.kind === 'certificate'
      ? {
          clientCertificate: {
            thumbprint: auth.thumbprint,
            privateKey: readFileSync(auth.privateKey, 'utf8'),
          },
        }
      : // Called by msal for every token request it sends (not for cached tokens).
        { clientAssertion: () => readTokenFile(auth.tokenFile) };
  return new ConfidentialClientApplication({
    auth: {
      clientId: auth.clientId,
      authority: `${host}/${auth.tenantId}`,
      // A host msal does not know (Azure Stack, a local stand-in) is trusted as configured, with no
      // instance discovery against the public cloud: msal-node Configuration, `knownAuthorities`.
      ...(host === PUBLIC_AUTHORITY_HOST ? {} : { knownAuthorities: [new URL(host).host] }),
      ...credential,
    },
    ...(options.networkClient ? { system: { networkClient: options.networkClient } } : {}),
  });
}

export function createCredential(
  dataverseUrl: string,
  auth: EntraAuth,
  options: CredentialOptions = {},
): Credential {
  if (auth.kind === 'managed-identity') {
    let app: ManagedIdentityApplication | undefined;
    return async (forceRefresh) => {
      app ??= new ManagedIdentityApplication({
        ...(auth.clientId ? { managedIdentityIdParams: { userAssignedClientId: auth.clientId } } : {}),
        ...(options.networkClient ? { system: { networkClient: options.networkClient } } : {}),
      });
      // A resource, not a scope: the environment URL ("Use managed identities for App Service and Azure
      // Functions", REST endpoint reference: `resource`).
      const result = await app.acquireToken({ resource: dataverseUrl, forceRefresh });
      return { token: result.accessToken, expiresOn: result.expiresOn ?? undefined };
    };
  }
  let app: ConfidentialClientApplication | undefined;
  return async (forceRefresh) => {
    app ??= confidentialApp(auth, options);
    // The resource followed by /.default ("Daemon app that calls web APIs - acquire a token", Scopes to request).
    const result = await app.acquireTokenByClientCredential({
      scopes: [`${dataverseUrl}/.default`],
      skipCache: forceRefresh,
    });
    if (!result?.accessToken) throw new Error('no access token returned by Microsoft Entra ID');
    return { token: result.accessToken, expiresOn: result.expiresOn ?? undefined };
  };
}
