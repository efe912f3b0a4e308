import type { HandoffMessage } from '../handoff/document.js';

/**
 * Payload of an `append` record: the case (its handoff key) and the turns said after the handoff, as
 * intake stored them (redacted: redaction/payloads.ts).
 */
export interface AppendPayload {
  handoffKey: string;
  messages: HandoffMessage[];
}
