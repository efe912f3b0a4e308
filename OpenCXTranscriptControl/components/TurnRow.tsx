import * as React from 'react';
import { mergeClasses } from '@fluentui/react-components';
import { reasonLabel } from '../model/header-facts';
import type { RepClock } from '../model/locale';
import { segmentsOf, type Match } from '../model/search';
import { fill, type Strings } from '../model/strings';
import { formatDay, formatTime } from '../model/time';
import type { Row } from '../model/view-model';
import { useControlStyles } from './styles';

export interface RowViewProps {
  row: Row;
  strings: Strings;
  clock: RepClock;
  narrow: boolean;
  /** Matches inside this row (for highlighting), and the current one if it is here. */
  matches: readonly Match[];
  current?: Match;
}

/** One row of the transcript: a turn, a day separator, the omission marker or the handoff divider. */
export const RowView: React.FC<RowViewProps> = React.memo(
  ({ row, strings, clock, narrow, matches, current }) => {
    const styles = useControlStyles();
    switch (row.kind) {
      case 'day':
        return <div className={styles.separator}>{formatDay(row.at, clock)}</div>;
      case 'omitted':
        return <div className={styles.separator}>{fill(strings.Omitted_Turns, row.count)}</div>;
      case 'handoff':
        return (
          <div className={mergeClasses(styles.separator, styles.handoff)}>
            {/* One flex item: the separator is a flex row, and the reason is isolated inside it. */}
            <span>
              {row.at ? fill(strings.Divider_HandoffAt, formatTime(row.at, clock)) : strings.Divider_Handoff}
              {row.reason && (
                <>
                  {' · '}
                  <bdi>{reasonLabel(strings, row.reason)}</bdi>
                </>
              )}
            </span>
          </div>
        );
      case 'turn': {
        const { turn } = row;
        const label = strings[`Role_${turn.role}`];
        return (
          <div className={mergeClasses(styles.turn, narrow && styles.turnNarrow)} data-role={turn.role}>
            <time className={styles.time} dateTime={turn.at}>
              {formatTime(turn.at, clock)}
            </time>
            <div>
              <span
                className={mergeClasses(styles.speaker, turn.role === 'contact' && styles.speakerContact)}
              >
                {label}
                {turn.name && (
                  <>
                    {' ('}
                    <bdi>{turn.name}</bdi>
                    {')'}
                  </>
                )}
                :
              </span>
              {/* dir="auto" isolates the turn (unicode-bidi: isolate): its text cannot reorder the row. */}
              <span className={styles.text} dir="auto">
                {segmentsOf(turn.text, matches, current).map((segment, i) =>
                  segment.match ? (
                    <mark
                      key={i}
                      className={segment.match === 'current' ? styles.markCurrent : styles.mark}
                      data-current={segment.match === 'current' || undefined}
                    >
                      {segment.text}
                    </mark>
                  ) : (
                    <React.Fragment key={i}>{segment.text}</React.Fragment>
                  ),
                )}
              </span>
            </div>
          </div>
        );
      }
    }
  },
);
RowView.displayName = 'RowView';
