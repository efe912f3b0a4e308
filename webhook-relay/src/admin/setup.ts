/**
 * `opencx-relay setup`: makes sure the placeholder customer exists (spec §3.4 step 3) and prints the values
 * to configure. Idempotent: the contact has a fixed id, so running setup twice, or two admins at once,
 * leaves one contact (a second create answers 412, which means "already there").
 */
import { v5 as uuidv5 } from 'uuid';
import type { Env } from '../config/load.js';
import { queueModeOf, type QueueMode, type RelayConfig } from '../config/types.js';
import { API_PATH, DataverseRequestError, type DataverseClient } from '../dataverse/client.js';
import { DUPLICATE_KEY } from '../dataverse/errors.js';
import { readAutoRouteToOwnerQueue } from '../dataverse/metadata.js';
import { messages } from '../messages.js';
import { listChoices, type Choices } from './choices.js';
import { adminClient, DATAVERSE_VARIABLES, loadForAdmin, problemsOf } from './config.js';
import { readOrgRouting, routingVerdict, type OrgRouting } from './org-routing.js';

export const PLACEHOLDER_NAME = 'Unidentified caller';
/** Fixed namespace and name: every environment's placeholder created by `setup` has this id. */
const PLACEHOLDER_NAMESPACE = 'c6f1d8a2-7e3b-4c5d-9a1f-2b8e0d4c6a17';
export const PLACEHOLDER_ID = uuidv5('opencx-relay placeholder customer', PLACEHOLDER_NAMESPACE);

export interface SetupOptions {
  client?: (config: RelayConfig) => DataverseClient;
}

export type SetupResult =
  | { ok: false; problems: string[] }
  | {
      ok: true;
      placeholder: { id: string; name: string; outcome: 'configured' | 'found' | 'created' };
      /** Environment values to set (only those setup could decide). */
      configure: Record<string, string>;
      /** Active queues to choose DEFAULT_QUEUE_ID from, when it is not set to a usable value. */
      queues?: Array<{ id: string; name: string }>;
      /** Variables still to be chosen by the admin. */
      toChoose: string[];
      /** Active queues, and users and teams that can own cases, to paste into the configuration. */
      choices: Choices;
      /** The ids configured now (DEFAULT_QUEUE_ID, DEFAULT_OWNER_ID, DEFAULT_OWNER_TEAM_ID), to mark them. */
      configured: Record<string, string>;
      /** Where new cases go with the configuration as it stands (config/types.ts QueueMode). */
      queueMode: QueueMode;
      /** The incident table's AutoRouteToOwnerQueue; absent when it could not be read. */
      autoRouteToOwnerQueue?: boolean;
      /** Which routing the org uses for cases (admin/org-routing.ts). */
      orgRouting: OrgRouting;
    };

type ContactRow = { contactid?: string; fullname?: string; statecode?: number };

async function activeContact(client: DataverseClient, id: string): Promise<ContactRow | undefined> {
  try {
    const row = await client.get<ContactRow>(`contacts(${id})?$select=fullname,statecode`);
    return row.statecode === undefined || row.statecode === 0 ? row : undefined;
  } catch (error) {
    if (error instanceof DataverseRequestError && error.failure.httpStatus === 404) return undefined;
    throw error;
  }
}

async function findPlaceholder(
  client: DataverseClient,
  configuredId: string | undefined,
): Promise<{ id: string; name: string; outcome: 'configured' | 'found' | 'created' }> {
  if (configuredId) {
    const configured = await activeContact(client, configuredId);
    if (configured)
      return { id: configuredId, name: configured.fullname ?? PLACEHOLDER_NAME, outcome: 'configured' };
  }
  const ours = await activeContact(client, PLACEHOLDER_ID);
  if (ours) return { id: PLACEHOLDER_ID, name: ours.fullname ?? PLACEHOLDER_NAME, outcome: 'found' };
  // One an admin made by hand (or an earlier tool): reuse it rather than add a second placeholder.
  const filter = encodeURIComponent(`fullname eq '${PLACEHOLDER_NAME}' and statecode eq 0`);
  const byName = await client.get<{ value: ContactRow[] }>(
    `contacts?$select=contactid,fullname&$filter=${filter}&$orderby=createdon asc&$top=1`,
  );
  const existing = byName.value[0];
  if (existing?.contactid) return { id: existing.contactid, name: PLACEHOLDER_NAME, outcome: 'found' };
  try {
    await client.batch(
      [
        {
          method: 'POST',
          url: `${API_PATH}contacts`,
          body: {
            contactid: PLACEHOLDER_ID,
            lastname: PLACEHOLDER_NAME,
            description: messages.setup.description,
          },
        },
      ],
      [],
    );
    return { id: PLACEHOLDER_ID, name: PLACEHOLDER_NAME, outcome: 'created' };
  } catch (error) {
    // Another setup created it between our read and our create.
    if (error instanceof DataverseRequestError && error.failure.code === DUPLICATE_KEY) {
      return { id: PLACEHOLDER_ID, name: PLACEHOLDER_NAME, outcome: 'found' };
    }
    throw error;
  }
}

export async function setup(env: Env, options: SetupOptions = {}): Promise<SetupResult> {
  const admin = loadForAdmin(env);
  const blocking = problemsOf(admin, [...DATAVERSE_VARIABLES.url, ...DATAVERSE_VARIABLES.token]);
  const config = admin.config;
  if (blocking.length || !config) return { ok: false, problems: blocking };
  const client = adminClient(config, options.client);
  try {
    const placeholderUsable = !admin.replaced.has('UNIDENTIFIED_CUSTOMER_ID');
    const placeholder = await findPlaceholder(
      client,
      placeholderUsable ? config.unidentifiedCustomerId : undefined,
    );
    const toChoose: string[] = [];
    // The active queues come with the other choices (one query for both).
    const choices = await listChoices(client);
    let queues: Array<{ id: string; name: string }> | undefined;
    // DEFAULT_QUEUE_ID is optional, but an admin without one and without routing rules is shown the queues.
    if (admin.replaced.has('DEFAULT_QUEUE_ID') || queueModeOf(config) === 'unassigned') {
      toChoose.push('DEFAULT_QUEUE_ID');
      queues = choices.queues.map(({ id, name }) => ({ id, name }));
    }
    if (admin.replaced.has('DEFAULT_OWNER_ID') || admin.replaced.has('DEFAULT_OWNER_TEAM_ID')) {
      toChoose.push('DEFAULT_OWNER_ID');
    }
    const configured: Record<string, string> = {};
    if (config.defaultQueueId !== undefined && !admin.replaced.has('DEFAULT_QUEUE_ID'))
      configured.DEFAULT_QUEUE_ID = config.defaultQueueId;
    if (!admin.replaced.has('DEFAULT_OWNER_ID') && !admin.replaced.has('DEFAULT_OWNER_TEAM_ID')) {
      const owner = config.defaultOwner;
      configured[owner.kind === 'team' ? 'DEFAULT_OWNER_TEAM_ID' : 'DEFAULT_OWNER_ID'] = owner.id;
    }
    const autoRouteToOwnerQueue = await readAutoRouteToOwnerQueue(client).catch((error: unknown) => {
      if (error instanceof DataverseRequestError) return undefined;
      throw error;
    });
    const orgRouting = await readOrgRouting(client);
    return {
      ok: true,
      placeholder,
      configure: { UNIDENTIFIED_CUSTOMER_ID: placeholder.id },
      queues,
      toChoose,
      choices,
      configured,
      // A queue id still to choose is reported as such; the mode is what the relay would do as configured.
      queueMode: admin.replaced.has('DEFAULT_QUEUE_ID') ? 'queue' : queueModeOf(config),
      ...(autoRouteToOwnerQueue === undefined ? {} : { autoRouteToOwnerQueue }),
      orgRouting,
    };
  } catch (error) {
    if (error instanceof DataverseRequestError) {
      const f = error.failure;
      return { ok: false, problems: [messages.setup.refused(f.httpStatus, f.code, f.reason, f.message)] };
    }
    throw error;
  }
}

/** Plain text for a terminal. */
export function formatSetup(result: SetupResult): string {
  const s = messages.setup;
  if (!result.ok) return `${s.failed}\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`;
  const { placeholder } = result;
  const lines = [
    s.placeholder(placeholder.name, placeholder.id, placeholder.outcome),
    '',
    s.configureHeading,
  ];
  for (const [name, value] of Object.entries(result.configure)) lines.push(`  ${name}=${value}`);
  if (result.toChoose.includes('DEFAULT_QUEUE_ID')) lines.push(`  DEFAULT_QUEUE_ID=${s.chooseQueueBelow}`);
  if (result.toChoose.includes('DEFAULT_OWNER_ID')) lines.push(`  DEFAULT_OWNER_ID=${s.chooseOwner}`);
  const q = messages.verify.queue;
  const routing = routingVerdict(result.queueMode, result.orgRouting);
  lines.push(
    '',
    q.mode(result.queueMode, result.configured.DEFAULT_QUEUE_ID),
    q.autoRoute(result.autoRouteToOwnerQueue),
    ...routing.details,
    ...(routing.status === 'pass' ? [] : [routing.summary, ...(routing.fix ? [routing.fix] : [])]),
  );

  lines.push('', ...formatChoices(result.choices, result.configured));
  lines.push('', s.control(placeholder.id), s.next);
  return `${lines.join('\n')}\n`;
}

/** The lists to paste from: one line per record, id first (what goes in the variable), then its name. */
export function formatChoices(choices: Choices, configured: Record<string, string>): string[] {
  const s = messages.setup.choices;
  const mark = (variable: string, id: string) =>
    configured[variable]?.toLowerCase() === id.toLowerCase() ? `  ${s.configured}` : '';
  const lines: string[] = [s.heading];
  const section = (list: 'queues' | 'users' | 'teams', title: string, rows: string[]) => {
    lines.push(`  ${title}`);
    const refused = choices.unavailable.find((entry) => entry.list === list);
    if (refused) lines.push(`    ${s.unavailable(refused.reason)}`);
    else if (!rows.length) lines.push(`    ${s.empty[list]}`);
    for (const row of rows) lines.push(`    ${row}`);
    if (choices.truncated.includes(list)) lines.push(`    ${s.truncated}`);
  };
  section(
    'queues',
    s.queues,
    choices.queues.map(
      (q) => `${q.id}  ${q.name}${q.private ? `  ${s.private}` : ''}${mark('DEFAULT_QUEUE_ID', q.id)}`,
    ),
  );
  section(
    'users',
    s.users,
    choices.users.map(
      (u) => `${u.id}  ${u.name}${u.email ? ` <${u.email}>` : ''}${mark('DEFAULT_OWNER_ID', u.id)}`,
    ),
  );
  section(
    'teams',
    s.teams,
    choices.teams.map(
      (t) => `${t.id}  ${t.name}  (${s.teamType[t.type]})${mark('DEFAULT_OWNER_TEAM_ID', t.id)}`,
    ),
  );
  return lines;
}
