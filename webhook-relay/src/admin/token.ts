/**
 * The token step of `verify`: one token request, through the credential the relay's Dataverse client uses
 * (dataverse/credential.ts) with msal's cache bypassed, so that a failure can be shown with its AADSTS code,
 * or what the host's identity endpoint or the token file said, and the fix. The authority host and msal's
 * network client can be injected: tests point them at local stand-ins.
 */
import {
  createCredential,
  readTokenFile,
  TokenFileError,
  type CredentialOptions,
  type EntraAuth,
} from '../dataverse/credential.js';
import { AuthError, ServerError } from '@azure/msal-node';
import { messages } from '../messages.js';

export type TokenOptions = CredentialOptions;

/** The claims of an access token or a federated assertion that `verify` shows (read, not validated). */
export interface TokenClaims {
  /** `appid` (v1 tokens) or `azp` (v2): the application ID Dataverse knows the caller by. */
  appId?: string;
  /** `tid`: the tenant that issued it. */
  tenantId?: string;
  issuer?: string;
  subject?: string;
  audience?: string;
  /** `exp`, ms since the epoch. */
  expiresAt?: number;
}

export type TokenOutcome =
  | { ok: true; expiresOn?: Date; claims: TokenClaims }
  | {
      ok: false;
      /** The AADSTS number, when Entra ID answered with one. */
      aadsts?: string;
      /** msal's error code, e.g. `invalid_client`, `endpoints_resolution_error`, or `token_file`. */
      error: string;
      message: string;
      /** For `token_file`: the file and what was wrong with it (ENOENT, EACCES, EMPTY…). */
      file?: string;
      fileError?: string;
      /** For a federation refusal: the claims of the assertion in the token file, to compare. */
      assertion?: TokenClaims;
      /** The HTTP status of the answer, when there was one. */
      status?: number;
    };

/** A JWT's payload, unverified: enough to name the app and compare a federated credential. */
export function claimsOf(jwt: string): TokenClaims {
  const payload = jwt.split('.')[1];
  if (!payload) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const claims = parsed as Record<string, unknown>;
  const text = (name: string) => (typeof claims[name] === 'string' ? claims[name] : undefined);
  const audience = Array.isArray(claims.aud)
    ? claims.aud.filter((a): a is string => typeof a === 'string').join(', ')
    : text('aud');
  return {
    appId: text('appid') ?? text('azp'),
    tenantId: text('tid'),
    issuer: text('iss'),
    subject: text('sub'),
    audience,
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
  };
}

/** Entra ID's refusals of a federated assertion: shown with the assertion's claims. */
const FEDERATION_CODES = new Set(['70021', '700211', '700212', '700213', '700024']);

export async function acquireToken(
  dataverseUrl: string,
  auth: EntraAuth,
  options: TokenOptions = {},
): Promise<TokenOutcome> {
  try {
    const result = await createCredential(dataverseUrl, auth, options)(true);
    return { ok: true, expiresOn: result.expiresOn, claims: claimsOf(result.token) };
  } catch (error) {
    const failure = tokenFailure(error);
    if (auth.kind === 'workload-identity' && failure.aadsts && FEDERATION_CODES.has(failure.aadsts)) {
      try {
        failure.assertion = claimsOf(await readTokenFile(auth.tokenFile));
      } catch {
        // the file changed since: the refusal stands without the comparison
      }
    }
    return failure;
  }
}

function tokenFailure(error: unknown): TokenOutcome & { ok: false } {
  if (error instanceof TokenFileError) {
    return {
      ok: false,
      error: 'token_file',
      message: error.message,
      file: error.file,
      fileError: error.code,
    };
  }
  if (error instanceof AuthError) {
    const text = `${error.errorMessage} ${error.message}`;
    const aadsts = /AADSTS(\d+)/.exec(text)?.[1];
    const raw = error.errorMessage || error.message;
    // msal wraps a server's answer as "Error(s): … - Description: <the answer> - Correlation ID: …".
    const message = /Description: (.*?) - Correlation ID:/s.exec(raw)?.[1] ?? raw;
    const status = error instanceof ServerError ? error.status : undefined;
    return {
      ok: false,
      aadsts,
      error: error.errorCode || 'server_error',
      message,
      ...(status ? { status } : {}),
    };
  }
  const err = error as NodeJS.ErrnoException;
  return { ok: false, error: err.code ?? 'error', message: err.message ?? String(error) };
}

export interface TokenExplanation {
  summary: string;
  fix: string;
  details?: string[];
}

/** What a token failure means and what to do, in the operator's words. */
export function explainTokenFailure(
  outcome: TokenOutcome & { ok: false },
  auth?: EntraAuth,
): TokenExplanation {
  const t = messages.verify.token;
  if (outcome.error === 'token_file' && outcome.file) {
    return {
      summary: t.tokenFile(outcome.file, outcome.fileError ?? '', outcome.message),
      fix: t.tokenFileFix,
    };
  }
  if (outcome.aadsts) {
    const known = t.aadsts[outcome.aadsts as keyof typeof t.aadsts];
    const claims = outcome.assertion;
    const details = claims
      ? [
          t.assertionClaim('issuer', claims.issuer),
          t.assertionClaim('subject', claims.subject),
          t.assertionClaim('audience', claims.audience),
          ...(claims.expiresAt ? [t.assertionExpiry(new Date(claims.expiresAt).toISOString())] : []),
        ]
      : [];
    const withDetails = (found: { summary: string; fix: string }) =>
      details.length ? { ...found, details } : found;
    return known
      ? withDetails({ summary: `AADSTS${outcome.aadsts}: ${known.meaning}`, fix: known.fix })
      : withDetails({
          summary: `AADSTS${outcome.aadsts}: ${outcome.message}`,
          fix: t.unknownAadsts(outcome.aadsts),
        });
  }
  if (auth?.kind === 'managed-identity') {
    // msal reports an endpoint that did not answer (no managed identity on this host) as a network error;
    // an endpoint that answered without a token, with the answer's own error.
    if (outcome.error === 'network_error' || outcome.error === 'unable_to_create_source') {
      return { summary: t.noManagedIdentity(outcome.message), fix: t.noManagedIdentityFix };
    }
    // A server error after msal's own retries says nothing about the identity: the endpoint is failing.
    if (outcome.status !== undefined && outcome.status >= 500) {
      return {
        summary: t.identityEndpointFailed(outcome.status, outcome.message),
        fix: t.identityEndpointFailedFix,
      };
    }
    return auth.clientId
      ? { summary: t.userAssignedNotFound(auth.clientId, outcome.message), fix: t.userAssignedNotFoundFix }
      : { summary: t.systemAssignedNotFound(outcome.message), fix: t.systemAssignedNotFoundFix };
  }
  if (outcome.error === 'endpoints_resolution_error' || outcome.error === 'openid_config_error') {
    return { summary: t.endpoints, fix: t.endpointsFix };
  }
  if (['ENOTFOUND', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'network_error'].includes(outcome.error)) {
    return { summary: t.unreachable(outcome.message), fix: t.unreachableFix };
  }
  if (outcome.error === 'ENOENT' || outcome.error === 'EACCES') {
    return { summary: t.certificateFile(outcome.message), fix: t.certificateFileFix };
  }
  return { summary: `${outcome.error}: ${outcome.message}`, fix: t.genericFix };
}
