/**
 * Renders only the rows in view. A small hook of our own over RowLayout: @tanstack/react-virtual needs
 * react-dom's flushSync, which PCF does not provide as a platform library with React 16 (it would add
 * ~120 KB of react-dom to the bundle), and its core alone costs ~28 KB of our 150 KB budget.
 */
import * as React from 'react';
import { RowLayout } from '../model/row-layout';

export interface WindowedRows {
  items: { index: number; start: number }[];
  totalHeight: number;
  /** Attach to each rendered row (with `data-index`) so its real height replaces the estimate. */
  measure: (element: HTMLElement | null) => void;
  scrollToIndex: (index: number) => void;
  onScroll: () => void;
}

/** Used until the viewport is measured (and always under jsdom, which has no layout). */
const FALLBACK_VIEWPORT = 512;

export function useWindowedRows(
  count: number,
  scrollRef: React.RefObject<HTMLElement>,
  options: { estimate: number; overscan: number },
): WindowedRows {
  const layout = React.useMemo(() => new RowLayout(count, options.estimate), [count, options.estimate]);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [, relayout] = React.useReducer((n: number) => n + 1, 0);
  const observer = React.useRef<ResizeObserver>();

  const measureNow = React.useCallback(
    (element: Element) => {
      const index = Number((element as HTMLElement).dataset.index);
      const height = (element as HTMLElement).offsetHeight;
      if (layout.setHeight(index, height)) relayout();
    },
    [layout],
  );

  // Created on first use: row refs are attached before effects run, so an effect would be too late.
  const observerFor = React.useCallback(() => {
    if (!observer.current && typeof ResizeObserver !== 'undefined')
      observer.current = new ResizeObserver((entries) =>
        entries.forEach((entry) => measureNow(entry.target)),
      );
    return observer.current;
  }, [measureNow]);
  React.useEffect(
    () => () => {
      observer.current?.disconnect();
      observer.current = undefined;
    },
    [measureNow],
  );

  const measure = React.useCallback(
    (element: HTMLElement | null) => {
      if (!element) return;
      measureNow(element);
      // border-box: a row's padding and border count, and a change to them alone must re-measure.
      observerFor()?.observe(element, { box: 'border-box' });
    },
    [measureNow, observerFor],
  );

  const viewport = scrollRef.current?.clientHeight || FALLBACK_VIEWPORT;
  const { start, end } = layout.visibleRange(scrollTop, viewport, options.overscan);
  const items: WindowedRows['items'] = [];
  for (let index = start; index < end; index++) items.push({ index, start: layout.offsetOf(index) });

  return {
    items,
    totalHeight: layout.totalHeight(),
    measure,
    onScroll: () => setScrollTop(scrollRef.current?.scrollTop ?? 0),
    scrollToIndex: (index) => {
      const element = scrollRef.current;
      const top = layout.centredScrollTop(index, element?.clientHeight || FALLBACK_VIEWPORT);
      if (element) element.scrollTop = top;
      // Also set directly: the scroll event comes later (or, without layout, never).
      setScrollTop(top);
    },
  };
}
