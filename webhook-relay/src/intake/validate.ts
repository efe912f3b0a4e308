/** Validation of the handoff document against its JSON Schema, listing every bad field. */
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { HandoffDocumentSchema, type HandoffDocument } from '../handoff/document.js';
import { messages } from '../messages.js';
import type { ProblemField } from './problem.js';

// ajv and ajv-formats are CommonJS with a default export; under NodeNext the class sits on `.default`.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
addFormats(ajv, ['date-time']);
const check = ajv.compile<HandoffDocument>(HandoffDocumentSchema);

/** ISO 8601 with an explicit offset: `date-time` alone would also need one, but say so plainly. */
const HAS_OFFSET = /(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Why a schema-valid `date-time` cannot be used, if it cannot: no offset, or no instant JavaScript's Date
 * can hold. RFC 3339 allows a leap second (`2016-12-31T23:59:60Z`), which the format check accepts and
 * `Date.parse` does not, so the handoff key (handoff/key.ts) would throw: refused here, naming the field.
 */
export function instantProblem(value: string, pointer: string): ProblemField | undefined {
  if (!HAS_OFFSET.test(value)) return { pointer, detail: 'must carry a UTC offset' };
  if (!Number.isFinite(Date.parse(value))) return { pointer, detail: messages.intake.notAnInstant };
  return undefined;
}

/** The instant problems of a list of messages (`<prefix>/<index>/at`). */
export function messageInstantProblems(
  list: readonly { at: string }[],
  prefix = '/messages',
): ProblemField[] {
  return list.flatMap((message, index) => instantProblem(message.at, `${prefix}/${index}/at`) ?? []);
}

export function validateHandoff(
  value: unknown,
): { ok: true; document: HandoffDocument } | { ok: false; errors: ProblemField[] } {
  const errors: ProblemField[] = [];
  if (!check(value)) {
    for (const error of check.errors ?? []) {
      const pointer =
        error.keyword === 'required'
          ? `${error.instancePath}/${String((error.params as { missingProperty?: string }).missingProperty)}`
          : error.keyword === 'additionalProperties'
            ? `${error.instancePath}/${String((error.params as { additionalProperty?: string }).additionalProperty)}`
            : error.instancePath || '/';
      errors.push({ pointer, detail: error.message ?? 'is not valid' });
    }
    return { ok: false, errors };
  }
  const document = value;
  const handoffAt = instantProblem(document.handoff_at, '/handoff_at');
  if (handoffAt) errors.push(handoffAt);
  errors.push(...messageInstantProblems(document.messages));
  return errors.length ? { ok: false, errors } : { ok: true, document };
}
