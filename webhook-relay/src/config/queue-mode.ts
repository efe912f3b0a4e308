/**
 * Where a new case goes (the relay's queue mode), decided from DEFAULT_QUEUE_ID and APPLY_ROUTING_RULES. A
 * module of its own, importing nothing, so the configuration, the operator messages and the admin reports
 * share one spelling of it.
 */

/** The org's routing the relay asks to place a case: legacy routing rule sets, or unified routing. */
export type RoutingRules = 'legacy' | 'unified';

/**
 * Where a new case goes: `queue` puts it in DEFAULT_QUEUE_ID (moving it there if the org queued it on
 * create), `routing-rules` has the org's legacy routing rule set place it, `unified-routing` has unified
 * routing place it once the case exists, `unassigned` leaves it with its owner in no queue.
 */
export type QueueMode = 'queue' | 'routing-rules' | 'unified-routing' | 'unassigned';

export function queueModeOf(config: {
  defaultQueueId?: string;
  applyRoutingRules: RoutingRules | false;
}): QueueMode {
  if (config.defaultQueueId) return 'queue';
  if (config.applyRoutingRules === 'legacy') return 'routing-rules';
  return config.applyRoutingRules === 'unified' ? 'unified-routing' : 'unassigned';
}
