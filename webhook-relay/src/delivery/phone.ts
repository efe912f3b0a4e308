/** The renderings of one phone number that people store in Dataverse, for exact `eq` matching. */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export function phoneRenderings(
  raw: string,
  defaultCountry: string,
): { e164: string; renderings: string[] } | undefined {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry as CountryCode);
  if (!parsed?.isPossible()) return undefined;
  const national = parsed.formatNational();
  const international = parsed.formatInternational();
  const digits = parsed.nationalNumber;
  const renderings = new Set([
    parsed.number, // E.164: +14155550134
    national, // (415) 555-0134 / 020 7946 0958
    international, // +1 415 555 0134
    international.replace(/ /g, '-').replace(/^(\+\d+)-/, '$1 '), // +1 415-555-0134
    digits, // 4155550134
    national.replace(/[()]/g, '').replace(/ /g, '-'), // 415-555-0134
  ]);
  return { e164: parsed.number, renderings: [...renderings] };
}
