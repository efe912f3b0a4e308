/**
 * What `setup` offers an admin to paste: the active queues (DEFAULT_QUEUE_ID), the users and teams that can own
 * cases (DEFAULT_OWNER_ID, DEFAULT_OWNER_TEAM_ID), each with its name and id. Reads only; the role's
 * prvReadQueue, prvReadUser and prvReadTeam cover them.
 */
import { DataverseRequestError, type DataverseClient } from '../dataverse/client.js';

/** Shown per list; one more is read to know whether the list was cut. */
export const CHOICES_LIMIT = 50;

export interface QueueChoice {
  id: string;
  name: string;
  /** Queue table reference, QueueViewType: 1 Private. "Private queue items are only visible to the members of the queue." */
  private: boolean;
}
export interface UserChoice {
  id: string;
  name: string;
  email?: string;
}
export interface TeamChoice {
  id: string;
  name: string;
  /** Team table reference, TeamType: Owner, Security Group or Office Group (access teams cannot own records). */
  type: 'owner' | 'security-group' | 'office-group';
}
export interface Choices {
  queues: QueueChoice[];
  users: UserChoice[];
  teams: TeamChoice[];
  /** Lists that had more rows than CHOICES_LIMIT. */
  truncated: ChoiceList[];
  /** Lists Dataverse refused to read, with its answer. */
  unavailable: Array<{ list: ChoiceList; reason: string }>;
}
export type ChoiceList = 'queues' | 'users' | 'teams';

const filter = (expression: string) => encodeURIComponent(expression);
const limit = `$top=${CHOICES_LIMIT + 1}`;

/**
 * Queue table reference: statecode 0 Active. Query data using the Web API: $select, $filter, $orderby, $top.
 */
export const QUEUES_QUERY = `queues?$select=queueid,name,queueviewtype&$filter=${filter('statecode eq 0')}&$orderby=name asc&${limit}`;
/**
 * SystemUser table reference: IsDisabled false is an enabled user; AccessMode 0 is Read-Write, the mode of the
 * people who work cases (the others: 1 Administrative, 2 Read, 3 Support User, 4 Non-interactive, 5 Delegated
 * Admin). The docs do not say which mode an application user has; one with Read-Write would simply be listed too.
 */
export const USERS_QUERY = `systemusers?$select=systemuserid,fullname,internalemailaddress&$filter=${filter(
  'isdisabled eq false and accessmode eq 0',
)}&$orderby=fullname asc&${limit}`;
/**
 * Team table reference, TeamType 0 Owner, 1 Access, 2 Security Group, 3 Office Group; "Manage teams": access
 * teams don't own records, owner teams and Microsoft Entra group teams can.
 */
export const TEAMS_QUERY = `teams?$select=teamid,name,teamtype&$filter=${filter('teamtype ne 1')}&$orderby=name asc&${limit}`;

const TEAM_TYPES: Record<number, TeamChoice['type']> = { 0: 'owner', 2: 'security-group', 3: 'office-group' };

type Row = Record<string, unknown>;
const str = (value: unknown) => (typeof value === 'string' ? value : '');

/** Each list is read on its own: one Dataverse refusal leaves the others (and the placeholder) usable. */
export async function listChoices(client: DataverseClient): Promise<Choices> {
  const lists = ['queues', 'users', 'teams'] as const;
  const queries = { queues: QUEUES_QUERY, users: USERS_QUERY, teams: TEAMS_QUERY };
  const settled = await Promise.allSettled(lists.map((list) => client.get<{ value: Row[] }>(queries[list])));
  const choices: Choices = { queues: [], users: [], teams: [], truncated: [], unavailable: [] };
  const rowsOf = (index: number): Row[] => {
    const outcome = settled[index];
    if (outcome.status === 'rejected') {
      if (!(outcome.reason instanceof DataverseRequestError)) throw outcome.reason;
      const f = outcome.reason.failure;
      choices.unavailable.push({
        list: lists[index],
        reason: `${f.httpStatus}${f.code ? ` ${f.code}` : ''}: ${f.reason}`,
      });
      return [];
    }
    const rows = outcome.value.value;
    if (rows.length > CHOICES_LIMIT) choices.truncated.push(lists[index]);
    return rows.slice(0, CHOICES_LIMIT);
  };
  choices.queues = rowsOf(0).map((row) => ({
    id: str(row.queueid),
    name: str(row.name),
    private: row.queueviewtype === 1,
  }));
  choices.users = rowsOf(1).map((row) => ({
    id: str(row.systemuserid),
    name: str(row.fullname),
    ...(str(row.internalemailaddress) ? { email: str(row.internalemailaddress) } : {}),
  }));
  choices.teams = rowsOf(2).map((row) => ({
    id: str(row.teamid),
    name: str(row.name),
    type: TEAM_TYPES[typeof row.teamtype === 'number' ? row.teamtype : 0] ?? 'owner',
  }));
  return choices;
}
