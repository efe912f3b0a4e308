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
    },
    sessionUrlDropped: 'session_url dropped: only https: links are kept',
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
  /** Why the "OpenCX Handoff Relay" role holds each privilege (admin/role.ts). */
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
      prvWriteIncident: 'APPEND_AFTER_HANDOFF: re-fit the description with the turns after the handoff',
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
        'In the Power Platform admin center, open the environment > Settings > Users + permissions > Application users > New app user, pick the app registration (AZURE_CLIENT_ID) and its business unit, and assign the role "OpenCX Handoff Relay". See docs/admin-guide.md.',
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
        sentinel: 'duplicate case (expected refusal that rolls the test back)',
      },
    },
    queue: {
      passed: (name: string, id: string) => `"${name}" (${id}) is active`,
      inactive: (name: string) => `the queue "${name}" is inactive`,
      inactiveFix:
        'Activate the queue in Customer Service admin center > Queues, or set DEFAULT_QUEUE_ID to an active queue.',
      notFound: (id: string) => `no queue ${id} in this environment`,
      fix: "Set DEFAULT_QUEUE_ID to the id of the voice team's queue (open the queue; the id is in the address bar after id=; `opencx-relay setup` lists active queues).",
    },
    owner: {
      userPassed: (name: string, id: string) => `user "${name}" (${id}) is enabled`,
      teamPassed: (name: string, id: string) => `team "${name}" (${id}) exists`,
      disabled: (name: string) =>
        `the user "${name}" is disabled; Dataverse refuses cases owned by a disabled user`,
      disabledFix: 'Set DEFAULT_OWNER_ID to an enabled user, or DEFAULT_OWNER_TEAM_ID to a team.',
      notFound: (kind: string, id: string) =>
        `no ${kind === 'team' ? 'team' : 'user'} ${id} in this environment`,
      fix: 'Set DEFAULT_OWNER_ID to the id of an enabled user (or DEFAULT_OWNER_TEAM_ID to a team) from Settings > Users.',
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
    settings: {
      passed: 'the rest of the configuration is valid',
      fix: 'Set the variables as described; see docs/admin-guide.md (relay configuration).',
    },
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
    chooseQueue: '<one of these active queues>',
    noQueues: "(no active queue found: create the voice team's queue first)",
    chooseOwner: '<id of an enabled user who owns new cases> (or DEFAULT_OWNER_TEAM_ID=<team id>)',
    control: (id: string) =>
      `On the Case form, set the OpenCX transcript control's placeholderCustomerId property to ${id}, so reps see such cases as "not linked".`,
    next: 'Then run `opencx-relay verify`.',
  },
  store: {
    ownedElsewhere: (dataDir: string, owner: string) =>
      `Another relay is running on the embedded store in ${dataDir} (${owner}). Stop it first: only one relay may use an embedded store (for several instances, use PostgreSQL with RELAY_DATABASE_URL).`,
    owner: (pid: number, host: string, since: string) => `process ${pid} on ${host}, started ${since}`,
    ownerUnknown: 'its process id and host could not be read',
    tookOver:
      "took over the previous relay's claims: its handoffs are delivered now, not when their leases expire",
  },
} as const;
