import * as React from 'react';
import { Button, Field, Input } from '@fluentui/react-components';
import type { FormErrors, NewContactForm as Form } from '../../model/link-flow';
import type { StringKey, Strings } from '../../model/strings';
import { useControlStyles } from '../styles';

export interface NewContactFormProps {
  strings: Strings;
  form: Form;
  errors: FormErrors;
  onEdit: (form: Form) => void;
  onCreate: (form: Form) => void;
}

/** The create step: no contact has the number, so the rep creates one (prefilled from the transcript). */
export const NewContactForm: React.FC<NewContactFormProps> = ({
  strings,
  form,
  errors,
  onEdit,
  onCreate,
}) => {
  const styles = useControlStyles();
  const field = (name: keyof Form, label: StringKey, required = false, type = 'text') => (
    <Field
      label={strings[label]}
      required={required}
      validationState={errors[name] ? 'error' : 'none'}
      validationMessage={errors[name] ? strings[errors[name]] : undefined}
    >
      <Input
        type={type as 'text'}
        value={form[name]}
        onChange={(_, d) => onEdit({ ...form, [name]: d.value })}
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
        onCreate(form);
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
};
