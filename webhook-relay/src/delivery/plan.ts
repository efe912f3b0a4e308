/**
 * Pure planning of a delivery (spec §3.3–3.4): the change set that creates the case, with the customer the
 * lookup decided (delivery/customer.ts) and the placement the queue mode asks (delivery/placement.ts). No I/O
 * here; the handoff path sends the plan (delivery/send-case.ts).
 */
import { fit, write, type ContactMatch, type Transcript } from '@opencx-d365/transcript-format';
import type { RelayConfig } from '../config/types.js';
import type { HandoffDocument } from '../handoff/document.js';
import { transcriptNoteId } from '../handoff/key.js';
import type { ChangeSetOperation } from '../dataverse/batch.js';
import { API_PATH } from '../dataverse/client.js';
import { transcriptOf } from './transcript.js';
import { insightsFields } from '../insights/fields.js';
import type { InstalledInsights } from '../insights/installed.js';
import { insightsOf } from '../insights/values.js';
import type { CustomerResolution } from './customer.js';
import { placeCase } from './placement.js';

// What a delivery's plan is made of, where its callers and tests have always found it.
export { customerLookup, resolveCustomer, usableForMatch, type CustomerResolution } from './customer.js';
export { incidentTarget, placeCase } from './placement.js';

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

type PlanConfig = Pick<
  RelayConfig,
  | 'defaultQueueId'
  | 'applyRoutingRules'
  | 'defaultOwner'
  | 'defaultPriority'
  | 'ticketProperties'
  | 'unidentifiedCustomerId'
  | 'caseOriginByChannel'
> & { opencx: { sessionUrlTemplate?: string } };

export function planIncident(
  key: string,
  document: HandoffDocument,
  customer: CustomerResolution,
  config: PlanConfig,
  metadata: DeliveryMetadata,
  /** `redactions`: counts for the transcript header when the document was redacted. */
  extras: { redactions?: Record<string, number> } = {},
): IncidentPlan {
  const who = customerOf(customer, document, config.unidentifiedCustomerId);
  const transcript = transcriptOf(document, who.match, config.opencx.sessionUrlTemplate, extras.redactions);
  const noteSubject = `OpenCX transcript ${document.session_id}`;
  const fitted = fit(transcript, {
    maxLength: metadata.descriptionMaxLength,
    fullTextRef: `note "${noteSubject}"`,
  });
  const operations: ChangeSetOperation[] = who.create ? [who.create] : [];
  operations.push({
    method: 'POST',
    url: `${API_PATH}incidents`,
    body: incidentBody(key, document, who.id, transcript, fitted.text, config, metadata),
  });
  const placement = placeCase(key, config, metadata.sourceQueueId);
  if (placement) operations.push(placement);
  if (fitted.shortened) {
    const note: Record<string, unknown> = {
      annotationid: transcriptNoteId(key),
      ...transcriptNoteBody(key, noteSubject, write(transcript), metadata.noteMaxLength),
    };
    operations.push({ method: 'POST', url: `${API_PATH}annotations`, body: note });
  }
  return {
    operations,
    readBack: `${API_PATH}incidents(${key})?$select=ticketnumber`,
    shortened: fitted.shortened,
  };
}

/** The case's customer, how the transcript header names the match, and the contact to create with it. */
function customerOf(
  customer: CustomerResolution,
  document: HandoffDocument,
  unidentifiedCustomerId: string,
): { id: string; match: ContactMatch; create?: ChangeSetOperation } {
  if (customer.kind === 'contact') return { id: customer.id, match: customer.match };
  if (customer.kind !== 'create') return { id: unidentifiedCustomerId, match: 'none' };
  const create: ChangeSetOperation = {
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
  };
  return { id: customer.id, match: 'email-created', create };
}

/** The incident's columns: TICKET_PROPERTIES first, then what the relay writes itself. */
function incidentBody(
  key: string,
  document: HandoffDocument,
  customerId: string,
  transcript: Transcript,
  description: string,
  config: PlanConfig,
  metadata: DeliveryMetadata,
): Record<string, unknown> {
  const channel = document.channel ?? 'phone_voice';
  return {
    ...config.ticketProperties,
    // The handoff as data, in the same create (spec §3.10); after TICKET_PROPERTIES, which may not set them.
    ...(metadata.insights ? insightsFields(insightsOf(transcript), metadata.insights) : {}),
    incidentid: key,
    title: cut(titleOf(document), metadata.titleMaxLength),
    description,
    caseorigincode: config.caseOriginByChannel[channel] ?? config.caseOriginByChannel.phone_voice ?? 1,
    prioritycode: config.defaultPriority,
    'customerid_contact@odata.bind': `/contacts(${customerId})`,
    'ownerid@odata.bind': `/${config.defaultOwner.kind === 'team' ? 'teams' : 'systemusers'}(${config.defaultOwner.id})`,
  };
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
