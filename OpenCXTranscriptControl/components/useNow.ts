import * as React from 'react';
import type { Ticker } from '../model/elapsed';

/** The rep's time now, re-read every `ms` (only while a component needs it). */
export function useNow(ticker: Ticker, ms: number, active: boolean): number {
  const [now, setNow] = React.useState(() => ticker.now());
  React.useEffect(() => {
    if (!active) return undefined;
    setNow(ticker.now());
    return ticker.every(ms, () => setNow(ticker.now()));
  }, [ticker, ms, active]);
  return now;
}
