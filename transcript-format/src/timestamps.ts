/**
 * Canonical UTC timestamps: `YYYY-MM-DDTHH:mm:ssZ`, or `YYYY-MM-DDTHH:mm:ss.sssZ` when sub-second.
 * Parsing is our own (not `Date.parse`) because `Date.parse` reads an offset-less ISO time as local time
 * and accepts implementation-specific formats; the transcript must read the same in every browser.
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)? ?(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;
const MINUTE_MS = 60_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

function validFields(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): boolean {
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59
  );
}

/** Milliseconds since the epoch for validated calendar fields (year 0..9999, month 1..12). */
export function utcMillis(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
): number | undefined {
  if (!validFields(year, month, day, hour, minute, second)) return undefined;
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0..99 to 1900..1999.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

/** The canonical string for an instant, or undefined outside years 0000..9999. */
export function canonicalFromMillis(millis: number): string | undefined {
  if (!Number.isFinite(millis)) return undefined;
  const d = new Date(millis);
  if (Number.isNaN(d.getTime())) return undefined;
  const iso = d.toISOString();
  if (iso.length !== 24) return undefined; // extended years (+YYYYYY) are not representable
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

function offsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z' || zone === 'z' || zone === 'UTC') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}

/**
 * Reads an ISO 8601 date-time (offset optional: none means UTC; fraction truncated to milliseconds)
 * and returns the canonical UTC form, or undefined when it is not a valid instant.
 */
export function canonicalTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (CANONICAL.test(value)) {
    // Fast path for UTC text in (nearly) canonical form, e.g. from toISOString: check the calendar only.
    const ok = validFields(
      Number(value.slice(0, 4)),
      Number(value.slice(5, 7)),
      Number(value.slice(8, 10)),
      Number(value.slice(11, 13)),
      Number(value.slice(14, 16)),
      Number(value.slice(17, 19)),
    );
    if (!ok) return undefined;
    return value.endsWith('.000Z') ? `${value.slice(0, 19)}Z` : value;
  }
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const fraction = m[7] ?? '';
  const millis = utcMillis(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    Number(fraction.padEnd(3, '0').slice(0, 3)),
  );
  const offset = offsetMinutes(m[8]);
  if (millis === undefined || offset === undefined) return undefined;
  return canonicalFromMillis(millis - offset * MINUTE_MS);
}

/** `YYYY-MM-DD` of a canonical timestamp. */
export function datePart(canonical: string): string {
  return canonical.slice(0, 10);
}

/** `HH:mm:ss` or `HH:mm:ss.sss` of a canonical timestamp. */
export function timePart(canonical: string): string {
  return canonical.slice(11, canonical.length - 1);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?$/;

/** Joins a written `YYYY-MM-DD` and `HH:mm:ss[.sss]` back into a canonical timestamp, if both are valid. */
export function joinDateTime(date: string, time: string): string | undefined {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) return undefined;
  const millis = utcMillis(
    Number(d[1]),
    Number(d[2]),
    Number(d[3]),
    Number(t[1]),
    Number(t[2]),
    Number(t[3]),
    Number(t[4] ?? 0),
  );
  return millis === undefined ? undefined : canonicalFromMillis(millis);
}

export function isValidDate(date: string): boolean {
  return joinDateTime(date, '00:00:00') !== undefined;
}
