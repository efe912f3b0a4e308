import type { FastifyInstance } from 'fastify';
import { v5 as uuidv5 } from 'uuid';
import { isSessionId } from '../handoff/document.js';
import { HANDOFF_KEY_NAMESPACE, handoffKey } from '../handoff/key.js';
import { messages } from '../messages.js';
import { countRedactions } from '../observability/metrics.js';
import { eventLabel } from '../opencx/event-names.js';
import {
  CLOSED_EVENT_FIELDS,
  HANDOFF_EVENT_FIELDS,
  parseEnvelope,
  storedEnvelope,
} from '../opencx/envelope.js';
import { redactEventPayload } from '../redaction/payloads.js';
import type { IntakeDeps } from './deps.js';
import { invalid, readSignedJson, storeAndAnswer } from './signed-json.js';

const m = messages.intake;

/**
 * `POST /v1/opencx/events`: OpenCX's own webhook. The handoff event is stored durably (the worker
 * fetches the session and its history later, never in the request): only the fields the relay reads,
 * their free text redacted. Other events are answered 202, counted and ignored, so OpenCX never retries
 * them.
 */
export function opencxEventsRoute(app: FastifyInstance, deps: IntakeDeps): void {
  app.post('/v1/opencx/events', async (request, reply) => {
    const route = 'opencx-events';
    const read = readSignedJson(request, reply, deps, route, m.invalidEvent);
    if (!read.ok) return read.reply;
    const parsed = parseEnvelope(read.body);
    if (!parsed.ok) return invalid(reply, deps, route, m.invalidEvent, m.invalidEvent, parsed.errors);
    const closedId = parsed.envelope.data.conversation_id;
    if (
      parsed.kind === 'other' &&
      deps.appendAfterHandoff &&
      parsed.envelope.event === 'conversation.closed' &&
      typeof closedId === 'string' &&
      closedId
    ) {
      // Its id goes into OpenCX API paths when the worker reads the history: the handoff event's rule.
      if (!isSessionId(closedId))
        return invalid(reply, deps, route, m.invalidEvent, m.invalidEvent, [
          { pointer: '/data/conversation_id', detail: m.sessionIdShape },
        ]);
      // The session ended: the worker reads what was said after the handoff and adds it to the case.
      const at = typeof parsed.envelope.data.timestamp === 'string' ? parsed.envelope.data.timestamp : '';
      return storeAndAnswer(request, reply, deps, route, {
        key: uuidv5(`closed:${closedId}:${at}`, HANDOFF_KEY_NAMESPACE),
        kind: 'opencx-event',
        sessionId: closedId,
        payload: JSON.stringify({ envelope: storedEnvelope(parsed.envelope, CLOSED_EVENT_FIELDS) }),
        webhookId: read.webhookId,
        now: deps.clock(),
      });
    }
    if (parsed.kind === 'other') {
      deps.metrics.ignoredEvents.inc({ event: eventLabel(parsed.envelope.event) });
      deps.metrics.received.inc({ route, outcome: 'ignored' });
      return reply.code(202).send({ status: 'ignored', event: parsed.envelope.event });
    }
    const { data } = parsed.envelope;
    const redacted = redactEventPayload(
      { envelope: storedEnvelope(parsed.envelope, HANDOFF_EVENT_FIELDS) },
      deps.redaction,
    );
    countRedactions(deps.metrics, redacted.counts);
    return storeAndAnswer(request, reply, deps, route, {
      key: handoffKey(data.conversation_id, data.timestamp),
      kind: 'opencx-event',
      sessionId: data.conversation_id,
      payload: JSON.stringify(redacted.value),
      value: redacted.value,
      webhookId: read.webhookId,
      now: deps.clock(),
    });
  });
}
