import * as React from 'react';
import {
  Button,
  Input,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  mergeClasses,
  Overflow,
  OverflowItem,
  useIsOverflowItemVisible,
  useOverflowMenu,
} from '@fluentui/react-components';
import { fill, type Strings } from '../model/strings';
import { useControlStyles } from './styles';
import { useStableId } from './useStableId';

export interface TranscriptToolbarProps {
  strings: Strings;
  /** A phone-width form: the row must not wrap, and the search arrows show only while searching. */
  narrow: boolean;
  query: string;
  onQueryChange: (query: string) => void;
  matchCount: number;
  /** 0-based index of the current match, -1 when none. */
  currentIndex: number;
  onStep: (direction: 1 | -1) => void;
  onCopy: () => void;
  onDownload: () => void;
  /** Short feedback after copying ("Copied"), announced politely. */
  copyStatus?: string;
  /** Brings the handoff divider into view; absent when the transcript marks no handoff. */
  onJumpToHandoff?: () => void;
  /** Brings the newest turns into view. */
  onLatest?: () => void;
}

interface Action {
  id: string;
  label: string;
  title?: string;
  onClick: () => void;
}

/**
 * Search, then the actions in the order people use them. One row at any width: actions that do not fit go,
 * last first, into a "More actions" menu (Fluent's Overflow), each keeping its name there.
 */
export const TranscriptToolbar: React.FC<TranscriptToolbarProps> = (props) => {
  const { strings, query, matchCount, currentIndex, onStep, narrow } = props;
  const styles = useControlStyles();
  const inputId = useStableId('opencx-search');
  const status = !query.trim()
    ? ''
    : matchCount === 0
      ? strings.Search_None
      : fill(strings.Search_Count, currentIndex + 1, matchCount);
  const actions: Action[] = [
    ...(props.onJumpToHandoff
      ? [{ id: 'handoff', label: strings.Jump_Handoff, onClick: props.onJumpToHandoff }]
      : []),
    ...(props.onLatest ? [{ id: 'latest', label: strings.Jump_Latest, onClick: props.onLatest }] : []),
    { id: 'copy', label: strings.Copy_All, onClick: props.onCopy },
    { id: 'download', label: strings.Download, title: strings.Download_Hint, onClick: props.onDownload },
  ];

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      onStep(event.shiftKey ? -1 : 1);
    } else if (event.key === 'Escape' && query) {
      event.preventDefault();
      props.onQueryChange('');
    }
  };
  // On a phone the arrows take room only while there is something to step through (Enter and Shift+Enter
  // step too); elsewhere they stay, disabled, so the row does not shift as the rep types.
  const arrows = !narrow || query.trim() !== '';

  return (
    <div className={styles.toolbar}>
      <div role="search" className={mergeClasses(styles.searchGroup, narrow && styles.searchGroupNarrow)}>
        <label htmlFor={inputId} style={VISUALLY_HIDDEN}>
          {strings.Search_Label}
        </label>
        <Input
          id={inputId}
          type="search"
          className={mergeClasses(styles.search, narrow && styles.searchNarrow)}
          value={query}
          placeholder={strings.Search_Placeholder}
          onChange={(_, data) => props.onQueryChange(data.value)}
          onKeyDown={onKeyDown}
        />
        <span
          className={mergeClasses(styles.count, narrow && styles.countNarrow)}
          role="status"
          aria-live="polite"
        >
          {status}
        </span>
        {arrows && (
          <>
            <Button
              appearance="subtle"
              aria-label={strings.Search_Previous}
              disabled={matchCount === 0}
              onClick={() => onStep(-1)}
              icon={<span aria-hidden="true">↑</span>}
            />
            <Button
              appearance="subtle"
              aria-label={strings.Search_Next}
              disabled={matchCount === 0}
              onClick={() => onStep(1)}
              icon={<span aria-hidden="true">↓</span>}
            />
          </>
        )}
      </div>
      <Overflow>
        <div className={styles.actionRow}>
          {actions.map((action) => (
            <OverflowItem key={action.id} id={action.id}>
              <Button onClick={action.onClick} title={action.title}>
                {action.label}
              </Button>
            </OverflowItem>
          ))}
          <MoreActions actions={actions} label={strings.More_Actions} />
        </div>
      </Overflow>
      <span role="status" aria-live="polite" className={styles.status}>
        {props.copyStatus}
      </span>
    </div>
  );
};

/** The actions that did not fit, in a menu; absent while every action fits. */
const MoreActions: React.FC<{ actions: readonly Action[]; label: string }> = ({ actions, label }) => {
  const { ref, isOverflowing } = useOverflowMenu<HTMLButtonElement>();
  if (!isOverflowing) return null;
  return (
    <Menu>
      <MenuTrigger disableButtonEnhancement>
        <Button
          ref={ref}
          appearance="subtle"
          aria-label={label}
          title={label}
          icon={<span aria-hidden="true">⋯</span>}
        />
      </MenuTrigger>
      <MenuPopover>
        <MenuList>
          {actions.map((action) => (
            <HiddenAction key={action.id} action={action} />
          ))}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
};

/** An action as a menu item, while the toolbar has no room for its button. */
const HiddenAction: React.FC<{ action: Action }> = ({ action }) => {
  if (useIsOverflowItemVisible(action.id)) return null;
  return (
    <MenuItem onClick={action.onClick} title={action.title}>
      {action.label}
    </MenuItem>
  );
};

const VISUALLY_HIDDEN: React.CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  margin: -1,
  padding: 0,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  border: 0,
};
