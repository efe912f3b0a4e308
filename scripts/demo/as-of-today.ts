/**
 * The sample handoffs carry fixed dates (November 2026). A supervisor's chart of handoffs per day shows the
 * last weeks only, and a rep's brief says how long ago the call was handed off, so the demo moves every
 * sample forward by the same whole number of days: the newest handoff lands within the last day, and each
 * sample keeps its time of day, its UTC offset, its turns' spacing and its place among the others.
 */
const DAY_MS = 86_400_000;
const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?=T)/;

interface Dated {
  handoff_at?: unknown;
  messages?: Array<{ at?: unknown }>;
}

/** `2026-11-24T14:05:09Z` moved by `days`: only the calendar date changes, not the time or the offset. */
export function shiftDate(value: string, days: number): string {
  return value.replace(DATE_PREFIX, (_whole, y: string, m: string, d: string) =>
    new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)) + days * DAY_MS).toISOString().slice(0, 10),
  );
}

/** Whole days to add so that the newest `handoff_at` of `bodies` is at most a day before `now` (never after). */
export function daysToToday(bodies: readonly string[], now: number): number {
  const newest = Math.max(
    ...bodies
      .map((body) => {
        const at = (JSON.parse(body) as Dated).handoff_at;
        return typeof at === 'string' ? Date.parse(at) : Number.NaN;
      })
      .filter((ms) => !Number.isNaN(ms)),
  );
  return Number.isFinite(newest) ? Math.max(0, Math.floor((now - newest) / DAY_MS)) : 0;
}

/** The handoff document (JSON text) with its handoff time and every turn's time moved by `days`. */
export function shiftHandoff(body: string, days: number): string {
  if (days === 0) return body;
  const document = JSON.parse(body) as Dated;
  if (typeof document.handoff_at === 'string') document.handoff_at = shiftDate(document.handoff_at, days);
  for (const message of document.messages ?? [])
    if (typeof message.at === 'string') message.at = shiftDate(message.at, days);
  return JSON.stringify(document);
}
