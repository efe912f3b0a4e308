import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { v5 as uuidv5 } from 'uuid';
import type { AppendPayload } from '../append/payload.js';
import { Message, type HandoffMessage } from '../handoff/document.js';
import { HANDOFF_KEY_NAMESPACE } from '../handoff/key.js';
import { languageOfHandoff } from '../handoff/language.js';
import { messages as text } from '../messages.js';
import { countRedactions } from '../observability/metrics.js';
import { redactAppendPayload } from '../redaction/payloads.js';
import type { IntakeDeps } from './deps.js';
import { problem } from './problem.js';
import { invalid, readSignedJson, storeAndAnswer } from './signed-json.js';
import { messageInstantProblems } from './validate.js';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv, ['date-time']);
const check = ajv.compile<{ messages: HandoffMessage[] }>(
  Type.Object(
    { messages: Type.Array(Message, { minItems: 1, maxItems: 100_000 }) },
    { additionalProperties: false },
  ),
);

const m = text.intake;

/**
 * `POST /v1/handoffs/{key}/messages` (APPEND_AFTER_HANDOFF): turns said after the handoff, from a sender
 * that has its own transcript. Stored durably as an append job, redacted in the language of the handoff
 * it continues; the same messages again are a duplicate.
 */
export function appendRoute(app: FastifyInstance, deps: IntakeDeps): void {
  app.post<{ Params: { key: string } }>('/v1/handoffs/:key/messages', async (request, reply) => {
    const route = 'append';
    if (!deps.appendAfterHandoff)
      return reply
        .code(404)
        .type('application/problem+json')
        .send(problem(404, 'append-off', m.appendOff, m.appendOff));
    const read = readSignedJson(request, reply, deps, route, m.invalidAppend);
    if (!read.ok) return read.reply;
    const key = request.params.key.toLowerCase();
    if (!check(read.body)) {
      const errors = (check.errors ?? []).map((e) => ({
        pointer: e.instancePath || '/',
        detail: e.message ?? 'is not valid',
      }));
      return invalid(reply, deps, route, m.invalidAppend, m.invalidAppend, errors);
    }
    const instants = messageInstantProblems(read.body.messages);
    if (instants.length) return invalid(reply, deps, route, m.invalidAppend, m.invalidAppend, instants);
    const handoff = await deps.store.get(key).catch(() => undefined);
    if (!handoff || handoff.kind === 'append')
      return reply
        .code(404)
        .type('application/problem+json')
        .send(problem(404, 'unknown-handoff', m.unknownHandoff, m.unknownHandoff));
    const redacted = redactAppendPayload(
      { handoffKey: key, messages: read.body.messages },
      deps.redaction,
      languageOfHandoff(handoff),
    );
    countRedactions(deps.metrics, redacted.counts);
    const payload: AppendPayload = redacted.value;
    // Of the redacted messages: a digest of the original would keep a hash of the card number.
    const digest = createHash('sha256').update(JSON.stringify(payload.messages)).digest('hex');
    return storeAndAnswer(request, reply, deps, route, {
      key: uuidv5(`append:${key}:${digest}`, HANDOFF_KEY_NAMESPACE),
      kind: 'append',
      sessionId: handoff.sessionId,
      payload: JSON.stringify(payload),
      webhookId: read.webhookId,
      now: deps.clock(),
    });
  });
}
