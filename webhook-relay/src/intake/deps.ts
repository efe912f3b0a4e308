import type { RelayMetrics } from '../observability/metrics.js';
import type { RedactionOptions } from '../redaction/redact.js';
import type { HandoffStore } from '../store/types.js';
import type { Authenticator } from './authenticate.js';

export interface IntakeDeps {
  store: HandoffStore;
  authenticator: Authenticator;
  metrics: RelayMetrics;
  clock: () => number;
  /** Wakes the delivery worker so a new handoff is not left waiting for the next poll. */
  onAccepted?: () => void;
  /** REDACT: what intake removes before anything is stored (redaction/payloads.ts). */
  redaction: RedactionOptions;
  /** APPEND_AFTER_HANDOFF: accept turns after the handoff (route and session-closed events). */
  appendAfterHandoff?: boolean;
  /** The origin of OPENCX_SESSION_URL_TEMPLATE: a session_url elsewhere is dropped (session-url.ts). */
  sessionUrlOrigin?: string;
}
