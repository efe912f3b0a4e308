/**
 * A caller's phone number, normalised, and the renderings people actually store in Dataverse's phone
 * columns. Dataverse can only search these columns efficiently with exact `eq` (`contains`/`endswith`
 * are table scans, refused with 0x80048573), so we search for each rendering instead of a pattern.
 * Used by the relay (automatic match at handoff) and the control (the rep's "Link contact by phone"),
 * so both look for the same strings.
 */
import { parsePhoneNumberFromString, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';

export type PhoneProblem =
  /** Nothing that looks like a number was given. */
  | 'empty'
  /** Not a phone number (letters, too few or too many digits for any country). */
  | 'invalid'
  /** A national number and no country to read it in: it needs a leading `+` or a default country. */
  | 'needs-country';

export type ParsedPhone =
  | {
      ok: true;
      /** E.164, e.g. `+14155550134` (without the extension). */
      e164: string;
      /** National format, e.g. `(415) 555-0134`. */
      national: string;
      /** International format, e.g. `+1 415 555 0134` (E.164 when the metadata lacks the country). */
      international: string;
      /** Region the number belongs to, when known, e.g. `US`. */
      country?: string;
      /** Extension digits, e.g. `12` for "… ext. 12". */
      extension?: string;
      /** Distinct renderings to match exactly, most common first. */
      renderings: string[];
    }
  | { ok: false; problem: PhoneProblem };

/** Two-letter region codes libphonenumber knows; anything else is ignored as a default. */
function asCountry(value: string | undefined): CountryCode | undefined {
  const upper = value?.trim().toUpperCase();
  return upper && /^[A-Z]{2}$/.test(upper) ? (upper as CountryCode) : undefined;
}

/**
 * The default region for national numbers: the configured one, else the region of a BCP 47 locale
 * (`en-GB` → GB). A bare language (`en`) names no region, so national numbers then need a `+`.
 */
export function defaultCountryFor(configured: string | undefined, locale: string | undefined) {
  const fromConfig = asCountry(configured);
  if (fromConfig) return fromConfig;
  const region = locale
    ?.split(/[-_]/)
    .slice(1)
    .find((part) => /^[A-Z]{2}$/i.test(part));
  return asCountry(region);
}

export type PhoneParser = (raw: string | undefined, defaultCountry?: string) => ParsedPhone;

/**
 * A parser over the given libphonenumber metadata: the relay passes the whole world's, the control a
 * smaller regional set (its bundle must stay small; see pickCountries).
 */
export function createPhoneParser(metadata: MetadataJson): PhoneParser {
  return (raw, defaultCountry) => parseWith(metadata, raw, defaultCountry);
}

/**
 * Metadata limited to some countries. A `+` number from a country left out is still searched, in its
 * E.164 form only (see parseWith), so leaving a country out degrades the search but never blocks it.
 */
export function pickCountries(metadata: MetadataJson, countries: readonly string[]): MetadataJson {
  const keep = new Set(countries);
  const callingCodes = Object.fromEntries(
    Object.entries(metadata.country_calling_codes)
      .map(([code, list]) => [code, list.filter((c) => keep.has(c))] as const)
      .filter(([, list]) => list.length > 0),
  );
  const picked = Object.fromEntries(Object.entries(metadata.countries).filter(([c]) => keep.has(c)));
  return { ...metadata, country_calling_codes: callingCodes, countries: picked, nonGeographic: {} };
}

/** `+` and 8 to 15 digits: the E.164 shape, for numbers whose country the metadata does not cover. */
function unknownCountryE164(metadata: MetadataJson, text: string): string | undefined {
  if (!text.startsWith('+') || /[^\d\s().+-]/.test(text)) return undefined;
  const digits = text.replace(/\D/g, '');
  if (digits.length < 8 || digits.length > 15 || digits.startsWith('0')) return undefined;
  const codes = metadata.country_calling_codes;
  const known = [1, 2, 3].some((n) => digits.slice(0, n) in codes);
  return known ? undefined : `+${digits}`;
}

/** The number libphonenumber reads in `raw` (undefined: not a possible number), and the default it used. */
function readNumber(metadata: MetadataJson, text: string, defaultCountry?: string) {
  const country = asCountry(defaultCountry);
  const usable = country && country in metadata.countries ? country : undefined;
  const parsed = parsePhoneNumberFromString(text, { defaultCountry: usable }, metadata);
  return { parsed: parsed?.isPossible() ? parsed : undefined, usable };
}

export type PhoneE164Reader = (raw: string | undefined, defaultCountry?: string) => string | undefined;

/**
 * Only the E.164 form of `raw`, exactly `parsePhone(raw).e164` (undefined where that is not ok), without the
 * renderings: the relay hashes every stored caller's phone with it (webhook-relay store/payload-vault.ts),
 * where formatting the renderings was most of the cost.
 */
export function createE164Reader(metadata: MetadataJson): PhoneE164Reader {
  return (raw, defaultCountry) => {
    const text = (raw ?? '').trim();
    if (!/\d/.test(text)) return undefined;
    return readNumber(metadata, text, defaultCountry).parsed?.number ?? unknownCountryE164(metadata, text);
  };
}

function parseWith(metadata: MetadataJson, raw: string | undefined, defaultCountry?: string): ParsedPhone {
  const text = (raw ?? '').trim();
  if (!/\d/.test(text)) return { ok: false, problem: text ? 'invalid' : 'empty' };
  const { parsed, usable } = readNumber(metadata, text, defaultCountry);
  if (!parsed) {
    const e164 = unknownCountryE164(metadata, text);
    if (e164)
      return { ok: true, e164, national: e164, international: e164, renderings: [e164, e164.slice(1)] };
    const international = text.startsWith('+') || text.startsWith('00');
    return { ok: false, problem: !international && !usable ? 'needs-country' : 'invalid' };
  }
  // Formatted from the bare E.164 number so the extension never leaks into the base renderings.
  const bare = parsePhoneNumberFromString(parsed.number, {}, metadata) ?? parsed;
  const national = bare.formatNational();
  const international = bare.formatInternational();
  const digits = bare.nationalNumber;
  const base = [
    parsed.number, // +14155550134
    national, // (415) 555-0134 · 020 7946 0958
    international, // +1 415 555 0134
    international.replace(/ /g, '-').replace(/^(\+\d+)-/, '$1 '), // +1 415-555-0134
    digits, // 4155550134
    national.replace(/[()]/g, '').replace(/ /g, '-'), // 415-555-0134
  ];
  const extension = parsed.ext || undefined;
  // With an extension, people store the whole thing in one column; the bare number is still searched
  // because a switchboard number is usually stored without one.
  const withExtension = extension ? [`${national} x${extension}`, `${national} ext. ${extension}`] : [];
  return {
    ok: true,
    e164: parsed.number,
    national,
    international,
    country: parsed.country,
    extension,
    renderings: [...new Set([...base, ...withExtension])],
  };
}
