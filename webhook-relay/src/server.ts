/**
 * Runs the relay: opens the store, reads Dataverse metadata (refusing to start on invalid settings),
 * listens, runs the delivery worker, and shuts down gracefully (stop intake, finish or release work).
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { RelayConfig } from './config/types.js';
import { createDataverseClient } from './dataverse/client.js';
import { prepareDelivery } from './delivery/metadata.js';
import { createDeliveryWorker, type DeliveryWorker } from './delivery/worker.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createEmbeddedStore } from './store/embedded.js';
import { createPostgresStore, isPostgresUrl, parseDatabaseUrl, redactUrl } from './store/postgres.js';
import type { HandoffStore } from './store/types.js';
import { createOpenCxClient } from './opencx/client.js';
import { messages } from './messages.js';
import { StoreOwnedError, takeOwnership, type Ownership } from './store/embedded-owner.js';
import { createRateLimiter } from './opencx/rate-limiter.js';

export interface RunningRelay {
  app: FastifyInstance;
  url: string;
  store: HandoffStore;
  worker: DeliveryWorker;
  stop(): Promise<void>;
}

export class StartupError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export function openStore(config: Pick<RelayConfig, 'databaseUrl' | 'dataDir'>): HandoffStore {
  if (config.databaseUrl) {
    const url = config.databaseUrl;
    if (!isPostgresUrl(url)) {
      throw new StartupError([
        `RELAY_DATABASE_URL=${redactUrl(url)} is not a PostgreSQL URL: use postgres://user:password@host:5432/database (optionally ?schema=name), or unset it for the embedded store in RELAY_DATA_DIR.`,
      ]);
    }
    try {
      return createPostgresStore(parseDatabaseUrl(url));
    } catch (error) {
      throw new StartupError([`RELAY_DATABASE_URL: ${(error as Error).message}`]);
    }
  }
  return createEmbeddedStore({ file: path.join(config.dataDir, 'relay.sqlite') });
}

export async function startRelay(
  config: RelayConfig,
  options: { logger?: Logger; store?: HandoffStore } = {},
): Promise<RunningRelay> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // The embedded store has one relay: it holds the data directory's lock while it runs (embedded-owner.ts).
  let ownership: Ownership | undefined;
  if (!config.databaseUrl && !options.store) {
    try {
      ownership = takeOwnership(config.dataDir);
    } catch (error) {
      if (error instanceof StoreOwnedError) throw new StartupError([error.message]);
      throw error;
    }
  }
  const store = options.store ?? openStore(config);
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    ownership?.release();
    const where = config.databaseUrl ? redactUrl(config.databaseUrl) : config.dataDir;
    throw new StartupError([`Could not open the handoff store (${where}): ${(error as Error).message}`]);
  }
  // Its only other user was a relay that died: its claims are orphans, delivered now rather than in a lease.
  if (ownership) {
    const taken = await store.releaseEveryLease(Date.now());
    if (taken) logger.info({ handoffs: taken }, messages.store.tookOver);
  }
  const metrics = createMetrics(store);
  const dataverse = createDataverseClient({
    url: config.dataverseUrl,
    auth: config.auth,
    timeoutMs: config.delivery.requestTimeoutMs,
    onResponse: (status) => metrics.dataverseRequests.inc({ status: String(status) }),
  });
  let prepared: Awaited<ReturnType<typeof prepareDelivery>>;
  try {
    prepared = await prepareDelivery(config, dataverse);
  } catch (error) {
    await store.close();
    ownership?.release();
    throw new StartupError([
      `Could not read the incident metadata from ${config.dataverseUrl}: ${(error as Error).message}`,
    ]);
  }
  if (!prepared.ok) {
    await store.close();
    ownership?.release();
    throw new StartupError(prepared.errors);
  }
  const opencx = config.opencx.apiKey
    ? createOpenCxClient({
        apiUrl: config.opencx.apiUrl,
        apiKey: config.opencx.apiKey,
        limiter: createRateLimiter({ perMinute: config.opencx.ratePerMinute }),
        timeoutMs: config.delivery.requestTimeoutMs,
      })
    : undefined;
  const worker = createDeliveryWorker({
    config,
    store,
    dataverse,
    metadata: prepared.metadata,
    metrics,
    logger,
    opencx,
  });
  let dataverseOk = true;
  const app = buildApp({
    config,
    store,
    logger,
    metrics,
    onAccepted: () => worker.wake(),
    dataverseReady: async () => {
      try {
        await dataverse.get('WhoAmI');
        dataverseOk = true;
      } catch {
        dataverseOk = false;
      }
      return dataverseOk;
    },
  });
  const url = await app.listen({ port: config.port, host: config.host });
  worker.start();
  logger.info({ url, store: config.databaseUrl ? 'postgresql' : 'embedded' }, 'relay listening');
  // Said at every start so that a switched-off protection is never silent.
  if (!config.redaction.rules.length)
    logger.warn('redaction is off (REDACT=none): card numbers and ids read aloud reach Dataverse as spoken');
  let stopping: Promise<void> | undefined;
  return {
    app,
    url,
    store,
    worker,
    stop() {
      stopping ??= (async () => {
        await app.close(); // stop intake; in-flight requests finish
        await worker.stop(); // finish the current round, release leases
        await store.close();
        ownership?.release();
        logger.info('relay stopped');
      })();
      return stopping;
    },
  };
}
