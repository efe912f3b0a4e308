import * as React from 'react';
import { Button, MessageBar, MessageBarActions, MessageBarBody, Spinner } from '@fluentui/react-components';
import { failureMessage, isLinked, type LinkStep } from '../model/link-flow';
import { fill, type Strings } from '../model/strings';
import { ManyMatches, OneMatch } from './link/LinkResults';
import { LinkSearch } from './link/LinkSearch';
import { NewContactForm } from './link/NewContactForm';
import { RelinkDialog } from './link/RelinkDialog';
import { useLinkFlow, type LinkFlow, type LinkFlowInputs } from './link/useLinkFlow';
import { useControlStyles } from './styles';
import { useStableId } from './useStableId';

export interface LinkContactProps extends LinkFlowInputs {
  /** Opens another case in the host (its link's address is the fallback). */
  onOpenCase?: (incidentId: string) => void;
}

/** "Link contact by phone": renders the flow's current step (the flow itself is in link/useLinkFlow.ts). */
export const LinkContact: React.FC<LinkContactProps> = (props) => {
  const { strings, placeholderCustomerId } = props;
  const styles = useControlStyles();
  const headingId = useStableId('opencx-link');
  const flow = useLinkFlow(props);
  const { customer } = flow;
  const customerLine = !customer
    ? strings.Link_NotLinked
    : isLinked(customer, placeholderCustomerId)
      ? fill(strings.Link_CurrentCustomer, customer.name)
      : fill(strings.Link_Placeholder, customer.name);

  return (
    <section className={styles.link} aria-labelledby={headingId}>
      <h3 id={headingId} className={styles.title}>
        {strings.Link_Section}
      </h3>
      <div dir="auto">{customerLine}</div>
      {flow.disabled ? (
        <MessageBar intent="info">
          <MessageBarBody>{strings[flow.disabled]}</MessageBarBody>
        </MessageBar>
      ) : (
        <>
          <LinkSearch
            strings={strings}
            phone={flow.phone}
            error={flow.phoneError}
            noCallerPhone={!props.callerPhone}
            busy={flow.step.kind === 'busy'}
            onPhoneChange={flow.setPhone}
            onSearch={flow.search}
          />
          <StepView step={flow.step} flow={flow} strings={strings} onOpenCase={props.onOpenCase} />
        </>
      )}
      <RelinkDialog
        strings={strings}
        current={customer?.name ?? ''}
        target={flow.confirm?.fullName}
        onConfirm={flow.confirmLink}
        onCancel={flow.cancelConfirm}
      />
    </section>
  );
};

interface StepViewProps {
  step: LinkStep;
  flow: LinkFlow;
  strings: Strings;
  onOpenCase?: (incidentId: string) => void;
}

/** One step of the flow: searching or linking, the results, the new contact's form, the outcome. */
const StepView: React.FC<StepViewProps> = ({ step, flow, strings, onOpenCase }) => {
  switch (step.kind) {
    case 'idle':
      return null;
    case 'busy':
      return <Spinner size="tiny" label={strings[step.label]} />;
    case 'one':
      return (
        <OneMatch
          strings={strings}
          contact={step.contact}
          cases={step.cases}
          callerId={step.callerId}
          onLink={flow.requestLink}
          onOpenCase={onOpenCase}
        />
      );
    case 'many':
      return (
        <ManyMatches
          strings={strings}
          contacts={step.contacts}
          counts={step.counts}
          selected={step.selected}
          callerId={step.callerId}
          onSelect={flow.select}
          onLink={flow.requestLink}
        />
      );
    case 'create':
      return (
        <NewContactForm
          strings={strings}
          form={step.form}
          errors={step.errors}
          onEdit={flow.edit}
          onCreate={(form) => flow.create(form, step.contactId)}
        />
      );
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
            {fill(strings[failureMessage(step.failure.kind)], step.failure.detail)}
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => flow.retry(step.retry)}>{strings.Link_Retry}</Button>
          </MessageBarActions>
        </MessageBar>
      );
  }
};
