/**
 * Pure: the rep's country, the one rule for reading national phone numbers everywhere in the control (the
 * caller's number in the header, the number the rep searches, a new contact's phone): the form's "Default
 * phone country" when it names a country, else the region of the rep's language (en-GB → GB), else none,
 * and a national number then needs its + country code.
 */
import { defaultCountryFor } from '@opencx-d365/contact-match/core';

export function repCountryOf(configured: string | undefined, locale: string): string | undefined {
  return defaultCountryFor(configured, locale);
}
