/**
 * The relay's security roles. The first, "OpenCX Handoff Relay": exactly the privileges the relay's
 * application user exercises in every configuration, derived from what the relay sends (delivery/plan.ts,
 * delivery/send-case.ts, delivery/metadata.ts) and what `verify` and `setup` read; two more ("- Append",
 * "- Routing") for what only some configurations do. The solution's customizations.xml carries the same
 * lists; a solution test compares them, so the roles that are imported are the roles that `verify` checks.
 *
 * Stems follow Dataverse's privilege names, not table names: annotation → Note, systemuser → User, and
 * queue items have no privileges of their own (they inherit from the queue: prvAppendToQueue creates them).
 */
import { queueModeOf } from '../config/queue-mode.js';
import type { RelayConfig } from '../config/types.js';
import { type messages } from '../messages.js';

/** Depth as customizations.xml spells it: Basic = user, Local = business unit, Deep = parent: child, Global = organization. */
export type PrivilegeDepth = 'Basic' | 'Local' | 'Deep' | 'Global';

export interface RolePrivilege {
  name: RelayPrivilegeName;
  depth: PrivilegeDepth;
}

export const RELAY_ROLE_NAME = 'OpenCX Handoff Relay';
/** The role's id in the solution (customizations.xml `Role/@id`, solution.xml root component type 20). */
export const RELAY_ROLE_ID = '5b6f7c1e-3a2d-4e8f-9b0c-0c3e7a1d2f41';

export type RelayPrivilegeName = keyof typeof messages.role.why;

/**
 * Global wherever the relay touches records other principals own (cases owned by the default owner,
 * contacts reps created, the voice queue, users and teams); Basic where it only ever touches records it owns
 * itself (the contacts and notes it creates).
 */
export const RELAY_ROLE_PRIVILEGES: readonly RolePrivilege[] = [
  { name: 'prvCreateIncident', depth: 'Global' },
  { name: 'prvReadIncident', depth: 'Global' },
  { name: 'prvAppendIncident', depth: 'Global' },
  { name: 'prvAppendToIncident', depth: 'Global' },
  { name: 'prvAssignIncident', depth: 'Global' },
  { name: 'prvCreateContact', depth: 'Basic' },
  { name: 'prvReadContact', depth: 'Global' },
  { name: 'prvAppendToContact', depth: 'Global' },
  { name: 'prvReadQueue', depth: 'Global' },
  { name: 'prvAppendToQueue', depth: 'Global' },
  { name: 'prvCreateNote', depth: 'Basic' },
  { name: 'prvAppendNote', depth: 'Basic' },
  { name: 'prvReadUser', depth: 'Global' },
  { name: 'prvAppendToUser', depth: 'Global' },
  { name: 'prvReadTeam', depth: 'Global' },
  { name: 'prvAppendToTeam', depth: 'Global' },
  // `verify` reads the Case forms (systemform). SystemForm entity privileges: prvReadSystemForm, Global only
  // (the table is organization-owned: SystemForm table reference, OwnershipType OrganizationOwned).
  { name: 'prvReadSystemForm', depth: 'Global' },
];

/**
 * The second role, "OpenCX Handoff Relay - Append", for APPEND_AFTER_HANDOFF=true only: updating a case
 * and its transcript note after the handoff. Kept apart so that a relay which never appends never holds
 * Write on cases; roles add up, so admins who turn append on assign both.
 */
export const APPEND_ROLE_NAME = 'OpenCX Handoff Relay - Append';
export const APPEND_ROLE_ID = '8e2d4c6a-1f3b-4a5c-9d7e-6b0a2c4e8f13';
export const APPEND_ROLE_PRIVILEGES: readonly RolePrivilege[] = [
  { name: 'prvWriteIncident', depth: 'Global' },
  { name: 'prvReadNote', depth: 'Basic' },
  { name: 'prvWriteNote', depth: 'Basic' },
];

/**
 * The third role, "OpenCX Handoff Relay - Routing", for APPLY_ROUTING_RULES=legacy or unified only: asking
 * the org's routing to place the new case. ApplyRoutingRule needs prvWriteIncident ("ApplyRoutingRule message
 * privileges", Dynamics CRM 2016 developer's guide: Primary Entity incident, Privilege prvWriteIncident; the
 * ApplyRoutingRuleRequest class: "privileges on the Incident table and access rights on the record specified
 * in the Target property"). msdyn_ApplyRoutingRuleEntityRecord documents no privileges (its action reference
 * lists none); assumption, the safer reading: the same, since routing changes the case's queue and owner.
 * Organization depth: the cases it routes are owned by DEFAULT_OWNER_ID, not by the relay. Kept apart so that
 * a relay in the queue or unassigned mode never holds Write on cases.
 */
export const ROUTING_ROLE_NAME = 'OpenCX Handoff Relay - Routing';
export const ROUTING_ROLE_ID = '7123a3a6-ef5b-4bf2-a7c5-00fd8397b43e';
export const ROUTING_ROLE_PRIVILEGES: readonly RolePrivilege[] = [
  { name: 'prvWriteIncident', depth: 'Global' },
];

/** What the relay is configured to do beyond creating cases: each asks for a role of its own. */
export interface RoleUses {
  /** APPLY_ROUTING_RULES=legacy or unified (queue modes `routing-rules`, `unified-routing`). */
  routing?: boolean;
  /** APPEND_AFTER_HANDOFF=true. */
  append?: boolean;
}

/** The relay's roles, in the order the solution carries them, each with when the application user needs it. */
export const RELAY_ROLES: ReadonlyArray<{
  name: string;
  id: string;
  privileges: readonly RolePrivilege[];
  neededFor: (uses: RoleUses) => boolean;
}> = [
  { name: RELAY_ROLE_NAME, id: RELAY_ROLE_ID, privileges: RELAY_ROLE_PRIVILEGES, neededFor: () => true },
  {
    name: APPEND_ROLE_NAME,
    id: APPEND_ROLE_ID,
    privileges: APPEND_ROLE_PRIVILEGES,
    neededFor: (uses) => uses.append === true,
  },
  {
    name: ROUTING_ROLE_NAME,
    id: ROUTING_ROLE_ID,
    privileges: ROUTING_ROLE_PRIVILEGES,
    neededFor: (uses) => uses.routing === true,
  },
];

/** What a configuration asks of the roles: routing in the two routing modes, append when it is on. */
export function roleUsesOf(
  config: Pick<RelayConfig, 'defaultQueueId' | 'applyRoutingRules' | 'appendAfterHandoff'>,
): RoleUses {
  const mode = queueModeOf(config);
  return {
    routing: mode === 'routing-rules' || mode === 'unified-routing',
    append: config.appendAfterHandoff,
  };
}

export function isRelayPrivilege(name: string): name is RelayPrivilegeName {
  return RELAY_ROLES.some((role) => role.privileges.some((p) => p.name === name));
}

/**
 * Our roles that grant a privilege, among those this configuration needs (roles add up: an admin assigns
 * each one the configuration needs, so naming all of them is the fix). prvWriteIncident is in two roles:
 * a routing relay is told "- Routing", an appending one "- Append", one that does both, both. When the
 * configuration needs none that holds it (`insights backfill`, which updates cases on its own), the first
 * role that holds it: "- Append", as the operator guide says for backfill.
 */
export function roleHolding(name: RelayPrivilegeName, uses: RoleUses = {}): string[] {
  const holding = RELAY_ROLES.filter((role) => role.privileges.some((p) => p.name === name));
  const needed = holding.filter((role) => role.neededFor(uses));
  return (needed.length ? needed : holding.slice(0, 1)).map((role) => role.name);
}

/** The privilege a Dataverse 0x80040220 message names ("… is missing prvCreateIncident privilege …"). */
export function missingPrivilegeIn(message: string): string | undefined {
  return /missing (prv[A-Za-z]+) privilege/.exec(message)?.[1];
}
