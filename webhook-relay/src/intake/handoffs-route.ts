import type { FastifyInstance } from 'fastify';
import { handoffKey } from '../handoff/key.js';
import { messages } from '../messages.js';
import { StoreUnavailableError } from '../store/types.js';
import type { IntakeDeps } from './deps.js';
import { problem } from './problem.js';
import { validateHandoff } from './validate.js';

const m = messages.intake;

/** `POST /v1/handoffs`: our own handoff document, stored durably before 202. */
export function handoffsRoute(app: FastifyInstance, deps: IntakeDeps): void {
  app.post('/v1/handoffs', async (request, reply) => {
    const route = 'handoffs';
    const raw = request.body as Buffer;
    const auth = deps.authenticator.verify(request.headers, raw.toString('utf8'), deps.clock());
    if (!auth.ok) {
      deps.metrics.received.inc({ route, outcome: 'unauthenticated' });
      return reply
        .code(401)
        .type('application/problem+json')
        .send(problem(401, `signature-${auth.failure}`, m.unauthenticated, auth.detail));
    }
    const invalid = (detail: string, errors?: Array<{ pointer: string; detail: string }>) => {
      deps.metrics.received.inc({ route, outcome: 'invalid' });
      return reply
        .code(400)
        .type('application/problem+json')
        .send(problem(400, 'invalid-handoff', m.invalidHandoff, detail, errors));
    };
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return invalid(m.invalidUtf8);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return invalid(m.invalidJson);
    }
    const result = validateHandoff(body);
    if (!result.ok) return invalid(m.invalidHandoff, result.errors);
    const document = result.document;
    if (document.session_url !== undefined && !document.session_url.startsWith('https://')) {
      delete document.session_url;
      deps.metrics.droppedSessionUrls.inc();
      request.log.warn({ sessionId: document.session_id }, m.sessionUrlDropped);
    }
    const key = handoffKey(document.session_id, document.handoff_at);
    try {
      const outcome = await deps.store.insert({
        key,
        kind: 'handoff',
        sessionId: document.session_id,
        payload: JSON.stringify(document),
        webhookId: auth.webhookId,
        now: deps.clock(),
      });
      const record = outcome.record;
      deps.metrics.received.inc({ route, outcome: outcome.inserted ? 'accepted' : 'duplicate' });
      if (outcome.inserted) deps.onAccepted?.();
      request.log.info({ handoffKey: record.key, inserted: outcome.inserted }, 'handoff stored');
      return reply.code(outcome.inserted ? 202 : 200).send({
        handoff_id: record.key,
        incident_id: record.key,
        status: outcome.inserted ? 'accepted' : record.status,
        ...(record.ticketNumber ? { ticket_number: record.ticketNumber } : {}),
      });
    } catch (error) {
      deps.metrics.received.inc({ route, outcome: 'unavailable' });
      request.log.error(
        { err: error instanceof StoreUnavailableError ? error.message : error, handoffKey: key },
        'store unavailable',
      );
      return reply
        .code(503)
        .header('Retry-After', '5')
        .type('application/problem+json')
        .send(problem(503, 'store-unavailable', m.storeUnavailable, m.storeUnavailable));
    }
  });
}
