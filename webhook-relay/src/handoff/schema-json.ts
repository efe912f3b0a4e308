import { HandoffDocumentSchema } from './document.js';

/** The published JSON Schema text of the handoff document v1. */
export function handoffSchemaJson(): string {
  return `${JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...HandoffDocumentSchema }, null, 2)}\n`;
}
