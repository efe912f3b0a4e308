import metadata from 'libphonenumber-js/min/metadata';
import { createPhoneParser } from './phone.js';

export * from './core.js';

/** Phone parsing with every country's metadata (libphonenumber-js "min" set). */
export const parsePhone = createPhoneParser(metadata);
