import * as React from 'react';
import { Button, MessageBar, MessageBarActions, MessageBarBody, Spinner } from '@fluentui/react-components';
import type { Strings } from '../model/strings';
import { useFirstScreenStyles } from './firstScreenStyles';
import { useStableId } from './useStableId';

export interface NoticeProps {
  intent: 'info' | 'warning';
  text: string;
  /** Shown with a spinner: something is on its way. */
  busy?: boolean;
  /** On a phone: one line until the rep opens it, so the first screen keeps its room for the call. */
  oneLine: boolean;
  strings: Strings;
}

/** A notice above the log. Cut to one line on a phone (the whole text stays in the page for screen readers). */
export const Notice: React.FC<NoticeProps> = ({ intent, text, busy, oneLine, strings }) => {
  const styles = useFirstScreenStyles();
  const bodyId = useStableId('opencx-notice');
  const bodyRef = React.useRef<HTMLDivElement>(null);
  const [open, setOpen] = React.useState(false);
  const cut = useCut(bodyRef, oneLine && !open, text);
  return (
    <MessageBar intent={intent} layout={oneLine ? (open ? 'multiline' : 'singleline') : 'auto'}>
      <MessageBarBody id={bodyId} ref={bodyRef} className={oneLine && !open ? styles.oneLine : undefined}>
        {busy && <Spinner size="extra-tiny" style={{ display: 'inline-flex', marginInlineEnd: 8 }} />}
        {text}
      </MessageBarBody>
      {(cut || open) && (
        <MessageBarActions
          containerAction={
            <Button
              appearance="transparent"
              size="small"
              aria-expanded={open}
              aria-controls={bodyId}
              onClick={() => setOpen(!open)}
            >
              {open ? strings.Notice_Less : strings.Notice_More}
            </Button>
          }
        />
      )}
    </MessageBar>
  );
};

/** Whether the element's one line cuts its text (measured after layout, again when its size or text changes). */
function useCut(ref: React.RefObject<HTMLElement>, oneLine: boolean, text: string): boolean {
  const [cut, setCut] = React.useState(false);
  React.useLayoutEffect(() => {
    const element = ref.current;
    if (!oneLine || !element) return setCut(false);
    const measure = () => setCut(element.scrollWidth > element.clientWidth);
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref, oneLine, text]);
  return cut;
}
