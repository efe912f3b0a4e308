import { pathToFileURL } from 'node:url';
import path from 'node:path';

/** Writes the control's regional phone metadata from the contact-match sources (no build needed). */
export default async function setup(): Promise<void> {
  process.env.CONTACT_MATCH_CORE = pathToFileURL(
    path.join(import.meta.dirname, '../../contact-match/src/core.ts'),
  ).href;
  const script = (await import(
    pathToFileURL(path.join(import.meta.dirname, '../../scripts/phone-metadata.mjs')).href
  )) as {
    writePhoneMetadata: () => string;
  };
  script.writePhoneMetadata();
}
