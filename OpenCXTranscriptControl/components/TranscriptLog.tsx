import * as React from 'react';
import { mergeClasses } from '@fluentui/react-components';
import type { RepClock } from '../model/locale';
import type { Match } from '../model/search';
import type { Strings } from '../model/strings';
import type { Row } from '../model/view-model';
import { useFirstScreenStyles } from './firstScreenStyles';
import { useControlStyles } from './styles';
import { RowView } from './TurnRow';
import { useWindowedRows, type Placement } from './useWindowedRows';

/** A request to bring a row into view and focus it; a new object each time (so the same row twice works). */
export interface LogJump {
  index: number;
  placement: Placement;
}

export interface TranscriptLogProps {
  rows: readonly Row[];
  strings: Strings;
  clock: RepClock;
  narrow: boolean;
  label: string;
  matches: readonly Match[];
  current?: Match;
  /** The row the log opens at (see model/first-screen). */
  opening?: number;
  jump?: LogJump;
}

const NO_MATCHES: readonly Match[] = [];
/** The log is never shortened below this to fit the first screen (px, about four turns). */
const MIN_FIT_HEIGHT = 160;
/** Room kept under the log when it is fitted to the first screen (px). */
const FIT_MARGIN = 8;

/**
 * The log's height on the first screen: when it starts inside the window, shortened so that its end,
 * where it opens (the handoff), is in the window without scrolling the page; never taller than its
 * style allows. Undefined when it should keep its style (below the fold, or no layout).
 */
function fittedHeight(element: HTMLElement): number | undefined {
  if (element.clientHeight === 0 || typeof window === 'undefined') return undefined;
  const top = element.getBoundingClientRect().top;
  if (top < 0 || top >= window.innerHeight) return undefined;
  // The height its style allows, without the fitted height set earlier.
  const fitted = element.style.maxHeight;
  element.style.maxHeight = '';
  const styled = parseFloat(getComputedStyle(element).maxHeight);
  element.style.maxHeight = fitted;
  const room = Math.max(MIN_FIT_HEIGHT, window.innerHeight - top - FIT_MARGIN);
  return Number.isFinite(styled) && room >= styled ? undefined : room;
}

/**
 * The transcript as a virtualised `role="log"`: only the rows in view (plus a margin) are in the DOM,
 * so 2,000 turns render as fast as 20. The log itself takes focus (tab stop) so the keyboard can scroll
 * it; rows are not in the tab order (only a jump focuses one), so focus is never trapped inside. Live
 * announcements are off: rows mount and unmount while scrolling, and a screen reader must not read them
 * out as new messages. Each row is a list item that says where it is in the whole transcript
 * (`aria-posinset` of `aria-setsize`), since only a window of them exists at a time.
 */
export const TranscriptLog: React.FC<TranscriptLogProps> = ({
  rows,
  strings,
  clock,
  narrow,
  label,
  matches,
  current,
  opening,
  jump,
}) => {
  const styles = useControlStyles();
  const firstScreen = useFirstScreenStyles();
  const scrollRef = React.useRef<HTMLDivElement>(null);
  const windowed = useWindowedRows(rows.length, scrollRef, {
    estimate: 44,
    overscan: 10,
    opening: opening === undefined ? undefined : { index: opening, placement: 'opening' },
  });
  const [fitHeight, setFitHeight] = React.useState<number>();
  React.useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) return undefined;
    const refit = () => setFitHeight(fittedHeight(element));
    refit();
    // What is above the log settles after the first render (a notice's text, a message bar's layout):
    // fit again whenever the control's size changes.
    const root = element.parentElement;
    if (!root || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(refit);
    observer.observe(root);
    return () => observer.disconnect();
  }, [narrow]);

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

  // A jump brings the row into view, then focuses it once it is rendered (it may not exist yet).
  const focusTarget = React.useRef<number>();
  React.useEffect(() => {
    if (!jump) return;
    focusTarget.current = jump.index;
    scrollToIndex(jump.index, jump.placement);
    // Only when a new jump is asked for.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [jump]);
  React.useEffect(() => {
    if (focusTarget.current === undefined) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${focusTarget.current}"]`);
    if (!row) return;
    focusTarget.current = undefined;
    // The row is already in view: focusing must not scroll it somewhere else.
    row.focus({ preventScroll: true });
  });

  return (
    <div
      ref={scrollRef}
      role="log"
      aria-label={label}
      aria-live="off"
      tabIndex={0}
      onScroll={windowed.onScroll}
      onWheel={windowed.onUserInput}
      onTouchStart={windowed.onUserInput}
      onKeyDown={windowed.onUserInput}
      onMouseDown={windowed.onUserInput}
      className={mergeClasses(styles.log, narrow && styles.logNarrow)}
      style={fitHeight === undefined ? undefined : { maxHeight: fitHeight }}
    >
      <div role="list" style={{ height: windowed.totalHeight, position: 'relative', width: '100%' }}>
        {windowed.items.map((item) => (
          <div
            key={rows[item.index].id}
            role="listitem"
            aria-setsize={rows.length}
            aria-posinset={item.index + 1}
            tabIndex={-1}
            data-index={item.index}
            data-kind={rows[item.index].kind}
            ref={windowed.measure}
            className={firstScreen.row}
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
