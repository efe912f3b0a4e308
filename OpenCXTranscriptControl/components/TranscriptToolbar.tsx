import * as React from 'react';
import { Button, Input } from '@fluentui/react-components';
import { fill, type Strings } from '../model/strings';
import { useControlStyles } from './styles';
import { useStableId } from './useStableId';

export interface TranscriptToolbarProps {
  strings: Strings;
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

export const TranscriptToolbar: React.FC<TranscriptToolbarProps> = (props) => {
  const { strings, query, matchCount, currentIndex, onStep } = props;
  const styles = useControlStyles();
  const inputId = useStableId('opencx-search');
  const status = !query.trim()
    ? ''
    : matchCount === 0
      ? strings.Search_None
      : fill(strings.Search_Count, currentIndex + 1, matchCount);

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      onStep(event.shiftKey ? -1 : 1);
    } else if (event.key === 'Escape' && query) {
      event.preventDefault();
      props.onQueryChange('');
    }
  };

  return (
    <div className={styles.toolbar}>
      <div role="search" className={styles.searchGroup}>
        <label htmlFor={inputId} style={VISUALLY_HIDDEN}>
          {strings.Search_Label}
        </label>
        <Input
          id={inputId}
          type="search"
          className={styles.search}
          value={query}
          placeholder={strings.Search_Placeholder}
          onChange={(_, data) => props.onQueryChange(data.value)}
          onKeyDown={onKeyDown}
        />
        <span className={styles.count} role="status" aria-live="polite">
          {status}
        </span>
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
      </div>
      {props.onJumpToHandoff && <Button onClick={props.onJumpToHandoff}>{strings.Jump_Handoff}</Button>}
      {props.onLatest && <Button onClick={props.onLatest}>{strings.Jump_Latest}</Button>}
      <Button onClick={props.onCopy}>{strings.Copy_All}</Button>
      <Button onClick={props.onDownload} title={strings.Download_Hint}>
        {strings.Download}
      </Button>
      <span role="status" aria-live="polite" className={styles.count}>
        {props.copyStatus}
      </span>
    </div>
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
