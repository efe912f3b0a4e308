/**
 * Timestamps in the rep's zone and locale. Intl cannot take "UTC+offset" as a zone, so the instant is
 * shifted by the offset PCF reports and then formatted as UTC.
 */
import type { RepClock } from './locale';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
    formatters.set(key, found);
  }
  return found;
}

function shifted(iso: string, clock: RepClock): Date | undefined {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms + clock.offsetAt(new Date(ms)) * 60_000);
}

/** `2:02:11 PM` / `14:02:11`; the raw text when it is not a timestamp. */
export function formatTime(iso: string, clock: RepClock): string {
  const local = shifted(iso, clock);
  if (!local) return iso;
  return formatter(clock.locale, { hour: 'numeric', minute: '2-digit', second: '2-digit' }).format(local);
}

/** `Tuesday, November 24, 2026` */
export function formatDay(iso: string, clock: RepClock): string {
  const local = shifted(iso, clock);
  if (!local) return iso;
  return formatter(clock.locale, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }).format(
    local,
  );
}

/** `Nov 24, 2026, 2:05:09 PM` */
export function formatDateTime(iso: string, clock: RepClock): string {
  const local = shifted(iso, clock);
  if (!local) return iso;
  return formatter(clock.locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(local);
}

/** The rep's calendar day of an instant, `YYYY-MM-DD`, to know where a new day starts. */
export function localDayKey(iso: string, clock: RepClock): string | undefined {
  return shifted(iso, clock)?.toISOString().slice(0, 10);
}
