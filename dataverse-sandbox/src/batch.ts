/**
 * `$batch` wire format (multipart/mixed): parsing requests and writing responses as the Web API does.
 * CRLF is the documented line ending, the last line included; other line endings are refused
 * (see `checkLineEndings`).
 */
import { randomUUID } from 'node:crypto';
import { errors } from './errors.js';

export interface BatchOperation {
  contentId?: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The MIME part's own headers (Content-Type, Content-Transfer-Encoding, Content-ID). */
  part: Record<string, string>;
}

export type BatchPart =
  | { kind: 'changeset'; contentType: string; operations: BatchOperation[] }
  | { kind: 'request'; operation: BatchOperation };

export interface OperationResult {
  status: number;
  headers: Record<string, string>;
  body?: string;
  contentId?: string;
}

export type PartResult =
  { kind: 'changeset'; results: OperationResult[] } | { kind: 'request'; result: OperationResult };

export const MAX_BATCH_REQUESTS = 1000;

export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /boundary="?([^";]+)"?/i.exec(contentType ?? '');
  return match?.[1];
}

function splitHeadersAndBody(text: string): {
  headers: Record<string, string>;
  firstLine?: string;
  body: string;
} {
  const separator = /\r?\n\r?\n/.exec(text);
  const head = separator ? text.slice(0, separator.index) : text;
  const body = separator ? text.slice(separator.index + separator[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

/** Splits a multipart body into its parts' raw text (without the boundary lines). */
function splitMultipart(body: string, boundary: string, entitySet = '$batch'): string[] {
  const delimiter = `--${boundary}`;
  const start = body.indexOf(delimiter);
  const end = body.indexOf(`${delimiter}--`);
  if (start < 0 || end < 0) throw errors.streamNotReadable(entitySet);
  return body
    .slice(start + delimiter.length, end)
    .split(delimiter)
    .map((part) => part.replace(/^\r?\n/, '').replace(/\r?\n$/, ''));
}

/** `text` without its trailing LF / CRLF line breaks; a loop, as /(\r?\n)+$/ is quadratic on a long run of them. */
function withoutTrailingLineBreaks(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === '\n') end -= end > 1 && text[end - 2] === '\r' ? 2 : 1;
  return text.slice(0, end);
}

function parseOperation(raw: string, inChangeset: boolean): BatchOperation {
  const outer = splitHeadersAndBody(raw);
  if (!(outer.headers['content-type'] ?? '').toLowerCase().startsWith('application/http')) {
    throw errors.badRequest('Each batch part must be Content-Type: application/http.');
  }
  const innerLines = outer.body.split(/\r?\n/);
  const requestLine = innerLines.shift() ?? '';
  const match = /^([A-Z]+) (\S+) HTTP\/1\.1$/.exec(requestLine.trim());
  if (!match) throw errors.badRequest(`Invalid request line in batch part: '${requestLine.slice(0, 200)}'.`);
  const inner = splitHeadersAndBody(innerLines.join('\n'));
  const method = match[1];
  if (inChangeset && method === 'GET') {
    throw errors.badRequest('GET requests are not allowed inside a change set.', '0x0');
  }
  return {
    contentId: outer.headers['content-id'],
    method,
    url: match[2],
    headers: inner.headers,
    body: withoutTrailingLineBreaks(inner.body),
    part: outer.headers,
  };
}

/**
 * Every line of a `$batch` body ends with CRLF, the last one too. Otherwise Dataverse answers 400
 * 0x80048d19 "Stream was not readable" (Troubleshoot Dataverse Web API client errors, the current page under
 * learn.microsoft.com/troubleshoot/power-platform/power-apps/dataverse/web-api-client-errors: "InnerException :
 * System.ArgumentException: Stream was not readable", which shows a body failing for want of the last line's
 * CRLF; the older page under power-apps lacks the section; Execute batch operations using the Web API: Batch
 * requests). The same page's workaround is honoured: a body that cannot use CRLF
 * works when it ends with two non-CRLF line endings.
 */
export function checkLineEndings(body: string): void {
  const bareLf = /(?:^|[^\r])\n/.test(body);
  const endsWithCrlf = body.endsWith('\r\n');
  const twoTrailingLf = /(?:^|[^\r])\n\n$/.test(body);
  if (twoTrailingLf) return;
  if (bareLf || !endsWithCrlf) throw errors.streamNotReadable('$batch');
}

export function parseBatch(body: string, contentType: string | undefined): BatchPart[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw errors.badRequest('The $batch request must be multipart/mixed with a boundary.');
  const parts: BatchPart[] = [];
  let count = 0;
  for (const raw of splitMultipart(body, boundary)) {
    const { headers, body: partBody } = splitHeadersAndBody(raw);
    const type = headers['content-type'] ?? '';
    if (type.toLowerCase().startsWith('multipart/mixed')) {
      const changesetBoundary = boundaryOf(type);
      if (!changesetBoundary) throw errors.badRequest('A change set needs a boundary.');
      const operations = splitMultipart(partBody, changesetBoundary).map((op) => parseOperation(op, true));
      count += operations.length;
      parts.push({ kind: 'changeset', contentType: type, operations });
    } else {
      count += 1;
      parts.push({ kind: 'request', operation: parseOperation(raw, false) });
    }
  }
  if (count > MAX_BATCH_REQUESTS) {
    throw errors.badRequest(
      `The number of requests in a batch exceeded the limit of ${MAX_BATCH_REQUESTS}.`,
      '0x8005f103',
    );
  }
  return parts;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  412: 'Precondition Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function writeOperation(result: OperationResult): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (result.contentId) lines.push(`Content-ID: ${result.contentId}`);
  lines.push('', `HTTP/1.1 ${result.status} ${REASONS[result.status] ?? ''}`.trimEnd());
  lines.push(`REQ_ID: ${randomUUID()}`);
  for (const [name, value] of Object.entries(result.headers)) lines.push(`${name}: ${value}`);
  lines.push('', result.body ?? '');
  return lines.join('\r\n');
}

export function writeBatchResponse(parts: PartResult[]): { boundary: string; body: string } {
  const boundary = `batchresponse_${randomUUID()}`;
  const chunks: string[] = [];
  for (const part of parts) {
    if (part.kind === 'changeset') {
      const changeset = `changesetresponse_${randomUUID()}`;
      const inner = part.results.map((r) => `--${changeset}\r\n${writeOperation(r)}`).join('\r\n');
      chunks.push(
        `--${boundary}\r\nContent-Type: multipart/mixed; boundary=${changeset}\r\n\r\n${inner}\r\n--${changeset}--`,
      );
    } else {
      chunks.push(`--${boundary}\r\n${writeOperation(part.result)}`);
    }
  }
  return { boundary, body: `${chunks.join('\r\n')}\r\n--${boundary}--\r\n` };
}
