/**
 * The workload identity the identity tests share (in-process and end to end): an app registration in a
 * tenant, federated with the service account an AKS cluster's OIDC issuer names, and the token AKS projects
 * into AZURE_FEDERATED_TOKEN_FILE for it.
 */
import type { FakeEntraApp } from './fake-entra.js';
import { serviceAccountToken } from './jwt.js';

export const TENANT = '11111111-2222-3333-4444-555555555555';
export const WORKLOAD_APP = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
export const ISSUER = 'https://eastus.oic.prod-aks.azure.com/11111111-2222-3333-4444-555555555555/9f1c2d3e/';
export const SUBJECT = 'system:serviceaccount:opencx:relay';

/** The app registration with one federated credential (ISSUER, SUBJECT, AKS's audience), knowing `resources`. */
export function federatedApp(resources: string[]): FakeEntraApp {
  return {
    tenantId: TENANT,
    clientId: WORKLOAD_APP,
    federated: [{ issuer: ISSUER, subject: SUBJECT, audience: 'api://AzureADTokenExchange' }],
    resources,
  };
}

/** The token AKS projects for SUBJECT, valid for an hour from now; `claims` change any part of it. */
export function projectedToken(claims: Partial<Parameters<typeof serviceAccountToken>[0]> = {}): string {
  return serviceAccountToken({
    issuer: ISSUER,
    subject: SUBJECT,
    expiresAt: Date.now() + 3600_000,
    ...claims,
  });
}
