/** Splits a caller's name: the last token is the last name; one token → last name only; none → undefined. */
export function splitName(name: string | undefined): { firstname?: string; lastname: string } | undefined {
  const tokens = (name ?? '').trim().split(/\s+/).filter(Boolean);
  const lastname = tokens.pop();
  if (lastname === undefined) return undefined;
  return tokens.length ? { firstname: tokens.join(' '), lastname } : { lastname };
}
