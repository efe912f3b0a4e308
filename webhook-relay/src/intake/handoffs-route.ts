import type { FastifyInstance } from 'fastify';
import { handoffKey } from '../handoff/key.js';
import { messages } from '../messages.js';
import { countRedactions } from '../observability/metrics.js';
import { redactDocument } from '../redaction/payloads.js';
import type { IntakeDeps } from './deps.js';
import { sessionUrlRefusal } from './session-url.js';
import { invalid, readSignedJson, storeAndAnswer } from './signed-json.js';
import { validateHandoff } from './validate.js';

const m = messages.intake;

/** `POST /v1/handoffs`: our own handoff document, redacted and stored durably before 202. */
export function handoffsRoute(app: FastifyInstance, deps: IntakeDeps): void {
  app.post('/v1/handoffs', async (request, reply) => {
    const route = 'handoffs';
    const read = readSignedJson(request, reply, deps, route, m.invalidHandoff);
    if (!read.ok) return read.reply;
    const result = validateHandoff(read.body);
    if (!result.ok) return invalid(reply, deps, route, m.invalidHandoff, m.invalidHandoff, result.errors);
    const document = result.document;
    const refusal =
      document.session_url === undefined
        ? undefined
        : sessionUrlRefusal(document.session_url, deps.sessionUrlOrigin);
    if (refusal) {
      delete document.session_url;
      deps.metrics.droppedSessionUrls.inc({ reason: refusal });
      request.log.warn(
        { sessionId: document.session_id, reason: refusal },
        refusal === 'scheme' ? m.sessionUrlDropped : m.sessionUrlOtherOrigin,
      );
    }
    // Only the redacted form is ever written: not to the file, not to its WAL, not to a PostgreSQL row.
    const redacted = redactDocument(document, deps.redaction);
    countRedactions(deps.metrics, redacted.counts);
    return storeAndAnswer(request, reply, deps, route, {
      key: handoffKey(document.session_id, document.handoff_at),
      kind: 'handoff',
      sessionId: document.session_id,
      payload: JSON.stringify(redacted.value),
      value: redacted.value,
      webhookId: read.webhookId,
      now: deps.clock(),
    });
  });
}
