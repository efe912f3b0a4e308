/**
 * Everything but the phone metadata: for bundles that bring their own (the control). Node code uses
 * the package's main entry, which binds the whole world's metadata.
 */
export {
  createPhoneParser,
  pickCountries,
  defaultCountryFor,
  type ParsedPhone,
  type PhoneParser,
  type PhoneProblem,
} from './phone.js';
export { PHONE_COLUMNS, escapeODataString, activeContactsByPhoneFilter } from './filter.js';
export { splitName } from './name.js';
