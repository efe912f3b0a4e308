import * as React from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Radio,
  RadioGroup,
  Spinner,
} from '@fluentui/react-components';
import { parsePhone } from '../model/phone';
import {
  caseFormUrl,
  disabledReason,
  failureMessage,
  isLinked,
  looksUpOnOpen,
  needsConfirmation,
  outcomeOf,
  phoneMessage,
  prefillContact,
  validateContact,
  type Availability,
  type FormErrors,
  type NewContactForm,
} from '../model/link-flow';
import { newRecordId } from '../model/new-id';
import {
  DataverseFailure,
  type CaseData,
  type CaseSummary,
  type ContactSummary,
  type CustomerRef,
} from '../model/ports';
import { fill, type StringKey, type Strings } from '../model/strings';
import { useFirstScreenStyles } from './firstScreenStyles';
import { useControlStyles } from './styles';
import { useStableId } from './useStableId';

export interface LinkContactProps extends Availability {
  strings: Strings;
  data: CaseData;
  /** From the transcript header; the rep may edit it. */
  callerPhone?: string;
  callerName?: string;
  callerEmail?: string;
  sessionId?: string;
  defaultCountry?: string;
  placeholderCustomerId?: string;
  /** Called once the case's customer changed, so the host refreshes the form. */
  onLinked: () => void;
  /** Opens another case in the host (its link's address is the fallback). */
  onOpenCase?: (incidentId: string) => void;
}

type Step =
  | { kind: 'idle' }
  | { kind: 'busy'; label: StringKey }
  | { kind: 'one'; contact: ContactSummary; cases?: CaseSummary[] }
  | { kind: 'many'; contacts: ContactSummary[]; counts: Record<string, number>; selected?: string }
  | { kind: 'create'; form: NewContactForm; errors: FormErrors; contactId: string }
  | { kind: 'linked'; name: string }
  | { kind: 'failed'; message: string; retry: () => void; created?: ContactSummary };

export const LinkContact: React.FC<LinkContactProps> = (props) => {
  const { strings, data, incidentId, placeholderCustomerId, defaultCountry } = props;
  const styles = useControlStyles();
  const headingId = useStableId('opencx-link');
  const [phone, setPhone] = React.useState(props.callerPhone ?? '');
  const [phoneError, setPhoneError] = React.useState<string>();
  const [step, setStep] = React.useState<Step>({ kind: 'idle' });
  const [customer, setCustomer] = React.useState<CustomerRef>();
  const [confirm, setConfirm] = React.useState<ContactSummary>();
  const mounted = React.useRef(true);
  React.useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const reason = disabledReason(props);

  const refreshCustomer = React.useCallback(async () => {
    if (!incidentId || props.offline) return;
    try {
      const current = await data.currentCustomer(incidentId);
      if (mounted.current) setCustomer(current);
    } catch {
      // Showing the current customer is a courtesy; the form shows it too.
    }
  }, [data, incidentId, props.offline]);
  React.useEffect(() => void refreshCustomer(), [refreshCustomer]);

  const fail = (error: unknown, retry: () => void, created?: ContactSummary) => {
    if (!mounted.current) return;
    const failure = error instanceof DataverseFailure ? error : undefined;
    const key = failureMessage(failure?.kind ?? 'other');
    const detail = failure?.code ?? (error instanceof Error ? error.message : String(error));
    setStep({ kind: 'failed', message: fill(strings[key], detail), retry, created });
  };

  const link = async (contact: ContactSummary, created = false) => {
    if (!incidentId) return;
    setConfirm(undefined);
    setStep({ kind: 'busy', label: 'Link_Linking' });
    try {
      await data.linkContact(incidentId, contact.id);
      if (!mounted.current) return;
      setStep({ kind: 'linked', name: contact.fullName });
      setCustomer({ id: contact.id, entity: 'contact', name: contact.fullName });
      props.onLinked();
    } catch (error) {
      fail(error, () => void link(contact, created), created ? contact : undefined);
    }
  };

  const requestLink = (contact: ContactSummary) => {
    if (needsConfirmation(customer, placeholderCustomerId, contact.id)) setConfirm(contact);
    else void link(contact);
  };

  const search = async (number = phone) => {
    const parsed = parsePhone(number, defaultCountry);
    const problem = phoneMessage(parsed);
    if (problem || !parsed.ok) return setPhoneError(strings[problem ?? 'Link_PhoneInvalid']);
    setPhoneError(undefined);
    setStep({ kind: 'busy', label: 'Link_Searching' });
    try {
      const contacts = await data.findContactsByPhone(parsed.renderings);
      const outcome = outcomeOf(contacts);
      if (outcome.kind === 'one') {
        if (mounted.current) setStep({ kind: 'one', contact: outcome.contact });
        // Showing the contact's open cases is a courtesy: without them the rep can still link.
        const cases = await data.openCasesOf(outcome.contact.id).catch(() => undefined);
        if (mounted.current && cases)
          setStep((now) =>
            now.kind === 'one' && now.contact.id === outcome.contact.id ? { ...now, cases } : now,
          );
        return;
      }
      if (outcome.kind === 'none') {
        const form = prefillContact(props.callerName, props.callerEmail, parsed.e164);
        return mounted.current && setStep({ kind: 'create', form, errors: {}, contactId: newRecordId() });
      }
      const counts = await data.countOpenCases(outcome.contacts.map((c) => c.id));
      if (mounted.current) setStep({ kind: 'many', contacts: outcome.contacts, counts });
    } catch (error) {
      fail(error, () => void search(number));
    }
  };

  // The caller, looked up as the case opens (read-only; linking stays the rep's click). At most once per
  // case: a later refresh of the customer or a re-render does not search again.
  const lookedUpFor = React.useRef<string>();
  const callerPhone = props.callerPhone;
  React.useEffect(() => {
    if (!incidentId || lookedUpFor.current === incidentId) return;
    if (!looksUpOnOpen(props, customer, placeholderCustomerId, callerPhone, defaultCountry)) return;
    lookedUpFor.current = incidentId;
    void search(callerPhone);
    // Decided by the customer once it is known; the other inputs are fixed for a case's open.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [customer]);

  const create = async (form: NewContactForm, contactId: string) => {
    const errors = validateContact(form, defaultCountry);
    if (Object.keys(errors).length) return setStep({ kind: 'create', form, errors, contactId });
    const parsed = parsePhone(form.phone, defaultCountry);
    const mobilephone = parsed.ok ? parsed.e164 : form.phone;
    const contact: ContactSummary = {
      id: contactId,
      fullName: [form.firstname.trim(), form.lastname.trim()].filter(Boolean).join(' '),
      email: form.email.trim() || undefined,
      phone: mobilephone,
    };
    setStep({ kind: 'busy', label: 'Link_Creating' });
    try {
      // The id was chosen when the form opened: a retry after a lost answer cannot make a second contact.
      await data.createContact(contactId, {
        firstname: form.firstname.trim() || undefined,
        lastname: form.lastname.trim(),
        email: contact.email,
        mobilephone,
        description: props.sessionId ? `Created from OpenCX session ${props.sessionId}` : undefined,
      });
    } catch (error) {
      return fail(error, () => void create(form, contactId));
    }
    await link(contact, true);
  };

  const linked = isLinked(customer, placeholderCustomerId);
  const customerLine = !customer
    ? strings.Link_NotLinked
    : linked
      ? fill(strings.Link_CurrentCustomer, customer.name)
      : fill(strings.Link_Placeholder, customer.name);

  return (
    <section className={styles.link} aria-labelledby={headingId}>
      <h3 id={headingId} className={styles.title}>
        {strings.Link_Section}
      </h3>
      <div dir="auto">{customerLine}</div>
      {reason ? (
        <MessageBar intent="info">
          <MessageBarBody>{strings[reason]}</MessageBarBody>
        </MessageBar>
      ) : (
        <>
          <div className={styles.actions} style={{ alignItems: 'end' }}>
            <Field
              label={strings.Link_CallerPhone}
              validationState={phoneError ? 'error' : 'none'}
              validationMessage={phoneError}
              hint={props.callerPhone ? undefined : strings.Link_NoPhone}
            >
              <Input
                type="tel"
                value={phone}
                onChange={(_, d) => setPhone(d.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') void search();
                }}
              />
            </Field>
            <Button appearance="primary" onClick={() => void search()} disabled={step.kind === 'busy'}>
              {strings.Link_Start}
            </Button>
          </div>
          <StepView
            step={step}
            strings={strings}
            onLink={requestLink}
            onSelect={(id) => step.kind === 'many' && setStep({ ...step, selected: id })}
            onOpenCase={props.onOpenCase}
            onCreate={(form, id) => void create(form, id)}
            onForm={(form) => step.kind === 'create' && setStep({ ...step, form })}
          />
        </>
      )}
      <Dialog open={confirm !== undefined} onOpenChange={(_, d) => !d.open && setConfirm(undefined)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{strings.Link_Relink_Title}</DialogTitle>
            <DialogContent>
              {fill(strings.Link_Relink_Body, customer?.name ?? '', confirm?.fullName ?? '')}
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={() => confirm && void link(confirm)}>
                {strings.Link_Relink_Confirm}
              </Button>
              <Button onClick={() => setConfirm(undefined)}>{strings.Link_Cancel}</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </section>
  );
};

interface StepViewProps {
  step: Step;
  strings: Strings;
  onLink: (contact: ContactSummary) => void;
  onSelect: (id: string) => void;
  onCreate: (form: NewContactForm, contactId: string) => void;
  onForm: (form: NewContactForm) => void;
  onOpenCase?: (incidentId: string) => void;
}

const ContactLine: React.FC<{ contact: ContactSummary; strings: Strings; openCases?: number }> = ({
  contact,
  strings,
  openCases,
}) => (
  <span dir="auto">
    <strong>{contact.fullName}</strong> · {contact.email ?? strings.Link_NoEmail} · {contact.phone ?? ''}
    {openCases !== undefined ? ` · ${fill(strings.Link_OpenCases, openCases)}` : ''}
  </span>
);

const StepView: React.FC<StepViewProps> = ({
  step,
  strings,
  onLink,
  onSelect,
  onCreate,
  onForm,
  onOpenCase,
}) => {
  const styles = useControlStyles();
  switch (step.kind) {
    case 'idle':
      return null;
    case 'busy':
      return <Spinner size="tiny" label={strings[step.label]} />;
    case 'linked':
      return (
        <MessageBar intent="success">
          <MessageBarBody>{fill(strings.Link_Linked, step.name)}</MessageBarBody>
        </MessageBar>
      );
    case 'failed':
      return (
        <MessageBar intent="error">
          <MessageBarBody>
            {step.created ? `${fill(strings.Link_CreatedNotLinked, step.created.fullName)} ` : ''}
            {step.message}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={step.retry}>{strings.Link_Retry}</Button>
          </MessageBarActions>
        </MessageBar>
      );
    case 'one':
      return (
        <div className={styles.choices}>
          <div>{strings.Link_OneMatch}</div>
          <ContactLine contact={step.contact} strings={strings} />
          {step.cases && <OpenCases cases={step.cases} strings={strings} onOpenCase={onOpenCase} />}
          <div className={styles.actions}>
            <Button appearance="primary" onClick={() => onLink(step.contact)}>
              {strings.Link_Link}
            </Button>
          </div>
        </div>
      );
    case 'many': {
      const chosen = step.contacts.find((c) => c.id === step.selected);
      return (
        <div className={styles.choices}>
          <Field label={fill(strings.Link_ManyMatches, step.contacts.length)}>
            <RadioGroup value={step.selected ?? ''} onChange={(_, d) => onSelect(d.value)}>
              {step.contacts.map((contact) => (
                <Radio
                  key={contact.id}
                  value={contact.id}
                  label={
                    <ContactLine
                      contact={contact}
                      strings={strings}
                      openCases={step.counts[contact.id] ?? 0}
                    />
                  }
                />
              ))}
            </RadioGroup>
          </Field>
          <div className={styles.actions}>
            <Button appearance="primary" disabled={!chosen} onClick={() => chosen && onLink(chosen)}>
              {strings.Link_Link}
            </Button>
          </div>
        </div>
      );
    }
    case 'create': {
      const { form, errors } = step;
      const field = (name: keyof NewContactForm, label: StringKey, required = false, type = 'text') => (
        <Field
          label={strings[label]}
          required={required}
          validationState={errors[name] ? 'error' : 'none'}
          validationMessage={errors[name] ? strings[errors[name]] : undefined}
        >
          <Input
            type={type as 'text'}
            value={form[name]}
            onChange={(_, d) => onForm({ ...form, [name]: d.value })}
          />
        </Field>
      );
      return (
        <form
          className={styles.choices}
          aria-label={strings.Link_CreateTitle}
          // Validation is ours (with messages in the rep's language), not the browser's.
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            onCreate(form, step.contactId);
          }}
        >
          <div>{strings.Link_NoMatch}</div>
          <div className={styles.formGrid}>
            {field('firstname', 'Link_FirstName')}
            {field('lastname', 'Link_LastName', true)}
            {field('email', 'Link_Email', false, 'email')}
            {field('phone', 'Link_Phone', true, 'tel')}
          </div>
          <div className={styles.actions}>
            <Button appearance="primary" type="submit">
              {strings.Link_CreateAndLink}
            </Button>
          </div>
        </form>
      );
    }
  }
};

/** The found contact's open cases, each a link to its form (the host opens it; the address is the fallback). */
const OpenCases: React.FC<{
  cases: readonly CaseSummary[];
  strings: Strings;
  onOpenCase?: (incidentId: string) => void;
}> = ({ cases, strings, onOpenCase }) => {
  const firstScreen = useFirstScreenStyles();
  const headingId = useStableId('opencx-open-cases');
  if (cases.length === 0) return <div>{strings.Link_NoOpenCases}</div>;
  return (
    <div>
      <div id={headingId}>{strings.Link_OpenCasesOfContact}</div>
      <ul className={firstScreen.openCases} aria-labelledby={headingId}>
        {cases.map((c) => (
          <li key={c.id}>
            <Link
              href={caseFormUrl(c.id)}
              onClick={(event) => {
                if (!onOpenCase) return;
                event.preventDefault();
                onOpenCase(c.id);
              }}
            >
              <span dir="auto">{[c.ticketNumber, c.title].filter(Boolean).join(' · ') || c.id}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
};
