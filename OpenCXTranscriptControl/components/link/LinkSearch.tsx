import * as React from 'react';
import { Button, Field, Input } from '@fluentui/react-components';
import type { Strings } from '../../model/strings';
import { useControlStyles } from '../styles';

export interface LinkSearchProps {
  strings: Strings;
  phone: string;
  error?: string;
  /** The transcript gave no number: the rep types one. */
  noCallerPhone: boolean;
  busy: boolean;
  onPhoneChange: (phone: string) => void;
  onSearch: () => void;
}

/** The search step: the caller's number (the transcript's, editable) and Find contact. */
export const LinkSearch: React.FC<LinkSearchProps> = ({
  strings,
  phone,
  error,
  noCallerPhone,
  busy,
  ...on
}) => {
  const styles = useControlStyles();
  return (
    <div className={styles.actions} style={{ alignItems: 'end' }}>
      <Field
        label={strings.Link_CallerPhone}
        validationState={error ? 'error' : 'none'}
        validationMessage={error}
        hint={noCallerPhone ? strings.Link_NoPhone : undefined}
      >
        <Input
          type="tel"
          value={phone}
          onChange={(_, d) => on.onPhoneChange(d.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') on.onSearch();
          }}
        />
      </Field>
      <Button appearance="primary" onClick={on.onSearch} disabled={busy}>
        {strings.Link_Start}
      </Button>
    </div>
  );
};
