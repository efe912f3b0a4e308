/**
 * OpenCX's REST API, the two reads the relay makes: `GET /chat/sessions/{id}` and every page of
 * `GET /chat/sessions/{id}/history` (cursor in `next`, sent back as `?cursor=`). Bearer key auth,
 * requests paced by a shared rate limiter. Failures are classified for the worker (see OpenCxError).
 */
import { withoutTrailingSlashes } from '../config/url.js';
import { isSessionId } from '../handoff/document.js';
import type { RateLimiter } from './rate-limiter.js';

export interface OpenCxSession {
  id: string;
  status?: string;
  sentiment?: string | null;
  channel?: { type?: string | null } | null;
  language?: string | null;
  contact?: {
    id?: string | null;
    name?: string | null;
    email?: string | null;
    phone_number?: string | null;
    non_verified_name?: string | null;
    non_verified_email?: string | null;
  } | null;
  handoff?: { summary?: string | null; sentiment?: string | null } | null;
}

export interface OpenCxHistoryItem {
  id?: string;
  created_at: string;
  event: {
    type: string;
    sender?: { type?: string | null; name?: string | null } | null;
    content?: { type?: string | null; text?: string | null } | null;
  };
}

interface HistoryPage {
  items: OpenCxHistoryItem[];
  next?: string | null;
}

export type OpenCxFailureKind = 'unauthorized' | 'not-found' | 'throttled' | 'unavailable' | 'bad-response';

export class OpenCxError extends Error {
  constructor(
    readonly kind: OpenCxFailureKind,
    readonly httpStatus: number,
    message: string,
    /** For `throttled`: when OpenCX said to come back (epoch ms), if it said. */
    readonly retryAtMs?: number,
  ) {
    super(message);
    this.name = 'OpenCxError';
  }
}

export interface OpenCxClient {
  getSession(sessionId: string): Promise<OpenCxSession>;
  /** Every page, in order. */
  getHistory(sessionId: string): Promise<OpenCxHistoryItem[]>;
}

/** History pages are bounded so a looping cursor cannot keep a worker forever. */
const MAX_PAGES = 1000;

export function createOpenCxClient(options: {
  apiUrl: string;
  apiKey: string;
  limiter: RateLimiter;
  timeoutMs?: number;
  clock?: () => number;
  fetch?: typeof fetch;
}): OpenCxClient {
  const base = withoutTrailingSlashes(options.apiUrl);
  const doFetch = options.fetch ?? fetch;
  const clock = options.clock ?? Date.now;

  async function get<T>(path: string): Promise<T> {
    await options.limiter.take();
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        headers: { Authorization: `Bearer ${options.apiKey}`, Accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new OpenCxError('unavailable', 0, `OpenCX API unreachable: ${(error as Error).message}`);
    }
    if (response.ok) {
      try {
        return (await response.json()) as T;
      } catch {
        throw new OpenCxError(
          'bad-response',
          response.status,
          'OpenCX API answered with a body that is not JSON',
        );
      }
    }
    // The body may echo request details; keep only its size-limited text for the operator.
    const detail = (await response.text().catch(() => '')).slice(0, 300);
    const status = response.status;
    if (status === 401 || status === 403) throw new OpenCxError('unauthorized', status, detail);
    if (status === 404) throw new OpenCxError('not-found', status, detail);
    if (status === 429) {
      const after = Number(response.headers.get('retry-after'));
      throw new OpenCxError(
        'throttled',
        status,
        detail,
        Number.isFinite(after) && after > 0 ? clock() + after * 1000 : undefined,
      );
    }
    if (status >= 500 || status === 408) throw new OpenCxError('unavailable', status, detail);
    throw new OpenCxError('bad-response', status, detail);
  }

  /**
   * The session's path. Intake refuses ids of another shape, but a record stored before that rule (or by
   * another writer) still reaches here: such an id is never sent, so `..` cannot climb to another path
   * on OpenCX's host with the API key. Encoded anyway.
   */
  const sessionPath = (id: string) => {
    if (!isSessionId(id))
      throw new OpenCxError('not-found', 0, 'not an OpenCX session id (refused before any request)');
    return `/chat/sessions/${encodeURIComponent(id)}`;
  };

  return {
    getSession: async (id) => get<OpenCxSession>(sessionPath(id)),
    async getHistory(id) {
      const items: OpenCxHistoryItem[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
        const body = await get<HistoryPage>(`${sessionPath(id)}/history${query}`);
        if (!Array.isArray(body.items))
          throw new OpenCxError('bad-response', 200, 'history page without items[]');
        items.push(...body.items);
        if (!body.next) return items;
        cursor = body.next;
      }
      throw new OpenCxError('bad-response', 200, `history of ${id} has more than ${MAX_PAGES} pages`);
    },
  };
}
