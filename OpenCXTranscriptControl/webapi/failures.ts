/**
 * Maps what `context.webAPI` rejects with to the failure kinds the UI speaks about. The platform
 * rejects with `{ errorCode, message }` (errorCode a Dataverse code as an unsigned number); a network
 * failure surfaces as a TypeError or a message about the connection.
 */
import { DataverseFailure, type FailureKind } from '../model/ports';

const PRIVILEGE_CODES = new Set([0x80040220, 0x8004b000, 0x80042f09, 0x80072560]);
export const DUPLICATE_KEY = 0x80040237;
const NOT_FOUND = 0x80040217;

interface ErrorLike {
  errorCode?: unknown;
  code?: unknown;
  message?: unknown;
  status?: unknown;
  httpStatus?: unknown;
}

/** The Dataverse error code as a number (`0x80040220` → 2147746336), whatever form it came in. */
export function errorCodeOf(error: unknown): number | undefined {
  const e = (error ?? {}) as ErrorLike;
  for (const value of [e.errorCode, e.code]) {
    if (typeof value === 'number') return value >>> 0;
    if (typeof value === 'string' && /^(?:0x)?[0-9a-f]{8}$/i.test(value))
      return parseInt(value.replace(/^0x/i, ''), 16);
  }
  return undefined;
}

export function toFailure(error: unknown): DataverseFailure {
  if (error instanceof DataverseFailure) return error;
  const e = (error ?? {}) as ErrorLike;
  const code = errorCodeOf(error);
  const status =
    typeof e.status === 'number' ? e.status : typeof e.httpStatus === 'number' ? e.httpStatus : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  let kind: FailureKind = 'other';
  if ((code !== undefined && PRIVILEGE_CODES.has(code)) || status === 403 || /privilege/i.test(message))
    kind = 'permission';
  else if (code === NOT_FOUND || status === 404) kind = 'not-found';
  else if (
    error instanceof TypeError ||
    status === 0 ||
    /network|failed to fetch|offline|timed? ?out/i.test(message)
  )
    kind = 'network';
  const hex = code === undefined ? undefined : `0x${code.toString(16).padStart(8, '0')}`;
  return new DataverseFailure(kind, message, hex);
}
