/**
 * What the control reads from the PCF host beyond its typed inputs. Model-driven forms expose the
 * record id as `context.mode.contextInfo.entityId`: widely used, but not part of the typed API, so it is
 * read here, once, defensively.
 */
interface ContextInfo {
  entityId?: unknown;
  entityTypeName?: unknown;
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** A record id in the Web API's form (lower case, no braces), or undefined. */
export function normaliseId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = GUID.exec(value.trim());
  return match ? match[1].toLowerCase() : undefined;
}

/**
 * The case's id: the host's record id first, then the optional `incidentId` input (for hosts that do
 * not expose one). Undefined on a new, unsaved case.
 */
export function readIncidentId(mode: unknown, fallback: string | null | undefined): string | undefined {
  const info = (mode as { contextInfo?: ContextInfo } | undefined)?.contextInfo;
  return normaliseId(info?.entityId) ?? normaliseId(fallback);
}

interface XrmLike {
  Page?: { data?: { refresh?: (save: boolean) => unknown } };
}

/**
 * Asks a model-driven form to re-read the record (so the Customer field shows the new link). PCF has
 * no API for this; `Xrm.Page.data.refresh(false)` is what forms offer, and it is absent elsewhere.
 */
export function refreshHostForm(host: unknown = globalThis): boolean {
  const xrm = (host as { Xrm?: XrmLike }).Xrm;
  const refresh = xrm?.Page?.data?.refresh;
  if (typeof refresh !== 'function') return false;
  void Promise.resolve(refresh.call(xrm?.Page?.data, false)).catch(() => undefined);
  return true;
}
