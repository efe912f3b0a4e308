/**
 * Unsigned JWTs for the identity stand-ins: the relay reads tokens' claims (never their signatures, which
 * only Entra ID and Dataverse check), so a header, a payload and an empty signature are enough.
 */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'none' })}.${part(claims)}.`;
}

/** A Kubernetes-style projected service account token, as AKS writes to AZURE_FEDERATED_TOKEN_FILE. */
export function serviceAccountToken(options: {
  issuer: string;
  subject: string;
  audience?: string;
  expiresAt: number;
  serial?: number;
}): string {
  return unsignedJwt({
    iss: options.issuer,
    sub: options.subject,
    aud: [options.audience ?? 'api://AzureADTokenExchange'],
    exp: Math.floor(options.expiresAt / 1000),
    iat: Math.floor(options.expiresAt / 1000) - 3600,
    jti: `token-${options.serial ?? 1}`,
  });
}
