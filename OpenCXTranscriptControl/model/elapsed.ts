/**
 * Pure: "handed off 4 minutes ago" on the rep's clock. The clock is a port (`Ticker`) so the control
 * ticks in a form and tests step it by hand.
 */
import { fill, type Strings } from './strings';

/** The rep's clock: the time now, and a way to be called back every `ms` (returns a stop function). */
export interface Ticker {
  now(): number;
  every(ms: number, tick: () => void): () => void;
}

export const systemTicker: Ticker = {
  now: () => Date.now(),
  every: (ms, tick) => {
    const id = setInterval(tick, ms);
    return () => clearInterval(id);
  },
};

export type Elapsed = { unit: 'now' } | { unit: 'minute' | 'hour' | 'day'; value: number };

/** Whole units since an instant; under a minute (or a clock behind the timestamp) is "now". */
export function elapsedSince(iso: string, nowMs: number): Elapsed | undefined {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return undefined;
  const minutes = Math.floor((nowMs - at) / 60_000);
  if (minutes < 1) return { unit: 'now' };
  if (minutes < 60) return { unit: 'minute', value: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { unit: 'hour', value: hours };
  return { unit: 'day', value: Math.floor(hours / 24) };
}

const formats = new Map<string, Intl.RelativeTimeFormat>();

/** "Handed off 4 minutes ago" in the rep's language (the relative phrase is Intl's). */
export function handedOffText(elapsed: Elapsed, locale: string, strings: Strings): string {
  if (elapsed.unit === 'now') return strings.Brief_HandedOffJustNow;
  let format = formats.get(locale);
  if (!format) {
    format = new Intl.RelativeTimeFormat(locale, { numeric: 'always', style: 'long' });
    formats.set(locale, format);
  }
  return fill(strings.Brief_HandedOffAgo, format.format(-elapsed.value, elapsed.unit));
}
