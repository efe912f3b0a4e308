import * as React from 'react';
import { mergeClasses } from '@fluentui/react-components';
import type { RepClock } from '../model/locale';
import type { Match } from '../model/search';
import type { Strings } from '../model/strings';
import type { Row } from '../model/view-model';
import { useControlStyles } from './styles';
import { RowView } from './TurnRow';
import { useWindowedRows } from './useWindowedRows';

export interface TranscriptLogProps {
  rows: readonly Row[];
  strings: Strings;
  clock: RepClock;
  narrow: boolean;
  label: string;
  matches: readonly Match[];
  current?: Match;
}

const NO_MATCHES: readonly Match[] = [];

/**
 * The transcript as a virtualised `role="log"`: only the rows in view (plus a margin) are in the DOM,
 * so 2,000 turns render as fast as 20. The log itself takes focus (tab stop) so the keyboard can scroll
 * it; rows are not focusable, so focus is never trapped inside. Live announcements are off: rows
 * mount and unmount while scrolling, and a screen reader must not read them out as new messages.
 */
export const TranscriptLog: React.FC<TranscriptLogProps> = ({
  rows,
  strings,
  clock,
  narrow,
  label,
  matches,
  current,
}) => {
  const styles = useControlStyles();
  const scrollRef = React.useRef<HTMLDivElement>(null);
  const windowed = useWindowedRows(rows.length, scrollRef, { estimate: 44, overscan: 10 });

  const byRow = React.useMemo(() => {
    const map = new Map<number, Match[]>();
    for (const match of matches) {
      const list = map.get(match.row);
      if (list) list.push(match);
      else map.set(match.row, [match]);
    }
    return map;
  }, [matches]);

  const { scrollToIndex } = windowed;
  React.useEffect(() => {
    if (current) scrollToIndex(current.row);
    // Only when the current match changes, not on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current]);

  return (
    <div
      ref={scrollRef}
      role="log"
      aria-label={label}
      aria-live="off"
      tabIndex={0}
      onScroll={windowed.onScroll}
      className={mergeClasses(styles.log, narrow && styles.logNarrow)}
    >
      <div style={{ height: windowed.totalHeight, position: 'relative', width: '100%' }}>
        {windowed.items.map((item) => (
          <div
            key={rows[item.index].id}
            data-index={item.index}
            ref={windowed.measure}
            style={{
              position: 'absolute',
              top: 0,
              left: 0,
              width: '100%',
              transform: `translateY(${item.start}px)`,
            }}
          >
            <RowView
              row={rows[item.index]}
              strings={strings}
              clock={clock}
              narrow={narrow}
              matches={byRow.get(item.index) ?? NO_MATCHES}
              current={current && current.row === item.index ? current : undefined}
            />
          </div>
        ))}
      </div>
    </div>
  );
};
