/** OData pieces for finding contacts: exact matches only, values escaped the way Dataverse expects. */

/** The contact columns a phone number may be stored in. */
export const PHONE_COLUMNS = ['mobilephone', 'telephone1', 'telephone2', 'telephone3'] as const;

/** An OData string literal's content: a single quote is written twice. */
export function escapeODataString(value: string): string {
  return value.replace(/'/g, "''");
}

/**
 * `statecode eq 0 and (mobilephone eq '…' or telephone1 eq '…' …)` for every rendering: active
 * contacts whose number is stored in any of the usual forms. Not URL-encoded (callers encode once).
 */
export function activeContactsByPhoneFilter(renderings: readonly string[]): string {
  const any = PHONE_COLUMNS.flatMap((column) =>
    renderings.map((rendering) => `${column} eq '${escapeODataString(rendering)}'`),
  ).join(' or ');
  return `statecode eq 0 and (${any})`;
}
