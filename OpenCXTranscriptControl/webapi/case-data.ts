/** The control's Dataverse port, implemented over the PCF Web API (`context.webAPI`). */
import { activeContactsByPhoneFilter, escapeODataString } from '@opencx-d365/contact-match/core';
import type {
  CaseData,
  CaseSummary,
  ContactSummary,
  CustomerRef,
  NewContact,
  OpenCaseCounts,
} from '../model/ports';
import { DUPLICATE_KEY, errorCodeOf, toFailure } from './failures';

export type WebApiLike = Pick<
  ComponentFramework.WebApi,
  'retrieveMultipleRecords' | 'retrieveRecord' | 'createRecord' | 'updateRecord'
>;

/** The picker shows at most this many contacts; more means the number is not a useful key. */
export const MAX_CONTACTS = 25;
/**
 * The picker counts at most this many open cases in all (one request). It asks for one more row, so it can
 * say "500+" rather than stop silently. Paging to the end (Learn, "Page results using OData": up to 5,000
 * rows a page, then @odata.nextLink) would send more requests for a number that matters only as "many", and
 * an exact $count stops at 5,000 too (Learn, "Count rows using OData"); PCF's retrieveMultipleRecords
 * returns no @odata.count anyway.
 */
export const OPEN_CASES_COUNTED = 500;
/** A found contact shows at most this many of its open cases (the newest). */
export const OPEN_CASES_SHOWN = 5;

const PHONE_SELECT = 'contactid,fullname,emailaddress1,mobilephone,telephone1,telephone2,telephone3';

type Row = Record<string, unknown>;
const text = (row: Row, column: string) => (typeof row[column] === 'string' ? row[column] : undefined);

function decodeBase64Utf8(base64: string): string {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

async function attempt<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toFailure(error);
  }
}

export function createCaseData(webAPI: WebApiLike): CaseData {
  return {
    readTranscriptNote: (incidentId, subject) =>
      attempt(async () => {
        const filter = `_objectid_value eq ${incidentId} and subject eq '${escapeODataString(subject)}'`;
        const result = await webAPI.retrieveMultipleRecords(
          'annotation',
          `?$select=notetext,isdocument,documentbody&$filter=${encodeURIComponent(filter)}&$top=1`,
        );
        const note = result.entities[0] as Row | undefined;
        if (!note) return undefined;
        const body = text(note, 'documentbody');
        // Longer transcripts travel as a transcript.txt attachment; its body is base64 UTF-8.
        if (note.isdocument === true && body) return decodeBase64Utf8(body);
        return text(note, 'notetext');
      }),

    currentCustomer: (incidentId) =>
      attempt(async () => {
        const incident = await webAPI.retrieveRecord('incident', incidentId, '?$select=_customerid_value');
        const id = text(incident, '_customerid_value');
        if (!id) return undefined;
        const entity =
          text(incident, '_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname') ?? 'contact';
        let name = text(incident, '_customerid_value@OData.Community.Display.V1.FormattedValue');
        if (!name) {
          const column = entity === 'account' ? 'name' : 'fullname';
          const row = await webAPI.retrieveRecord(entity, id, `?$select=${column}`);
          name = text(row, column) ?? '';
        }
        return { id: id.toLowerCase(), entity, name } satisfies CustomerRef;
      }),

    findContactsByPhone: (renderings) =>
      attempt(async () => {
        const filter = activeContactsByPhoneFilter(renderings);
        const result = await webAPI.retrieveMultipleRecords(
          'contact',
          `?$select=${PHONE_SELECT}&$filter=${encodeURIComponent(filter)}&$orderby=fullname asc&$top=${MAX_CONTACTS}`,
        );
        return result.entities.map((row: Row): ContactSummary => {
          const phones = ['mobilephone', 'telephone1', 'telephone2', 'telephone3'].map((c) => text(row, c));
          const matched = phones.find((p) => p !== undefined && renderings.includes(p));
          return {
            id: String(row.contactid).toLowerCase(),
            fullName: text(row, 'fullname') ?? '',
            email: text(row, 'emailaddress1'),
            phone: matched ?? phones.find(Boolean),
          };
        });
      }),

    countOpenCases: (contactIds) =>
      attempt(async (): Promise<OpenCaseCounts> => {
        const byContact: Record<string, number> = Object.fromEntries(contactIds.map((id) => [id, 0]));
        if (contactIds.length === 0) return { byContact, complete: true };
        const any = contactIds.map((id) => `_customerid_value eq ${id}`).join(' or ');
        // Learn, "Use OData to query data" > "Limit the number of rows" ($top).
        const result = await webAPI.retrieveMultipleRecords(
          'incident',
          `?$select=_customerid_value&$filter=${encodeURIComponent(`statecode eq 0 and (${any})`)}&$top=${OPEN_CASES_COUNTED + 1}`,
        );
        const rows = result.entities as Row[];
        for (const row of rows.slice(0, OPEN_CASES_COUNTED)) {
          const id = text(row, '_customerid_value')?.toLowerCase();
          if (id && id in byContact) byContact[id] += 1;
        }
        return { byContact, complete: rows.length <= OPEN_CASES_COUNTED };
      }),

    openCasesOf: (contactId) =>
      attempt(async () => {
        const filter = `statecode eq 0 and _customerid_value eq ${contactId}`;
        // GET incidents?$select=incidentid,title,ticketnumber&$filter=statecode eq 0 and _customerid_value eq {id}
        //   &$orderby=createdon desc&$top=5 — Microsoft Learn: "Filter rows using OData" (comparison operators;
        //   lookup columns are filtered as `_<name>_value`, "Select columns using OData" > Lookup property data),
        //   "Order rows using OData", and "Query data using the Web API" > OData query options ($top).
        const result = await webAPI.retrieveMultipleRecords(
          'incident',
          `?$select=incidentid,title,ticketnumber&$filter=${encodeURIComponent(filter)}&$orderby=createdon desc&$top=${OPEN_CASES_SHOWN}`,
        );
        return (result.entities as Row[]).map((row): CaseSummary => ({
          id: String(row.incidentid).toLowerCase(),
          title: text(row, 'title') ?? '',
          ticketNumber: text(row, 'ticketnumber'),
        }));
      }),

    createContact: (id, contact: NewContact) =>
      attempt(async () => {
        try {
          await webAPI.createRecord('contact', {
            contactid: id,
            ...(contact.firstname ? { firstname: contact.firstname } : {}),
            lastname: contact.lastname,
            ...(contact.email ? { emailaddress1: contact.email } : {}),
            mobilephone: contact.mobilephone,
            ...(contact.description ? { description: contact.description } : {}),
          });
        } catch (error) {
          // The same id again: an earlier attempt created it (its answer was lost). Not a second contact.
          if (errorCodeOf(error) === DUPLICATE_KEY) return;
          throw error;
        }
      }),

    linkContact: (incidentId, contactId) =>
      attempt(async () => {
        await webAPI.updateRecord('incident', incidentId, {
          'customerid_contact@odata.bind': `/contacts(${contactId})`,
        });
      }),
  };
}
