/**
 * The relay's validated configuration (spec §3.6). `loadConfig` (config/load.ts) builds it from the
 * environment and an optional `.env`, naming the variable and the fix for every problem.
 */
import type { RedactionSettings } from '../redaction/config.js';
import type { RoutingRules } from './queue-mode.js';
import type { DataAtRestSettings } from './data-at-rest.js';

export interface DataverseAuthClientSecret {
  kind: 'client-secret';
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** AZURE_AUTHORITY_HOST, e.g. `https://login.microsoftonline.us`; absent → the public cloud. */
  authorityHost?: string;
}

export interface DataverseAuthCertificate {
  kind: 'certificate';
  tenantId: string;
  clientId: string;
  /** PEM private key and its SHA-1 (or SHA-256) thumbprint, as msal-node expects. */
  privateKey: string;
  thumbprint: string;
  authorityHost?: string;
}

/**
 * DATAVERSE_AUTH=managed-identity: the Azure host's managed identity (App Service, Container Apps, VM…).
 * System-assigned when `clientId` is absent, else the user-assigned identity with that client ID.
 */
export interface DataverseAuthManagedIdentity {
  kind: 'managed-identity';
  clientId?: string;
}

/**
 * DATAVERSE_AUTH=workload-identity: the platform writes a short-lived token to `tokenFile`
 * (AZURE_FEDERATED_TOKEN_FILE, rotated by the platform) and Entra ID exchanges it, through a federated
 * credential on the app registration or user-assigned identity `clientId`, for a Dataverse token.
 */
export interface DataverseAuthWorkloadIdentity {
  kind: 'workload-identity';
  tenantId: string;
  clientId: string;
  tokenFile: string;
  authorityHost?: string;
}

/** Sandbox only: no token is sent; refused unless the Dataverse URL is a loopback address. */
export interface DataverseAuthNone {
  kind: 'none';
}

export type DataverseAuth =
  | DataverseAuthClientSecret
  | DataverseAuthCertificate
  | DataverseAuthManagedIdentity
  | DataverseAuthWorkloadIdentity
  | DataverseAuthNone;

/**
 * CONTACT_MATCH rules. `stated-email` / `stated-phone` also let a detail the caller only stated (marked
 * `stated` in the handoff) find the contact; without them such a detail links nothing (issue 21).
 */
export type ContactMatchRule = 'email' | 'phone' | 'stated-email' | 'stated-phone';

export interface RelayConfig {
  /** Environment URL without path or trailing slash, e.g. `https://contoso.crm.dynamics.com`. */
  dataverseUrl: string;
  auth: DataverseAuth;
  /** Absent: no queue item is written (queue mode `routing-rules`, `unified-routing` or `unassigned`, see queueModeOf). */
  defaultQueueId?: string;
  /**
   * APPLY_ROUTING_RULES: without DEFAULT_QUEUE_ID, the org's routing places each new case: `legacy` its active
   * routing rule set (ApplyRoutingRule), `unified` unified routing's record workstreams
   * (msdyn_ApplyRoutingRuleEntityRecord); false: the relay asks for no routing.
   */
  applyRoutingRules: RoutingRules | false;
  /** Owner bind target. */
  defaultOwner: { kind: 'systemuser' | 'team'; id: string };
  /** Validated against metadata at start. */
  defaultPriority: number;
  /** Extra incident columns (TICKET_PROPERTIES), validated against metadata at start. */
  ticketProperties: Record<string, string | number | boolean>;
  unidentifiedCustomerId: string;
  contactMatch: ContactMatchRule[];
  /** ISO 3166-1 alpha-2, e.g. `US`; used to read national phone numbers. */
  phoneDefaultCountry: string;
  /** OpenCX channel.type → caseorigincode. */
  caseOriginByChannel: Record<string, number>;
  /** Channels turned into incidents (INCIDENT_CHANNELS). */
  incidentChannels: string[];

  /** Standard Webhooks secrets (`whsec_…`), several at once for rotation; each holds at least 24 bytes. */
  webhookSecrets: string[];
  /**
   * Static bearer tokens (RELAY_BEARER_TOKENS, comma-separated, and RELAY_BEARER_TOKEN), several at once for
   * rotation; each at least 24 bytes. With webhookSecrets set they are refused unless allowBearerWithSignatures.
   */
  relayBearerTokens: string[];
  /**
   * RELAY_ALLOW_BEARER_WITH_SIGNATURES (default false): with WEBHOOK_SECRETS set, also accept a bearer token,
   * which has no timestamp or replay check. Meant for a migration from a token to signatures.
   */
  allowBearerWithSignatures: boolean;

  opencx: {
    apiUrl: string;
    apiKey?: string;
    sessionUrlTemplate?: string;
    /** Requests per minute this instance may send to OpenCX's API (OPENCX_RATE_LIMIT_PER_MINUTE). */
    ratePerMinute: number;
  };

  /** Absent → embedded store in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  port: number;
  host: string;
  /**
   * The operations listener (OPS_PORT, OPS_HOST, OPS_TOKEN): `/metrics` and the detailed `/readyz` on a port
   * of their own, loopback by default, so that publishing intake publishes nothing else (server.ts).
   */
  ops: { port: number; host: string; token?: string };
  /** Body size limit in bytes (default 5 MB). */
  bodyLimit: number;

  delivery: {
    workers: number;
    maxAttempts: number;
    /** Base and cap of the exponential backoff (ms). */
    backoffBaseMs: number;
    backoffMaxMs: number;
    requestTimeoutMs: number;
    leaseMs: number;
  };

  logLevel: string;
  /** PII removed before anything reaches Dataverse (REDACT, REDACT_NATIONAL_ID_PATTERNS; on by default). */
  redaction: RedactionSettings;
  /** Encryption at rest and retention (PAYLOAD_ENCRYPTION_KEYS, PAYLOAD_RETENTION, …; config/data-at-rest.ts). */
  dataAtRest: DataAtRestSettings;
  /** Add what is said after the handoff to the same case (APPEND_AFTER_HANDOFF, opt-in). */
  appendAfterHandoff: boolean;
  /** Local demo only: allows starting without webhook authentication when bound to loopback. */
  allowUnauthenticatedLoopback: boolean;
}

export { queueModeOf, type QueueMode, type RoutingRules } from './queue-mode.js';
