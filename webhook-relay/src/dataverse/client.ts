/**
 * Dataverse Web API client: OData headers, a token from msal-node (dataverse/credential.ts: client
 * credentials, workload identity or managed identity, cached and refreshed by msal before expiry; one
 * forced refresh on a 401), per-request timeouts, and answers mapped to `DataverseFailure`.
 */
import type { DataverseAuth } from '../config/types.js';
import { parseBatchResponse, writeBatch, type BatchResponsePart, type ChangeSetOperation } from './batch.js';
import { createCredential, type CredentialOptions } from './credential.js';
import { classify, type DataverseFailure } from './errors.js';
import { messages } from '../messages.js';

export const API_PATH = '/api/data/v9.2/';
/** The code of a failure to get a token at all (no Dataverse request was sent). */
export const TOKEN_UNAVAILABLE = 'token_unavailable';

export class DataverseRequestError extends Error {
  /** For a `$batch`: the Content-ID of the change-set operation that failed. */
  contentId?: string;

  constructor(readonly failure: DataverseFailure) {
    super(`${failure.httpStatus} ${failure.code}: ${failure.message}`);
  }
}

export interface DataverseResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface GetOptions {
  /** Extra request headers, e.g. `Prefer: odata.maxpagesize=50` (Page results using OData). */
  headers?: Record<string, string>;
}

export interface DataverseClient {
  get<T>(path: string, options?: GetOptions): Promise<T>;
  /** A POST of `body` as JSON on its own (an action outside any `$batch`); throws DataverseRequestError unless 2xx. */
  post(path: string, body: unknown): Promise<void>;
  /** One `$batch`: a change set of `operations`, then `gets`. Throws DataverseRequestError for the failing part. */
  batch(operations: ChangeSetOperation[], gets: string[]): Promise<BatchResponsePart[]>;
}

export interface ClientOptions {
  url: string;
  auth: DataverseAuth;
  timeoutMs: number;
  /** Called once per HTTP request with its status (0 when there was no answer), for metrics. */
  onResponse?: (status: number) => void;
  /** msal options for the token (tests route it to local stand-ins). */
  credential?: CredentialOptions;
}

type TokenProvider = (forceRefresh: boolean) => Promise<string | undefined>;

function tokenProvider(url: string, auth: DataverseAuth, options?: CredentialOptions): TokenProvider {
  if (auth.kind === 'none') return () => Promise.resolve(undefined);
  const credential = createCredential(url, auth, options);
  return async (forceRefresh) => (await credential(forceRefresh)).token;
}

async function failureOf(response: DataverseResponse): Promise<DataverseFailure> {
  let code = '';
  let message = response.text;
  try {
    const body = JSON.parse(response.text) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? '';
    message = body.error?.message ?? '';
  } catch {
    // not JSON (e.g. an empty 401 or a proxy page)
  }
  return Promise.resolve(classify(response.status, code, message, response.headers.get('retry-after')));
}

export function createDataverseClient(options: ClientOptions): DataverseClient {
  const token = tokenProvider(options.url, options.auth, options.credential);

  /**
   * An expired secret or certificate, a removed federated credential or an unreachable Entra ID fails here,
   * before any Dataverse request (AADSTS7000222 for an expired secret). Every handoff would meet the same
   * refusal and none is at fault, so it is reported as a 401-class failure: delivery pauses and resumes once
   * a token is issued again (delivery/retry-policy.ts), rather than dead-lettering each handoff it meets.
   */
  async function tokenOrRefusal(forceRefresh: boolean): Promise<string | undefined> {
    try {
      return await token(forceRefresh);
    } catch (error) {
      throw new DataverseRequestError({
        ...classify(401, TOKEN_UNAVAILABLE, `no token from Microsoft Entra ID: ${(error as Error).message}`),
        reason: messages.delivery.tokenUnavailable,
      });
    }
  }

  async function send(
    method: string,
    path: string,
    body?: string,
    contentType?: string,
    extraHeaders: Record<string, string> = {},
  ): Promise<DataverseResponse> {
    for (let attempt = 0; ; attempt += 1) {
      const headers: Record<string, string> = {
        Accept: 'application/json',
        'OData-MaxVersion': '4.0',
        'OData-Version': '4.0',
        ...extraHeaders,
      };
      const bearer = await tokenOrRefusal(attempt > 0);
      if (bearer) headers.Authorization = `Bearer ${bearer}`;
      if (contentType) headers['Content-Type'] = contentType;
      let response: Response;
      try {
        response = await fetch(`${options.url}${path}`, {
          method,
          headers,
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (error) {
        options.onResponse?.(0);
        throw new DataverseRequestError(
          classify(0, '', `no answer from Dataverse: ${(error as Error).message}`),
        );
      }
      options.onResponse?.(response.status);
      const text = await response.text();
      // An expired or revoked token: refresh once, then give up with the 401.
      if (response.status === 401 && attempt === 0 && options.auth.kind !== 'none') continue;
      return { status: response.status, headers: response.headers, text };
    }
  }

  return {
    async get<T>(path: string, getOptions?: GetOptions): Promise<T> {
      const response = await send('GET', `${API_PATH}${path}`, undefined, undefined, getOptions?.headers);
      if (response.status !== 200) throw new DataverseRequestError(await failureOf(response));
      return JSON.parse(response.text) as T;
    },
    async post(path, body) {
      const response = await send('POST', `${API_PATH}${path}`, JSON.stringify(body), 'application/json');
      if (response.status < 200 || response.status >= 300)
        throw new DataverseRequestError(await failureOf(response));
    },
    async batch(operations, gets) {
      const request = writeBatch(operations, gets);
      const response = await send('POST', `${API_PATH}$batch`, request.body, request.contentType);
      const contentType = response.headers.get('content-type') ?? '';
      if (!contentType.startsWith('multipart/')) throw new DataverseRequestError(await failureOf(response));
      const results = parseBatchResponse(contentType, response.text);
      const failed = results.find((part) => part.status >= 400);
      if (failed || response.status >= 400) {
        const part = failed ?? { status: response.status, headers: {}, body: response.text };
        const failure = await failureOf({
          status: part.status,
          headers: new Headers({
            'retry-after': part.headers['retry-after'] ?? response.headers.get('retry-after') ?? '',
          }),
          text: part.body,
        });
        throw Object.assign(new DataverseRequestError(failure), { contentId: failed?.contentId });
      }
      return results;
    },
  };
}
