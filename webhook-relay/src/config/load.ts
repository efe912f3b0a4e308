import { isIP } from 'node:net';
import path from 'node:path';
import { messages } from '../messages.js';
import { readRedactionSettings } from '../redaction/config.js';
import { readDataAtRestSettings } from './data-at-rest.js';
import type { ContactMatchRule, DataverseAuth, RelayConfig, RoutingRules } from './types.js';
import { withoutTrailingSlashes } from './url.js';

export type Env = Record<string, string | undefined>;
export type ConfigResult = { ok: true; config: RelayConfig } | { ok: false; errors: string[] };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const m = messages.config;

/**
 * The least a webhook secret's key or a bearer token may hold, in bytes. The Standard Webhooks
 * specification (spec/standard-webhooks.md, "Signature scheme": symmetric signing secret "Random. At least
 * 24 bytes (192 bits…)"); the same floor serves bearer tokens.
 */
export const MIN_SECRET_BYTES = 24;

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** An https: URL, or an http: one on a loopback host (a local stand-in): the only URLs a secret may go to. */
export function isHttpsOrLoopback(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}

const CONTACT_MATCH_RULES: ReadonlySet<string> = new Set<ContactMatchRule>([
  'email',
  'phone',
  'stated-email',
  'stated-phone',
]);
const DEFAULT_ORIGINS: Record<string, number> = { phone_voice: 1, web_voice: 1, phone: 1, email: 2, web: 3 };

/**
 * Reads and validates the relay's configuration from the environment. Every problem is reported at once,
 * each naming the variable and the fix.
 */
export function loadConfig(env: Env, options: { cwd?: string } = {}): ConfigResult {
  const errors: string[] = [];
  const text = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const required = (name: string, fix: string) => {
    const value = text(name);
    if (!value) errors.push(m.missing(name, fix));
    return value ?? '';
  };
  const guid = (name: string) => {
    const value = required(name, m.guid);
    if (value && !GUID.test(value)) errors.push(m.invalid(name, value, m.guid));
    return value.toLowerCase();
  };
  const integer = (name: string, fallback: number, min: number, max: number, fix: string) => {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      errors.push(m.invalid(name, value, fix));
      return fallback;
    }
    return parsed;
  };
  /** A comma-separated list, blanks dropped. */
  const list = (name: string) =>
    (text(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  /** true or false (default false); anything else is an error. */
  const flag = (name: string) => {
    const value = text(name);
    if (value !== undefined && value !== 'true' && value !== 'false')
      errors.push(m.invalid(name, value, m.trueOrFalse));
    return value === 'true';
  };
  const jsonObject = (name: string, fallback: Record<string, unknown>) => {
    const value = text(name);
    if (value === undefined) return fallback;
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return parsed as Record<string, unknown>;
      }
    } catch {
      // reported below
    }
    errors.push(m.invalid(name, value, m.json));
    return fallback;
  };

  const dataverseUrl = required('DATAVERSE_URL', m.dataverseUrl);
  let loopback = false;
  if (dataverseUrl) {
    try {
      const url = new URL(dataverseUrl);
      loopback = isLoopbackHost(url.hostname);
      const okScheme = url.protocol === 'https:' || (url.protocol === 'http:' && loopback);
      if (!okScheme || url.pathname !== '/' || dataverseUrl.endsWith('/') || url.search || url.hash) {
        errors.push(m.invalid('DATAVERSE_URL', dataverseUrl, m.dataverseUrl));
      }
    } catch {
      errors.push(m.invalid('DATAVERSE_URL', dataverseUrl, m.dataverseUrl));
    }
  }

  let auth: DataverseAuth = { kind: 'none' };
  const authMode = text('DATAVERSE_AUTH');
  // AZURE_AUTHORITY_HOST is what AKS's workload identity webhook injects (and what the Azure SDKs read):
  // another cloud's sign-in host, e.g. https://login.microsoftonline.us. https only, as msal-node requires.
  const authorityHostText = text('AZURE_AUTHORITY_HOST');
  let authorityHost: string | undefined;
  if (authorityHostText) {
    try {
      const url = new URL(authorityHostText);
      if (url.protocol !== 'https:' || url.search || url.hash || withoutTrailingSlashes(url.pathname))
        throw new Error('not a host');
      authorityHost = url.origin;
    } catch {
      errors.push(m.invalid('AZURE_AUTHORITY_HOST', authorityHostText, m.authorityHost));
    }
  }
  if (authMode === 'none') {
    if (dataverseUrl && !loopback) errors.push(m.invalid('DATAVERSE_AUTH', 'none', m.authNoneNotLoopback));
  } else if (authMode === 'managed-identity') {
    // Optional: a user-assigned identity's client ID; without it, the system-assigned identity.
    const clientId = text('AZURE_CLIENT_ID');
    if (clientId && !GUID.test(clientId))
      errors.push(m.invalid('AZURE_CLIENT_ID', clientId, m.managedIdentityClientId));
    auth = { kind: 'managed-identity', ...(clientId ? { clientId: clientId.toLowerCase() } : {}) };
  } else if (authMode === 'workload-identity') {
    const tenantId = required('AZURE_TENANT_ID', m.workloadIdentity);
    const clientId = required('AZURE_CLIENT_ID', m.workloadIdentity);
    const tokenFile = required('AZURE_FEDERATED_TOKEN_FILE', m.workloadIdentity);
    auth = {
      kind: 'workload-identity',
      tenantId,
      clientId,
      tokenFile: tokenFile && path.resolve(options.cwd ?? process.cwd(), tokenFile),
      ...(authorityHost ? { authorityHost } : {}),
    };
  } else if (authMode !== undefined && authMode !== 'client-secret' && authMode !== 'certificate') {
    errors.push(m.invalid('DATAVERSE_AUTH', authMode, m.authMode));
  } else {
    const tenantId = required('AZURE_TENANT_ID', m.azureCredentials);
    const clientId = required('AZURE_CLIENT_ID', m.azureCredentials);
    const secret = text('AZURE_CLIENT_SECRET');
    const certPath = text('AZURE_CLIENT_CERTIFICATE_PATH');
    const thumbprint = text('AZURE_CLIENT_CERTIFICATE_THUMBPRINT');
    const host = authorityHost ? { authorityHost } : {};
    if (secret) auth = { kind: 'client-secret', tenantId, clientId, clientSecret: secret, ...host };
    else if (certPath && thumbprint)
      auth = { kind: 'certificate', tenantId, clientId, privateKey: certPath, thumbprint, ...host };
    else errors.push(m.missing('AZURE_CLIENT_SECRET', m.azureCredentials));
  }

  // Optional: without a queue, cases land with their owner, or where the org's routing rules put them.
  const queueText = text('DEFAULT_QUEUE_ID');
  const defaultQueueId = queueText === undefined ? undefined : guid('DEFAULT_QUEUE_ID');
  // `true` keeps its first meaning (the legacy routing rule set); `false` or unset asks for no routing.
  const routing = text('APPLY_ROUTING_RULES');
  const routingValues: Record<string, RoutingRules | false> = {
    legacy: 'legacy',
    true: 'legacy',
    unified: 'unified',
    false: false,
  };
  const applyRoutingRules = routing === undefined ? false : (routingValues[routing.toLowerCase()] ?? false);
  if (routing !== undefined && !(routing.toLowerCase() in routingValues))
    errors.push(m.invalid('APPLY_ROUTING_RULES', routing, m.routingValues));
  if (applyRoutingRules && defaultQueueId)
    errors.push(m.invalid('APPLY_ROUTING_RULES', routing ?? '', m.routingWithQueue));
  const teamOwner = text('DEFAULT_OWNER_TEAM_ID');
  const defaultOwner = teamOwner
    ? { kind: 'team' as const, id: guid('DEFAULT_OWNER_TEAM_ID') }
    : { kind: 'systemuser' as const, id: guid('DEFAULT_OWNER_ID') };
  const unidentifiedCustomerId = guid('UNIDENTIFIED_CUSTOMER_ID');
  const defaultPriority = integer('DEFAULT_PRIORITY', 2, 0, 2_147_483_647, m.priority);

  const ticketPropertiesRaw = jsonObject('TICKET_PROPERTIES', {});
  const ticketProperties: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(ticketPropertiesRaw)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      ticketProperties[key] = value;
    else errors.push(m.invalid('TICKET_PROPERTIES', key, 'Each value must be a string, number or boolean.'));
  }

  const contactMatchText = text('CONTACT_MATCH') ?? 'email,phone';
  const contactMatch = contactMatchText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!contactMatch.every((rule) => CONTACT_MATCH_RULES.has(rule))) {
    errors.push(m.invalid('CONTACT_MATCH', contactMatchText, m.contactMatch));
  } else if (
    (contactMatch.includes('stated-email') && !contactMatch.includes('email')) ||
    (contactMatch.includes('stated-phone') && !contactMatch.includes('phone'))
  ) {
    errors.push(m.invalid('CONTACT_MATCH', contactMatchText, m.contactMatchStated));
  }
  const phoneDefaultCountry = (text('PHONE_DEFAULT_COUNTRY') ?? 'US').toUpperCase();
  if (!/^[A-Z]{2}$/.test(phoneDefaultCountry))
    errors.push(m.invalid('PHONE_DEFAULT_COUNTRY', phoneDefaultCountry, m.country));

  const originsRaw = jsonObject('CASE_ORIGIN_MAP', {});
  const caseOriginByChannel: Record<string, number> = { ...DEFAULT_ORIGINS };
  for (const [channel, value] of Object.entries(originsRaw)) {
    if (typeof value === 'number' && Number.isInteger(value)) caseOriginByChannel[channel] = value;
    else
      errors.push(m.invalid('CASE_ORIGIN_MAP', channel, 'Each value must be a caseorigincode option value.'));
  }
  const incidentChannels = (text('INCIDENT_CHANNELS') ?? 'phone_voice,web_voice,email')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

  const webhookSecrets = list('WEBHOOK_SECRETS');
  webhookSecrets.forEach((secret, index) => {
    if (!/^whsec_[A-Za-z0-9+/=]{8,}$/.test(secret))
      errors.push(m.invalid('WEBHOOK_SECRETS', 'whsec_…', m.secret));
    else {
      const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
      if (bytes < MIN_SECRET_BYTES) errors.push(m.shortSecret(index + 1, bytes, MIN_SECRET_BYTES));
    }
  });
  // RELAY_BEARER_TOKENS lists several tokens (rotation); RELAY_BEARER_TOKEN, the single one, still works.
  const tokenSources: Array<[name: string, tokens: string[]]> = [
    ['RELAY_BEARER_TOKENS', list('RELAY_BEARER_TOKENS')],
    ['RELAY_BEARER_TOKEN', [text('RELAY_BEARER_TOKEN') ?? ''].filter(Boolean)],
  ];
  for (const [name, tokens] of tokenSources)
    tokens.forEach((token, index) => {
      const bytes = Buffer.byteLength(token, 'utf8');
      if (bytes < MIN_SECRET_BYTES) errors.push(m.shortToken(name, index + 1, bytes, MIN_SECRET_BYTES));
    });
  const relayBearerTokens = tokenSources.flatMap(([, tokens]) => tokens);
  const allowBearerWithSignatures = flag('RELAY_ALLOW_BEARER_WITH_SIGNATURES');
  if (webhookSecrets.length && relayBearerTokens.length && !allowBearerWithSignatures)
    errors.push(m.bearerWithSignatures(tokenSources.find(([, tokens]) => tokens.length)![0]));
  const host = text('HOST') ?? '0.0.0.0';
  const allowUnauthenticatedLoopback = text('RELAY_ALLOW_UNAUTHENTICATED_LOOPBACK') === 'true';
  if (
    webhookSecrets.length === 0 &&
    relayBearerTokens.length === 0 &&
    !(allowUnauthenticatedLoopback && isLoopbackHost(host))
  ) {
    errors.push(m.noAuthentication);
  }

  const append = text('APPEND_AFTER_HANDOFF');
  if (append !== undefined && append !== 'true' && append !== 'false')
    errors.push(m.invalid('APPEND_AFTER_HANDOFF', append, 'Use true or false.'));

  // The API key travels with every request to OPENCX_API_URL: never in clear, except to this machine.
  const apiUrl = text('OPENCX_API_URL') ?? 'https://api.open.cx';
  if (!isHttpsOrLoopback(apiUrl)) errors.push(m.invalid('OPENCX_API_URL', apiUrl, m.apiUrl));

  const sessionUrlTemplate = text('OPENCX_SESSION_URL_TEMPLATE');
  if (
    sessionUrlTemplate &&
    (!sessionUrlTemplate.startsWith('https://') || !sessionUrlTemplate.includes('{session_id}'))
  ) {
    errors.push(m.invalid('OPENCX_SESSION_URL_TEMPLATE', sessionUrlTemplate, m.template));
  }

  // The operations listener: loopback unless the operator says otherwise (a scraper in another pod).
  const port = integer('PORT', 8080, 0, 65535, m.port);
  const ops = {
    port: integer('OPS_PORT', 8081, 0, 65535, m.port),
    host: text('OPS_HOST') ?? '127.0.0.1',
    token: text('OPS_TOKEN'),
  };
  if (ops.port !== 0 && ops.port === port) errors.push(m.invalid('OPS_PORT', String(ops.port), m.opsPort));
  if (ops.token !== undefined && ops.token.length < 16) errors.push(m.invalid('OPS_TOKEN', '…', m.opsToken));

  const redaction = readRedactionSettings(env);
  errors.push(...redaction.errors);
  const dataAtRest = readDataAtRestSettings(env);
  errors.push(...dataAtRest.errors);

  const config: RelayConfig = {
    dataverseUrl,
    auth,
    defaultQueueId,
    applyRoutingRules,
    defaultOwner,
    defaultPriority,
    ticketProperties,
    unidentifiedCustomerId,
    contactMatch: contactMatch as ContactMatchRule[],
    phoneDefaultCountry,
    caseOriginByChannel,
    incidentChannels,
    webhookSecrets,
    relayBearerTokens,
    allowBearerWithSignatures,
    opencx: {
      apiUrl,
      apiKey: text('OPENCX_API_KEY'),
      sessionUrlTemplate,
      ratePerMinute: integer('OPENCX_RATE_LIMIT_PER_MINUTE', 100, 1, 100_000, m.positive),
    },
    databaseUrl: text('RELAY_DATABASE_URL'),
    dataDir: path.resolve(options.cwd ?? process.cwd(), text('RELAY_DATA_DIR') ?? 'data'),
    port,
    host,
    ops,
    bodyLimit: integer('BODY_LIMIT', 5 * 1024 * 1024, 1, 1024 * 1024 * 1024, m.positive),
    delivery: {
      workers: integer('DELIVERY_WORKERS', 4, 1, 256, m.positive),
      maxAttempts: integer('DELIVERY_MAX_ATTEMPTS', 8, 1, 1000, m.positive),
      backoffBaseMs: integer('DELIVERY_BACKOFF_BASE_MS', 1000, 1, 3_600_000, m.positive),
      backoffMaxMs: integer('DELIVERY_BACKOFF_MAX_MS', 300_000, 1, 86_400_000, m.positive),
      requestTimeoutMs: integer('DATAVERSE_TIMEOUT_MS', 30_000, 1, 600_000, m.positive),
      leaseMs: integer('DELIVERY_LEASE_MS', 15_000, 1000, 3_600_000, m.positive),
    },
    logLevel: text('LOG_LEVEL') ?? 'info',
    redaction: redaction.settings,
    dataAtRest: dataAtRest.settings,
    appendAfterHandoff: text('APPEND_AFTER_HANDOFF') === 'true',
    allowUnauthenticatedLoopback,
  };
  return errors.length ? { ok: false, errors } : { ok: true, config };
}
