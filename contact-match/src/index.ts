import metadata from 'libphonenumber-js/min/metadata';
import { createE164Reader, createPhoneParser } from './phone.js';

export * from './core.js';

/** Phone parsing with every country's metadata (libphonenumber-js "min" set). */
export const parsePhone = createPhoneParser(metadata);

/** Only the E.164 form of a phone, as `parsePhone(raw).e164` (same metadata), without the renderings. */
export const phoneE164 = createE164Reader(metadata);
