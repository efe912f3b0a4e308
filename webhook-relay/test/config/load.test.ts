import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { queueModeOf } from '../../src/config/types.js';

const GUID = '7b0c0d6e-1c1a-4e5f-9d2a-0000000000d1';
const valid = {
  DATAVERSE_URL: 'https://contoso.crm.dynamics.com',
  AZURE_TENANT_ID: 'tenant',
  AZURE_CLIENT_ID: 'client',
  AZURE_CLIENT_SECRET: 'secret',
  DEFAULT_QUEUE_ID: GUID,
  DEFAULT_OWNER_ID: GUID,
  UNIDENTIFIED_CUSTOMER_ID: GUID,
  WEBHOOK_SECRETS: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};

describe('loadConfig', () => {
  it('reads a complete configuration with defaults', () => {
    const result = loadConfig(valid, { cwd: '/srv/relay' });
    expect(result.ok && result.config).toMatchObject({
      defaultPriority: 2,
      contactMatch: ['email', 'phone'],
      phoneDefaultCountry: 'US',
      incidentChannels: ['phone_voice', 'web_voice', 'email'],
      dataDir: '/srv/relay/data',
      port: 8080,
      ops: { port: 8081, host: '127.0.0.1' },
      bodyLimit: 5 * 1024 * 1024,
      auth: { kind: 'client-secret' },
      redaction: { rules: ['cards', 'national-ids', 'digit-runs'], nationalIdPatterns: [] },
    });
  });

  it.each([
    [undefined, false, 'queue'],
    ['false', false, 'unassigned'],
    ['true', 'legacy', 'routing-rules'],
    ['legacy', 'legacy', 'routing-rules'],
    ['Unified', 'unified', 'unified-routing'],
  ] as const)('reads APPLY_ROUTING_RULES=%s as %j', (value, routing, mode) => {
    const env = {
      ...valid,
      ...(mode === 'queue' ? {} : { DEFAULT_QUEUE_ID: undefined }),
      APPLY_ROUTING_RULES: value,
    };
    const result = loadConfig(env);
    expect(result.ok && result.config.applyRoutingRules).toBe(routing);
    expect(result.ok && queueModeOf(result.config)).toBe(mode);
  });

  it.each([
    [{ DATAVERSE_URL: undefined }, 'DATAVERSE_URL is not set'],
    [
      { DATAVERSE_URL: 'https://contoso.crm.dynamics.com/' },
      'DATAVERSE_URL=https://contoso.crm.dynamics.com/ is not valid',
    ],
    [{ DATAVERSE_URL: 'https://contoso.crm.dynamics.com/api/data/v9.2' }, 'without a path'],
    [{ DATAVERSE_URL: 'http://contoso.crm.dynamics.com' }, 'DATAVERSE_URL=http://'],
    [{ DATAVERSE_AUTH: 'none' }, 'only for the local sandbox'],
    [{ AZURE_CLIENT_SECRET: undefined }, 'AZURE_CLIENT_SECRET is not set'],
    [{ DEFAULT_QUEUE_ID: 'voice' }, 'DEFAULT_QUEUE_ID=voice is not valid'],
    [{ DEFAULT_PRIORITY: 'high' }, 'DEFAULT_PRIORITY=high'],
    [{ TICKET_PROPERTIES: '[1]' }, 'TICKET_PROPERTIES=[1] is not valid'],
    [{ CONTACT_MATCH: 'email,fax' }, 'CONTACT_MATCH=email,fax'],
    [{ CONTACT_MATCH: 'stated-email,phone' }, 'stated-email widens email'],
    [{ CONTACT_MATCH: 'email,stated-phone' }, 'list email (phone) too'],
    [{ WEBHOOK_SECRETS: 'plain' }, 'whsec_'],
    [{ WEBHOOK_SECRETS: undefined }, 'No webhook authentication is configured'],
    [{ OPENCX_SESSION_URL_TEMPLATE: 'http://x/{session_id}' }, 'OPENCX_SESSION_URL_TEMPLATE'],
    [{ PORT: '70000' }, 'PORT=70000'],
    [{ PORT: '9000', OPS_PORT: '9000' }, 'OPS_PORT=9000 is not valid. The operations listener'],
    [{ OPS_PORT: 'metrics' }, 'OPS_PORT=metrics'],
    [{ OPS_TOKEN: 'short' }, 'OPS_TOKEN=… is not valid. Use at least 16 characters'],
    [
      { REDACT: 'cards,emails' },
      'REDACT=cards,emails is not valid. Use a comma-separated list of: cards, national-ids, digit-runs',
    ],
    [{ REDACT_NATIONAL_ID_PATTERNS: '["[A-Z"]' }, 'REDACT_NATIONAL_ID_PATTERNS=[A-Z is not valid'],
    [{ APPLY_ROUTING_RULES: 'yes' }, 'APPLY_ROUTING_RULES=yes is not valid. Use legacy'],
    [
      { APPLY_ROUTING_RULES: 'unified' },
      "The org's routing and DEFAULT_QUEUE_ID both want to place the case",
    ],
  ])('refuses %j, naming the variable and the fix', (override, expected) => {
    const result = loadConfig({ ...valid, ...override });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toContain(expected);
  });

  it('lets stated details find the contact only when CONTACT_MATCH lists their stated- rule', () => {
    const result = loadConfig({ ...valid, CONTACT_MATCH: 'email, stated-email ,phone' });
    expect(result.ok && result.config.contactMatch).toEqual(['email', 'stated-email', 'phone']);
  });

  it('reads the managed identity and workload identity modes, and AZURE_AUTHORITY_HOST', () => {
    const { AZURE_TENANT_ID: _t, AZURE_CLIENT_ID: _c, AZURE_CLIENT_SECRET: _s, ...rest } = valid;
    const system = loadConfig({ ...rest, DATAVERSE_AUTH: 'managed-identity' });
    expect(system.ok && system.config.auth).toEqual({ kind: 'managed-identity' });
    const user = loadConfig({
      ...rest,
      DATAVERSE_AUTH: 'managed-identity',
      AZURE_CLIENT_ID: GUID.toUpperCase(),
    });
    expect(user.ok && user.config.auth).toEqual({ kind: 'managed-identity', clientId: GUID });
    const workload = loadConfig(
      {
        ...rest,
        DATAVERSE_AUTH: 'workload-identity',
        AZURE_TENANT_ID: 'tenant',
        AZURE_CLIENT_ID: 'client',
        AZURE_FEDERATED_TOKEN_FILE: 'tokens/azure-identity-token',
        AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
      },
      { cwd: '/srv/relay' },
    );
    expect(workload.ok && workload.config.auth).toEqual({
      kind: 'workload-identity',
      tenantId: 'tenant',
      clientId: 'client',
      tokenFile: '/srv/relay/tokens/azure-identity-token',
      authorityHost: 'https://login.microsoftonline.us',
    });
  });

  it.each([
    [{ DATAVERSE_AUTH: 'msi' }, 'DATAVERSE_AUTH=msi is not valid. Use client-secret'],
    [{ DATAVERSE_AUTH: 'managed-identity', AZURE_CLIENT_ID: 'relay' }, 'AZURE_CLIENT_ID=relay is not valid'],
    [{ DATAVERSE_AUTH: 'workload-identity' }, 'AZURE_FEDERATED_TOKEN_FILE is not set'],
    [{ AZURE_AUTHORITY_HOST: 'http://login.microsoftonline.us' }, 'AZURE_AUTHORITY_HOST=http://'],
    [{ AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/tenant' }, 'AZURE_AUTHORITY_HOST=https://'],
  ])('refuses the sign-in settings %j, naming the fix', (override, expected) => {
    const result = loadConfig({ ...valid, ...override });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toContain(expected);
  });

  it('turns redaction off with REDACT=none', () => {
    const result = loadConfig({ ...valid, REDACT: 'none' });
    expect(result.ok && result.config.redaction.rules).toEqual([]);
  });

  it('reports every problem at once', () => {
    const result = loadConfig({});
    expect(result.ok || result.errors.length).toBeGreaterThanOrEqual(5);
  });

  it('allows DATAVERSE_AUTH=none for a loopback sandbox, and the demo without webhook auth on loopback only', () => {
    const sandbox = {
      ...valid,
      DATAVERSE_URL: 'http://127.0.0.1:5555',
      DATAVERSE_AUTH: 'none',
      WEBHOOK_SECRETS: undefined,
    };
    expect(
      loadConfig({ ...sandbox, RELAY_ALLOW_UNAUTHENTICATED_LOOPBACK: 'true', HOST: '127.0.0.1' }).ok,
    ).toBe(true);
    expect(loadConfig({ ...sandbox, RELAY_ALLOW_UNAUTHENTICATED_LOOPBACK: 'true', HOST: '0.0.0.0' }).ok).toBe(
      false,
    );
  });
});

describe('loadConfig: webhook authentication and OpenCX URLs (issue 29)', () => {
  const TOKEN_A = 'tok-a-0123456789abcdefghijkl';
  const TOKEN_B = 'tok-b-0123456789abcdefghijkl';
  const { WEBHOOK_SECRETS: _secrets, ...unsigned } = valid;
  const errorsOf = (env: Record<string, string | undefined>) => {
    const result = loadConfig(env);
    return result.ok ? [] : result.errors;
  };

  it.each([
    // 'short-secret-16b' is 16 bytes: accepted by the whsec_ shape, refused for its size.
    [{ WEBHOOK_SECRETS: `whsec_${Buffer.from('short-secret-16b').toString('base64')}` }, 'holds 16 bytes'],
    [
      { WEBHOOK_SECRETS: 'whsec_AAECAwQF' },
      'Secret 1 holds 6 bytes: a Standard Webhooks key must hold at least 24',
    ],
    [
      { ...unsigned, WEBHOOK_SECRETS: undefined, RELAY_BEARER_TOKEN: 'x' },
      'RELAY_BEARER_TOKEN=… is not valid',
    ],
    [
      { ...unsigned, WEBHOOK_SECRETS: undefined, RELAY_BEARER_TOKENS: `${TOKEN_A},short` },
      'Token 2 is 5 bytes',
    ],
    [{ RELAY_BEARER_TOKEN: TOKEN_A }, 'RELAY_BEARER_TOKEN is set together with WEBHOOK_SECRETS'],
    [{ RELAY_BEARER_TOKENS: TOKEN_A }, 'set RELAY_ALLOW_BEARER_WITH_SIGNATURES=true to accept both'],
    [{ RELAY_ALLOW_BEARER_WITH_SIGNATURES: 'yes' }, 'RELAY_ALLOW_BEARER_WITH_SIGNATURES=yes is not valid'],
    [{ OPENCX_API_URL: 'http://api.open.cx' }, 'OPENCX_API_URL=http://api.open.cx is not valid'],
    [{ OPENCX_API_URL: 'http://10.0.0.5:8080' }, 'use an https: URL'],
    [{ OPENCX_API_URL: 'api.open.cx' }, 'OPENCX_API_URL=api.open.cx'],
  ])('refuses %j at start, naming the variable and the fix', (override, expected) => {
    expect(errorsOf({ ...valid, ...override }).join('\n')).toContain(expected);
  });

  it('never prints a secret or a token in its messages', () => {
    const secret = `whsec_${Buffer.from('sixteen-byte-key').toString('base64')}`;
    const text = errorsOf({ ...valid, WEBHOOK_SECRETS: secret, RELAY_BEARER_TOKEN: 'short-token' }).join(
      '\n',
    );
    expect(text).not.toContain(secret.slice(6));
    expect(text).not.toContain('short-token');
  });

  it('reads several bearer tokens (rotation), RELAY_BEARER_TOKEN joining RELAY_BEARER_TOKENS', () => {
    const result = loadConfig({
      ...unsigned,
      RELAY_BEARER_TOKENS: `${TOKEN_A}, ${TOKEN_B}`,
      RELAY_BEARER_TOKEN: TOKEN_B,
    });
    expect(result.ok && result.config).toMatchObject({
      webhookSecrets: [],
      relayBearerTokens: [TOKEN_A, TOKEN_B, TOKEN_B],
      allowBearerWithSignatures: false,
    });
  });

  it('accepts a bearer token next to the secrets only when RELAY_ALLOW_BEARER_WITH_SIGNATURES=true', () => {
    const result = loadConfig({
      ...valid,
      RELAY_BEARER_TOKEN: TOKEN_A,
      RELAY_ALLOW_BEARER_WITH_SIGNATURES: 'true',
    });
    expect(result.ok && result.config).toMatchObject({
      relayBearerTokens: [TOKEN_A],
      allowBearerWithSignatures: true,
    });
  });

  it('accepts a 24-byte secret, and OPENCX_API_URL over https: or on loopback', () => {
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    for (const apiUrl of [
      'https://api.open.cx',
      'http://127.0.0.1:4010',
      'http://localhost:4010',
      'http://[::1]:4010',
    ])
      expect(errorsOf({ ...valid, WEBHOOK_SECRETS: secret, OPENCX_API_URL: apiUrl })).toEqual([]);
  });
});
