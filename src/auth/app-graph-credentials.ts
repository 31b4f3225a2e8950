/**
 * The app's Microsoft Graph credential (on-behalf-of exchanges and app-only tokens, with their
 * token cache), built from configuration here only: a process builds it once (src/main.ts) and
 * the web process and the worker share it. Only with AUTH_MODE=entra and a secret or
 * certificate or a managed identity (MANAGED_IDENTITY_CLIENT_ID); otherwise there is no Graph (local mode).
 */
import type { Config } from '../config/config.js';
import { GraphCredentials } from './graph-credentials.js';

export function appGraphCredentials(config: Config): GraphCredentials | undefined {
  const { entra } = config;
  if (config.authMode !== 'entra' || !entra.tenantId || !entra.clientId || (!entra.clientSecret && !entra.clientCertificatePath && !entra.managedIdentityClientId)) return undefined;
  return new GraphCredentials({
    tenantId: entra.tenantId,
    clientId: entra.clientId,
    ...(entra.clientCertificatePath ? { clientCertificatePath: entra.clientCertificatePath } : entra.clientSecret ? { clientSecret: entra.clientSecret } : {}),
    ...(entra.managedIdentityClientId ? { managedIdentityClientId: entra.managedIdentityClientId } : {}),
    authorityHost: entra.authorityHost,
    // The resource is Graph wherever GRAPH_BASE_URL points (national clouds have their own host).
    scope: `${config.graphBaseUrl}/.default`,
  });
}
