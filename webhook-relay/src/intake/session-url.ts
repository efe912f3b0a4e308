/**
 * Which `session_url` a handoff may keep. The link becomes "Open in OpenCX" on a rep's screen, so only an
 * https: link is kept, and, when OPENCX_SESSION_URL_TEMPLATE is set, only one on the template's origin
 * (an OpenCX session page, not whatever host a sender names). Without a template any https: link is kept:
 * the sender is authenticated, and the control applies its own origin setting.
 */

/** The origin (`https://host[:port]`) of OPENCX_SESSION_URL_TEMPLATE, if it has a readable one. */
export function originOf(template: string | undefined): string | undefined {
  if (!template) return undefined;
  try {
    // The placeholder sits in the path or query; replacing it keeps the host part readable either way.
    return new URL(template.replaceAll('{session_id}', 'session')).origin;
  } catch {
    return undefined;
  }
}

export type SessionUrlRefusal = 'scheme' | 'origin';

/** Why `url` is dropped (`scheme`: not https:; `origin`: not the template's origin), or undefined to keep it. */
export function sessionUrlRefusal(url: string, origin: string | undefined): SessionUrlRefusal | undefined {
  if (!url.startsWith('https://')) return 'scheme';
  if (origin === undefined) return undefined;
  try {
    return new URL(url).origin === origin ? undefined : 'origin';
  } catch {
    return 'origin';
  }
}
