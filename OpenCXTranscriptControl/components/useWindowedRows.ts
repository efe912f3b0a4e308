/**
 * Renders only the rows in view. A small hook of our own over RowLayout: @tanstack/react-virtual needs
 * react-dom's flushSync, which PCF does not provide as a platform library with React 16 (it would add
 * ~120 KB of react-dom to the bundle), and its core alone costs ~28 KB of our 150 KB budget.
 *
 * A row the log was sent to (where it opens, a jump, a search match) stays pinned while rows are
 * measured and their estimated heights replaced, until the rep scrolls: otherwise the first
 * measurements would push the row out of view.
 */
import * as React from 'react';
import { RowLayout } from '../model/row-layout';

/** Where a row goes in the viewport: the middle, where the log opens, or the end of the list. */
export type Placement = 'center' | 'opening' | 'end';

export interface Pin {
  index: number;
  placement: Placement;
}

export interface WindowedRows {
  items: { index: number; start: number }[];
  totalHeight: number;
  /** Attach to each rendered row (with `data-index`) so its real height replaces the estimate. */
  measure: (element: HTMLElement | null) => void;
  scrollToIndex: (index: number, placement?: Placement) => void;
  onScroll: () => void;
  /** Attach to the scrolling element: the rep's own wheel, touch, key or pointer input there. */
  onUserInput: () => void;
}

/** Used until the viewport is measured (and always under jsdom, which has no layout). */
const FALLBACK_VIEWPORT = 512;

function scrollTopFor(layout: RowLayout, pin: Pin, viewport: number): number {
  switch (pin.placement) {
    case 'center':
      return layout.centredScrollTop(pin.index, viewport);
    case 'opening':
      return layout.openingScrollTop(pin.index, viewport);
    case 'end':
      return layout.endScrollTop(viewport);
  }
}

export function useWindowedRows(
  count: number,
  scrollRef: React.RefObject<HTMLElement>,
  options: { estimate: number; overscan: number; opening?: Pin },
): WindowedRows {
  const layout = React.useMemo(() => new RowLayout(count, options.estimate), [count, options.estimate]);
  const pin = React.useRef<Pin | undefined>(options.opening);
  /** The rep has scrolled or jumped: a new list (the full transcript loaded) keeps their place. */
  const moved = React.useRef(false);
  /** The scroll position we set last, to tell our own scroll events from the rep's. */
  const expected = React.useRef<number>();
  /**
   * The rep has used the wheel, a key, touch or the scrollbar on the log since the last pin. Only then
   * does a scroll event unpin: the browser also scrolls by itself (clamping when the log shrinks).
   */
  const userInput = React.useRef(false);
  const seenLayout = React.useRef(layout);
  if (seenLayout.current !== layout) {
    seenLayout.current = layout;
    if (!moved.current) pin.current = options.opening;
  }
  const [scrollTop, setScrollTop] = React.useState(() =>
    pin.current ? scrollTopFor(layout, pin.current, FALLBACK_VIEWPORT) : 0,
  );
  const [version, relayout] = React.useReducer((n: number) => n + 1, 0);
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

  // The viewport's own height changes too (the log is fitted to the first screen, the window resized).
  React.useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element || typeof ResizeObserver === 'undefined') return undefined;
    const viewportObserver = new ResizeObserver(() => relayout());
    viewportObserver.observe(element);
    return () => viewportObserver.disconnect();
  }, [scrollRef]);

  const viewport = scrollRef.current?.clientHeight || FALLBACK_VIEWPORT;
  // After each change of the layout (a measurement, a jump) or the viewport: keep the pinned row where
  // it was sent.
  React.useLayoutEffect(() => {
    const element = scrollRef.current;
    const target = pin.current;
    if (!element || !target) return;
    const top = scrollTopFor(layout, target, element.clientHeight || FALLBACK_VIEWPORT);
    if (Math.abs(element.scrollTop - top) >= 1) element.scrollTop = top;
    // The browser clamps what it cannot scroll to; without layout (jsdom) it keeps nothing.
    const actual = element.scrollHeight > 0 ? element.scrollTop : top;
    expected.current = actual;
    if (actual !== scrollTop) setScrollTop(actual);
  }, [scrollRef, layout, version, viewport, scrollTop]);

  const { start, end } = layout.visibleRange(scrollTop, viewport, options.overscan);
  const items: WindowedRows['items'] = [];
  for (let index = start; index < end; index++) items.push({ index, start: layout.offsetOf(index) });

  return {
    items,
    totalHeight: layout.totalHeight(),
    measure,
    onScroll: () => {
      const element = scrollRef.current;
      if (!element) return;
      // Our own scrolling (setting scrollTop fires a scroll event later), and the browser's, keep the pin.
      if (
        pin.current &&
        (!userInput.current ||
          (expected.current !== undefined && Math.abs(element.scrollTop - expected.current) < 1))
      )
        return;
      pin.current = undefined;
      moved.current = true;
      setScrollTop(element.scrollTop);
    },
    scrollToIndex: (index, placement = 'center') => {
      pin.current = { index, placement };
      moved.current = true;
      userInput.current = false;
      relayout();
    },
    onUserInput: () => {
      userInput.current = true;
    },
  };
}
