/**
 * A defence against DNS rebinding for the local servers (the sandbox, and the preview that imports this).
 * A web page on attacker.example can re-point its own name at 127.0.0.1 and then read the local server as
 * if it were same-origin; the one thing it cannot change is the Host header, which still says
 * attacker.example. So a local server answers only Host names that cannot be rebound: IP literals,
 * `localhost` and `*.localhost` (RFC 6761 §6.3: always loopback), the name it was bound to, and names
 * the caller lists. Vite and webpack-dev-server decide the same way (`server.allowedHosts`,
 * `allowedHosts: 'auto'`).
 */
import { isIP } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HostCheckOptions {
  /** The host the server was bound to (its name is allowed unless it is a wildcard address). */
  boundHost?: string;
  /** More names to answer to (a container's service name, say). */
  allowedHosts?: readonly string[];
}

/** The host name of a Host header (`name:port`, `[v6]:port`), lower case, or undefined when unreadable. */
export function hostnameOf(header: string): string | undefined {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end > 1 ? value.slice(1, end) : undefined;
  }
  const colon = value.indexOf(':');
  const name = colon === -1 ? value : value.slice(0, colon);
  return name && !name.includes('/') && !name.includes('@') ? name.replace(/\.$/, '') : undefined;
}

/** Whether a request with this Host header may be answered. No Host header: not a browser, so yes. */
export function allowsHost(header: string | undefined, options: HostCheckOptions = {}): boolean {
  if (header === undefined) return true;
  const name = hostnameOf(header);
  if (name === undefined) return false;
  if (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
  const bound = options.boundHost?.toLowerCase();
  if (bound && name === bound) return true;
  return (options.allowedHosts ?? []).some((allowed) => allowed.toLowerCase() === name);
}

/**
 * Answers 403 and returns true when the request's Host is not one this server answers to; the caller
 * then stops. 403 rather than 421 (Misdirected Request), as Vite does: a browser may retry a 421 on
 * another connection, and nothing here would answer it differently.
 */
export function refuseForeignHost(
  req: IncomingMessage,
  res: ServerResponse,
  options: HostCheckOptions = {},
): boolean {
  if (allowsHost(req.headers.host, options)) return false;
  res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(
    'This host name is not allowed: open the server by 127.0.0.1, localhost or the name it was started with (DNS rebinding protection).',
  );
  return true;
}
