import * as React from 'react';
import {
  Button,
  Field,
  Link,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
} from '@fluentui/react-components';
import { caseFormUrl } from '../../model/link-flow';
import type { CaseSummary, ContactSummary, OpenCaseCounts } from '../../model/ports';
import { fill, type Strings } from '../../model/strings';
import { useFirstScreenStyles } from '../firstScreenStyles';
import { useControlStyles } from '../styles';
import { useStableId } from '../useStableId';

/** `openCases.complete` is false when there were more than the control counts: the count is a lower bound. */
const ContactLine: React.FC<{
  contact: ContactSummary;
  strings: Strings;
  openCases?: { count: number; complete: boolean };
}> = ({ contact, strings, openCases }) => (
  <span dir="auto">
    <strong>{contact.fullName}</strong> · {contact.email ?? strings.Link_NoEmail} · {contact.phone ?? ''}
    {openCases
      ? ` · ${fill(openCases.complete ? strings.Link_OpenCases : strings.Link_OpenCasesAtLeast, openCases.count)}`
      : ''}
  </span>
);

/** The match rests on the caller ID alone: said before the rep links. */
const CallerIdWarning: React.FC<{ strings: Strings }> = ({ strings }) => (
  <MessageBar intent="warning">
    <MessageBarBody>{strings.Link_CallerIdNotVerified}</MessageBarBody>
  </MessageBar>
);

export interface OneMatchProps {
  strings: Strings;
  contact: ContactSummary;
  /** The search was for the unverified caller ID. */
  callerId: boolean;
  cases?: readonly CaseSummary[];
  onLink: (contact: ContactSummary) => void;
  onOpenCase?: (incidentId: string) => void;
}

/** The results step with one contact: who it is, its open cases, and Link. */
export const OneMatch: React.FC<OneMatchProps> = ({
  strings,
  contact,
  cases,
  callerId,
  onLink,
  onOpenCase,
}) => {
  const styles = useControlStyles();
  return (
    <div className={styles.choices}>
      <div>{strings.Link_OneMatch}</div>
      <ContactLine contact={contact} strings={strings} />
      {cases && <OpenCases cases={cases} strings={strings} onOpenCase={onOpenCase} />}
      {callerId && <CallerIdWarning strings={strings} />}
      <div className={styles.actions}>
        <Button appearance="primary" onClick={() => onLink(contact)}>
          {strings.Link_Link}
        </Button>
      </div>
    </div>
  );
};

export interface ManyMatchesProps {
  strings: Strings;
  contacts: readonly ContactSummary[];
  counts: OpenCaseCounts;
  selected?: string;
  /** The search was for the unverified caller ID. */
  callerId: boolean;
  onSelect: (contactId: string) => void;
  onLink: (contact: ContactSummary) => void;
}

/** The results step with several contacts: a picker with each one's open cases, then Link. */
export const ManyMatches: React.FC<ManyMatchesProps> = (props) => {
  const { strings, contacts, counts, selected } = props;
  const styles = useControlStyles();
  const chosen = contacts.find((c) => c.id === selected);
  return (
    <div className={styles.choices}>
      <Field label={fill(strings.Link_ManyMatches, contacts.length)}>
        <RadioGroup value={selected ?? ''} onChange={(_, d) => props.onSelect(d.value)}>
          {contacts.map((contact) => (
            <Radio
              key={contact.id}
              value={contact.id}
              label={
                <ContactLine
                  contact={contact}
                  strings={strings}
                  openCases={{ count: counts.byContact[contact.id] ?? 0, complete: counts.complete }}
                />
              }
            />
          ))}
        </RadioGroup>
      </Field>
      {props.callerId && <CallerIdWarning strings={strings} />}
      <div className={styles.actions}>
        <Button appearance="primary" disabled={!chosen} onClick={() => chosen && props.onLink(chosen)}>
          {strings.Link_Link}
        </Button>
      </div>
    </div>
  );
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
