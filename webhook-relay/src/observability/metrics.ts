import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RedactionCounts } from '../redaction/rules.js';
import type { HandoffStore } from '../store/types.js';

/** The relay's Prometheus metrics; the delivery worker and intake record through this object. */
export interface RelayMetrics {
  registry: Registry;
  received: Counter<'route' | 'outcome'>;
  outcomes: Counter<'status'>;
  deliveryLatency: Histogram;
  dataverseRequests: Counter<'status'>;
  throttlePauses: Counter;
  tokenPauses: Counter;
  /** By reason: `scheme` (not https:) or `origin` (not OPENCX_SESSION_URL_TEMPLATE's). */
  droppedSessionUrls: Counter<'reason'>;
  /** By event name when OpenCX documents it, else `other` (opencx/event-names.ts): a bounded label. */
  ignoredEvents: Counter<'event'>;
  /** Card numbers, national ids and digit runs removed from handoff text (redaction/). */
  redactions: Counter<'kind'>;
  /** 1 for the reason delivery is waiting (delivery/readiness.ts), 0 for the others; all 0 when delivering. */
  deliveryWaiting: Gauge<'reason'>;
  /** What the retention purge removed (privacy/retention.ts), by what: payload, dead_letter, record, webhook_id. */
  purged: Counter<'what'>;
  /** Dead letters whose payload DEAD_LETTER_RETENTION removes within the warning window. */
  deadLettersExpiring: Gauge;
}

export function createMetrics(store?: HandoffStore): RelayMetrics {
  const registry = new Registry();
  const metrics: RelayMetrics = {
    registry,
    received: new Counter({
      name: 'opencx_relay_handoffs_received_total',
      help: 'Intake requests by route and outcome (accepted, duplicate, invalid, unauthenticated, unavailable)',
      labelNames: ['route', 'outcome'],
      registers: [registry],
    }),
    outcomes: new Counter({
      name: 'opencx_relay_handoffs_total',
      help: 'Handoffs that reached a final state, by status (created, duplicate, failed, skipped)',
      labelNames: ['status'],
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'opencx_relay_delivery_latency_seconds',
      help: 'From receipt to the incident existing in Dataverse',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers: [registry],
    }),
    dataverseRequests: new Counter({
      name: 'opencx_relay_dataverse_requests_total',
      help: 'Dataverse Web API requests by HTTP status (0 = no answer)',
      labelNames: ['status'],
      registers: [registry],
    }),
    throttlePauses: new Counter({
      name: 'opencx_relay_throttle_pauses_total',
      help: 'Times the relay paused every worker after a 429 from Dataverse',
      registers: [registry],
    }),
    tokenPauses: new Counter({
      name: 'opencx_relay_token_pauses_total',
      help: 'Times the relay paused every worker because Dataverse refused its token (401) or Entra ID issued none',
      registers: [registry],
    }),
    droppedSessionUrls: new Counter({
      name: 'opencx_relay_session_urls_dropped_total',
      help: 'session_url values dropped, by reason: scheme (not https:), origin (not the origin of OPENCX_SESSION_URL_TEMPLATE)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    ignoredEvents: new Counter({
      name: 'opencx_relay_events_ignored_total',
      help: 'OpenCX events received and ignored, by event type (documented OpenCX names; any other is "other")',
      labelNames: ['event'],
      registers: [registry],
    }),
    redactions: new Counter({
      name: 'opencx_relay_redactions_total',
      help: 'Items the relay removed from handoff text (REDACT), by kind (card_number, national_id, digit_run)',
      labelNames: ['kind'],
      registers: [registry],
    }),
    purged: new Counter({
      name: 'opencx_relay_purged_total',
      help: 'What the retention purge removed: payload (settled handoffs, PAYLOAD_RETENTION), dead_letter (DEAD_LETTER_RETENTION), record and webhook_id (HANDOFF_RECORD_RETENTION)',
      labelNames: ['what'],
      registers: [registry],
    }),
    deadLettersExpiring: new Gauge({
      name: 'opencx_relay_dead_letters_expiring',
      help: 'Dead letters whose payload DEAD_LETTER_RETENTION removes within the warning window (a tenth of it, at most 3 days): retry or export them before',
      registers: [registry],
    }),
    deliveryWaiting: new Gauge({
      name: 'opencx_relay_delivery_waiting',
      help: 'Why delivery is waiting while intake goes on (1 = this reason): dataverse_unavailable, throttled, token_refused, refused, relay_error, config_invalid',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
  if (store) {
    new Gauge({
      name: 'opencx_relay_queue_depth',
      help: 'Handoffs by status in the store (received, fetching and delivering are the backlog)',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        try {
          const counts = await store.countByStatus();
          for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
        } catch {
          // the store being down is reported by /readyz, not by failing the scrape
        }
      },
    });
  }
  return metrics;
}

/** Adds what a redaction removed to `opencx_relay_redactions_total{kind}` (card_number, national_id, digit_run). */
export function countRedactions(metrics: RelayMetrics | undefined, counts: RedactionCounts): void {
  for (const [kind, n] of Object.entries(counts))
    if (n) metrics?.redactions.inc({ kind: kind.replace(' ', '_') }, n);
}
