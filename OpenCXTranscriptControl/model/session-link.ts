/**
 * Pure: where "Open in OpenCX" may lead. The session link comes from OpenCX's `session_url` or from the
 * description, which anyone who may edit the case can change, so a link is only ever made to the OpenCX
 * address the form allows (the control's OpenCX address property); a link elsewhere is named, not followed.
 */

/** The address allowed when the form sets none: OpenCX's own platform, where its session links lead. */
export const DEFAULT_OPENCX_ORIGIN = 'https://platform.open.cx';

/**
 * The https origin the form allows: the property's (an origin, or any https URL on it, such as the relay's
 * OPENCX_SESSION_URL_TEMPLATE), else OpenCX's platform. Undefined when the property is set but is not an
 * https address: then no session link is followed at all.
 */
export function allowedOrigin(setting: string | undefined): string | undefined {
  try {
    const url = new URL(setting?.trim() || DEFAULT_OPENCX_ORIGIN);
    return url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

export type SessionLink =
  /** A link to follow (new tab, no opener). */
  | { kind: 'link'; url: string }
  /** A link to another site: shown as its host, with the reason, never as a link. */
  | { kind: 'elsewhere'; host: string };

/** What the header shows for a session URL; nothing when there is none or it is not a web address. */
export function sessionLinkOf(url: string | undefined, setting: string | undefined): SessionLink | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  // The origin is scheme, host and port: `https://platform.open.cx@evil.example` or another port is elsewhere.
  if (parsed.protocol === 'https:' && parsed.origin === allowedOrigin(setting))
    return { kind: 'link', url: parsed.href };
  return parsed.host ? { kind: 'elsewhere', host: parsed.host } : undefined;
}
