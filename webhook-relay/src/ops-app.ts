/**
 * The operations listener (OPS_PORT, OPS_HOST; server.ts listens): `/metrics` (queue depth, delivery
 * state, Dataverse answers) and `/readyz` in detail (Dataverse's and Entra ID's own error text, the
 * configuration problems, the store's error), apart from intake. OpenCX must reach intake from the
 * internet; publishing intake then publishes nothing else. Loopback by default; OPS_TOKEN adds a bearer
 * token for a scraper on another host. `/healthz` answers on both listeners, without a token.
 *
 * Also the readiness both listeners answer from (`readiness`), so that the public `/readyz` (app.ts) and
 * this one always agree on the status code.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DeliveryStatus } from './delivery/readiness.js';
import type { Logger } from './observability/logger.js';
import type { RelayMetrics } from './observability/metrics.js';
import type { HandoffStore } from './store/types.js';

export interface Readiness {
  /** 200 when the store answers (intake can take handoffs, whatever Dataverse does), else 503. */
  status: 200 | 503;
  store: boolean;
  /** Why the store did not answer: for the operations listener and the logs only. */
  storeError?: string;
  /** Absent for an app without a delivery gate (tests, embedding): nothing of Dataverse's to report. */
  delivery?: DeliveryStatus;
}

export async function readiness(
  store: HandoffStore,
  deliveryStatus?: () => DeliveryStatus,
): Promise<Readiness> {
  let storeError: string | undefined;
  try {
    await store.ping();
  } catch (error) {
    storeError = error instanceof Error ? error.message : String(error);
  }
  return {
    status: storeError === undefined ? 200 : 503,
    store: storeError === undefined,
    ...(storeError !== undefined ? { storeError } : {}),
    ...(deliveryStatus ? { delivery: deliveryStatus() } : {}),
  };
}

export interface OpsAppDeps {
  store: HandoffStore;
  metrics: RelayMetrics;
  deliveryStatus?: () => DeliveryStatus;
  /** OPS_TOKEN: when set, `/metrics` and `/readyz` need `Authorization: Bearer <token>`. */
  token?: string;
  logger?: Logger;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

export function buildOpsApp(deps: OpsAppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger | undefined,
    // A scraper and a probe every few seconds would fill the log; failures are still logged.
    logController: new LogController({ disableRequestLogging: true }),
  });
  const token = deps.token === undefined ? undefined : digest(deps.token);
  // Compared as digests in constant time, so neither the length nor a prefix of the token leaks.
  const authorized = (header: string | undefined) =>
    token === undefined ||
    (header?.startsWith('Bearer ') === true && timingSafeEqual(digest(header.slice(7)), token));

  app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === '/healthz' || authorized(request.headers.authorization)) return;
    return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: 'OPS_TOKEN required' });
  });
  app.get('/readyz', async (_request, reply) => {
    const { status, ...body } = await readiness(deps.store, deps.deliveryStatus);
    return reply.code(status).send({
      ...body,
      ...(body.delivery ? { dataverse: body.delivery.state === 'ready' } : { dataverse: true }),
    });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  return app;
}
