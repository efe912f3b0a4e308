/**
 * The security role "OpenCX Handoff Relay": exactly the privileges the relay's application user exercises,
 * derived from what the relay sends (delivery/plan.ts, delivery/worker.ts, delivery/metadata.ts) and what
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
];

export function isRelayPrivilege(name: string): name is RelayPrivilegeName {
  return RELAY_ROLE_PRIVILEGES.some((p) => p.name === name);
}

/** The privilege a Dataverse 0x80040220 message names ("… is missing prvCreateIncident privilege …"). */
export function missingPrivilegeIn(message: string): string | undefined {
  return /missing (prv[A-Za-z]+) privilege/.exec(message)?.[1];
}
