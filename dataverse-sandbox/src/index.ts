export { startSandbox, API_PATH } from './server.js';
export type { Sandbox, SandboxOptions, SandboxAuth, RequestLogEntry } from './server.js';
export type { SandboxFaults, SandboxLimits } from './faults.js';
export { mulberry32 } from './faults.js';
export type { MetadataOverrides } from './metadata.js';
export type { SandboxOrg } from './org.js';
export { SEED_IDS, defaultSeed } from './seed.js';
export type { SeedData } from './seed.js';
export { runSandboxCli } from './cli-run.js';
