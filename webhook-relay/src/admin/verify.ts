/**
 * `opencx-relay verify`: checks, in order, everything the relay needs to create a case, and names the fix
 * for each failure (spec §3.6): environment URL, token, WhoAmI, privileges, queue, owner, priority and
 * TICKET_PROPERTIES, description length, placeholder customer, the transcript control on the Case forms, the insights columns, then the rest of the relay's settings.
 * A check that cannot mean anything after an earlier failure is skipped, not failed twice.
 */
import type { Env } from '../config/load.js';
import type { RelayConfig } from '../config/types.js';
import { DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import type { DataverseFailure } from '../dataverse/errors.js';
import { readAutoRouteToOwnerQueue, readMaxLength } from '../dataverse/metadata.js';
import { prepareDelivery } from '../delivery/metadata.js';
import type { DeliveryMetadata } from '../delivery/plan.js';
import { readPlacement, type Placement } from '../delivery/placement.js';
import { messages } from '../messages.js';
import {
  adminClient,
  DATAVERSE_VARIABLES,
  loadForAdmin,
  otherProblems,
  problemsOf,
  type AdminConfig,
} from './config.js';
import { checkCaseForms } from './case-forms.js';
import { checkInsights } from './insights-check.js';
import { checkPrivileges, privilegeLine, rolesFor } from './privileges.js';
import { readOrgRouting, routingVerdict } from './org-routing.js';
import { reportOf, type CheckId, type CheckResult, type QueueReport, type VerifyReport } from './report.js';
import { queueModeOf } from '../config/types.js';
import { missingPrivilegeIn } from './role.js';
import { acquireToken, explainTokenFailure, type TokenOptions } from './token.js';
import { diagnoseUrl } from './url.js';

export interface VerifyOptions {
  token?: TokenOptions;
  /** Builds the Dataverse client (tests pass the real one; the default is the relay's client). */
  client?: (config: RelayConfig) => DataverseClient;
  /** Ids for the rolled-back test handoff. */
  newId?: () => string;
}

const RECOMMENDED_DESCRIPTION_LENGTH = 4000;
const m = messages.verify;

const title = (id: CheckId) => m.titles[id];
const result = (id: CheckId, fields: Omit<CheckResult, 'id' | 'title'>): CheckResult => ({
  id,
  title: title(id),
  ...fields,
});
const skipped = (id: CheckId, because: string): CheckResult =>
  result(id, { status: 'skip', summary: because });

function failureOf(error: unknown): DataverseFailure {
  if (error instanceof DataverseRequestError) return error.failure;
  throw error;
}

/** A Dataverse refusal as a failed check; a missing privilege is named with its role entry. */
function refused(id: CheckId, failure: DataverseFailure, fix: string): CheckResult {
  const privilege = failure.code === '0x80040220' ? missingPrivilegeIn(failure.message) : undefined;
  if (privilege) {
    return result(id, {
      status: 'fail',
      code: failure.code,
      summary: m.privileges.missing(1),
      details: [privilegeLine(privilege)],
      fix: m.privileges.missingFix(rolesFor([privilege])),
    });
  }
  return result(id, {
    status: 'fail',
    code: failure.code || String(failure.httpStatus),
    summary: m.refused(failure.httpStatus, failure.code, failure.reason),
    fix,
  });
}

function configProblem(id: CheckId, problems: string[], fix: string): CheckResult {
  return result(id, { status: 'fail', summary: m.configProblem, details: problems, fix });
}

/** `appId`: the application ID the token was issued to, which the admin enters for the application user. */
async function whoAmI(client: DataverseClient, appId?: string): Promise<CheckResult> {
  const createUser = appId ? m.whoami.createUserFor(appId) : m.whoami.createUser;
  try {
    // Use Web API functions: Unbound functions (the function name with its parentheses).
    const me = await client.get<{ UserId?: string; BusinessUnitId?: string }>('WhoAmI()');
    return result('whoami', {
      status: 'pass',
      summary: m.whoami.passed(me.UserId ?? '?', me.BusinessUnitId ?? '?'),
    });
  } catch (error) {
    const failure = failureOf(error);
    if (failure.httpStatus === 401) {
      return result('whoami', {
        status: 'fail',
        code: '401',
        summary: m.whoami.unauthorized,
        fix: createUser,
      });
    }
    if (failure.code === '0x80072560') {
      return result('whoami', {
        status: 'fail',
        code: failure.code,
        summary: m.whoami.notMember,
        fix: createUser,
      });
    }
    if (failure.httpStatus === 0) {
      return result('whoami', {
        status: 'fail',
        summary: m.whoami.unreachable(failure.message),
        fix: m.whoami.unreachableFix,
      });
    }
    return refused('whoami', failure, m.whoami.otherFix);
  }
}

/** A read `verify` reports as "could not be read" rather than failing on: undefined when Dataverse refused it. */
async function readOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    failureOf(error);
    return undefined;
  }
}

/**
 * Where new cases go: the configured queue (queue mode), or whether the org's routing can place them (routing
 * modes), with the org's own placement of new cases and which routing it uses (admin/org-routing.ts).
 */
async function checkQueue(
  client: DataverseClient,
  admin: AdminConfig,
  config: RelayConfig,
  queue: QueueReport,
  placement: Placement | undefined,
): Promise<CheckResult> {
  const problems = problemsOf(admin, DATAVERSE_VARIABLES.queue);
  if (problems.length) return configProblem('queue', problems, m.queue.fix);
  queue.autoRouteToOwnerQueue =
    placement?.autoRouteToOwnerQueue ?? (await readOrUndefined(() => readAutoRouteToOwnerQueue(client)));
  if (placement?.sourceQueueId) queue.sourceQueueId = placement.sourceQueueId;
  const org = await readOrgRouting(client);
  queue.org = org;
  const verdict = routingVerdict(queue.mode, org);
  const modeLines = [
    m.queue.mode(queue.mode, config.defaultQueueId),
    m.queue.autoRoute(queue.autoRouteToOwnerQueue),
    ...(queue.sourceQueueId ? [m.queue.sourceQueue(queue.sourceQueueId)] : []),
    ...verdict.details,
  ];
  if (config.defaultQueueId) {
    const check = await checkConfiguredQueue(client, config.defaultQueueId);
    return { ...check, details: [...(check.details ?? []), ...modeLines] };
  }
  return result('queue', {
    status: verdict.status,
    summary: verdict.summary || m.queue.noQueue,
    details: modeLines,
    ...(verdict.fix ? { fix: verdict.fix } : {}),
  });
}

async function checkConfiguredQueue(client: DataverseClient, queueId: string): Promise<CheckResult> {
  try {
    const queue = await client.get<{ name?: string; statecode?: number }>(
      `queues(${queueId})?$select=name,statecode`,
    );
    if (queue.statecode !== undefined && queue.statecode !== 0) {
      return result('queue', {
        status: 'fail',
        summary: m.queue.inactive(queue.name ?? queueId),
        fix: m.queue.inactiveFix,
      });
    }
    return result('queue', {
      status: 'pass',
      summary: m.queue.passed(queue.name ?? '', queueId),
    });
  } catch (error) {
    const failure = failureOf(error);
    if (failure.httpStatus === 404) {
      return result('queue', {
        status: 'fail',
        code: failure.code,
        summary: m.queue.notFound(queueId),
        fix: m.queue.fix,
      });
    }
    return refused('queue', failure, m.queue.fix);
  }
}

async function checkOwner(
  client: DataverseClient,
  admin: AdminConfig,
  config: RelayConfig,
): Promise<CheckResult> {
  const problems = problemsOf(admin, DATAVERSE_VARIABLES.owner);
  if (problems.length) return configProblem('owner', problems, m.owner.fix);
  const { kind, id } = config.defaultOwner;
  try {
    if (kind === 'team') {
      const team = await client.get<{ name?: string }>(`teams(${id})?$select=name`);
      return result('owner', { status: 'pass', summary: m.owner.teamPassed(team.name ?? '', id) });
    }
    const user = await client.get<{ fullname?: string; isdisabled?: boolean }>(
      `systemusers(${id})?$select=fullname,isdisabled`,
    );
    if (user.isdisabled) {
      return result('owner', {
        status: 'fail',
        summary: m.owner.disabled(user.fullname ?? id),
        fix: m.owner.disabledFix,
      });
    }
    return result('owner', { status: 'pass', summary: m.owner.userPassed(user.fullname ?? '', id) });
  } catch (error) {
    const failure = failureOf(error);
    if (failure.httpStatus === 404) {
      return result('owner', {
        status: 'fail',
        code: failure.code,
        summary: m.owner.notFound(kind, id),
        fix: m.owner.fix,
      });
    }
    return refused('owner', failure, m.owner.fix);
  }
}

/** The priority and TICKET_PROPERTIES, read as delivery reads them; answers delivery's metadata when it got that far. */
async function checkOptions(
  client: DataverseClient,
  admin: AdminConfig,
  config: RelayConfig,
  placement: Placement | undefined,
): Promise<{ check: CheckResult; metadata?: DeliveryMetadata }> {
  const problems = problemsOf(admin, DATAVERSE_VARIABLES.options);
  if (problems.length) return { check: configProblem('options', problems, m.options.fix) };
  try {
    const prepared = await prepareDelivery(config, client, () => Promise.resolve(placement));
    if (!prepared.ok) {
      return {
        check: result('options', {
          status: 'fail',
          summary: m.options.invalid,
          details: prepared.errors,
          fix: m.options.fix,
        }),
      };
    }
    const extra = Object.keys(config.ticketProperties);
    return {
      check: result('options', { status: 'pass', summary: m.options.passed(config.defaultPriority, extra) }),
      metadata: prepared.metadata,
    };
  } catch (error) {
    return { check: refused('options', failureOf(error), m.options.fix) };
  }
}

/** `known`: the description's MaxLength as the options check already read it (read here only when it did not). */
async function checkDescription(client: DataverseClient, known?: number): Promise<CheckResult> {
  try {
    const max = known ?? (await readMaxLength(client, 'incident', 'description', 'Memo')) ?? 2000;
    if (max < RECOMMENDED_DESCRIPTION_LENGTH) {
      return result('description', {
        status: 'warn',
        summary: m.description.short(max, RECOMMENDED_DESCRIPTION_LENGTH),
        fix: m.description.fix,
      });
    }
    return result('description', { status: 'pass', summary: m.description.passed(max) });
  } catch (error) {
    return refused('description', failureOf(error), m.description.fix);
  }
}

async function checkPlaceholder(
  client: DataverseClient,
  admin: AdminConfig,
  config: RelayConfig,
): Promise<CheckResult> {
  const problems = problemsOf(admin, DATAVERSE_VARIABLES.placeholder);
  if (problems.length) return configProblem('placeholder', problems, m.placeholder.fix);
  const id = config.unidentifiedCustomerId;
  try {
    const contact = await client.get<{ fullname?: string; statecode?: number }>(
      `contacts(${id})?$select=fullname,statecode`,
    );
    if (contact.statecode !== undefined && contact.statecode !== 0) {
      return result('placeholder', {
        status: 'fail',
        summary: m.placeholder.inactive(contact.fullname ?? id),
        fix: m.placeholder.inactiveFix,
      });
    }
    return result('placeholder', {
      status: 'pass',
      summary: m.placeholder.passed(contact.fullname ?? '', id),
    });
  } catch (error) {
    const failure = failureOf(error);
    if (failure.httpStatus === 404) {
      return result('placeholder', {
        status: 'fail',
        code: failure.code,
        summary: m.placeholder.notFound(id),
        fix: m.placeholder.fix,
      });
    }
    return refused('placeholder', failure, m.placeholder.fix);
  }
}

function checkSettings(admin: AdminConfig): CheckResult {
  const problems = otherProblems(admin);
  if (problems.length) return configProblem('settings', problems, m.settings.fix);
  // Valid, but every transcript the relay keeps is readable to whoever can read its store (issue 25).
  if (admin.config && admin.config.dataAtRest.keys.length === 0)
    return result('settings', {
      status: 'warn',
      summary: m.settings.plainText,
      fix: m.settings.plainTextFix,
    });
  return result('settings', { status: 'pass', summary: m.settings.passed });
}

const DATAVERSE_CHECKS: CheckId[] = [
  'whoami',
  'privileges',
  'queue',
  'owner',
  'options',
  'description',
  'placeholder',
  'forms',
  'insights',
];

export async function verify(env: Env, options: VerifyOptions = {}): Promise<VerifyReport> {
  const admin = loadForAdmin(env);
  const checks: CheckResult[] = [];
  const url = env.DATAVERSE_URL?.trim();
  // The queue mode is the configuration's, known before any request; the org's auto-route setting is read later.
  const queue: QueueReport | undefined = admin.config && {
    mode: queueModeOf(admin.config),
    ...(admin.config.defaultQueueId ? { queueId: admin.config.defaultQueueId } : {}),
    applyRoutingRules: admin.config.applyRoutingRules,
  };
  const finish = (because: string, after: CheckId[]) => {
    for (const id of after) checks.push(skipped(id, because));
    checks.push(checkSettings(admin));
    return { ...reportOf(url, checks), ...(queue ? { queue } : {}) };
  };

  // 1. Environment URL.
  const urlProblems = problemsOf(admin, DATAVERSE_VARIABLES.url);
  if (urlProblems.length) {
    checks.push(
      result('url', {
        status: 'fail',
        summary: diagnoseUrl(url),
        details: urlProblems,
        fix: messages.config.dataverseUrl,
      }),
    );
    return finish(m.skippedAfter(title('url')), ['token', ...DATAVERSE_CHECKS]);
  }
  checks.push(result('url', { status: 'pass', summary: url ?? '' }));

  // 2. Token.
  const tokenProblems = problemsOf(admin, DATAVERSE_VARIABLES.token);
  const config = admin.config;
  if (tokenProblems.length || !config) {
    const mode = env.DATAVERSE_AUTH?.trim();
    const fix =
      mode === 'managed-identity'
        ? messages.config.managedIdentityClientId
        : mode === 'workload-identity'
          ? messages.config.workloadIdentity
          : messages.config.azureCredentials;
    checks.push(configProblem('token', tokenProblems, fix));
    return finish(m.skippedAfter(title('token')), DATAVERSE_CHECKS);
  }
  let appId: string | undefined;
  if (config.auth.kind === 'none') {
    checks.push(result('token', { status: 'pass', summary: m.token.none }));
  } else {
    const auth = config.auth;
    const outcome = await acquireToken(config.dataverseUrl, auth, options.token);
    if (!outcome.ok) {
      const explained = explainTokenFailure(outcome, auth);
      checks.push(
        result('token', {
          status: 'fail',
          code: outcome.aadsts ? `AADSTS${outcome.aadsts}` : outcome.error,
          summary: explained.summary,
          ...(explained.details ? { details: explained.details } : {}),
          fix: explained.fix,
        }),
      );
      return finish(m.skippedAfter(title('token')), DATAVERSE_CHECKS);
    }
    // The token's own appid/azp claim is the application ID Dataverse looks the caller up by; a managed
    // identity's is known only from its token.
    appId = outcome.claims.appId ?? auth.clientId;
    const tenantId = outcome.claims.tenantId ?? ('tenantId' in auth ? auth.tenantId : undefined);
    const unknown = m.token.unknownClaim;
    const summary =
      auth.kind === 'managed-identity'
        ? m.token.passedManagedIdentity(
            auth.clientId ? m.token.userAssigned(auth.clientId) : m.token.systemAssigned,
            appId ?? unknown,
            tenantId ?? unknown,
          )
        : auth.kind === 'workload-identity'
          ? m.token.passedWorkloadIdentity(auth.clientId, auth.tenantId, auth.tokenFile)
          : m.token.passed(auth.clientId, auth.tenantId);
    checks.push(result('token', { status: 'pass', summary }));
  }

  // 3. WhoAmI: the application user exists in this environment.
  const client = adminClient(config, options.client, options.token);
  const me = await whoAmI(client, appId);
  checks.push(me);
  if (me.status === 'fail') return finish(m.skippedAfter(title('whoami')), DATAVERSE_CHECKS.slice(1));

  // 4–9. Everything a delivery touches. Where the org puts new cases is read first, as delivery reads it at
  // start, so the test handoff sends the change set a delivery sends.
  const queueUsable = !problemsOf(admin, DATAVERSE_VARIABLES.queue).length;
  const ownerUsable = !problemsOf(admin, DATAVERSE_VARIABLES.owner).length;
  const placement =
    queueUsable && ownerUsable ? await readOrUndefined(() => readPlacement(client, config)) : undefined;
  checks.push(
    await checkPrivileges({
      client,
      config,
      queueUsable,
      ownerUsable,
      sourceQueueId: placement?.sourceQueueId,
      append: config.appendAfterHandoff,
      newId: options.newId,
    }),
  );
  checks.push(await checkQueue(client, admin, config, queue!, placement));
  checks.push(await checkOwner(client, admin, config));
  const optionsCheck = await checkOptions(client, admin, config, placement);
  checks.push(optionsCheck.check);
  checks.push(await checkDescription(client, optionsCheck.metadata?.descriptionMaxLength));
  checks.push(await checkPlaceholder(client, admin, config));
  // 10. Whether reps will see the transcript: the control on the Case forms (a warning, never a failure).
  checks.push(await checkCaseForms(client));
  // 11. Whether supervisors get each handoff as data: the insights columns (a warning, never a failure).
  checks.push(await checkInsights(client));
  checks.push(checkSettings(admin));
  return { ...reportOf(config.dataverseUrl, checks), queue };
}
