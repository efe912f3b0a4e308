/**
 * What every intake route does before and after its own checks: authenticate the raw body, decode it
 * as UTF-8 JSON, and store a record durably before answering. One place, so both routes answer alike.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { messages } from '../messages.js';
import { StoreUnavailableError, type NewHandoff } from '../store/types.js';
import type { IntakeDeps } from './deps.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';
import { problem, type ProblemField } from './problem.js';

const m = messages.intake;

export type SignedJson = { ok: true; body: unknown; webhookId?: string } | { ok: false; reply: FastifyReply };

export function readSignedJson(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: IntakeDeps,
  route: string,
  invalidTitle: string,
): SignedJson {
  const raw = request.body as Buffer;
  const auth = deps.authenticator.verify(request.headers, raw, deps.clock());
  if (!auth.ok) {
    deps.metrics.received.inc({ route, outcome: 'unauthenticated' });
    return {
      ok: false,
      reply: reply
        .code(401)
        .type('application/problem+json')
        .send(problem(401, `signature-${auth.failure}`, m.unauthenticated, auth.detail)),
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { ok: false, reply: invalid(reply, deps, route, invalidTitle, m.invalidUtf8) };
  }
  // Checked before parsing: what follows the parse recurses, and a deep enough text would blow the stack.
  if (nestsDeeperThan(raw))
    return { ok: false, reply: invalid(reply, deps, route, invalidTitle, m.tooDeep(MAX_JSON_DEPTH)) };
  try {
    return { ok: true, body: JSON.parse(text) as unknown, webhookId: auth.webhookId };
  } catch {
    return { ok: false, reply: invalid(reply, deps, route, invalidTitle, m.invalidJson) };
  }
}

export function invalid(
  reply: FastifyReply,
  deps: IntakeDeps,
  route: string,
  title: string,
  detail: string,
  errors?: ProblemField[],
): FastifyReply {
  deps.metrics.received.inc({ route, outcome: 'invalid' });
  return reply
    .code(400)
    .type('application/problem+json')
    .send(problem(400, 'invalid-handoff', title, detail, errors));
}

/** Inserts durably, then answers 202 (new) or 200 (already stored, with its status); 503 if the store is down. */
export async function storeAndAnswer(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: IntakeDeps,
  route: string,
  handoff: NewHandoff,
): Promise<FastifyReply> {
  try {
    const outcome = await deps.store.insert(handoff);
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
      { err: error instanceof StoreUnavailableError ? error.message : error, handoffKey: handoff.key },
      'store unavailable',
    );
    return reply
      .code(503)
      .header('Retry-After', '5')
      .type('application/problem+json')
      .send(problem(503, 'store-unavailable', m.storeUnavailable, m.storeUnavailable));
  }
}
