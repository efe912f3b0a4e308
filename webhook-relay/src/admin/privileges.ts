/**
 * The privilege check of `verify`. Two probes that work the same against a real org and the sandbox:
 *
 * - reads: one `$top=1` query per table the relay or `verify` reads;
 * - writes: a test handoff in one `$batch` change set, the same operations a delivery sends (contact,
 *   case with customer and owner, queue item, note), closed by a deliberate duplicate create of the test
 *   case. Dataverse fails that last operation (412 0x80040237, DUPLICATE_KEY) and rolls the whole change set back, so
 *   nothing persists; any missing privilege on the way fails first with 403 0x80040220 naming it. This
 *   exercises Append, AppendTo and Assign exactly as a delivery does, which a list of role names cannot.
 *
 * RetrievePrincipalAccess needs an existing record per table, and RetrieveUserPrivileges answers with
 * privilege ids (plus roles inherited from teams), neither of which the sandbox models; the probes above
 * need nothing but the operations the relay already uses.
 *
 * The routing modes need prvWriteIncident (admin/role.ts, the "- Routing" role). Legacy routing's
 * ApplyRoutingRule travels in the test handoff as in a delivery, so Dataverse checks it there. Unified
 * routing's msdyn_ApplyRoutingRuleEntityRecord cannot: a delivery sends it after the case is committed, never
 * in a change set (delivery/route-step.ts), and the test case never exists. Its privilege is itself an
 * assumption (the same as ApplyRoutingRule's), so the test handoff checks exactly that privilege, with the
 * update a delivery's append sends (PATCH of the test case, If-Match: *): Write on a case owned by
 * DEFAULT_OWNER_ID, so a role with Write at too low a depth is caught too, which a list of the user's
 * privileges (RetrieveUserPrivileges) would only show as a depth to interpret.
 */
import { randomUUID } from 'node:crypto';
import type { RelayConfig } from '../config/types.js';
import type { ChangeSetOperation } from '../dataverse/batch.js';
import { API_PATH, DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import { DUPLICATE_KEY } from '../dataverse/errors.js';
import { messages } from '../messages.js';
import { placeCase } from '../delivery/placement.js';
import type { CheckResult } from './report.js';
import { queueModeOf } from '../config/queue-mode.js';
import {
  isRelayPrivilege,
  missingPrivilegeIn,
  RELAY_ROLE_NAME,
  roleHolding,
  roleUsesOf,
  type RoleUses,
} from './role.js';

const READS = [
  { set: 'contacts', key: 'contactid', privilege: 'prvReadContact' },
  { set: 'incidents', key: 'incidentid', privilege: 'prvReadIncident' },
  { set: 'queues', key: 'queueid', privilege: 'prvReadQueue' },
  { set: 'systemusers', key: 'systemuserid', privilege: 'prvReadUser' },
  { set: 'teams', key: 'teamid', privilege: 'prvReadTeam' },
] as const;
/** With APPEND_AFTER_HANDOFF the relay also reads its transcript notes back. */
const APPEND_READS = [{ set: 'annotations', key: 'annotationid', privilege: 'prvReadNote' }] as const;

const PRIVILEGE = '0x80040220';
/** Failures the queue and owner checks explain better: the test handoff stops there, not for a privilege. */
const EXPLAINED_ELSEWHERE = new Set(['0x80040217', '0x80040225', '0x80040528']);

export interface PrivilegeCheckInput {
  client: DataverseClient;
  config: Pick<RelayConfig, 'defaultQueueId' | 'applyRoutingRules' | 'defaultOwner'>;
  /** False when the variable was unusable: the test handoff then leaves that part out. */
  queueUsable: boolean;
  /** AddToQueue's SourceQueue, as delivery names it (delivery/placement.ts). */
  sourceQueueId?: string;
  ownerUsable: boolean;
  /** APPEND_AFTER_HANDOFF: the test handoff also updates its case and note, as an append does. */
  append?: boolean;
  newId?: () => string;
}

/**
 * Our roles that hold the missing privileges, among those the configuration needs (the main role when none
 * of ours does).
 */
export function rolesFor(missing: readonly string[], uses: RoleUses = {}): string[] {
  const roles = new Set(missing.filter(isRelayPrivilege).flatMap((name) => roleHolding(name, uses)));
  return roles.size ? [...roles].sort() : [RELAY_ROLE_NAME];
}

/**
 * The update of the test case a delivery's append sends: Write on a case. As an append sends it, an update
 * only (Perform conditional operations: Prevent create in upsert).
 */
function caseUpdate(incidentId: string, description: string): ChangeSetOperation {
  return {
    method: 'PATCH',
    url: `${API_PATH}incidents(${incidentId})`,
    body: { description },
    headers: { 'If-Match': '*' },
  };
}

export function privilegeLine(name: string): string {
  const m = messages.verify.privileges;
  return isRelayPrivilege(name) ? m.line(name, messages.role.why[name]) : m.notInRole(name, RELAY_ROLE_NAME);
}

function failureOf(error: unknown) {
  if (error instanceof DataverseRequestError) return error.failure;
  throw error;
}

export async function checkPrivileges(input: PrivilegeCheckInput): Promise<CheckResult> {
  const m = messages.verify.privileges;
  const base = { id: 'privileges' as const, title: messages.verify.titles.privileges };
  const missing: string[] = [];
  const unexpected: string[] = [];
  let code: string | undefined;

  for (const read of input.append ? [...READS, ...APPEND_READS] : READS) {
    try {
      await input.client.get(`${read.set}?$select=${read.key}&$top=1`);
    } catch (error) {
      const failure = failureOf(error);
      if (failure.code === PRIVILEGE) missing.push(missingPrivilegeIn(failure.message) ?? read.privilege);
      else unexpected.push(m.readFailed(read.set, failure.httpStatus, failure.code, failure.reason));
      code ??= failure.code || String(failure.httpStatus);
    }
  }

  const newId = input.newId ?? randomUUID;
  const contactId = newId();
  const incidentId = newId();
  const noteId = newId();
  const probeCase = {
    incidentid: incidentId,
    title: m.probeTitle,
    'customerid_contact@odata.bind': `/contacts(${contactId})`,
    ...(input.ownerUsable
      ? {
          'ownerid@odata.bind': `/${input.config.defaultOwner.kind === 'team' ? 'teams' : 'systemusers'}(${input.config.defaultOwner.id})`,
        }
      : {}),
  };
  const steps: Array<{ label: string; operation: ChangeSetOperation }> = [
    {
      label: m.steps.contact,
      operation: {
        method: 'POST',
        url: `${API_PATH}contacts`,
        body: { contactid: contactId, lastname: m.probeContact, description: m.probeDescription },
      },
    },
    { label: m.steps.incident, operation: { method: 'POST', url: `${API_PATH}incidents`, body: probeCase } },
  ];
  // What a delivery sends to place the case (AddToQueue or ApplyRoutingRule, delivery/placement.ts), so an org
  // that queues cases itself on create passes here as it does in delivery.
  const placement = input.queueUsable ? placeCase(incidentId, input.config, input.sourceQueueId) : undefined;
  if (placement) steps.push({ label: m.steps.queueItem, operation: placement });
  steps.push({
    label: m.steps.note,
    operation: {
      method: 'POST',
      url: `${API_PATH}annotations`,
      body: {
        annotationid: noteId,
        subject: m.probeTitle,
        notetext: m.probeDescription,
        'objectid_incident@odata.bind': `/incidents(${incidentId})`,
      },
    },
  });
  const unifiedRouting = queueModeOf(input.config) === 'unified-routing';
  if (unifiedRouting && !input.append) {
    // Unified routing's Write on cases, checked with an update (see the head of this file); with append on,
    // the append's own update of the case checks it.
    steps.push({ label: m.steps.routeIncident, operation: caseUpdate(incidentId, m.probeDescription) });
  }
  if (input.append) {
    // What an append sends after the handoff: the case's description and the note, both updated.
    steps.push(
      { label: m.steps.appendIncident, operation: caseUpdate(incidentId, m.probeDescription) },
      {
        label: m.steps.appendNote,
        operation: {
          method: 'PATCH',
          url: `${API_PATH}annotations(${noteId})`,
          body: { notetext: m.probeDescription },
        },
      },
    );
  }
  // The sentinel: the same case again. Its refusal is what rolls the change set back.
  steps.push({
    label: m.steps.sentinel,
    operation: { method: 'POST', url: `${API_PATH}incidents`, body: probeCase },
  });
  const sentinel = String(steps.length);
  // The test records exist after all (never expected): say which, and how to clean up.
  const notRolledBack: CheckResult = {
    ...base,
    status: 'fail',
    summary: m.notRolledBack(contactId, incidentId),
    fix: m.notRolledBackFix,
  };

  let dryRun: 'rolled-back' | 'blocked' | 'failed' = 'failed';
  let blockedReason = '';
  try {
    await input.client.batch(
      steps.map((step) => step.operation),
      [],
    );
    // Dataverse accepted a duplicate key.
    return notRolledBack;
  } catch (error) {
    const failure = failureOf(error);
    const contentId = (error as { contentId?: string }).contentId;
    const step = contentId ? steps[Number(contentId) - 1]?.label : undefined;
    if (failure.code === PRIVILEGE) {
      const named = missingPrivilegeIn(failure.message);
      if (named && !missing.includes(named)) missing.push(named);
      if (!named)
        unexpected.push(m.writeFailed(step ?? '?', failure.httpStatus, failure.code, failure.message));
      code ??= PRIVILEGE;
    } else if (failure.code === DUPLICATE_KEY || contentId === sentinel) {
      dryRun = 'rolled-back';
    } else if (EXPLAINED_ELSEWHERE.has(failure.code) || failure.httpStatus === 404) {
      dryRun = 'blocked';
      blockedReason = m.blocked(step ?? '?', failure.code, failure.reason);
    } else {
      unexpected.push(m.writeFailed(step ?? '?', failure.httpStatus, failure.code, failure.reason));
      code ??= failure.code || String(failure.httpStatus);
    }
  }

  if (dryRun === 'rolled-back') {
    // Make sure: the test case must not exist after the rollback.
    try {
      await input.client.get(`incidents(${incidentId})?$select=incidentid`);
      return notRolledBack;
    } catch (error) {
      const failure = failureOf(error);
      if (failure.httpStatus !== 404)
        unexpected.push(m.readFailed('incidents', failure.httpStatus, failure.code, failure.reason));
    }
  }

  if (missing.length > 0) {
    return {
      ...base,
      status: 'fail',
      code: PRIVILEGE,
      summary: m.missing(missing.length),
      details: missing.map(privilegeLine),
      fix: m.missingFix(
        rolesFor(missing, roleUsesOf({ ...input.config, appendAfterHandoff: input.append === true })),
      ),
    };
  }
  if (unexpected.length > 0) {
    return {
      ...base,
      status: 'fail',
      code,
      summary: m.unexpected,
      details: unexpected,
      fix: m.unexpectedFix,
    };
  }
  if (dryRun === 'blocked') return { ...base, status: 'skip', summary: blockedReason };
  const omitted = [
    ...(input.queueUsable ? [] : ['DEFAULT_QUEUE_ID']),
    ...(input.ownerUsable ? [] : ['DEFAULT_OWNER_ID']),
  ];
  const passed = input.append ? m.passedWithAppend : unifiedRouting ? m.passedWithUnifiedRouting : m.passed;
  return { ...base, status: 'pass', summary: omitted.length ? m.passedWithout(omitted) : passed };
}
