/**
 * A stand-in for OpenCX's REST API (the two reads the relay makes), over real HTTP, stateful, with
 * fault injection: like the Dataverse sandbox, never more than a test double. Seeded from the copies
 * of OpenCX's documented payloads in test/fixtures/opencx.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mulberry32 } from '@opencx-d365/dataverse-sandbox';
import type { OpenCxHistoryItem, OpenCxSession } from '../../src/opencx/client.js';

export interface FakeSession {
  session: OpenCxSession;
  history: OpenCxHistoryItem[];
}

export interface FakeFaults {
  /** Answer the next n requests with 429 and this Retry-After (seconds). */
  throttleNext?: { count: number; retryAfterSeconds?: number };
  /** Answer the next n requests with this 5xx status. */
  failNext?: { count: number; status: number };
  /** Answer the next n requests for this history cursor (`c25`) with `status` (429: with Retry-After). */
  failCursor?: { cursor: string; count: number; status: number; retryAfterSeconds?: number };
  /**
   * A network that fails now and then, the same way for the same seed: each request draws one number
   * from a PRNG seeded with `seed`; below `errorRate` it is answered `errorStatus` (default 500), below
   * `errorRate + throttleRate` 429 with `retryAfterSeconds` (default 1).
   */
  flaky?: {
    seed: number;
    errorRate: number;
    errorStatus?: number;
    throttleRate: number;
    retryAfterSeconds?: number;
  };
}

export interface FakeOpenCxApi {
  url: string;
  sessions: Map<string, FakeSession>;
  requests: { method: string; path: string; query: string; status: number; authorization?: string }[];
  setFaults(faults: FakeFaults): void;
  close(): Promise<void>;
}

export async function startFakeOpenCxApi(options: {
  /** Keys and whether they hold the `chat-sessions:read` scope. */
  keys: Record<string, { scopes: string[] }>;
  sessions?: readonly FakeSession[];
  pageSize?: number;
}): Promise<FakeOpenCxApi> {
  const sessions = new Map((options.sessions ?? []).map((s) => [s.session.id, s]));
  const requests: FakeOpenCxApi['requests'] = [];
  let faults: FakeFaults = {};
  let draw = mulberry32(1);
  const pageSize = options.pageSize ?? 5;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.search,
        status,
        authorization: req.headers.authorization,
      });
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (faults.throttleNext && faults.throttleNext.count > 0) {
      faults.throttleNext.count -= 1;
      return send(
        429,
        { message: 'Too many requests' },
        { 'Retry-After': String(faults.throttleNext.retryAfterSeconds ?? 1) },
      );
    }
    if (faults.failNext && faults.failNext.count > 0) {
      faults.failNext.count -= 1;
      return send(faults.failNext.status, { message: 'Upstream error' });
    }
    const failCursor = faults.failCursor;
    if (failCursor && failCursor.count > 0 && url.searchParams.get('cursor') === failCursor.cursor) {
      failCursor.count -= 1;
      const retryAfter = String(failCursor.retryAfterSeconds ?? 1);
      return send(failCursor.status, { message: 'Upstream error' }, { 'Retry-After': retryAfter });
    }
    if (faults.flaky) {
      const { errorRate, throttleRate, errorStatus = 500, retryAfterSeconds = 1 } = faults.flaky;
      const roll = draw();
      if (roll < errorRate) return send(errorStatus, { message: 'Upstream error' });
      if (roll < errorRate + throttleRate)
        return send(429, { message: 'Too many requests' }, { 'Retry-After': String(retryAfterSeconds) });
    }
    const key = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const grant = key ? options.keys[key] : undefined;
    if (!grant) return send(401, { message: 'Invalid API key' });
    if (!grant.scopes.includes('chat-sessions:read'))
      return send(403, { message: 'Missing scope chat-sessions:read' });
    const match = /^\/chat\/sessions\/([^/]+)(\/history)?$/.exec(url.pathname);
    const found = match ? sessions.get(decodeURIComponent(match[1])) : undefined;
    if (req.method !== 'GET' || !match) return send(404, { message: 'Not found' });
    if (!found) return send(404, { message: 'Session not found' });
    if (!match[2]) return send(200, found.session);
    // Cursor = index of the first item of the page, opaque to the client; one it never gave out is refused.
    const cursor = url.searchParams.get('cursor') ?? 'c0';
    if (!/^c\d+$/.test(cursor)) return send(400, { message: 'Invalid cursor' });
    const start = Number(cursor.slice(1));
    const items = found.history.slice(start, start + pageSize);
    const next = start + pageSize < found.history.length ? `c${start + pageSize}` : null;
    return send(200, { items, next });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sessions,
    requests,
    setFaults: (next) => {
      faults = structuredClone(next);
      draw = mulberry32(next.flaky?.seed ?? 1);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
