/**
 * Pure planning of a delivery: which contact lookup to make, and the change set that creates the case
 * (spec §3.3–3.4). No I/O here; the worker executes the plan.
 */
import { fit, write, type ContactMatch } from '@opencx-d365/transcript-format';
import { queueModeOf, type RelayConfig } from '../config/types.js';
import type { HandoffDocument } from '../handoff/document.js';
import { contactIdForEmail, transcriptNoteId } from '../handoff/key.js';
import type { ChangeSetOperation } from '../dataverse/batch.js';
import { API_PATH } from '../dataverse/client.js';
import {
  activeContactsByPhoneFilter,
  escapeODataString,
  parsePhone,
  splitName,
} from '@opencx-d365/contact-match';
import { transcriptOf } from './transcript.js';
import { insightsFields } from '../insights/fields.js';
import type { InstalledInsights } from '../insights/installed.js';
import { insightsOf } from '../insights/values.js';

export interface DeliveryMetadata {
  titleMaxLength: number;
  descriptionMaxLength: number;
  noteMaxLength: number;
  /** The insights columns the org has (spec §3.10); absent or empty: today's case, unchanged. */
  insights?: InstalledInsights;
  /**
   * In queue mode, the queue the org puts a new case in on create, when the relay knows it: the owner's
   * default queue where the Case table auto-routes (delivery/placement.ts). AddToQueue moves the case from it.
   */
  sourceQueueId?: string;
}

/** What the customer lookup found. */
export type CustomerResolution =
  | { kind: 'contact'; id: string; match: ContactMatch }
  | { kind: 'create'; id: string; firstname?: string; lastname: string; email: string; mobilephone?: string }
  | { kind: 'placeholder' };

/**
 * Whether CONTACT_MATCH lets this detail find the contact: its rule is on and, when the caller only
 * stated it, so is its `stated-` rule. A detail without a mark is used as before marks existed.
 */
export function usableForMatch(
  document: HandoffDocument,
  detail: 'email' | 'phone',
  contactMatch: RelayConfig['contactMatch'],
): boolean {
  if (!contactMatch.includes(detail)) return false;
  return document.customer?.verification?.[detail] !== 'stated' || contactMatch.includes(`stated-${detail}`);
}

/** The one GET that resolves the customer, or undefined when no lookup can help. */
export function customerLookup(
  document: HandoffDocument,
  config: Pick<RelayConfig, 'contactMatch' | 'phoneDefaultCountry'>,
) {
  const email = document.customer?.email?.trim();
  const select = '$select=contactid,fullname,createdon&$orderby=createdon asc&$top=10';
  // A stated email that may not match falls through to the phone, as if there were no email.
  if (email && usableForMatch(document, 'email', config.contactMatch)) {
    const filter = `statecode eq 0 and emailaddress1 eq '${escapeODataString(email)}'`;
    return { kind: 'email' as const, path: `contacts?${select}&$filter=${encodeURIComponent(filter)}` };
  }
  const phone = document.customer?.phone;
  if (phone && usableForMatch(document, 'phone', config.contactMatch)) {
    const parsed = parsePhone(phone, config.phoneDefaultCountry);
    if (!parsed.ok) return undefined;
    const filter = activeContactsByPhoneFilter(parsed.renderings);
    return { kind: 'phone' as const, path: `contacts?${select}&$filter=${encodeURIComponent(filter)}` };
  }
  return undefined;
}

/** Decides the customer from the lookup's rows (oldest active first). */
export function resolveCustomer(
  document: HandoffDocument,
  lookup: ReturnType<typeof customerLookup>,
  rows: Array<{ contactid: string }>,
  phoneDefaultCountry: string,
): CustomerResolution {
  if (lookup?.kind === 'email') {
    if (rows.length > 0) return { kind: 'contact', id: rows[0].contactid, match: 'email' };
    const email = document.customer!.email!.trim();
    const name = splitName(document.customer?.name) ?? { lastname: email.split('@')[0] ?? email };
    const phone = document.customer?.phone
      ? parsePhone(document.customer.phone, phoneDefaultCountry)
      : undefined;
    return {
      kind: 'create',
      id: contactIdForEmail(email),
      ...name,
      email,
      mobilephone: phone?.ok ? phone.e164 : undefined,
    };
  }
  if (lookup?.kind === 'phone' && rows.length === 1)
    return { kind: 'contact', id: rows[0].contactid, match: 'phone' };
  return { kind: 'placeholder' };
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function titleOf(document: HandoffDocument): string {
  const topic = document.classification?.trim() || document.contact_reason?.trim() || 'Support';
  const c = document.customer;
  const caller = c?.name?.trim() || c?.phone?.trim() || c?.email?.trim() || 'Anonymous';
  return `${topic} - ${caller}`;
}

export interface IncidentPlan {
  operations: ChangeSetOperation[];
  readBack: string;
  shortened: boolean;
}

export function planIncident(
  key: string,
  document: HandoffDocument,
  customer: CustomerResolution,
  config: Pick<
    RelayConfig,
    | 'defaultQueueId'
    | 'applyRoutingRules'
    | 'defaultOwner'
    | 'defaultPriority'
    | 'ticketProperties'
    | 'unidentifiedCustomerId'
    | 'caseOriginByChannel'
  > & { opencx: { sessionUrlTemplate?: string } },
  metadata: DeliveryMetadata,
  /** `redactions`: counts for the transcript header when the document was redacted. */
  extras: { redactions?: Record<string, number> } = {},
): IncidentPlan {
  const operations: ChangeSetOperation[] = [];
  let customerId = config.unidentifiedCustomerId;
  let match: ContactMatch = 'none';
  if (customer.kind === 'contact') {
    customerId = customer.id;
    match = customer.match;
  } else if (customer.kind === 'create') {
    customerId = customer.id;
    match = 'email-created';
    operations.push({
      method: 'POST',
      url: `${API_PATH}contacts`,
      body: {
        contactid: customer.id,
        ...(customer.firstname ? { firstname: customer.firstname.slice(0, 50) } : {}),
        lastname: customer.lastname.slice(0, 50),
        emailaddress1: customer.email,
        ...(customer.mobilephone ? { mobilephone: customer.mobilephone } : {}),
        description: `Created from OpenCX session ${document.session_id}`,
      },
    });
  }
  const transcript = transcriptOf(document, match, config.opencx.sessionUrlTemplate, extras.redactions);
  const noteSubject = `OpenCX transcript ${document.session_id}`;
  const fitted = fit(transcript, {
    maxLength: metadata.descriptionMaxLength,
    fullTextRef: `note "${noteSubject}"`,
  });
  const channel = document.channel ?? 'phone_voice';
  operations.push({
    method: 'POST',
    url: `${API_PATH}incidents`,
    body: {
      ...config.ticketProperties,
      // The handoff as data, in the same create (spec §3.10); after TICKET_PROPERTIES, which may not set them.
      ...(metadata.insights ? insightsFields(insightsOf(transcript), metadata.insights) : {}),
      incidentid: key,
      title: cut(titleOf(document), metadata.titleMaxLength),
      description: fitted.text,
      caseorigincode: config.caseOriginByChannel[channel] ?? config.caseOriginByChannel.phone_voice ?? 1,
      prioritycode: config.defaultPriority,
      'customerid_contact@odata.bind': `/contacts(${customerId})`,
      'ownerid@odata.bind': `/${config.defaultOwner.kind === 'team' ? 'teams' : 'systemusers'}(${config.defaultOwner.id})`,
    },
  });
  const placement = placeCase(key, config, metadata.sourceQueueId);
  if (placement) operations.push(placement);
  if (fitted.shortened) {
    const full = write(transcript);
    const note: Record<string, unknown> = {
      annotationid: transcriptNoteId(key),
      ...transcriptNoteBody(key, noteSubject, full, metadata.noteMaxLength),
    };
    operations.push({ method: 'POST', url: `${API_PATH}annotations`, body: note });
  }
  return {
    operations,
    readBack: `${API_PATH}incidents(${key})?$select=ticketnumber`,
    shortened: fitted.shortened,
  };
}

/**
 * An entity-typed action parameter (crmbaseentity) names its type: "When an action requires an entity as a
 * parameter and the type of entity is ambiguous, you must use the @odata.type property" (MS Learn, Use Web
 * API actions: Specify the table type parameter). The msdyn_ApplyRoutingRuleEntityRecord page's example sends
 * `"Target":"incidents(<id>)"`, a string, which is not an entity of any type: we follow the rule, not the
 * example, for every action (delivery/route-step.ts too).
 */
export const incidentTarget = (key: string) => ({
  '@odata.type': 'Microsoft.Dynamics.CRM.incident',
  incidentid: key,
});

/**
 * The change-set operation that puts the new case where the queue mode says, in the same transaction as
 * the create, so a retry after a lost answer never places it twice (the case's create answers 412 first).
 *
 * - `queue`: AddToQueue bound to DEFAULT_QUEUE_ID, not a queue item create. A record has at most one active
 *   queue item (0x80040526 "Cannot create more than one active queue item for this object", Dataverse error
 *   codes), and an org that auto-routes cases to the owner's queue (EntityMetadata.AutoRouteToOwnerQueue) or
 *   queues them from a routing rule or flow on create has made one already. AddToQueue "moves an entity record
 *   from a source queue to a destination queue" (MS Learn, AddToQueue Action: POST
 *   queues(<id>)/Microsoft.Dynamics.CRM.AddToQueue, Target crmbaseentity, SourceQueue queue, optional). Where
 *   the relay knows the source (`sourceQueueId`: the owner's default queue of an auto-routing org), it names
 *   it, so the move is the documented one; where it does not (a flow or rule queued the case, or nothing did),
 *   it leaves SourceQueue out. Assumption: without SourceQueue, AddToQueue moves a record's active item, or
 *   adds one to a record in no queue (no page says so). One operation either way: one $batch on the common path.
 * - `routing-rules`: ApplyRoutingRule, "Applies the active routing rule to an incident" (MS Learn,
 *   ApplyRoutingRule Action, Dynamics CRM 2016 Web API reference; ApplyRoutingRuleRequest: unbound, Target an
 *   incident). The incident's routecase column only "tells whether the incident has been routed to queue or
 *   not" (MS Learn, Incident table reference, RouteCase), so the relay asks for routing explicitly.
 *   Assumption: the action may sit in the change set (Execute batch operations using the Web API bars only
 *   GET from change sets, and says nothing of this action either way).
 * - `unified-routing`: nothing here. Unified routing is applied once the case exists, in its own request
 *   with its own state and retries (delivery/route-step.ts).
 * - `unassigned`: nothing; the case stays with its owner in no queue.
 */
export function placeCase(
  key: string,
  config: Pick<RelayConfig, 'defaultQueueId' | 'applyRoutingRules'>,
  sourceQueueId?: string,
): ChangeSetOperation | undefined {
  switch (queueModeOf(config)) {
    case 'queue':
      return {
        method: 'POST',
        url: `${API_PATH}queues(${config.defaultQueueId})/Microsoft.Dynamics.CRM.AddToQueue`,
        // SourceQueue is typed queue, not crmbaseentity: the key alone names it.
        body: {
          Target: incidentTarget(key),
          ...(sourceQueueId ? { SourceQueue: { queueid: sourceQueueId } } : {}),
        },
        contentType: 'application/json',
      };
    case 'routing-rules':
      return {
        method: 'POST',
        url: `${API_PATH}ApplyRoutingRule`,
        body: { Target: incidentTarget(key) },
        contentType: 'application/json',
      };
    case 'unified-routing':
    case 'unassigned':
      return undefined;
  }
}

/** The transcript note's columns: the text when it fits a note, else a transcript.txt attachment. */
export function transcriptNoteBody(
  key: string,
  subject: string,
  full: string,
  noteMaxLength: number,
): Record<string, unknown> {
  const note: Record<string, unknown> = { subject, 'objectid_incident@odata.bind': `/incidents(${key})` };
  if (full.length <= noteMaxLength) return { ...note, notetext: full, isdocument: false };
  // Longer than a note can hold: the whole transcript travels as an attachment instead.
  return {
    ...note,
    notetext: `The full transcript (${full.length} characters) is attached as transcript.txt.`,
    isdocument: true,
    filename: 'transcript.txt',
    mimetype: 'text/plain',
    documentbody: Buffer.from(full, 'utf8').toString('base64'),
  };
}
