/**
 * What the components need from Dataverse, as small ports. The PCF adapter implements them over
 * `context.webAPI` (see ../webapi/); tests and the preview page implement them over other transports.
 */

export interface ContactSummary {
  id: string;
  fullName: string;
  email?: string;
  /** The phone column that matched, else the mobile phone. */
  phone?: string;
}

export interface CaseSummary {
  id: string;
  title: string;
  ticketNumber?: string;
}

/** Open cases per contact, for the picker. */
export interface OpenCaseCounts {
  byContact: Record<string, number>;
  /** False when there were more open cases than the control counts: each count is then a lower bound. */
  complete: boolean;
}

export interface CustomerRef {
  id: string;
  /** `contact` or `account`. */
  entity: string;
  name: string;
}

export interface NewContact {
  firstname?: string;
  lastname: string;
  email?: string;
  /** E.164. */
  mobilephone: string;
  description?: string;
}

/** Why a Dataverse call failed, in the terms the rep's message needs. */
export type FailureKind = 'permission' | 'network' | 'not-found' | 'other';

export class DataverseFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DataverseFailure';
  }
}

export interface CaseData {
  /** Reads the full transcript kept in the case's note with this subject; undefined when there is none. */
  readTranscriptNote(incidentId: string, subject: string): Promise<string | undefined>;
  /** The case's current customer. */
  currentCustomer(incidentId: string): Promise<CustomerRef | undefined>;
  /** Active contacts whose phone columns hold one of the renderings exactly (bounded). */
  findContactsByPhone(renderings: readonly string[]): Promise<ContactSummary[]>;
  /** Open cases per contact, for the picker (counted up to OPEN_CASES_COUNTED in all). */
  countOpenCases(contactIds: readonly string[]): Promise<OpenCaseCounts>;
  /** A contact's newest open cases (at most `OPEN_CASES_SHOWN`), for the rep to see before linking. */
  openCasesOf(contactId: string): Promise<CaseSummary[]>;
  /** Creates the contact with the given id (so a retry after an unknown outcome never makes a second one). */
  createContact(id: string, contact: NewContact): Promise<void>;
  /** Sets the case's customer to the contact. */
  linkContact(incidentId: string, contactId: string): Promise<void>;
}
