/**
 * What the relay says at start about a configuration that works but exposes something: one place, so
 * that `start` logs every warning and tests can ask for them without starting a relay.
 */
import { messages } from '../messages.js';
import { isLoopbackHost } from './load.js';
import type { RelayConfig } from './types.js';

/**
 * node-postgres turns TLS on only when the URL asks (`sslmode=prefer|require|verify-ca|verify-full|no-verify`,
 * `ssl=true`, or an `sslcert`/`sslkey`/`sslrootcert` file), or when PGSSLMODE does; without them it connects
 * in clear, and `sslmode=disable` or `ssl=false` says so. (pg-connection-string's `parse`, and
 * pg/lib/connection-parameters.js for PGSSLMODE.)
 */
const TLS_MODES = new Set(['prefer', 'require', 'verify-ca', 'verify-full', 'no-verify']);

function usesTls(url: URL, env: Record<string, string | undefined>): boolean {
  const params = url.searchParams;
  const mode = params.get('sslmode');
  const ssl = params.get('ssl');
  if (mode === 'disable' || ssl === 'false' || ssl === '0') return false;
  if (mode !== null && TLS_MODES.has(mode)) return true;
  if (ssl === 'true' || ssl === '1') return true;
  if (params.has('sslcert') || params.has('sslkey') || params.has('sslrootcert')) return true;
  if (params.get('sslnegotiation') === 'direct') return true;
  return env.PGSSLMODE !== undefined && TLS_MODES.has(env.PGSSLMODE);
}

/** The host a PostgreSQL URL reaches: `?host=` (a socket directory or a name) wins over the URL's host. */
function hostOf(url: URL, env: Record<string, string | undefined>): string {
  return url.searchParams.get('host') ?? (url.hostname || env.PGHOST || 'localhost');
}

/** A warning when RELAY_DATABASE_URL reaches a server on another machine without TLS. */
export function databaseTlsWarning(
  databaseUrl: string | undefined,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  if (!databaseUrl) return undefined;
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return undefined; // an unreadable URL is refused at start with its own message
  }
  const host = hostOf(url, env);
  // A Unix socket (a directory path) never leaves the machine.
  if (host.startsWith('/') || isLoopbackHost(host) || usesTls(url, env)) return undefined;
  return messages.store.postgresWithoutTls(host);
}

export function startupWarnings(
  config: Pick<RelayConfig, 'databaseUrl'>,
  env: Record<string, string | undefined> = process.env,
): string[] {
  return [databaseTlsWarning(config.databaseUrl, env)].filter((w): w is string => w !== undefined);
}
