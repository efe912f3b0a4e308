/**
 * OpenCX's REST API, the two reads the relay makes: `GET /chat/sessions/{id}` and every page of
 * `GET /chat/sessions/{id}/history` (cursor in `next`, sent back as `?cursor=`). Bearer key auth,
 * requests paced by a shared rate limiter. A request that meets a transient failure (5xx, 408, no answer,
 * 429) is tried again where it failed (retry-in-place.ts), honouring Retry-After; only then is the failure
 * classified for the worker (see OpenCxError). A history read that gives up says how far it got
 * (HistoryProgress), so that the next attempt resumes at the page that failed.
 */
import { withoutTrailingSlashes } from '../config/url.js';
import { isSessionId } from '../handoff/document.js';
import { IN_PLACE, realSleep, retryInPlace, type InPlacePolicy, type Judgement } from '../retry-in-place.js';
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

/** How far a history read got before it gave up: what the next read starts from. */
export interface HistoryProgress {
  /** The cursor of the page that failed (the next one to read). */
  next: string;
  /** The items of the pages read before it, in order. */
  items: OpenCxHistoryItem[];
  /** How many pages that is (a looping cursor is bounded across resumed reads too). */
  pages: number;
}

export type OpenCxFailureKind = 'unauthorized' | 'not-found' | 'throttled' | 'unavailable' | 'bad-response';

export class OpenCxError extends Error {
  constructor(
    readonly kind: OpenCxFailureKind,
    readonly httpStatus: number,
    message: string,
    /** For `throttled`: when OpenCX said to come back (epoch ms), if it said. */
    readonly retryAtMs?: number,
    /** For a history read that gave up after reading some pages: where to resume. */
    readonly progress?: HistoryProgress,
  ) {
    super(message);
    this.name = 'OpenCxError';
  }
}

export interface OpenCxClient {
  getSession(sessionId: string): Promise<OpenCxSession>;
  /**
   * Every page, in order; from `resume` on when given (an earlier read's progress). A read that gives up
   * after some pages throws an OpenCxError whose `progress` says where the next read should start.
   */
  getHistory(sessionId: string, resume?: HistoryProgress): Promise<OpenCxHistoryItem[]>;
}

/** History pages are bounded so a looping cursor cannot keep a worker forever. */
const MAX_PAGES = 1000;

/** Retry-After in seconds or as an HTTP date (RFC 9110, 10.2.3), as epoch ms; undefined when absent or bad. */
export function retryAtOf(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? now + seconds * 1000 : undefined;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(now, date);
}

export function createOpenCxClient(options: {
  apiUrl: string;
  apiKey: string;
  limiter: RateLimiter;
  timeoutMs?: number;
  clock?: () => number;
  fetch?: typeof fetch;
  /** For the tries in place (defaults: retry-in-place.ts, setTimeout, Math.random). */
  inPlace?: InPlacePolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}): OpenCxClient {
  const base = withoutTrailingSlashes(options.apiUrl);
  const doFetch = options.fetch ?? fetch;
  const clock = options.clock ?? Date.now;
  const policy = options.inPlace ?? IN_PLACE;
  const sleep = options.sleep ?? realSleep;
  // A 429 says this key's budget is spent, whoever asked: every request of the relay (one client serves
  // all its workers) waits for its Retry-After, not only the one that was refused.
  let heldUntil = 0;

  /** Transient failures are tried again; a 429 is tried again once its Retry-After has passed. */
  const judge = (error: unknown): Judgement => {
    if (!(error instanceof OpenCxError)) return { again: false };
    if (error.kind === 'unavailable') return { again: true };
    if (error.kind !== 'throttled') return { again: false };
    if (error.retryAtMs === undefined) return { again: true };
    heldUntil = Math.max(heldUntil, error.retryAtMs);
    return { again: true, serverWaitMs: error.retryAtMs - clock() };
  };
  const get = <T>(path: string) =>
    retryInPlace(() => getOnce<T>(path), judge, { policy, sleep, random: options.random });

  async function getOnce<T>(path: string): Promise<T> {
    const held = heldUntil - clock();
    // Longer than a worker waits in place: given up at once, and the job comes back when the hold ends.
    if (held > policy.maxWaitMs)
      throw new OpenCxError('throttled', 429, 'OpenCX asked this key to wait (an earlier 429)', heldUntil);
    if (held > 0) await sleep(held);
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
    if (status === 429)
      throw new OpenCxError(
        'throttled',
        status,
        detail,
        retryAtOf(response.headers.get('retry-after'), clock()),
      );
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

  /** Every page from `resume` on (else from the first); a page given up on says how far the read got. */
  async function readHistory(id: string, resume?: HistoryProgress): Promise<OpenCxHistoryItem[]> {
    const items: OpenCxHistoryItem[] = [...(resume?.items ?? [])];
    let cursor = resume?.next;
    for (let page = resume?.pages ?? 0; page < MAX_PAGES; page++) {
      const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
      let body: HistoryPage;
      try {
        body = await get<HistoryPage>(`${sessionPath(id)}/history${query}`);
      } catch (error) {
        // Gave up on this page: the pages before it are kept, so the next read starts here.
        if (!(error instanceof OpenCxError) || cursor === undefined) throw error;
        const progress = { next: cursor, items, pages: page };
        throw new OpenCxError(error.kind, error.httpStatus, error.message, error.retryAtMs, progress);
      }
      if (!Array.isArray(body.items))
        throw new OpenCxError('bad-response', 200, 'history page without items[]');
      items.push(...body.items);
      if (!body.next) return items;
      cursor = body.next;
    }
    throw new OpenCxError('bad-response', 200, `history of ${id} has more than ${MAX_PAGES} pages`);
  }

  return {
    // async: an id refused by sessionPath rejects, as every failure of the client does.
    getSession: async (id) => get<OpenCxSession>(sessionPath(id)),
    async getHistory(id, resume) {
      if (!resume) return readHistory(id);
      try {
        return await readHistory(id, resume);
      } catch (error) {
        // OpenCX documents no lifetime for its cursors: one refused where the read resumes (404, another 4xx)
        // may have expired, so the history is read again from its first page (which a session that is gone
        // refuses too, and that ends the job as before).
        const expired =
          error instanceof OpenCxError &&
          (error.kind === 'not-found' || error.kind === 'bad-response') &&
          error.progress?.pages === resume.pages;
        if (!expired) throw error;
        return readHistory(id);
      }
    },
  };
}
