/** Every operator-facing sentence of the relay, in one place. */
import type { QueueMode } from './config/queue-mode.js';

/** What `verify` and `setup` read of the org's routing (admin/org-routing.ts OrgRouting), as the sentences need it. */
interface RoutingFacts {
  routes: string;
  ruleSets?: string[];
  unified?: { provisioned: boolean; workstreams: Array<{ name: string; queueId?: string }> };
}

/** Why delivery waits (delivery/readiness.ts WAIT_REASONS), in words. */
const WAIT_TEXT: Record<string, string> = {
  dataverse_unavailable: 'Dataverse is unavailable or not answering',
  throttled: 'Dataverse is throttling the relay (429, service protection limits)',
  token_refused:
    'the relay has no accepted token: check AZURE_TENANT_ID, AZURE_CLIENT_ID and the secret or certificate',
  refused: "Dataverse refuses the relay's metadata reads: run `opencx-relay verify`",
  relay_error: 'the relay failed while reading what delivery needs (a bug): see the error logged with it',
};

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
    authMode:
      'Use client-secret (the default: AZURE_CLIENT_SECRET or the certificate variables), managed-identity, workload-identity, or none (local sandbox only); see docs/admin-guide.md.',
    authorityHost:
      "Set it to the sign-in host of your cloud with https: and no path, e.g. https://login.microsoftonline.us, or leave it unset for Azure's public cloud.",
    managedIdentityClientId:
      "With DATAVERSE_AUTH=managed-identity, AZURE_CLIENT_ID is optional: leave it unset for the system-assigned identity, or set the user-assigned identity's Client ID (a GUID, on the identity's Overview page).",
    workloadIdentity:
      'DATAVERSE_AUTH=workload-identity needs AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE; on AKS the workload identity webhook sets all three when the pod runs under a service account annotated with the client ID. See docs/admin-guide.md.',
    guid: 'It must be a GUID (the record id from the Dynamics URL or `opencx-relay setup`).',
    priority:
      'Use the value of a priority option of the incident table (by default 1 High, 2 Normal, 3 Low).',
    json: 'It must be a JSON object, e.g. {"casetypecode": 2}.',
    noAuthentication:
      'No webhook authentication is configured: set WEBHOOK_SECRETS (Standard Webhooks whsec_… secrets, comma-separated) or RELAY_BEARER_TOKENS. The relay refuses to accept unauthenticated handoffs.',
    secret: 'Each secret must look like whsec_<base64>, as OpenCX or your signer issues it.',
    shortSecret: (index: number, bytes: number, minimum: number) =>
      `WEBHOOK_SECRETS=whsec_… is not valid. Secret ${index} holds ${bytes} bytes: a Standard Webhooks key must hold at least ${minimum} random bytes. Issue a new one (e.g. whsec_ followed by the output of \`openssl rand -base64 32\`), list it first with the old one after it while the sender switches, then remove the old one.`,
    shortToken: (name: string, index: number, length: number, minimum: number) =>
      `${name}=… is not valid. Token ${index} is ${length} bytes long: a bearer token must be at least ${minimum} bytes (characters), random. Make one with \`openssl rand -base64 32\`.`,
    bearerWithSignatures: (name: string) =>
      `${name} is set together with WEBHOOK_SECRETS: a bearer token has no timestamp and no replay check, so it would let a request skip the signature. Unset ${name} to require signatures, or set RELAY_ALLOW_BEARER_WITH_SIGNATURES=true to accept both (a migration from a bearer token to signatures).`,
    apiUrl:
      'OPENCX_API_URL carries the OpenCX API key: use an https: URL (http: only for a loopback address such as http://127.0.0.1:4010), e.g. https://api.open.cx.',
    trueOrFalse: 'Use true or false.',
    template:
      'It must be an https: URL containing {session_id}, e.g. https://platform.open.cx/sessions/{session_id}.',
    port: 'Use a whole number from 0 to 65535.',
    opsPort:
      'The operations listener (/metrics, /readyz in detail) needs a port of its own: set OPS_PORT to another port than PORT (the default is 8081).',
    opsToken:
      'Use at least 16 characters, e.g. the output of `openssl rand -base64 32`, and give the same value to your scraper as a bearer token.',
    positive: 'Use a whole number greater than zero.',
    contactMatch: 'Use a comma-separated list of: email, phone, stated-email, stated-phone.',
    contactMatchStated:
      'stated-email widens email (and stated-phone widens phone) to details the caller only stated: list email (phone) too, e.g. CONTACT_MATCH=email,stated-email,phone.',
    country: 'Use an ISO 3166-1 alpha-2 country code such as US or GB.',
    routingWithQueue:
      "The org's routing and DEFAULT_QUEUE_ID both want to place the case: unset DEFAULT_QUEUE_ID to let the org's routing place it, or set APPLY_ROUTING_RULES=false to put every case in DEFAULT_QUEUE_ID.",
    routingValues:
      'Use legacy (the routing rule set, ApplyRoutingRule; true means the same), unified (unified routing, msdyn_ApplyRoutingRuleEntityRecord) or false.',
  },
  intake: {
    unsupportedMediaType: 'Send the handoff as Content-Type: application/json.',
    tooLarge: (limit: number) => `The body is larger than the limit of ${limit} bytes.`,
    invalidJson: 'The body is not valid JSON.',
    invalidUtf8: 'The body is not valid UTF-8.',
    invalidHandoff: 'The handoff document is not valid; see `errors` for every problem.',
    invalidEvent: 'The OpenCX event is not valid; see `errors` for every problem.',
    invalidAppend: 'The messages are not valid; see `errors` for every problem.',
    appendOff: 'Adding turns after the handoff is off on this relay (APPEND_AFTER_HANDOFF=true turns it on).',
    unknownHandoff: 'This relay has no handoff with that id (the handoff_id answered when it was sent).',
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
      bearerRefused:
        'This relay requires Standard Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature): a bearer token is not accepted.',
    },
    sessionUrlDropped: 'session_url dropped: only https: links are kept',
    sessionUrlOtherOrigin:
      "session_url dropped: its origin is not OPENCX_SESSION_URL_TEMPLATE's, so it is not an OpenCX session link",
    requestFailed: 'The request could not be processed.',
    tooDeep: (limit: number) =>
      `The JSON is nested more than ${limit} levels deep; a handoff or an OpenCX event never is.`,
    notAnInstant:
      'is not an instant the relay can store: use an ISO 8601 date-time with a UTC offset (a leap second such as 23:59:60 is not accepted)',
    sessionIdShape:
      'must be an OpenCX session id: letters, digits, "_", "-", "." or ":", starting with a letter, digit or "_", at most 200 characters',
  },
  /** The delivery gate (delivery/readiness.ts): why delivery waits while intake goes on. */
  delivery: {
    waiting: (reason: string, attempts: number, seconds: number) =>
      `Delivery is waiting for Dataverse (${WAIT_TEXT[reason] ?? reason}); handoffs are still taken and kept. ${attempts} tries over ${seconds} s; retrying with backoff.`,
    resumed: (attempts: number, seconds: number) =>
      `Dataverse answered after ${attempts} tries over ${seconds} s: delivery starts with the handoffs taken meanwhile.`,
    relayError:
      'The relay failed while reading what delivery needs from the org (a bug, not a Dataverse answer): handoffs are still taken and kept; delivery tries again with backoff. Report the error below.',
    configInvalid: (problems: string[]) =>
      `Delivery is stopped: the org refuses this configuration. Handoffs are still taken and kept; fix the setting(s) below and restart the relay to deliver them.\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    tokenUnavailable:
      'Microsoft Entra ID issued no token (an expired secret or certificate, AADSTS7000222, or a federated credential or managed identity that no longer matches): delivery waits and resumes once a token is issued; handoffs wait, none is dead-lettered. Fix the credential (opencx-relay verify names the fix).',
    tokenPaused:
      'Dataverse refused the token (401): pausing all workers and trying again; handoffs wait, none is dead-lettered. Check AZURE_TENANT_ID, AZURE_CLIENT_ID and the secret or certificate.',
    pluginRefused: (message: string) =>
      `A plug-in or rule in the org refused the case: "${message}". Retrying cannot help: change the plug-in or the data it checks, then \`opencx-relay handoffs retry <id>\`.`,
  },
  /** Fetching OpenCX sessions for native events (delivery/opencx-step.ts). */
  opencx: {
    notConfigured:
      'OPENCX_API_KEY is not set, so the session and transcript of this OpenCX event cannot be fetched. Set it (a key with the chat-sessions:read scope), restart, then `opencx-relay handoffs retry <id>`.',
    unauthorized: (status: number) =>
      `OpenCX refused OPENCX_API_KEY (HTTP ${status}): use a key with the chat-sessions:read scope (OpenCX dashboard > Settings > API keys), restart, then retry this handoff.`,
    notFound: (session: string) =>
      `OpenCX has no session ${session} (HTTP 404): the event may come from another organization or a deleted session. Nothing to deliver.`,
    throttled: 'OpenCX is throttling this API key (HTTP 429); the relay will retry when it allows.',
    unavailable: 'OpenCX API unavailable or answering errors; the relay retries with backoff.',
    skippedChannel: (channel: string, channels: string[]) =>
      `Channel ${channel} is not turned into cases (INCIDENT_CHANNELS=${channels.join(',')}); in OpenCX it is an Omnichannel live work item.`,
  },
  /** Why our roles ("OpenCX Handoff Relay" and its "- Append" and "- Routing" roles) hold each privilege (admin/role.ts). */
  role: {
    why: {
      prvCreateIncident: 'create the case',
      prvReadIncident: 'read back the case number; find a case after a retry',
      prvAppendIncident: 'the case points at its customer and owner',
      prvAppendToIncident: 'the queue item and the transcript note point at the case',
      prvAssignIncident: 'create the case owned by DEFAULT_OWNER_ID rather than by the relay',
      prvCreateContact: "create the caller's contact from an email address, and the placeholder customer",
      prvReadContact: 'find the caller by email or phone; check the placeholder customer',
      prvAppendToContact: "the case's customer points at the contact",
      prvReadQueue: 'check that DEFAULT_QUEUE_ID exists and is active',
      prvAppendToQueue: 'create the queue item (queue items take their privileges from the queue)',
      prvCreateNote: 'attach the full transcript when the description had to be shortened',
      prvAppendNote: 'the note points at the case',
      prvReadUser: 'check that DEFAULT_OWNER_ID exists and is enabled',
      prvAppendToUser: "the case's owner points at the user",
      prvReadTeam: 'check that DEFAULT_OWNER_TEAM_ID exists',
      prvAppendToTeam: "the case's owner points at the team (DEFAULT_OWNER_TEAM_ID)",
      prvReadSystemForm:
        'verify: read the Case forms to check that reps see the transcript control (form definitions only, no data)',
      prvWriteIncident:
        "APPLY_ROUTING_RULES=legacy or unified: have the org's routing place each new case (ApplyRoutingRule requires Write on cases; unified routing's action is assumed to need the same); APPEND_AFTER_HANDOFF: re-fit the description with the turns after the handoff; `insights backfill`: fill the insights columns of older cases",
      prvReadNote: 'APPEND_AFTER_HANDOFF: read the full transcript note before adding to it',
      prvWriteNote: 'APPEND_AFTER_HANDOFF: add the turns after the handoff to the transcript note',
    },
  },
  verify: {
    heading: (url: string | undefined) => `opencx-relay verify: ${url ?? '(DATAVERSE_URL not set)'}`,
    fixLabel: 'Fix:',
    totals: (passed: number, failed: number, warned: number, skipped: number) =>
      `${passed} passed, ${failed} failed, ${warned} warning(s), ${skipped} skipped`,
    allPassed: 'The relay can create cases in this environment.',
    notReady: 'The relay cannot create cases yet: fix the failures above in order, then run verify again.',
    skippedAfter: (check: string) => `skipped: "${check}" failed`,
    configProblem: 'the configuration is not usable',
    refused: (status: number, code: string, reason: string) =>
      `Dataverse answered ${status}${code ? ` ${code}` : ''}: ${reason}`,
    titles: {
      url: 'Environment URL',
      token: 'Token',
      whoami: 'Application user (WhoAmI)',
      privileges: 'Privileges',
      queue: 'Queue',
      owner: 'Owner',
      options: 'Priority and TICKET_PROPERTIES',
      description: 'Description length',
      placeholder: 'Placeholder customer',
      forms: 'Transcript on Case forms',
      insights: 'Insights columns',
      settings: 'Other relay settings',
    },
    url: {
      missing: 'DATAVERSE_URL is not set.',
      notUrl: 'DATAVERSE_URL is not a URL.',
      http: 'DATAVERSE_URL uses http:, which only the local sandbox on a loopback address may use.',
      scheme: (scheme: string) => `DATAVERSE_URL uses ${scheme}; it must be https:.`,
      path: (path: string) =>
        `DATAVERSE_URL has a path (${path}); use the environment root, without /api/data/… or /main.aspx.`,
      query: 'DATAVERSE_URL has a query or fragment; use the environment root only.',
      trailingSlash: 'DATAVERSE_URL ends with a slash; remove it.',
      other: 'DATAVERSE_URL is not valid.',
    },
    token: {
      none: 'not needed: DATAVERSE_AUTH=none (local sandbox only)',
      passed: (clientId: string, tenantId: string) =>
        `Microsoft Entra ID issued a token to app ${clientId} in tenant ${tenantId}`,
      passedManagedIdentity: (which: string, appId: string, tenantId: string) =>
        `the host's ${which} managed identity got a token: application ID ${appId} in tenant ${tenantId}`,
      systemAssigned: 'system-assigned',
      userAssigned: (clientId: string) => `user-assigned (AZURE_CLIENT_ID ${clientId})`,
      passedWorkloadIdentity: (clientId: string, tenantId: string, file: string) =>
        `Microsoft Entra ID exchanged the token in ${file} for a token to app ${clientId} in tenant ${tenantId}`,
      unknownClaim: '(not in the token)',
      tokenFile: (file: string, code: string, detail: string) =>
        code === 'ENOENT'
          ? `AZURE_FEDERATED_TOKEN_FILE names ${file}, which does not exist.`
          : code === 'EACCES'
            ? `the relay may not read AZURE_FEDERATED_TOKEN_FILE (${file}).`
            : code === 'EMPTY'
              ? `AZURE_FEDERATED_TOKEN_FILE (${file}) is empty.`
              : `AZURE_FEDERATED_TOKEN_FILE (${file}) could not be read: ${detail}`,
      tokenFileFix:
        'On AKS the workload identity webhook mounts the token at /var/run/secrets/azure/tokens/azure-identity-token and sets AZURE_FEDERATED_TOKEN_FILE when the pod is labelled azure.workload.identity/use: "true" and runs under a service account annotated azure.workload.identity/client-id: check both, and that the relay\'s user may read the file. Elsewhere, set AZURE_FEDERATED_TOKEN_FILE to the file your platform keeps the current token in. See docs/admin-guide.md.',
      assertionClaim: (name: string, value: string | undefined) =>
        `the token file's ${name}: ${value ?? '(none)'}`,
      assertionExpiry: (iso: string) => `the token file's expiry: ${iso}`,
      noManagedIdentity: (detail: string) =>
        `no managed identity answered on this host: there is no identity endpoint here (${detail}).`,
      noManagedIdentityFix:
        "DATAVERSE_AUTH=managed-identity works only on an Azure host whose managed identity is turned on (the resource's Identity page: App Service, Functions, Container Apps, a VM or scale set). App Service and Container Apps then set IDENTITY_ENDPOINT and IDENTITY_HEADER for the relay; a VM answers on its instance metadata service. On AKS use DATAVERSE_AUTH=workload-identity; anywhere else, a client secret or certificate. See docs/admin-guide.md.",
      identityEndpointFailed: (status: number, detail: string) =>
        `the host's identity endpoint answered ${status} after retries (${detail}).`,
      identityEndpointFailedFix:
        "The platform's identity service is failing, not the configuration: run verify again in a few minutes; if it persists, check the Azure status page for the resource's region, or restart the app (App Service and Container Apps restart their identity endpoint with it).",
      systemAssignedNotFound: (detail: string) =>
        `the host's identity endpoint answered without a token: no system-assigned identity here (${detail}).`,
      systemAssignedNotFoundFix:
        "Turn the system-assigned identity on (the resource's Identity page > System assigned > Status On > Save), or, to use a user-assigned identity attached to this resource, set AZURE_CLIENT_ID to its Client ID.",
      userAssignedNotFound: (clientId: string, detail: string) =>
        `the host's identity endpoint has no user-assigned identity with client ID ${clientId} (${detail}).`,
      userAssignedNotFoundFix:
        'Attach the user-assigned identity to this resource (its Identity page > User assigned > Add), or set AZURE_CLIENT_ID to the Client ID on the Overview page of an identity that is attached; unset AZURE_CLIENT_ID to use the system-assigned identity.',
      endpoints:
        'Microsoft Entra ID did not recognise the tenant (its sign-in endpoints could not be resolved).',
      endpointsFix:
        "Check AZURE_TENANT_ID: use the Directory (tenant) ID GUID from the app registration's Overview page. If it is right, check that this machine reaches https://login.microsoftonline.com.",
      unreachable: (detail: string) => `Microsoft Entra ID could not be reached (${detail}).`,
      unreachableFix:
        'Allow outbound HTTPS to login.microsoftonline.com from this machine (proxy, firewall, DNS).',
      certificateFile: (detail: string) => `The client certificate could not be read (${detail}).`,
      certificateFileFix:
        'Set AZURE_CLIENT_CERTIFICATE_PATH to a readable PEM file holding the private key of the certificate uploaded to the app registration.',
      genericFix:
        'Check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or the certificate) against the app registration; see docs/troubleshooting.md.',
      unknownAadsts: (code: string) =>
        `Look the code up at https://login.microsoftonline.com/error?code=${code} and check the app registration; see docs/troubleshooting.md.`,
      /** Entra ID's codes for a client-credentials request, with what they mean for this relay. */
      aadsts: {
        '700016': {
          meaning: 'the application (AZURE_CLIENT_ID) was not found in the tenant (AZURE_TENANT_ID).',
          fix: "Copy the Application (client) ID from the app registration's Overview page into AZURE_CLIENT_ID, and check that AZURE_TENANT_ID is the tenant where the app is registered.",
        },
        '7000215': {
          meaning: 'the client secret is wrong.',
          fix: "Set AZURE_CLIENT_SECRET to the secret's Value (shown once, when it is created), not its Secret ID; if it is lost, create a new secret under Certificates & secrets.",
        },
        '7000222': {
          meaning: 'the client secret has expired.',
          fix: "Create a new client secret under the app registration's Certificates & secrets, put its Value in AZURE_CLIENT_SECRET and restart the relay.",
        },
        '90002': {
          meaning: 'the tenant (AZURE_TENANT_ID) does not exist.',
          fix: "Use the Directory (tenant) ID GUID from the app registration's Overview page.",
        },
        '900023': {
          meaning: 'AZURE_TENANT_ID is neither a tenant GUID nor a verified domain.',
          fix: "Use the Directory (tenant) ID GUID from the app registration's Overview page.",
        },
        '90014': {
          meaning: 'the token request lacked a required field.',
          fix: 'Set AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or the certificate variables); none may be empty.',
        },
        '500011': {
          meaning: 'this tenant has no resource called DATAVERSE_URL.',
          fix: 'Check DATAVERSE_URL (copy it from the Power Platform admin center, environment Details) and that the environment belongs to the tenant in AZURE_TENANT_ID.',
        },
        '70011': {
          meaning: 'the scope built from DATAVERSE_URL is not valid.',
          fix: 'Set DATAVERSE_URL to the environment root, e.g. https://contoso.crm.dynamics.com.',
        },
        '700027': {
          meaning: 'the client certificate does not match the one uploaded to the app registration.',
          fix: "Upload the certificate's public part under Certificates & secrets, and set AZURE_CLIENT_CERTIFICATE_THUMBPRINT to its thumbprint.",
        },
        '7000112': {
          meaning: 'the application is disabled in this tenant.',
          fix: 'Enable the enterprise application (Enterprise applications > Properties > Enabled for users to sign-in).',
        },
        '70021': {
          meaning:
            'no federated credential of the app (AZURE_CLIENT_ID) matches the token in AZURE_FEDERATED_TOKEN_FILE (its issuer, subject and audience, listed below).',
          fix: "In the Microsoft Entra admin center open the app registration (or the user-assigned identity) named by AZURE_CLIENT_ID > Certificates & secrets > Federated credentials (Federated credentials for an identity) and add one whose Issuer, Subject identifier and Audience equal the values above; on AKS: the cluster's OIDC issuer URL, system:serviceaccount:<namespace>:<service account>, api://AzureADTokenExchange. A credential added in the last minutes may not have reached every server yet: run verify again shortly.",
        },
        '700211': {
          meaning: "no federated credential of the app trusts the token's issuer.",
          fix: "Set the federated credential's Issuer to the issuer listed above exactly (on AKS: `az aks show --query oidcIssuerProfile.issuerUrl`, with its trailing slash).",
        },
        '700212': {
          meaning: "no federated credential of the app accepts the token's audience.",
          fix: "Set the federated credential's Audience to the audience listed above (api://AzureADTokenExchange, the default, is what the AKS webhook requests).",
        },
        '700213': {
          meaning: "no federated credential of the app has the token's subject.",
          fix: "Set the federated credential's Subject identifier to the subject listed above exactly; on AKS it is system:serviceaccount:<namespace>:<service account> of the relay's pod, so a renamed namespace or service account needs a new credential.",
        },
        '700024': {
          meaning:
            "the token in AZURE_FEDERATED_TOKEN_FILE is outside its valid time range: it has expired, or this machine's clock is wrong.",
          fix: "Check that the platform still writes a fresh token to the file (on AKS the kubelet rotates the projected service account token; restart a pod whose token stopped changing) and that this machine's clock is synchronised (NTP).",
        },
        '53003': {
          meaning: 'a Conditional Access policy blocked the sign-in.',
          fix: "Ask your identity admin to exclude the relay's app (workload identity) from the policy, or allow this machine's location.",
        },
      },
    },
    whoami: {
      passed: (userId: string, businessUnitId: string) =>
        `connected as application user ${userId} (business unit ${businessUnitId})`,
      unauthorized: 'Dataverse answered 401: it does not accept this app in this environment.',
      notMember: 'Dataverse answered 403 0x80072560: the app has no application user in this environment.',
      createUser:
        'In the Power Platform admin center, Manage > Environments > your environment > Settings > Users + permissions > Application users > New app user, pick the app registration (AZURE_CLIENT_ID), its business unit and an email address, and assign the role "OpenCX Handoff Relay". See docs/admin-guide.md.',
      createUserFor: (appId: string) =>
        `In the Power Platform admin center, Manage > Environments > your environment > Settings > Users + permissions > Application users > New app user > Add an app, enter the application ID ${appId} (for a managed identity, its application ID, not its name), pick its business unit and an email address, and assign the role "OpenCX Handoff Relay". See docs/admin-guide.md.`,
      unreachable: (detail: string) => `Dataverse could not be reached (${detail}).`,
      unreachableFix:
        'Check DATAVERSE_URL and that this machine reaches it over HTTPS (proxy, firewall, DNS).',
      otherFix: 'See docs/troubleshooting.md for this code.',
    },
    privileges: {
      passed:
        'every table read and a test handoff (contact, case, queue item, note; rolled back, nothing kept) succeeded',
      passedWithAppend:
        'every table read and a test handoff with an append (contact, case, queue item, note, then both updated; rolled back, nothing kept) succeeded',
      passedWithUnifiedRouting:
        'every table read and a test handoff (contact, case, note, then the case updated, which stands in for unified routing: it needs Write on cases; rolled back, nothing kept) succeeded',
      passedWithout: (variables: string[]) =>
        `reads and a test handoff succeeded, without the parts that need ${variables.join(' and ')} (see below)`,
      missing: (count: number) => `the application user lacks ${count} privilege(s)`,
      line: (name: string, why: string) => `${name}: ${why}`,
      notInRole: (name: string, role: string) =>
        `${name}: not part of "${role}"; this environment requires it (a customisation such as a plug-in on these tables)`,
      missingFix: (roles: string[]) =>
        `Assign the security role${roles.length > 1 ? 's' : ''} ${roles.map((r) => `"${r}"`).join(' and ')} (imported with the OpenCX solution) to the application user, or add the privileges above to its role at the depth docs/admin-guide.md gives. The test handoff stops at the first missing write privilege: run verify again after fixing.`,
      unexpected: 'Dataverse refused a probe for a reason other than a privilege',
      unexpectedFix:
        'See docs/troubleshooting.md for the code; a plug-in or duplicate-detection rule may refuse new cases.',
      readFailed: (set: string, status: number, code: string, reason: string) =>
        `reading ${set}: ${status}${code ? ` ${code}` : ''}: ${reason}`,
      writeFailed: (step: string, status: number, code: string, reason: string) =>
        `test handoff, ${step}: ${status}${code ? ` ${code}` : ''}: ${reason}`,
      blocked: (step: string, code: string, reason: string) =>
        `reads passed; the test handoff stopped at "${step}" (${code}: ${reason}), explained by the checks below`,
      notRolledBack: (contactId: string, incidentId: string) =>
        `Dataverse kept the test handoff it should have rolled back (contact ${contactId}, case ${incidentId})`,
      notRolledBackFix:
        'Delete the test contact and case named "OpenCX verify probe" in Dynamics, and report this: the environment accepted a duplicate id.',
      probeTitle: 'OpenCX verify probe (rolled back; should never be visible)',
      probeContact: 'OpenCX verify probe',
      probeDescription:
        'Written and rolled back by `opencx-relay verify` to test privileges. Safe to delete if seen.',
      steps: {
        contact: 'create a contact',
        incident: 'create the case',
        queueItem: 'queue the case',
        note: 'attach a note',
        appendIncident: 'update the case (append)',
        appendNote: 'update the note (append)',
        routeIncident: 'update the case (Write on cases, as unified routing needs)',
        sentinel: 'duplicate case (expected refusal that rolls the test back)',
      },
    },
    queue: {
      passed: (name: string, id: string) => `"${name}" (${id}) is active`,
      inactive: (name: string) => `the queue "${name}" is inactive`,
      inactiveFix:
        'Activate the queue in Copilot Service admin center (formerly Customer Service admin center) > Queues, or set DEFAULT_QUEUE_ID to an active queue (`opencx-relay setup` lists them).',
      notFound: (id: string) => `no queue ${id} in this environment`,
      fix: "Set DEFAULT_QUEUE_ID to the id of the voice team's queue: `opencx-relay setup` lists the active queues with their ids (other ways: docs/admin-guide.md, step 5).",
      /** The queue mode line (config/types.ts QueueMode), in verify and setup. */
      mode: (mode: QueueMode, queue?: string) =>
        ({
          queue: `queue mode: every new case goes to ${queue ?? 'DEFAULT_QUEUE_ID'} (AddToQueue, which also moves a case the org queued elsewhere on create)`,
          'routing-rules':
            "queue mode: routing rules (no DEFAULT_QUEUE_ID; APPLY_ROUTING_RULES=legacy applies the org's active routing rule set to each new case, in the change set that creates it)",
          'unified-routing':
            'queue mode: unified routing (no DEFAULT_QUEUE_ID; APPLY_ROUTING_RULES=unified asks unified routing to route each new case once it exists, msdyn_ApplyRoutingRuleEntityRecord, with its own retries)',
          unassigned:
            'queue mode: unassigned (no DEFAULT_QUEUE_ID): new cases stay with their owner in no queue; set DEFAULT_QUEUE_ID, or APPLY_ROUTING_RULES=legacy or unified, to place them',
        })[mode],
      sourceQueue: (id: string) =>
        `AddToQueue names the owner's default queue ${id} as SourceQueue: the case moves from where auto-route put it`,
      autoRoute: (on: boolean | undefined) =>
        on === undefined
          ? "auto-route to the owner's queue: could not be read"
          : on
            ? "auto-route to the owner's queue is on for cases (AutoRouteToOwnerQueue): Dataverse puts each new case in its owner's default queue"
            : "auto-route to the owner's queue is off for cases (AutoRouteToOwnerQueue)",
      noQueue: 'no queue configured',
    },
    owner: {
      userPassed: (name: string, id: string) => `user "${name}" (${id}) is enabled`,
      teamPassed: (name: string, id: string) => `team "${name}" (${id}) exists`,
      disabled: (name: string) =>
        `the user "${name}" is disabled; Dataverse refuses cases owned by a disabled user`,
      disabledFix: 'Set DEFAULT_OWNER_ID to an enabled user, or DEFAULT_OWNER_TEAM_ID to a team.',
      notFound: (kind: string, id: string) =>
        `no ${kind === 'team' ? 'team' : 'user'} ${id} in this environment`,
      fix: 'Set DEFAULT_OWNER_ID to the id of an enabled user (or DEFAULT_OWNER_TEAM_ID to a team): `opencx-relay setup` lists those that can own cases, with their ids.',
    },
    options: {
      passed: (priority: number, extra: string[]) =>
        `priority ${priority} is an option of this environment${extra.length ? `; TICKET_PROPERTIES sets ${extra.join(', ')}` : ''}`,
      invalid: "the values do not match this environment's case columns",
      fix: 'Use the values listed above: DEFAULT_PRIORITY and the option values in TICKET_PROPERTIES must exist on the incident table of this environment.',
    },
    description: {
      passed: (max: number) => `the case description holds ${max.toLocaleString('en-US')} characters`,
      short: (max: number, recommended: number) =>
        `the case description holds ${max.toLocaleString('en-US')} characters (under ${recommended.toLocaleString('en-US')}): longer transcripts are shortened there and kept whole in a note`,
      fix: "Optional: raise the maximum length of the Case table's Description column (Power Apps > Tables > Case > Columns > Description), e.g. to 100,000, so reps see more in the form.",
    },
    placeholder: {
      passed: (name: string, id: string) => `"${name}" (${id}) is active`,
      inactive: (name: string) => `the placeholder contact "${name}" is inactive`,
      inactiveFix: 'Reactivate the contact, or run `opencx-relay setup` and use the id it prints.',
      notFound: (id: string) => `no contact ${id} in this environment`,
      fix: 'Run `opencx-relay setup`: it creates the "Unidentified caller" contact if needed and prints UNIDENTIFIED_CUSTOMER_ID.',
    },
    /** The Case forms check (admin/case-forms.ts): where reps will, or will not, see the transcript. */
    forms: {
      passed: (count: number) =>
        `the OpenCX transcript control is on the Description column of ${count === 1 ? 'the' : `all ${count}`} active Case main form${count === 1 ? '' : 's'}, for web, tablet and phone`,
      missing: (without: number, total: number) =>
        `${without} of ${total} active Case main form(s) do not show the transcript everywhere: reps who open ${without === 1 ? 'it' : 'them'} see the raw description`,
      none: 'no active main form of the Case table was found',
      multisession: ', the default case form of Copilot Service workspace',
      form: (name: string, id: string, multisession: boolean) =>
        `"${name}" (${id}${multisession ? messages.verify.forms.multisession : ''})`,
      found: 'on web, tablet and phone',
      partial: (on: string[], off: string[]) => `on ${on.join(', ')}; not on ${off.join(', ')}`,
      notOnForm: 'the OpenCX transcript control is not on its Description column',
      noDescription: 'the Description column is not on the form',
      boundElsewhere: (column: string) => `the control is bound to ${column}, not to Description`,
      inactive: 'inactive form (reps cannot open it), not checked',
      unreadable: 'its form definition could not be read',
      noMultisession:
        'No form named "Case for Multisession experience" (Copilot Service workspace\'s default case form) was found; check which form your reps open.',
      fix: 'In make.powerapps.com > Tables > Case > Forms, open each form named above (start with "Case for Multisession experience"), select the Description column, then Components > + Component > OpenCX transcript (select "Get more components" first if it is not listed), leave Web, Mobile and Tablet ticked, Done, Save and publish. A form your reps never open can be left as it is. See docs/admin-guide.md, step 2.',
      noneFix:
        'Check that Dynamics 365 Customer Service is installed in this environment (the Case table has main forms), then add the control as docs/admin-guide.md step 2 describes.',
      unreadableCheck: (status: number, code: string, reason: string) =>
        `the Case forms could not be read (${status}${code ? ` ${code}` : ''}: ${reason}), so verify cannot tell whether reps see the transcript`,
      missingPrivilegeFix: (privilege: string, role: string) =>
        `Re-import the current OpenCX solution so that "${role}" holds ${privilege} (reading form definitions), or check by hand that the OpenCX transcript control is on the Description column of "Case for Multisession experience" and every other Case main form (docs/admin-guide.md, step 2).`,
      otherFix:
        'Check by hand that the OpenCX transcript control is on the Description column of "Case for Multisession experience" and every other Case main form your reps open (docs/admin-guide.md, step 2).',
    },
    /** The insights check (admin/insights-check.ts): the Case columns that carry each handoff as data. */
    insights: {
      passed: (count: number) =>
        `all ${count} insights columns are on the Case table: the relay fills them on every new case`,
      notInstalled:
        "the insights columns are not installed: cases are created without them, and supervisors' OpenCX views, charts and dashboard stay empty",
      installFix:
        'Import the OpenCX Insights solution (after the OpenCX transcript solution; docs/admin-guide.md, section 8, "For supervisors: OpenCX Insights"), restart the relay so it reads the new columns, then fill the cases created before with `opencx-relay insights backfill --since 30d` (run it with --dry-run first).',
      partial: (present: number, total: number) =>
        `${present} of ${total} insights columns can be filled: the others stay blank on new cases`,
      absent: (columns: readonly string[]) => `not on the Case table: ${columns.join(', ')}`,
      mismatched: (column: string, found: string, expected: string) =>
        `${column} is a ${found} column, not ${expected}: not the solution's column, so the relay leaves it alone`,
      missingOptions: (column: string, values: readonly number[]) =>
        `${column} lacks option(s) ${values.join(', ')}: handoffs that map to them leave it blank`,
      partialFix:
        'Import the current OpenCX Insights solution again (it adds what is missing without touching data), restart the relay, then run `opencx-relay insights backfill` for the cases created meanwhile.',
      backfillRole: (role: string) =>
        `filling older cases (\`opencx-relay insights backfill\`) updates them: it needs prvWriteIncident, which the role "${role}" holds`,
      unreadable: (status: number, code: string, reason: string) =>
        `the Case table's columns could not be read (${status}${code ? ` ${code}` : ''}: ${reason}), so verify cannot tell whether the insights columns are installed`,
      unreadableFix: 'Run verify again; if it persists, see docs/troubleshooting.md for the code.',
    },
    settings: {
      passed: 'the rest of the configuration is valid',
      plainText:
        'the rest of the configuration is valid, but payloads are stored in plain text (PAYLOAD_ENCRYPTION_KEYS is not set)',
      plainTextFix:
        'Set PAYLOAD_ENCRYPTION_KEYS=<id>:<32 random bytes in base64> (openssl rand -base64 32) from your secret store, restart, then run `opencx-relay store rekey` for what is already stored; see docs/operator-guide.md#customer-data.',
      fix: 'Set the variables as described; see docs/admin-guide.md (relay configuration).',
    },
  },
  /** Which routing the org uses for cases, and whether the queue mode can work there (admin/org-routing.ts). */
  routing: {
    orgRoutes: (org: RoutingFacts) => {
      const rules = org.ruleSets?.length
        ? `an active routing rule set (${org.ruleSets.join(', ')})`
        : undefined;
      const streams = org.unified?.workstreams.length
        ? `unified routing, record workstream(s) ${org.unified.workstreams.map((w) => `"${w.name}"`).join(', ')}`
        : undefined;
      if (streams || rules)
        return `the org routes cases with ${[streams, rules].filter(Boolean).join(' and ')}`;
      if (org.routes === 'none')
        return `the org has no routing for cases (no active routing rule set${org.unified?.provisioned ? '; unified routing is provisioned, but no active record workstream routes cases' : '; unified routing is not provisioned'})`;
      return "the org's routing for cases could not be read in full";
    },
    unreadable: (what: string, answer: string) => `${what} could not be read (Dataverse answered ${answer})`,
    unreadableSummary: "the org's routing could not be read, so whether it places cases is not known",
    readFix:
      'Give the application user read access to routing rule sets and unified routing (workstreams, record types), or check the routing in Copilot Service admin center.',
    noRuleSet:
      'APPLY_ROUTING_RULES=legacy, but the org has no active routing rule set: ApplyRoutingRule would leave each case where it is',
    noRuleSetFix:
      'Activate a routing rule set for cases (Copilot Service admin center > Routing > Basic routing rulesets), or set APPLY_ROUTING_RULES=unified if the org routes cases with unified routing, or set DEFAULT_QUEUE_ID.',
    legacyWorks: (names: string[]) =>
      `the active routing rule set (${names.join(', ')}) places each new case (ApplyRoutingRule)`,
    unifiedAlsoConfigured:
      'this org also routes cases with unified routing: APPLY_ROUTING_RULES=unified asks it instead of the rule set',
    notProvisioned:
      'APPLY_ROUTING_RULES=unified, but unified routing is not provisioned in this org (msdyn_ApplyRoutingRuleEntityRecord does not exist here)',
    noCaseRecordType:
      'APPLY_ROUTING_RULES=unified, but cases are not set up for unified routing (Case is not a record type of record routing)',
    noWorkstream:
      'APPLY_ROUTING_RULES=unified, but no active record workstream routes cases: unified routing would leave each case where it is',
    unifiedFix:
      'In Copilot Service admin center: Routing > Record routing > add Case, then a record workstream for cases with its intake and route-to-queue rules (docs/admin-guide.md, routing). Or set APPLY_ROUTING_RULES=legacy, or DEFAULT_QUEUE_ID.',
    unifiedWorks: (streams: Array<{ name: string; queueId?: string }>) =>
      `unified routing routes each new case once it exists (msdyn_ApplyRoutingRuleEntityRecord): ${streams
        .map((w) => `"${w.name}"${w.queueId ? ` (default queue ${w.queueId})` : ''}`)
        .join(', ')}`,
    routed: "Applied the org's unified routing to the case (msdyn_ApplyRoutingRuleEntityRecord).",
    scheduled: (key: string) => `Unified routing is applied to the case by record ${key}.`,
    /** The log line of a route record due again (Dataverse busy, throttled, or its token refused). */
    retrying: 'unified routing failed, will retry',
    notProvisionedReason:
      'msdyn_ApplyRoutingRuleEntityRecord does not exist in this org: unified routing is not provisioned. Provision it and set up record routing for Case, or change APPLY_ROUTING_RULES, then `opencx-relay handoffs retry --failed`.',
    couldRoute: (routes: 'unified' | 'legacy') =>
      `set APPLY_ROUTING_RULES=${routes} to have the org's routing place each new case`,
  },
  setup: {
    description: 'Placeholder customer for calls whose caller is not known (created by opencx-relay setup).',
    failed: 'Setup could not run:',
    refused: (status: number, code: string, reason: string, message: string) =>
      `Dataverse answered ${status}${code ? ` ${code}` : ''}: ${reason} (${message})`,
    placeholder: (name: string, id: string, outcome: 'configured' | 'found' | 'created') =>
      `Placeholder customer "${name}" (contact ${id}): ${
        outcome === 'created'
          ? 'created.'
          : outcome === 'configured'
            ? 'already configured.'
            : 'found, reused.'
      }`,
    configureHeading: "Set these in the relay's environment (or .env):",
    chooseQueueBelow: '<an id from "Active queues" below>',
    /** The lists `setup` prints to paste from (admin/choices.ts). */
    choices: {
      heading: 'To choose from (paste the id):',
      queues: 'Active queues (DEFAULT_QUEUE_ID):',
      users: 'Enabled users who can own cases (DEFAULT_OWNER_ID):',
      teams: 'Teams that can own cases (DEFAULT_OWNER_TEAM_ID):',
      configured: '(configured now)',
      private: '(private: only its members see its items)',
      teamType: {
        owner: 'owner team',
        'security-group': 'Entra ID security group team',
        'office-group': 'Microsoft 365 group team',
      },
      empty: {
        queues: "(none: create the voice team's queue first)",
        users: '(none found)',
        teams: '(none found)',
      },
      truncated:
        '(the first 50; find others by the record URL or a Web API query: docs/admin-guide.md, step 5)',
      unavailable: (reason: string) => `(could not be read: Dataverse answered ${reason})`,
    },
    chooseOwner: '<id of an enabled user who owns new cases> (or DEFAULT_OWNER_TEAM_ID=<team id>)',
    control: (id: string) =>
      `On the Case form, set the OpenCX transcript control's placeholderCustomerId property to ${id}, so reps see such cases as "not linked".`,
    next: 'Then run `opencx-relay verify`.',
  },
  /** `opencx-relay insights backfill` (insights/backfill.ts, insights/backfill-command.ts). */
  backfill: {
    since: 'Use a number of days or hours back (30d, 12h) or an ISO 8601 date or time (2026-11-01).',
    batchSize: 'Use a whole number from 1 to 1000 (cases per page and per $batch).',
    configProblems: (count: number) =>
      `backfill cannot reach Dataverse: the configuration has ${count} problem(s) with DATAVERSE_URL or its credentials:`,
    notInstalled:
      'The insights columns are not on the Case table of this environment, so there is nothing to fill. Import the OpenCX Insights solution first (docs/admin-guide.md, section 8, "For supervisors: OpenCX Insights"), then run backfill again.',
    heading: (since: string, dryRun: boolean) =>
      `Insights backfill of the cases created since ${since}${dryRun ? ' (dry run: nothing is written)' : ''}`,
    /** cli-progress's format: {bar}, {value}, {total} and the payload's {filled}, {paused}. */
    bar: (dryRun: boolean) =>
      `{bar} {value}/{total} cases read, {filled} ${dryRun ? 'to fill' : 'filled'}{paused}`,
    pauseShared: "429 pauses are shared with the relay's workers through its store",
    pauseOwn: "the relay's store was not found or not reachable: 429 pauses are this run's own",
    paused: (until: string) =>
      `Dataverse asked the relay's application user to wait (429, service protection): resuming at ${until}`,
    read: (read: number, ours: number, others: number) =>
      `read ${read} case(s) without insights: ${ours} handoff(s) of ours, ${others} other case(s) left alone`,
    filled: (count: number, dryRun: boolean, complete: number) =>
      `${dryRun ? 'would fill' : 'filled'} ${count} case(s)${complete ? `; ${complete} had nothing more to fill` : ''}`,
    change: (ticket: string, id: string, fields: string) => `  ${ticket}  ${id}  ${fields}`,
    failed: (count: number) => `${count} case(s) could not be filled:`,
    failure: (ticket: string, id: string, code: string, reason: string) =>
      `  ${ticket}  ${id}  ${code}: ${reason}`,
    deleted: 'the case was deleted after it was read; nothing was written (If-Match: * never re-creates it)',
    stopped: (code: string, reason: string) =>
      `Stopped early (${code}): ${reason} Run the same command again once fixed: filled cases no longer match, so it picks up where it stopped.`,
    missingPrivilege: (privilege: string, role: string) =>
      `the application user lacks ${privilege}. Assign the role "${role}" to it${
        privilege === 'prvWriteIncident'
          ? ' for the backfill (backfill updates cases, which the relay itself does only with APPEND_AFTER_HANDOFF or APPLY_ROUTING_RULES; remove the role afterwards if neither is on)'
          : ''
      }, or run backfill as an application user that holds ${privilege}.`,
    foreignNextLink: (link: string) =>
      `Dataverse's next-page link (${link.split('?')[0]}) is not under DATAVERSE_URL, so the relay's token is not sent there. Set DATAVERSE_URL to the environment's URL exactly as Dataverse names it.`,
    pauses: (pauses: number, retries: number) =>
      `waited out ${pauses} throttling pause(s), retried ${retries} transient failure(s)`,
    nothingToDo:
      'Nothing to fill: every case of ours created in the window already has the insights its description gives.',
  },
  /** Adding the turns after the handoff (append/append-to-case.ts). */
  append: {
    caseDeleted:
      'The case was deleted in Dynamics, so the later turns were not added (the relay never re-creates a deleted case). They are kept with this handoff in the relay.',
  },
  /** The operations listener (ops-app.ts). */
  ops: {
    listening: 'operations listening (/metrics, /readyz in detail)',
    portInUse: (port: number) =>
      `OPS_PORT ${port} is already in use (the operations listener: /metrics, /readyz in detail). Stop what holds it, or set OPS_PORT to a free port (0 picks one).`,
    openWithoutToken:
      'The operations listener (/metrics, /readyz in detail) answers beyond loopback (OPS_HOST) without OPS_TOKEN: anyone who reaches it reads queue depth and error detail. Set OPS_TOKEN, or keep its port off any public route.',
  },
  /** Customer data at rest (issue 25): encryption, retention, erasure, rekey, audit. */
  dataAtRest: {
    keyId: (entry: string) =>
      `PAYLOAD_ENCRYPTION_KEYS has an entry (${entry}) whose id is not 1 to 32 letters, digits, _ or -. Write each key as id:base64, e.g. 2026a:<32 random bytes in base64> (openssl rand -base64 32), comma-separated, the one that encrypts first.`,
    keyLength: (id: string) =>
      `PAYLOAD_ENCRYPTION_KEYS: the key "${id}" is not 32 bytes of base64 (AES-256 needs 256 bits). Make one with: openssl rand -base64 32`,
    keyTwice: (id: string) =>
      `PAYLOAD_ENCRYPTION_KEYS names the key id "${id}" twice: give each key its own id.`,
    duration: 'Use a number and a unit: 45s, 30m, 12h or 7d.',
    deadLetterShorter: (payload: string) =>
      `Dead letters wait for an operator: keep them at least as long as PAYLOAD_RETENTION (${payload}).`,
    recordShorter: (longest: string) =>
      `The record that answers re-deliveries must outlive the payloads: use at least ${longest} (the longer of PAYLOAD_RETENTION and DEAD_LETTER_RETENTION).`,
    lookupKeyMissing: 'the store has not been opened: no lookup key to hash callers with',
    lookupKeyUnreadable: (id: string) =>
      `The store's lookup key (what \`handoffs erase\` matches callers with) is sealed under key id "${id}", which PAYLOAD_ENCRYPTION_KEYS does not list. Add that key back (after the current first one); payloads sealed under it cannot be read without it either. A key that is truly lost: docs/operator-guide.md#losing-a-key.`,
    lookupKeyNeedsKeys: (id: string) =>
      `This store is encrypted (its lookup key is sealed under key id "${id}") but PAYLOAD_ENCRYPTION_KEYS is not set: set it as before, listing that key.`,
    errorDetailsRemoved: 'Details removed with the payload (retention or erasure); the code remains.',
    errorDetailsSealed:
      'Details sealed under a key this process is not configured with (PAYLOAD_ENCRYPTION_KEYS).',
    payloadUnreadable: (id: string) =>
      `The payload is sealed under key id "${id}", which PAYLOAD_ENCRYPTION_KEYS does not list. Add the key back (after the current first one), restart, then \`opencx-relay handoffs retry <id>\`.`,
    rekeyNeedsKeys:
      'store rekey seals stored payloads under the first key of PAYLOAD_ENCRYPTION_KEYS: set it first.',
    tightened: (dir: string) =>
      `Tightened the data directory ${dir} to 0700 and its files to 0600: it holds callers' transcripts, which only the relay's user may read.`,
    retentionInForce:
      'retention: payloads of settled handoffs, dead letters, then the small records and webhook ids are removed after these',
    plainText:
      'payloads are stored in plain text (PAYLOAD_ENCRYPTION_KEYS is not set): anyone who can read the store or its backups reads every transcript still kept. See docs/operator-guide.md#customer-data.',
    encrypted: 'payloads are encrypted at rest (AES-256-GCM)',
    rekeyAdvised: (plain: number, older: number) =>
      `${plain} stored payload(s) in plain text and ${older} under an older key: \`opencx-relay store rekey\` seals them under the first key of PAYLOAD_ENCRYPTION_KEYS.`,
    rowsUnderUnknownKeys: (ids: string[]) =>
      `Stored payloads are sealed under key id(s) ${ids.join(', ')}, which PAYLOAD_ENCRYPTION_KEYS does not list: they cannot be delivered (each is dead-lettered when claimed) until the key is listed again.`,
    purged: 'retention: removed expired payloads and records',
    nothingToRetry: (reason: string) =>
      `Its payload was ${reason === 'erased' ? 'erased on request' : 'removed after its retention'}: there is nothing left to deliver.`,
    purgeFailed: 'retention: the purge round failed; retrying at the next one',
    deadLettersExpiring: (count: number, within: string) =>
      `${count} dead letter(s) lose their payload within ${within} (DEAD_LETTER_RETENTION): retry them with \`opencx-relay handoffs retry\` before, or let them go.`,
  },
  /** `opencx-relay handoffs erase` (privacy/erase.ts). */
  erase: {
    oneSelector: 'Name the caller with exactly one of --phone <number>, --email <address> or --session <id>.',
    emptySelector: (by: string) => `--${by} is empty: give the caller's ${by}.`,
    noneFound: (by: string) =>
      `No stored handoff holds this ${by}. (Handoffs past PAYLOAD_RETENTION keep no caller details, so they cannot be matched.)`,
    matched: (n: number, by: string) => `Matched ${n} stored handoff(s) of this caller by ${by}:`,
    leased: 'being delivered right now',
    wouldErase: (n: number) =>
      `--dry-run: nothing was changed. Without it, the payload and personal fields of ${n} handoff(s) would be erased.`,
    erased: (n: number) =>
      `Erased the payload and personal fields of ${n} handoff(s); their small records stay (status, case, ticket number, times).`,
    pendingErased: (n: number) =>
      `${n} of them had not been delivered yet: they end "skipped" and their cases are never created.`,
    pendingKept: (n: number) =>
      `Left ${n} pending handoff(s) as they are: they still become cases. Pass --include-pending to erase them too (their cases are then never created).`,
    busy: (n: number) =>
      `${n} pending handoff(s) are being delivered at this moment and were not erased: run the command again in a moment.`,
    casesHeading:
      "Cases in Dynamics 365 that hold this caller's data: erase them there next (docs/admin-guide.md#erasing-a-caller-in-dynamics-365):",
    olderRecords:
      'Handoffs past PAYLOAD_RETENTION keep no caller details in the relay and are not listed: search Dynamics 365 for this caller too.',
  },
  /** `opencx-relay store rekey` and `store audit` (privacy/rekey.ts). */
  rekey: {
    nothing: (keyId: string) => `Every stored payload is already sealed under key "${keyId}". Nothing to do.`,
    done: (resealed: number, keyId: string) => `Resealed ${resealed} stored handoff(s) under key "${keyId}".`,
    changed: (n: number) =>
      `${n} time(s) a worker rewrote a handoff while it was being resealed; each was taken again in a later pass.`,
    unreadable: (n: number, keys: string[]) =>
      `${n} handoff(s) are sealed under a key PAYLOAD_ENCRYPTION_KEYS does not list and were left as they are: ${keys.slice(0, 10).join(', ')}${n > 10 ? ', …' : ''}. List that key again (after the first) and run store rekey once more.`,
    stillOld: (n: number) =>
      `${n} handoff(s) are still under an older key or in plain text; run store rekey again.`,
    noAudit: 'No audit entries.',
  },
  store: {
    ownedElsewhere: (dataDir: string, owner: string) =>
      `Another relay is running on the embedded store in ${dataDir} (${owner}). Stop it first: only one relay may use an embedded store (for several instances, use PostgreSQL with RELAY_DATABASE_URL).`,
    owner: (pid: number, host: string, since: string) => `process ${pid} on ${host}, started ${since}`,
    ownerUnknown: 'its process id and host could not be read',
    tookOver:
      "took over the previous relay's claims: its handoffs are delivered now, not when their leases expire",
    postgresWithoutTls: (host: string) =>
      `RELAY_DATABASE_URL reaches PostgreSQL on ${host} without TLS: handoffs (callers' words) and the database password cross the network in clear. Add ?sslmode=verify-full (with sslrootcert=/path/to/ca.pem for a private CA) to the URL; see docs/operator-guide.md, "PostgreSQL and TLS".`,
    poolMode: (mode: string) =>
      `pool_mode=${mode} is not valid: use pool_mode=transaction behind a pooler in transaction mode (PgBouncer, Azure's built-in PgBouncer), or pool_mode=session (the default: PostgreSQL itself, or a pooler in session mode).`,
  },
} as const;
