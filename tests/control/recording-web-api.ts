/**
 * A Web API double for the control's tests: records every call exactly as the control makes it and
 * answers from per-test handlers (the PCF mocks return every row regardless of `$filter`, which would
 * hide the very requests we need to check). Integration with real filtering is tested against the
 * Dataverse sandbox (sandbox-web-api.test.tsx and the browser test).
 */
import type { WebApiLike } from '../../OpenCXTranscriptControl/webapi/case-data';

export type WebApiCall =
  | { method: 'retrieveMultipleRecords'; entity: string; options: string; filter?: string }
  | { method: 'retrieveRecord'; entity: string; id: string; options?: string }
  | { method: 'createRecord'; entity: string; data: Record<string, unknown> }
  | { method: 'updateRecord'; entity: string; id: string; data: Record<string, unknown> };

type Entity = Record<string, unknown>;
type Answer<T> = T | Error | { errorCode: number; message: string };

export interface Handlers {
  retrieveMultiple?: (entity: string, filter: string, options: string) => Answer<Entity[]>;
  retrieve?: (entity: string, id: string) => Answer<Entity>;
  create?: (entity: string, data: Entity, attempt: number) => Answer<void>;
  update?: (entity: string, id: string, data: Entity, attempt: number) => Answer<void>;
}

export interface RecordingWebApi extends WebApiLike {
  calls: WebApiCall[];
  handlers: Handlers;
}

function settle<T>(answer: Answer<T>): Promise<T> {
  if (answer instanceof Error) return Promise.reject(answer);
  // The platform rejects with a plain `{ errorCode, message }` object, not an Error: so does the double.
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  if (answer && typeof answer === 'object' && 'errorCode' in answer) return Promise.reject(answer);
  return Promise.resolve(answer);
}

/** The decoded `$filter` of an options string. */
export function filterOf(options: string): string {
  const match = /[?&]\$filter=([^&]*)/.exec(options);
  return match ? decodeURIComponent(match[1]) : '';
}

export function recordingWebApi(handlers: Handlers = {}): RecordingWebApi {
  const calls: WebApiCall[] = [];
  const attempts = new Map<string, number>();
  const next = (key: string) => {
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    return n;
  };
  const api: RecordingWebApi = {
    calls,
    handlers,
    retrieveMultipleRecords: (entity, options = '') => {
      const filter = filterOf(options);
      calls.push({ method: 'retrieveMultipleRecords', entity, options, filter });
      return settle(api.handlers.retrieveMultiple?.(entity, filter, options) ?? []).then((entities) => ({
        entities,
        nextLink: undefined as unknown as string,
      }));
    },
    retrieveRecord: (entity, id, options) => {
      calls.push({ method: 'retrieveRecord', entity, id, options });
      return settle(api.handlers.retrieve?.(entity, id) ?? new Error(`no ${entity} ${id}`));
    },
    createRecord: (entity, data) => {
      calls.push({ method: 'createRecord', entity, data });
      const id = String(data[`${entity}id`] ?? '');
      return settle(api.handlers.create?.(entity, data, next(`create:${entity}:${id}`))).then(() => ({
        id,
        name: '',
        entityType: entity,
      }));
    },
    updateRecord: (entity, id, data) => {
      calls.push({ method: 'updateRecord', entity, id, data });
      return settle(api.handlers.update?.(entity, id, data, next(`update:${entity}:${id}`))).then(() => ({
        id,
        name: '',
        entityType: entity,
      }));
    },
  };
  return api;
}

export const PRIVILEGE_ERROR = {
  errorCode: 0x80040220,
  message: 'Principal user is missing prvWriteIncident privilege',
};
export const DUPLICATE_ERROR = {
  errorCode: 0x80040237,
  message: 'A record with matching key values already exists.',
};
export const NETWORK_ERROR = new TypeError('Failed to fetch');
