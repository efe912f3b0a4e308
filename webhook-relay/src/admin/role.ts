/**
 * The security role "OpenCX Handoff Relay": exactly the privileges the relay's application user exercises,
 * derived from what the relay sends (delivery/plan.ts, delivery/send-case.ts, delivery/metadata.ts) and what
 * `verify` and `setup` read. The solution's customizations.xml carries the same list; a solution test
 * compares the two, so the role that is imported is the role that `verify` checks.
 *
 * Stems follow Dataverse's privilege names, not table names: annotation → Note, systemuser → User, and
 * queue items have no privileges of their own (they inherit from the queue: prvAppendToQueue creates them).
 */
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

export function isRelayPrivilege(name: string): name is RelayPrivilegeName {
  return [...RELAY_ROLE_PRIVILEGES, ...APPEND_ROLE_PRIVILEGES].some((p) => p.name === name);
}

/** The role of ours that holds a privilege. */
export function roleHolding(name: RelayPrivilegeName): string {
  return APPEND_ROLE_PRIVILEGES.some((p) => p.name === name) ? APPEND_ROLE_NAME : RELAY_ROLE_NAME;
}

/** The privilege a Dataverse 0x80040220 message names ("… is missing prvCreateIncident privilege …"). */
export function missingPrivilegeIn(message: string): string | undefined {
  return /missing (prv[A-Za-z]+) privilege/.exec(message)?.[1];
}
