/**
 * Pure decisions of "Link contact by phone": when the action is available, the flow's steps and the
 * transitions between them (`nextStep`), when relinking needs a confirmation, and whether a new
 * contact's fields are valid. The components render a step; components/link/useLinkFlow.ts makes the calls.
 */
import { splitName, type ParsedPhone } from '@opencx-d365/contact-match/core';
import { parsePhone } from './phone';
import {
  DataverseFailure,
  type CaseSummary,
  type ContactSummary,
  type CustomerRef,
  type FailureKind,
  type OpenCaseCounts,
} from './ports';
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

/**
 * Whether a search rests on the caller ID: it is for the transcript's number (the same E.164), and that number
 * is a caller ID OpenCX did not verify (model/verification.ts phoneIsCallerId). A match is then no identity.
 */
export function searchesCallerId(
  searchedE164: string,
  callerPhone: string | undefined,
  callerPhoneIsCallerId: boolean,
  repCountry: string | undefined,
): boolean {
  if (!callerPhoneIsCallerId) return false;
  const caller = parsePhone(callerPhone ?? '', repCountry);
  return caller.ok && caller.e164 === searchedE164;
}

/** What "Try again" repeats after a failure. */
export type Retry =
  | { kind: 'search'; number: string }
  | { kind: 'link'; contact: ContactSummary; created: boolean }
  | { kind: 'create'; form: NewContactForm; contactId: string };

/** Where the flow is. Each step has its own component (components/link/). */
export type LinkStep =
  | { kind: 'idle' }
  | { kind: 'busy'; label: StringKey }
  | { kind: 'one'; contact: ContactSummary; cases?: CaseSummary[]; callerId: boolean }
  | { kind: 'many'; contacts: ContactSummary[]; counts: OpenCaseCounts; selected?: string; callerId: boolean }
  | { kind: 'create'; form: NewContactForm; errors: FormErrors; contactId: string }
  | { kind: 'linked'; name: string }
  | {
      kind: 'failed';
      failure: { kind: FailureKind; detail: string };
      retry: Retry;
      created?: ContactSummary;
    };

/** What happened: a call started, answered or failed, or the rep changed something. */
export type LinkEvent =
  | { type: 'busy'; label: StringKey }
  | { type: 'found-one'; contact: ContactSummary; callerId: boolean }
  | { type: 'found-many'; contacts: ContactSummary[]; counts: OpenCaseCounts; callerId: boolean }
  | { type: 'found-none'; form: NewContactForm; contactId: string }
  | { type: 'open-cases'; contactId: string; cases: CaseSummary[] }
  | { type: 'select'; contactId: string }
  | { type: 'edit'; form: NewContactForm }
  | { type: 'invalid'; form: NewContactForm; errors: FormErrors; contactId: string }
  | { type: 'linked'; name: string }
  | {
      type: 'failed';
      failure: { kind: FailureKind; detail: string };
      retry: Retry;
      created?: ContactSummary;
    };

export const IDLE: LinkStep = { kind: 'idle' };

/** The step after an event. Events that do not apply to the current step leave it as it is. */
export function nextStep(step: LinkStep, event: LinkEvent): LinkStep {
  switch (event.type) {
    case 'busy':
      return { kind: 'busy', label: event.label };
    case 'found-one':
      return { kind: 'one', contact: event.contact, callerId: event.callerId };
    case 'found-many':
      return { kind: 'many', contacts: event.contacts, counts: event.counts, callerId: event.callerId };
    case 'found-none':
      // The new contact's id is chosen now: a retry after a lost answer cannot make a second contact.
      return { kind: 'create', form: event.form, errors: {}, contactId: event.contactId };
    case 'open-cases':
      // Late answers for a contact no longer shown are dropped.
      return step.kind === 'one' && step.contact.id === event.contactId
        ? { ...step, cases: event.cases }
        : step;
    case 'select':
      return step.kind === 'many' ? { ...step, selected: event.contactId } : step;
    case 'edit':
      return step.kind === 'create' ? { ...step, form: event.form } : step;
    case 'invalid':
      return { kind: 'create', form: event.form, errors: event.errors, contactId: event.contactId };
    case 'linked':
      return { kind: 'linked', name: event.name };
    case 'failed':
      return { kind: 'failed', failure: event.failure, retry: event.retry, created: event.created };
  }
}

/** The contact a new-contact form describes, as the picker and the link step show it. */
export function contactFromForm(
  form: NewContactForm,
  contactId: string,
  mobilephone: string,
): ContactSummary {
  return {
    id: contactId,
    fullName: [form.firstname.trim(), form.lastname.trim()].filter(Boolean).join(' '),
    email: form.email.trim() || undefined,
    phone: mobilephone,
  };
}

/** A failed call as the rep's message needs it: its kind, and the code (or text) shown with it. */
export function failureOf(error: unknown): { kind: FailureKind; detail: string } {
  const failure = error instanceof DataverseFailure ? error : undefined;
  const detail = failure?.code ?? (error instanceof Error ? error.message : String(error));
  return { kind: failure?.kind ?? 'other', detail };
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
