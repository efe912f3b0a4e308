/**
 * The effects of "Link contact by phone": the Dataverse calls, each answer turned into an event for the
 * pure flow (model/link-flow.ts). Answers that come back after the control unmounted are dropped.
 */
import * as React from 'react';
import {
  contactFromForm,
  disabledReason,
  failureOf,
  IDLE,
  looksUpOnOpen,
  needsConfirmation,
  nextStep,
  outcomeOf,
  phoneMessage,
  prefillContact,
  searchesCallerId,
  validateContact,
  type Availability,
  type LinkEvent,
  type NewContactForm,
  type Retry,
} from '../../model/link-flow';
import { newRecordId } from '../../model/new-id';
import { parsePhone } from '../../model/phone';
import type { CaseData, ContactSummary, CustomerRef } from '../../model/ports';
import type { Strings } from '../../model/strings';

export interface LinkFlowInputs extends Availability {
  strings: Strings;
  data: CaseData;
  /** From the transcript header; the rep may edit it. */
  callerPhone?: string;
  /** The transcript's number is a caller ID no one verified (model/verification.ts phoneIsCallerId). */
  callerPhoneIsCallerId?: boolean;
  callerName?: string;
  callerEmail?: string;
  sessionId?: string;
  /** The rep's country (model/rep-country.ts), for national numbers. */
  repCountry?: string;
  placeholderCustomerId?: string;
  /** Called once the case's customer changed, so the host refreshes the form. */
  onLinked: () => void;
}

export function useLinkFlow(inputs: LinkFlowInputs) {
  const { strings, data, incidentId, placeholderCustomerId, repCountry } = inputs;
  const [phone, setPhone] = React.useState(inputs.callerPhone ?? '');
  const [phoneError, setPhoneError] = React.useState<string>();
  const [step, dispatch] = React.useReducer(nextStep, IDLE);
  const [customer, setCustomer] = React.useState<CustomerRef>();
  const [confirm, setConfirm] = React.useState<ContactSummary>();
  const mounted = React.useRef(true);
  React.useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const emit = (event: LinkEvent) => {
    if (mounted.current) dispatch(event);
  };
  const fail = (error: unknown, retry: Retry, created?: ContactSummary) =>
    emit({ type: 'failed', failure: failureOf(error), retry, created });

  const refreshCustomer = React.useCallback(async () => {
    if (!incidentId || inputs.offline) return;
    try {
      const current = await data.currentCustomer(incidentId);
      if (mounted.current) setCustomer(current);
    } catch {
      // Showing the current customer is a courtesy; the form shows it too.
    }
  }, [data, incidentId, inputs.offline]);
  React.useEffect(() => void refreshCustomer(), [refreshCustomer]);

  const link = async (contact: ContactSummary, created = false) => {
    if (!incidentId) return;
    setConfirm(undefined);
    emit({ type: 'busy', label: 'Link_Linking' });
    try {
      await data.linkContact(incidentId, contact.id);
      if (!mounted.current) return;
      emit({ type: 'linked', name: contact.fullName });
      setCustomer({ id: contact.id, entity: 'contact', name: contact.fullName });
      inputs.onLinked();
    } catch (error) {
      fail(error, { kind: 'link', contact, created }, created ? contact : undefined);
    }
  };

  const search = async (number = phone) => {
    const parsed = parsePhone(number, repCountry);
    const problem = phoneMessage(parsed);
    if (problem || !parsed.ok) return setPhoneError(strings[problem ?? 'Link_PhoneInvalid']);
    setPhoneError(undefined);
    emit({ type: 'busy', label: 'Link_Searching' });
    const callerId = searchesCallerId(
      parsed.e164,
      inputs.callerPhone,
      inputs.callerPhoneIsCallerId ?? false,
      repCountry,
    );
    try {
      const outcome = outcomeOf(await data.findContactsByPhone(parsed.renderings));
      if (outcome.kind === 'one') {
        emit({ type: 'found-one', contact: outcome.contact, callerId });
        // Showing the contact's open cases is a courtesy: without them the rep can still link.
        const cases = await data.openCasesOf(outcome.contact.id).catch(() => undefined);
        if (cases) emit({ type: 'open-cases', contactId: outcome.contact.id, cases });
      } else if (outcome.kind === 'none') {
        const form = prefillContact(inputs.callerName, inputs.callerEmail, parsed.e164);
        emit({ type: 'found-none', form, contactId: newRecordId() });
      } else {
        const counts = await data.countOpenCases(outcome.contacts.map((c) => c.id));
        emit({ type: 'found-many', contacts: outcome.contacts, counts, callerId });
      }
    } catch (error) {
      fail(error, { kind: 'search', number });
    }
  };

  const create = async (form: NewContactForm, contactId: string) => {
    const errors = validateContact(form, repCountry);
    if (Object.keys(errors).length) return emit({ type: 'invalid', form, errors, contactId });
    const parsed = parsePhone(form.phone, repCountry);
    const contact = contactFromForm(form, contactId, parsed.ok ? parsed.e164 : form.phone);
    emit({ type: 'busy', label: 'Link_Creating' });
    try {
      // The id was chosen when the form opened: a retry after a lost answer cannot make a second contact.
      await data.createContact(contactId, {
        firstname: form.firstname.trim() || undefined,
        lastname: form.lastname.trim(),
        email: contact.email,
        mobilephone: contact.phone!,
        description: inputs.sessionId ? `Created from OpenCX session ${inputs.sessionId}` : undefined,
      });
    } catch (error) {
      return fail(error, { kind: 'create', form, contactId });
    }
    await link(contact, true);
  };

  const retry = (what: Retry) => {
    if (what.kind === 'search') void search(what.number);
    else if (what.kind === 'link') void link(what.contact, what.created);
    else void create(what.form, what.contactId);
  };

  // The caller, looked up as the case opens (read-only; linking stays the rep's click). At most once per
  // case: a later refresh of the customer or a re-render does not search again.
  const lookedUpFor = React.useRef<string>();
  React.useEffect(() => {
    if (!incidentId || lookedUpFor.current === incidentId) return;
    if (!looksUpOnOpen(inputs, customer, placeholderCustomerId, inputs.callerPhone, repCountry)) return;
    lookedUpFor.current = incidentId;
    void search(inputs.callerPhone);
    // Decided by the customer once it is known; the other inputs are fixed for a case's open.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [customer]);

  return {
    phone,
    phoneError,
    step,
    customer,
    confirm,
    disabled: disabledReason(inputs),
    setPhone,
    search: () => void search(),
    /** Links at once, or asks first when it would replace a real customer. */
    requestLink: (contact: ContactSummary) => {
      if (needsConfirmation(customer, placeholderCustomerId, contact.id)) setConfirm(contact);
      else void link(contact);
    },
    confirmLink: () => confirm && void link(confirm),
    cancelConfirm: () => setConfirm(undefined),
    select: (contactId: string) => emit({ type: 'select', contactId }),
    edit: (form: NewContactForm) => emit({ type: 'edit', form }),
    create: (form: NewContactForm, contactId: string) => void create(form, contactId),
    retry,
  };
}

export type LinkFlow = ReturnType<typeof useLinkFlow>;
