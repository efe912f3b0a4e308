/**
 * Runs the relay: opens the store, listens, then reads the Dataverse metadata delivery needs through the
 * delivery gate (delivery/readiness.ts), which waits out an unavailable, throttling or token-refusing
 * Dataverse without ever holding up intake, runs the delivery worker once the gate opens, and shuts down
 * gracefully (stop intake, finish or release work).
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { startupWarnings } from './config/startup-warnings.js';
import { buildOpsApp } from './ops-app.js';
import { isLoopbackHost } from './config/load.js';
import type { RelayConfig } from './config/types.js';
import { createDataverseClient } from './dataverse/client.js';
import { prepareDelivery } from './delivery/metadata.js';
import { createDeliveryWorker, type DeliveryWorker } from './delivery/worker.js';
import { createDeliveryGate, type DeliveryGate } from './delivery/readiness.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { createEmbeddedStore } from './store/embedded.js';
import { createPostgresStore, isPostgresUrl, parseDatabaseUrl, redactUrl } from './store/postgres.js';
import type { HandoffStore } from './store/types.js';
import { createOpenCxClient } from './opencx/client.js';
import { messages } from './messages.js';
import { StoreOwnedError, takeOwnership, type Ownership } from './store/embedded-owner.js';
import { createRateLimiter } from './opencx/rate-limiter.js';
import { createPayloadVault, type PayloadVault } from './store/payload-vault.js';
import { createRetention } from './privacy/retention.js';
import { reportDataAtRest, secureDataDirLogged } from './privacy/startup.js';

export interface RunningRelay {
  app: FastifyInstance;
  url: string;
  /** The operations listener (OPS_PORT, OPS_HOST): /metrics and the detailed /readyz. */
  ops: FastifyInstance;
  opsUrl: string;
  store: HandoffStore;
  /** Delivery: does nothing (runOnce answers 0) until the gate has read what it needs from Dataverse. */
  worker: DeliveryWorker;
  gate: DeliveryGate;
  stop(): Promise<void>;
}

export class StartupError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** The vault a store of this configuration seals and hashes with (store/payload-vault.ts). */
export function vaultFor(config: Pick<RelayConfig, 'dataAtRest' | 'phoneDefaultCountry'>): PayloadVault {
  return createPayloadVault(config.dataAtRest, { phoneDefaultCountry: config.phoneDefaultCountry });
}

export function openStore(
  config: Pick<RelayConfig, 'databaseUrl' | 'dataDir'>,
  vault: PayloadVault = createPayloadVault(),
): HandoffStore {
  if (config.databaseUrl) {
    const url = config.databaseUrl;
    if (!isPostgresUrl(url)) {
      throw new StartupError([
        `RELAY_DATABASE_URL=${redactUrl(url)} is not a PostgreSQL URL: use postgres://user:password@host:5432/database (optionally ?schema=name), or unset it for the embedded store in RELAY_DATA_DIR.`,
      ]);
    }
    try {
      return createPostgresStore({ ...parseDatabaseUrl(url), vault });
    } catch (error) {
      throw new StartupError([`RELAY_DATABASE_URL: ${(error as Error).message}`]);
    }
  }
  return createEmbeddedStore({ file: path.join(config.dataDir, 'relay.sqlite'), vault });
}

export async function startRelay(
  config: RelayConfig,
  options: { logger?: Logger; store?: HandoffStore } = {},
): Promise<RunningRelay> {
  const logger = options.logger ?? createLogger(config.logLevel);
  // The embedded store has one relay: it holds the data directory's lock while it runs (embedded-owner.ts).
  let ownership: Ownership | undefined;
  if (!config.databaseUrl && !options.store) {
    secureDataDirLogged(config.dataDir, logger);
    try {
      ownership = takeOwnership(config.dataDir);
    } catch (error) {
      if (error instanceof StoreOwnedError) throw new StartupError([error.message]);
      throw error;
    }
  }
  const store = options.store ?? openStore(config, vaultFor(config));
  let atRest: string[];
  try {
    await store.init();
    atRest = await reportDataAtRest(config, store, logger);
  } catch (error) {
    await store.close().catch(() => undefined);
    ownership?.release();
    const where = config.databaseUrl ? redactUrl(config.databaseUrl) : config.dataDir;
    throw new StartupError([`Could not open the handoff store (${where}): ${(error as Error).message}`]);
  }
  if (atRest.length) {
    await store.close().catch(() => undefined);
    ownership?.release();
    throw new StartupError(atRest);
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
  const opencx = config.opencx.apiKey
    ? createOpenCxClient({
        apiUrl: config.opencx.apiUrl,
        apiKey: config.opencx.apiKey,
        limiter: createRateLimiter({ perMinute: config.opencx.ratePerMinute }),
        timeoutMs: config.delivery.requestTimeoutMs,
      })
    : undefined;
  // The worker exists once the gate has the org's metadata; until then delivery is a no-op and the
  // handoffs taken wait in the store.
  let delivering: DeliveryWorker | undefined;
  let stopped = false;
  const worker: DeliveryWorker = {
    start: () => delivering?.start(),
    stop: async () => {
      gate.stop();
      await delivering?.stop();
    },
    runOnce: () => (delivering ? delivering.runOnce() : Promise.resolve(0)),
    wake: () => delivering?.wake(),
    renewLeases: () => (delivering ? delivering.renewLeases() : Promise.resolve(0)),
  };
  const gate = createDeliveryGate({
    prepare: () => prepareDelivery(config, dataverse),
    onReady: (metadata) => {
      if (stopped) return;
      delivering = createDeliveryWorker({ config, store, dataverse, metadata, metrics, logger, opencx });
      delivering.start();
    },
    backoffBaseMs: config.delivery.backoffBaseMs,
    backoffMaxMs: config.delivery.backoffMaxMs,
    logger,
    metrics,
  });
  const app = buildApp({
    config,
    store,
    logger,
    metrics,
    onAccepted: () => worker.wake(),
    deliveryStatus: () => gate.status(),
  });
  const ops = buildOpsApp({
    store,
    metrics,
    deliveryStatus: () => gate.status(),
    token: config.ops.token,
    logger,
  });
  let url: string;
  let opsUrl: string;
  try {
    // The operations listener first: monitoring answers from the moment intake does.
    opsUrl = await ops.listen({ port: config.ops.port, host: config.ops.host }).catch((error: unknown) => {
      throw (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? new StartupError([messages.ops.portInUse(config.ops.port)])
        : error;
    });
    url = await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // A busy port: release the listeners, the store and its lock, so that the process (or a retry in it)
    // is not left holding them.
    await app.close().catch(() => undefined);
    await ops.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    ownership?.release();
    throw error;
  }
  logger.info({ url, store: config.databaseUrl ? 'postgresql' : 'embedded' }, 'relay listening');
  logger.info({ url: opsUrl }, messages.ops.listening);
  if (!isLoopbackHost(config.ops.host) && !config.ops.token) logger.warn(messages.ops.openWithoutToken);
  // Said at every start so that a switched-off protection is never silent.
  if (!config.redaction.rules.length)
    logger.warn('redaction is off (REDACT=none): card numbers and ids read aloud reach Dataverse as spoken');
  for (const warning of startupWarnings(config)) logger.warn(warning);
  // Retention runs beside intake whatever Dataverse does: it only ever removes what has settled.
  const retention = createRetention({ store, settings: config.dataAtRest.retention, logger, metrics });
  retention.start();
  // Listening already: the first read of the org's metadata only decides whether delivery starts now.
  await gate.start();
  let stopping: Promise<void> | undefined;
  return {
    app,
    url,
    ops,
    opsUrl,
    store,
    worker,
    gate,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        await app.close(); // stop intake; in-flight requests finish
        await worker.stop(); // finish the current round, release leases
        await ops.close();
        await retention.stop();
        await store.close();
        ownership?.release();
        logger.info('relay stopped');
      })();
      return stopping;
    },
  };
}
