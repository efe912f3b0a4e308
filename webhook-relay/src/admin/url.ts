/**
 * Says which rule a DATAVERSE_URL breaks. The loader (config/load.ts) decides whether the URL is valid;
 * this only names the reason, so that `verify` can say "remove the trailing slash" rather than "invalid".
 */
import { isLoopbackHost } from '../config/load.js';
import { messages } from '../messages.js';

export function diagnoseUrl(value: string | undefined): string {
  const u = messages.verify.url;
  if (!value) return u.missing;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return u.notUrl;
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:' && !loopback) return u.http;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return u.scheme(url.protocol);
  if (url.pathname !== '/') return u.path(url.pathname);
  if (url.search || url.hash) return u.query;
  if (value.endsWith('/')) return u.trailingSlash;
  return u.other;
}
