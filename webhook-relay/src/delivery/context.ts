/** What each kind's path is given by the worker (delivery/worker.ts), and what it tells the loop back. */
import type { RelayConfig } from '../config/types.js';
import type { DataverseClient } from '../dataverse/client.js';
import type { Logger } from '../observability/logger.js';
import type { RelayMetrics } from '../observability/metrics.js';
import type { OpenCxClient } from '../opencx/client.js';
import type { HandoffStore } from '../store/types.js';
import type { DeliveryMetadata } from './plan.js';
import type { TakeRedaction } from './take-redaction.js';
import type { Transitions } from './transitions.js';

export interface DeliveryContext {
  config: RelayConfig;
  /** For reads (the handoff an append follows) and the route record a created case schedules. */
  store: HandoffStore;
  /** Every write to the record being delivered (delivery/transitions.ts). */
  transitions: Transitions;
  dataverse: DataverseClient;
  metadata: DeliveryMetadata;
  /** OpenCX's API, for native events (absent when OPENCX_API_KEY is not set). */
  opencx?: OpenCxClient;
  redaction: TakeRedaction;
  metrics?: RelayMetrics;
  logger?: Logger;
  clock: () => number;
  random: () => number;
}

/** What a delivery tells the loop, which paces the worker by it (delivery/pace.ts). */
export interface Pacing {
  /** A case was delivered. */
  delivered(): void;
  /** Dataverse refused a request for concurrency (0x80072326), with the handoffs now in flight. */
  refusedForConcurrency(): void;
}
