/** What the docs tests compare against: the variables the relay reads, found in its loaders' source. */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../../..');
export const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** Variable names as the loaders read them: `text('X')`, `env.X`, `required('X', …)`… */
export function variablesRead(): Set<string> {
  const names = new Set<string>();
  for (const file of [
    'webhook-relay/src/config/load.ts',
    'webhook-relay/src/redaction/config.ts',
    'webhook-relay/src/config/data-at-rest.ts',
  ]) {
    const source = read(file);
    for (const [, name] of source.matchAll(/\b[a-zA-Z]+\('([A-Z][A-Z0-9_]{2,})'/g)) names.add(name);
    for (const [, name] of source.matchAll(/\benv\.([A-Z][A-Z0-9_]{2,})\b/g)) names.add(name);
  }
  return names;
}

/**
 * Variables the hosting platform sets and msal-node reads for a managed identity (App Service and Container
 * Apps: "How to use managed identities for App Service and Azure Functions", REST endpoint reference). The
 * guides name them so an operator can check the host; the relay itself never reads them.
 */
export const PLATFORM_VARIABLES = new Set(['IDENTITY_ENDPOINT', 'IDENTITY_HEADER']);
