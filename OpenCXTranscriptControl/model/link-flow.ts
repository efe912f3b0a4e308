/**
 * Pure decisions of "Link contact by phone": when the action is available, what a search result
 * leads to, when relinking needs a confirmation, and whether a new contact's fields are valid.
 */
import { splitName, type ParsedPhone } from '@opencx-d365/contact-match/core';
import { parsePhone } from './phone';
import type { ContactSummary, CustomerRef, FailureKind } from './ports';
import type { StringKey } from './strings';

/** The name `opencx-relay setup` gives the placeholder customer. */
export const PLACEHOLDER_NAME = 'Unidentified caller';

export interface Availability {
  incidentId?: string;
  offline: boolean;
  readOnly: boolean;
  canLink: boolean;
}

/** Why the action is disabled, or undefined when it is available. */
export function disabledReason(a: Availability): StringKey | undefined {
  if (a.offline) return 'Link_Disabled_Offline';
  if (!a.incidentId) return 'Link_Disabled_Unsaved';
  if (a.readOnly) return 'Link_Disabled_ReadOnly';
  if (!a.canLink) return 'Link_Disabled_NoPrivilege';
  return undefined;
}

/** The placeholder customer counts as "not linked". */
export function isLinked(customer: CustomerRef | undefined, placeholderId: string | undefined): boolean {
  if (!customer) return false;
  if (placeholderId) return customer.id !== placeholderId.toLowerCase();
  return customer.name.trim().toLowerCase() !== PLACEHOLDER_NAME.toLowerCase();
}

export type SearchOutcome =
  { kind: 'none' } | { kind: 'one'; contact: ContactSummary } | { kind: 'many'; contacts: ContactSummary[] };

export function outcomeOf(contacts: ContactSummary[]): SearchOutcome {
  if (contacts.length === 0) return { kind: 'none' };
  if (contacts.length === 1) return { kind: 'one', contact: contacts[0] };
  return { kind: 'many', contacts };
}

/** Relinking a case that already has a real customer (another one) asks first. */
export function needsConfirmation(
  current: CustomerRef | undefined,
  placeholderId: string | undefined,
  targetId: string,
): boolean {
  return isLinked(current, placeholderId) && current?.id !== targetId.toLowerCase();
}

export function phoneMessage(parsed: ParsedPhone): StringKey | undefined {
  if (parsed.ok) return undefined;
  return parsed.problem === 'empty'
    ? 'Link_PhoneEmpty'
    : parsed.problem === 'needs-country'
      ? 'Link_PhoneNeedsCountry'
      : 'Link_PhoneInvalid';
}

export interface NewContactForm {
  firstname: string;
  lastname: string;
  email: string;
  phone: string;
}

export function prefillContact(
  name: string | undefined,
  email: string | undefined,
  e164: string,
): NewContactForm {
  const split = splitName(name);
  return {
    firstname: split?.firstname ?? '',
    lastname: split?.lastname ?? '',
    email: email ?? '',
    phone: e164,
  };
}

export type FormErrors = Partial<Record<keyof NewContactForm, StringKey>>;

const EMAIL = /^[^\s@]+@[^\s@][^\s.@]*\.[^\s@]+$/;

export function validateContact(form: NewContactForm, defaultCountry: string | undefined): FormErrors {
  const errors: FormErrors = {};
  if (!form.lastname.trim()) errors.lastname = 'Link_LastName_Required';
  if (form.email.trim() && !EMAIL.test(form.email.trim())) errors.email = 'Link_Email_Invalid';
  const phone = phoneMessage(parsePhone(form.phone, defaultCountry));
  if (phone) errors.phone = phone;
  return errors;
}

export function failureMessage(kind: FailureKind): StringKey {
  return kind === 'permission'
    ? 'Link_Error_Permission'
    : kind === 'network'
      ? 'Link_Error_Network'
      : 'Link_Error_Other';
}

/**
 * Whether the caller is looked up (read-only) as the case opens: only when the case's customer is known
 * to be the placeholder, the action is available (offline, read-only and no-privilege cases look up
 * nothing), and the transcript gives a number that can be searched (no error is shown for one the rep
 * did not type). The caller decides "once per open".
 */
export function looksUpOnOpen(
  a: Availability,
  customer: CustomerRef | undefined,
  placeholderId: string | undefined,
  callerPhone: string | undefined,
  defaultCountry: string | undefined,
): boolean {
  if (disabledReason(a) || !customer || isLinked(customer, placeholderId)) return false;
  return parsePhone(callerPhone ?? '', defaultCountry).ok;
}

/** Where a case opens in a model-driven app ("Open apps, forms, views, dialogs, and reports with a URL"). */
export function caseFormUrl(incidentId: string): string {
  return `/main.aspx?pagetype=entityrecord&etn=incident&id=${encodeURIComponent(incidentId)}`;
}
