/**
 * The token step of `verify`: one client-credentials request to Microsoft Entra ID, configured exactly as
 * the relay's Dataverse client does it (dataverse/client.ts), so that a failure can be shown with its
 * AADSTS code and the fix. The authority host and msal's network client can be injected: tests point them
 * at a local fake token endpoint (msal-node accepts only https authorities, so the fake sits behind a
 * network client rather than an http:// authority).
 */
import { readFileSync } from 'node:fs';
import { AuthError, ConfidentialClientApplication, type INetworkModule } from '@azure/msal-node';
import type { DataverseAuthCertificate, DataverseAuthClientSecret } from '../config/types.js';
import { messages } from '../messages.js';

export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export interface TokenOptions {
  authorityHost?: string;
  networkClient?: INetworkModule;
}

export type TokenOutcome =
  | { ok: true; expiresOn?: Date }
  | {
      ok: false;
      /** The AADSTS number, when Entra ID answered with one. */
      aadsts?: string;
      /** msal's error code, e.g. `invalid_client`, `endpoints_resolution_error`. */
      error: string;
      message: string;
    };

export async function acquireToken(
  dataverseUrl: string,
  auth: DataverseAuthClientSecret | DataverseAuthCertificate,
  options: TokenOptions = {},
): Promise<TokenOutcome> {
  try {
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: auth.clientId,
        authority: `${options.authorityHost ?? DEFAULT_AUTHORITY_HOST}/${auth.tenantId}`,
        ...(auth.kind === 'client-secret'
          ? { clientSecret: auth.clientSecret }
          : {
              clientCertificate: {
                thumbprint: auth.thumbprint,
                privateKey: readFileSync(auth.privateKey, 'utf8'),
              },
            }),
      },
      ...(options.networkClient ? { system: { networkClient: options.networkClient } } : {}),
    });
    const result = await app.acquireTokenByClientCredential({
      scopes: [`${dataverseUrl}/.default`],
      skipCache: true,
    });
    if (!result?.accessToken) return { ok: false, error: 'no_token', message: 'no access token returned' };
    return { ok: true, expiresOn: result.expiresOn ?? undefined };
  } catch (error) {
    return tokenFailure(error);
  }
}

function tokenFailure(error: unknown): TokenOutcome & { ok: false } {
  if (error instanceof AuthError) {
    const text = `${error.errorMessage} ${error.message}`;
    const aadsts = /AADSTS(\d+)/.exec(text)?.[1];
    return { ok: false, aadsts, error: error.errorCode, message: error.errorMessage || error.message };
  }
  const err = error as NodeJS.ErrnoException;
  return { ok: false, error: err.code ?? 'error', message: err.message ?? String(error) };
}

/** What a token failure means and what to do, in the operator's words. */
export function explainTokenFailure(outcome: TokenOutcome & { ok: false }): { summary: string; fix: string } {
  const t = messages.verify.token;
  if (outcome.aadsts) {
    const known = t.aadsts[outcome.aadsts as keyof typeof t.aadsts];
    return known
      ? { summary: `AADSTS${outcome.aadsts}: ${known.meaning}`, fix: known.fix }
      : { summary: `AADSTS${outcome.aadsts}: ${outcome.message}`, fix: t.unknownAadsts(outcome.aadsts) };
  }
  if (outcome.error === 'endpoints_resolution_error' || outcome.error === 'openid_config_error') {
    return { summary: t.endpoints, fix: t.endpointsFix };
  }
  if (['ENOTFOUND', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET'].includes(outcome.error)) {
    return { summary: t.unreachable(outcome.message), fix: t.unreachableFix };
  }
  if (outcome.error === 'ENOENT' || outcome.error === 'EACCES') {
    return { summary: t.certificateFile(outcome.message), fix: t.certificateFileFix };
  }
  return { summary: `${outcome.error}: ${outcome.message}`, fix: t.genericFix };
}
