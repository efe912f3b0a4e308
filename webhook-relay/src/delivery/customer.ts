/**
 * Who the case is for (spec §3.3, pure): the one contact lookup CONTACT_MATCH allows (by email, else by
 * phone), and the customer its rows decide: the contact found, one to create from the email, or the
 * placeholder customer. The handoff path (delivery/send-case.ts) makes the lookup.
 */
import type { ContactMatch } from '@opencx-d365/transcript-format';
import {
  activeContactsByPhoneFilter,
  escapeODataString,
  parsePhone,
  splitName,
} from '@opencx-d365/contact-match';
import type { RelayConfig } from '../config/types.js';
import type { HandoffDocument } from '../handoff/document.js';
import { contactIdForEmail } from '../handoff/key.js';

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

/**
 * After a 412 on the change set: when it was the contact this plan creates (content id 1), another handoff
 * from this caller made it first, so the case links it and the change set is sent again at once. Undefined:
 * the case itself exists (an earlier attempt created it).
 */
export function customerAfterDuplicate(
  customer: CustomerResolution,
  contentId: string | undefined,
): CustomerResolution | undefined {
  return customer.kind === 'create' && contentId === '1'
    ? { kind: 'contact', id: customer.id, match: 'email' }
    : undefined;
}
