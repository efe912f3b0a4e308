/**
 * The language of a stored handoff, whatever its kind: redaction reads a language's spoken digits only
 * when the call is in it, and the turns appended after a handoff are in the handoff's language.
 */
import type { HandoffDocument } from './document.js';
import type { OpenCxEventPayload } from '../opencx/envelope.js';
import type { HandoffRecord } from '../store/types.js';

export function languageOfHandoff(record: Pick<HandoffRecord, 'kind' | 'payload'>): string | undefined {
  try {
    switch (record.kind) {
      case 'handoff':
        return (JSON.parse(record.payload) as HandoffDocument).language ?? undefined;
      case 'opencx-event': {
        const payload = JSON.parse(record.payload) as OpenCxEventPayload;
        return payload.document?.language ?? payload.envelope.data.language ?? undefined;
      }
      default:
        return undefined;
    }
  } catch {
    // A payload that does not parse has no language to offer; its own delivery reports the problem.
    return undefined;
  }
}
