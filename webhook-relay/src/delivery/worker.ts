/**
 * The delivery worker: the loop (delivery/loop.ts: claim, leases, the pace after a pause) hands each record
 * it claims to its kind's path, which reads top to bottom (fetch, decide, write, settle):
 *
 * - `handoff`: delivery/handoff-path.ts (the case's write: send-case.ts, plan.ts);
 * - `opencx-event`: its document fetched from OpenCX (opencx-event-path.ts), then the handoff's path; a
 *   `conversation.closed` event is an append (append-path.ts);
 * - `append`: delivery/append-path.ts;
 * - `route`: unified routing for a created case (route-path.ts).
 *
 * Every write to a record goes through delivery/transitions.ts; the decisions are pure modules beside them.
 */
import { randomUUID } from 'node:crypto';
import type { RelayConfig } from '../config/types.js';
import type { DataverseClient } from '../dataverse/client.js';
import type { Logger } from '../observability/logger.js';
import type { RelayMetrics } from '../observability/metrics.js';
import type { OpenCxClient } from '../opencx/client.js';
import type { OpenCxEnvelope } from '../opencx/envelope.js';
import type { HandoffRecord, HandoffStore } from '../store/types.js';
import { deliverAppend, deliverClosedSession } from './append-path.js';
import type { DeliveryContext, Pacing } from './context.js';
import { deliverHandoff } from './handoff-path.js';
import { DeliveryLoop } from './loop.js';
import type { DeliveryMetadata } from './plan.js';
import { deliverRoute } from './route-path.js';
import { takeRedaction } from './take-redaction.js';
import { Transitions } from './transitions.js';

export interface WorkerDeps {
  config: RelayConfig;
  store: HandoffStore;
  dataverse: DataverseClient;
  metadata: DeliveryMetadata;
  metrics?: RelayMetrics;
  logger?: Logger;
  clock?: () => number;
  random?: () => number;
  ownerId?: string;
  pollIntervalMs?: number;
  /** OpenCX's API, for native events (absent when OPENCX_API_KEY is not set). */
  opencx?: OpenCxClient;
}

export interface DeliveryWorker {
  start(): void;
  stop(): Promise<void>;
  /** Claims and delivers one round of due handoffs; resolves with how many were handled. */
  runOnce(): Promise<number>;
  /** Renews the leases of the handoffs being delivered (on a timer while running); how many it still holds. */
  renewLeases(): Promise<number>;
  wake(): void;
}

export function createDeliveryWorker(deps: WorkerDeps): DeliveryWorker {
  const clock = deps.clock ?? Date.now;
  const random = deps.random ?? Math.random;
  const { config, store, metrics, logger } = deps;
  const owner = deps.ownerId ?? `worker-${randomUUID()}`;
  const transitions = new Transitions({ config, store, owner, metrics, logger, random });
  const context: DeliveryContext = {
    config,
    store,
    dataverse: deps.dataverse,
    metadata: deps.metadata,
    opencx: deps.opencx,
    metrics,
    logger,
    transitions,
    redaction: takeRedaction(config.redaction, transitions, clock, metrics),
    clock,
    random,
  };
  const loop = new DeliveryLoop({
    transitions,
    workers: config.delivery.workers,
    leaseMs: config.delivery.leaseMs,
    clock,
    logger,
    pollIntervalMs: deps.pollIntervalMs,
    handle: (record, pacing) => deliverRecord(context, record, pacing),
  });
  return {
    start: () => loop.start(),
    stop: () => loop.stop(),
    runOnce: () => loop.runOnce(),
    renewLeases: () => loop.renewLeases(),
    wake: () => loop.wake(),
  };
}

/** The record's kind decides its path. */
async function deliverRecord(context: DeliveryContext, record: HandoffRecord, pacing: Pacing): Promise<void> {
  switch (record.kind) {
    case 'append':
      return deliverAppend(context, record);
    case 'route':
      return deliverRoute(context, record);
    case 'opencx-event': {
      const { envelope } = JSON.parse(record.payload) as { envelope: OpenCxEnvelope };
      if (envelope.event === 'conversation.closed') return deliverClosedSession(context, record);
      return deliverHandoff(context, record, pacing);
    }
    case 'handoff':
      return deliverHandoff(context, record, pacing);
  }
}
