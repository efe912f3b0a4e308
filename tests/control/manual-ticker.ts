/** The rep's clock for tests: it stands still until a test moves it, then calls back like a timer would. */
import { act } from '@testing-library/react';
import type { Ticker } from '../../OpenCXTranscriptControl/model/elapsed';

export interface ManualTicker extends Ticker {
  /** Moves the clock on and fires every callback (inside act, as React expects for state updates). */
  advance(ms: number): void;
  /** Callbacks currently registered (0 once every component that ticked has stopped). */
  readonly listening: number;
}

export function manualTicker(startIso: string): ManualTicker {
  let now = Date.parse(startIso);
  const callbacks = new Set<() => void>();
  return {
    now: () => now,
    every: (_ms, tick) => {
      callbacks.add(tick);
      return () => callbacks.delete(tick);
    },
    advance(ms) {
      now += ms;
      act(() => callbacks.forEach((tick) => tick()));
    },
    get listening() {
      return callbacks.size;
    },
  };
}
