/** Every operator-facing sentence of the relay, in one place. */
export const messages = {
  config: {
    missing: (name: string, fix: string) => `${name} is not set. ${fix}`,
    invalid: (name: string, value: string, fix: string) => `${name}=${value} is not valid. ${fix}`,
    dataverseUrl:
      'Set it to your environment URL without a path or trailing slash, e.g. https://contoso.crm.dynamics.com.',
    authNoneNotLoopback:
      'DATAVERSE_AUTH=none sends no token and is only for the local sandbox: DATAVERSE_URL must be a loopback address (127.0.0.1, localhost, ::1).',
    azureCredentials:
      'Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH with AZURE_CLIENT_CERTIFICATE_THUMBPRINT) from the app registration; see docs/admin-guide.md.',
    guid: 'It must be a GUID (the record id from the Dynamics URL or `opencx-relay setup`).',
    priority:
      'Use the value of a priority option of the incident table (by default 1 High, 2 Normal, 3 Low).',
    json: 'It must be a JSON object, e.g. {"casetypecode": 2}.',
    noAuthentication:
      'No webhook authentication is configured: set WEBHOOK_SECRETS (Standard Webhooks whsec_… secrets, comma-separated) or RELAY_BEARER_TOKEN. The relay refuses to accept unauthenticated handoffs.',
    secret: 'Each secret must look like whsec_<base64>, as OpenCX or your signer issues it.',
    template:
      'It must be an https: URL containing {session_id}, e.g. https://platform.open.cx/sessions/{session_id}.',
    port: 'Use a whole number from 0 to 65535.',
    positive: 'Use a whole number greater than zero.',
    contactMatch: 'Use a comma-separated list of: email, phone.',
    country: 'Use an ISO 3166-1 alpha-2 country code such as US or GB.',
  },
  intake: {
    unsupportedMediaType: 'Send the handoff as Content-Type: application/json.',
    tooLarge: (limit: number) => `The body is larger than the limit of ${limit} bytes.`,
    invalidJson: 'The body is not valid JSON.',
    invalidUtf8: 'The body is not valid UTF-8.',
    invalidHandoff: 'The handoff document is not valid; see `errors` for every problem.',
    storeUnavailable:
      'The handoff store is unavailable; nothing was accepted. Retry after the indicated delay.',
    unauthenticated: 'The request is not authenticated.',
    signature: {
      missing: 'The webhook-id, webhook-timestamp and webhook-signature headers are required.',
      tooOld: 'The webhook-timestamp is more than 5 minutes in the past.',
      tooNew: 'The webhook-timestamp is more than 5 minutes in the future.',
      malformedTimestamp: 'The webhook-timestamp is not a number of seconds.',
      mismatch: 'No webhook-signature matches the body with any configured secret.',
      badToken: 'The bearer token is not valid.',
    },
    sessionUrlDropped: 'session_url dropped: only https: links are kept',
  },
} as const;
