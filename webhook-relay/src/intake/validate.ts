/** Validation of the handoff document against its JSON Schema, listing every bad field. */
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { HandoffDocumentSchema, type HandoffDocument } from '../handoff/document.js';
import type { ProblemField } from './problem.js';

// ajv and ajv-formats are CommonJS with a default export; under NodeNext the class sits on `.default`.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: false });
addFormats(ajv, ['date-time']);
const check = ajv.compile<HandoffDocument>(HandoffDocumentSchema);

/** ISO 8601 with an explicit offset: `date-time` alone would also need one, but say so plainly. */
const HAS_OFFSET = /(?:Z|[+-]\d{2}:\d{2})$/i;

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
  if (!HAS_OFFSET.test(document.handoff_at))
    errors.push({ pointer: '/handoff_at', detail: 'must carry a UTC offset' });
  document.messages.forEach((message, index) => {
    if (!HAS_OFFSET.test(message.at))
      errors.push({ pointer: `/messages/${index}/at`, detail: 'must carry a UTC offset' });
  });
  return errors.length ? { ok: false, errors } : { ok: true, document };
}
