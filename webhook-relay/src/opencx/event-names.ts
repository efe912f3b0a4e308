/**
 * OpenCX's webhook event names, as its "Webhook types" page lists them (docs.open.cx, API reference >
 * Webhooks > Types), plus the phone events of its earlier page (`phone.incoming_call_started`, …) that
 * OpenCX still sends in our fixtures. A metric label takes one of these or `other`: a signed caller
 * can send any event name, and a label per name would grow the series without bound.
 */
export const KNOWN_EVENTS: ReadonlySet<string> = new Set([
  'conversation.started',
  'conversation.closed',
  'conversation.handoff_to_human',
  'conversation.contact_response',
  'conversation.ai_response',
  'conversation.agent_response',
  'conversation.third_party_agent_response',
  'conversation.handoff_to_third_party_failed',
  'workflow.run.succeeded',
  'workflow.run.failed',
  'csat.requested',
  'csat.score_submitted',
  'phone_call.started',
  // Assumption: the page names phone_call.started and says a call's end has its own event; this is its name.
  'phone_call.ended',
  'phone.incoming_call_started',
  'phone.incoming_call_ended',
  'phone.outgoing_call_started',
  'phone.outgoing_call_ended',
]);

/** The `event` label for a metric: the name when OpenCX documents it, else `other`. */
export function eventLabel(event: string): string {
  return KNOWN_EVENTS.has(event) ? event : 'other';
}
