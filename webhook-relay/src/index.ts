export { buildApp, type AppDeps } from './app.js';
export { startRelay, openStore, StartupError, type RunningRelay } from './server.js';
export { loadConfig } from './config/load.js';
export type { RelayConfig } from './config/types.js';
export { createEmbeddedStore } from './store/embedded.js';
export type { HandoffStore, HandoffRecord, HandoffStatus } from './store/types.js';
export { createDeliveryWorker } from './delivery/worker.js';
export { handoffKey } from './handoff/key.js';
export { createLogger } from './observability/logger.js';
