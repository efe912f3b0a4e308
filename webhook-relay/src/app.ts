/**
 * The relay as a fastify app that never listens (server.ts listens). Routes are tested with `inject`.
 * Intake and the probes a load balancer needs (`/healthz`, a `/readyz` of reason codes); `/metrics` and the
 * detailed readiness are on the operations listener (ops-app.ts).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { RelayConfig } from './config/types.js';
import { createAuthenticator } from './intake/authenticate.js';
import { handoffsRoute } from './intake/handoffs-route.js';
import { opencxEventsRoute } from './intake/opencx-events-route.js';
import { appendRoute } from './intake/append-route.js';
import { problem } from './intake/problem.js';
import { originOf } from './intake/session-url.js';
import { DEFAULT_REDACTION } from './redaction/config.js';
import { messages } from './messages.js';
import type { Logger } from './observability/logger.js';
import { createMetrics, type RelayMetrics } from './observability/metrics.js';
import type { HandoffStore } from './store/types.js';
import { publicDeliveryStatus, type DeliveryStatus } from './delivery/readiness.js';
import { readiness } from './ops-app.js';

export interface AppDeps {
  config: Pick<RelayConfig, 'webhookSecrets' | 'bodyLimit'> &
    Partial<
      Pick<
        RelayConfig,
        'relayBearerTokens' | 'allowBearerWithSignatures' | 'appendAfterHandoff' | 'redaction'
      > & {
        opencx: Pick<RelayConfig['opencx'], 'sessionUrlTemplate'>;
      }
    >;
  store: HandoffStore;
  logger?: Logger;
  metrics?: RelayMetrics;
  clock?: () => number;
  /**
   * Whether delivery is running and, if not, why (delivery/readiness.ts). When given, readiness is the
   * store's alone: intake takes handoffs whatever Dataverse does, so a load balancer must keep routing to it.
   */
  deliveryStatus?: () => DeliveryStatus;
  onAccepted?: () => void;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const clock = deps.clock ?? Date.now;
  const metrics = deps.metrics ?? createMetrics(deps.store);
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; widen it so the app keeps fastify's default instance type.
    loggerInstance: deps.logger as FastifyBaseLogger | undefined,
    bodyLimit: deps.config.bodyLimit,
    // Signed bodies are verified byte for byte, so JSON is parsed by the route, not by fastify.
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    /^application\/(.+\+)?json(;.*)?$/i,
    { parseAs: 'buffer' },
    (_request, body, done) => done(null, body),
  );
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => {
    const error = Object.assign(new Error(messages.intake.unsupportedMediaType), { statusCode: 415 });
    done(error, undefined);
  });

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    // A 4xx fastify raised (its own code and message) is the client's and says what was wrong. Anything
    // else is an exception of ours: its message may name internals, so the answer is a generic one and
    // the detail goes to the log.
    const clientError = Boolean(error.statusCode && error.statusCode >= 400 && error.statusCode < 500);
    const status = clientError ? error.statusCode! : 400;
    if (!clientError) request.log.error({ err: error }, 'request failed');
    const detail =
      status === 413
        ? messages.intake.tooLarge(deps.config.bodyLimit)
        : status === 415
          ? messages.intake.unsupportedMediaType
          : clientError
            ? error.message
            : messages.intake.requestFailed;
    // Every failure is the client's (4xx): no input may produce a 5xx; the store's own failure is a 503 in the route.
    return reply
      .code(status)
      .type('application/problem+json')
      .send(
        problem(
          status,
          clientError ? (error.code ?? 'bad-request') : 'bad-request',
          'Request refused',
          detail,
        ),
      );
  });
  app.addHook('preValidation', async (request, reply) => {
    if (request.method === 'POST' && request.body === undefined) {
      return reply
        .code(415)
        .type('application/problem+json')
        .send(
          problem(
            415,
            'unsupported-media-type',
            'Unsupported media type',
            messages.intake.unsupportedMediaType,
          ),
        );
    }
    return undefined;
  });

  const intake = {
    store: deps.store,
    authenticator: createAuthenticator({
      secrets: deps.config.webhookSecrets,
      bearerTokens: deps.config.relayBearerTokens,
      bearerWithSignatures: deps.config.allowBearerWithSignatures,
    }),
    sessionUrlOrigin: originOf(deps.config.opencx?.sessionUrlTemplate),
    metrics,
    clock,
    onAccepted: deps.onAccepted,
    appendAfterHandoff: deps.config.appendAfterHandoff,
    redaction: deps.config.redaction ?? DEFAULT_REDACTION,
  };
  handoffsRoute(app, intake);
  appendRoute(app, intake);
  opencxEventsRoute(app, intake);

  app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const { status, store, delivery } = await readiness(deps.store, deps.deliveryStatus);
    // Reason codes only: this port faces the internet. The detail is on the operations listener (ops-app.ts).
    return reply
      .code(status)
      .send(
        delivery
          ? { store, dataverse: delivery.state === 'ready', delivery: publicDeliveryStatus(delivery) }
          : { store, dataverse: true },
      );
  });
  return app;
}
