/**
 * Configuration for `verify` and `setup`. They reuse the relay's loader (config/load.ts) but must get as far
 * as they can when the configuration is incomplete: `setup` runs before UNIDENTIFIED_CUSTOMER_ID exists, and
 * `verify` should still test the Dataverse side when, say, no webhook secret is set yet. So each problem is
 * attributed to its variable, the variable is replaced by a neutral stand-in, and the loader runs again;
 * checks that need a replaced variable report its problem instead of probing Dataverse with the stand-in.
 */
import { loadConfig, type Env } from '../config/load.js';
import type { RelayConfig } from '../config/types.js';
import { createDataverseClient, type DataverseClient } from '../dataverse/client.js';
import type { CredentialOptions } from '../dataverse/credential.js';

const NIL_GUID = '00000000-0000-0000-0000-000000000000';
const GUID_VARIABLES = new Set([
  'DEFAULT_QUEUE_ID',
  'DEFAULT_OWNER_ID',
  'DEFAULT_OWNER_TEAM_ID',
  'UNIDENTIFIED_CUSTOMER_ID',
]);

/** Variables whose problems `verify` reports in its own Dataverse checks. */
export const DATAVERSE_VARIABLES = {
  url: ['DATAVERSE_URL'],
  token: [
    'DATAVERSE_AUTH',
    'AZURE_TENANT_ID',
    'AZURE_CLIENT_ID',
    'AZURE_CLIENT_SECRET',
    'AZURE_CLIENT_CERTIFICATE_PATH',
    'AZURE_CLIENT_CERTIFICATE_THUMBPRINT',
    'AZURE_FEDERATED_TOKEN_FILE',
    'AZURE_AUTHORITY_HOST',
  ],
  queue: ['DEFAULT_QUEUE_ID'],
  owner: ['DEFAULT_OWNER_ID', 'DEFAULT_OWNER_TEAM_ID'],
  options: ['DEFAULT_PRIORITY', 'TICKET_PROPERTIES'],
  placeholder: ['UNIDENTIFIED_CUSTOMER_ID'],
} as const;

export interface AdminConfig {
  /** Undefined when even the stand-ins could not make a usable configuration (URL or credentials wrong). */
  config?: RelayConfig;
  /** Every problem the loader reported, by the variable it names ('' for problems naming none). */
  problems: Map<string, string[]>;
  /** Variables replaced by a stand-in: their values in `config` are not the operator's. */
  replaced: Set<string>;
}

/** The variable a loader message is about: messages start with `NAME is not set` or `NAME=value is not valid`. */
export function variableOf(problem: string): string {
  return /^([A-Z][A-Z0-9_]*)(?:=| is not set)/.exec(problem)?.[1] ?? '';
}

export function loadForAdmin(env: Env): AdminConfig {
  const first = loadConfig(env);
  const problems = new Map<string, string[]>();
  if (first.ok) return { config: first.config, problems, replaced: new Set() };
  for (const problem of first.errors) {
    const name = variableOf(problem);
    problems.set(name, [...(problems.get(name) ?? []), problem]);
  }
  const replaced = new Set<string>();
  const neutral: Env = { ...env };
  let errors = first.errors;
  // A stand-in can surface a new problem (an invalid team id removed makes DEFAULT_OWNER_ID required), hence a few rounds.
  for (let round = 0; round < 4 && errors.length > 0; round += 1) {
    for (const problem of errors) {
      const name = variableOf(problem);
      if (name === '') {
        // Only "no webhook authentication" names no variable: a placeholder token satisfies the loader.
        neutral.RELAY_BEARER_TOKEN = 'verify-stand-in-bearer-token';
        continue;
      }
      replaced.add(name);
      if (GUID_VARIABLES.has(name)) neutral[name] = NIL_GUID;
      else delete neutral[name];
    }
    const next = loadConfig(neutral);
    if (next.ok) return { config: next.config, problems, replaced };
    errors = next.errors;
  }
  return { problems, replaced };
}

export function problemsOf(admin: AdminConfig, names: readonly string[]): string[] {
  return names.flatMap((name) => admin.problems.get(name) ?? []);
}

/** Problems that name none of the Dataverse variables: the rest of the relay's settings. */
export function otherProblems(admin: AdminConfig): string[] {
  const dataverse = new Set<string>(Object.values(DATAVERSE_VARIABLES).flat());
  return [...admin.problems.entries()].filter(([name]) => !dataverse.has(name)).flatMap(([, list]) => list);
}

/** The Dataverse client `verify` and `setup` use: the relay's own, unless a test supplies one. */
export function adminClient(
  config: RelayConfig,
  supplied?: (config: RelayConfig) => DataverseClient,
  credential?: CredentialOptions,
): DataverseClient {
  return (
    supplied?.(config) ??
    createDataverseClient({
      url: config.dataverseUrl,
      auth: config.auth,
      timeoutMs: config.delivery.requestTimeoutMs,
      ...(credential ? { credential } : {}),
    })
  );
}
