/**
 * `$batch` request writer and response parser (Web API v9.2): CRLF, one change set with a Content-ID on
 * every operation, then GET parts outside it. The parser accepts both documented failure shapes.
 */
import { randomUUID } from 'node:crypto';

export interface ChangeSetOperation {
  method: 'POST' | 'PATCH';
  /** Root-relative, e.g. `/api/data/v9.2/incidents`. */
  url: string;
  body: Record<string, unknown>;
  /** Extra request headers, e.g. `If-Match` for an update that must not overwrite a newer version. */
  headers?: Record<string, string>;
  /** An action's parameters are not an entity: `application/json` (default: `application/json; type=entry`). */
  contentType?: string;
}

export interface BatchResponsePart {
  status: number;
  contentId?: string;
  headers: Record<string, string>;
  body: string;
}

export function writeBatch(
  operations: ChangeSetOperation[],
  gets: string[],
): { body: string; contentType: string } {
  const batch = `batch_${randomUUID()}`;
  const changeset = `changeset_${randomUUID()}`;
  const lines = [`--${batch}`, `Content-Type: multipart/mixed; boundary="${changeset}"`, ''];
  operations.forEach((operation, index) => {
    lines.push(
      `--${changeset}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      `Content-ID: ${index + 1}`,
      '',
      `${operation.method} ${operation.url} HTTP/1.1`,
      `Content-Type: ${operation.contentType ?? 'application/json; type=entry'}`,
      ...Object.entries(operation.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
      '',
      JSON.stringify(operation.body),
    );
  });
  lines.push(`--${changeset}--`);
  for (const get of gets) {
    lines.push(
      `--${batch}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      `GET ${get} HTTP/1.1`,
      'Accept: application/json',
      '',
      '',
    );
  }
  lines.push(`--${batch}--`, '');
  return { body: lines.join('\r\n'), contentType: `multipart/mixed; boundary="${batch}"` };
}

function boundaryOf(contentType: string): string | undefined {
  return /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
}

function headersAndBody(text: string): { headers: Record<string, string>; body: string } {
  const split = /\r?\n\r?\n/.exec(text);
  const head = split ? text.slice(0, split.index) : text;
  const body = split ? text.slice(split.index + split[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function parts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const end = body.indexOf(`${delimiter}--`);
  const start = body.indexOf(delimiter);
  if (start < 0) return [];
  return body
    .slice(start + delimiter.length, end < 0 ? undefined : end)
    .split(delimiter)
    .map((part) => part.replace(/^\r?\n/, '').replace(/\r?\n$/, ''))
    .filter((part) => part.trim());
}

function parseHttpPart(raw: string): BatchResponsePart | undefined {
  const outer = headersAndBody(raw);
  const lines = outer.body.split(/\r?\n/);
  const statusLine = /^HTTP\/1\.1 (\d{3})/.exec(lines.shift() ?? '');
  if (!statusLine) return undefined;
  const inner = headersAndBody(lines.join('\n'));
  return {
    status: Number(statusLine[1]),
    contentId: outer.headers['content-id'],
    headers: inner.headers,
    body: inner.body.trim(),
  };
}

/** Flattens a batch response into its operation results, in order. */
export function parseBatchResponse(contentType: string, body: string): BatchResponsePart[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) return [];
  const results: BatchResponsePart[] = [];
  for (const raw of parts(body, boundary)) {
    const { headers, body: partBody } = headersAndBody(raw);
    const type = headers['content-type'] ?? '';
    if (type.toLowerCase().startsWith('multipart/mixed')) {
      const inner = boundaryOf(type);
      for (const op of inner ? parts(partBody, inner) : []) {
        const parsed = parseHttpPart(op);
        if (parsed) results.push(parsed);
      }
    } else {
      const parsed = parseHttpPart(raw);
      if (parsed) results.push(parsed);
    }
  }
  return results;
}
