/**
 * The app's own Microsoft Graph credential, for background work that has no signed-in user
 * (the worker: calendar sync, activity-feed notifications, meeting follow-ups). Only with
 * AUTH_MODE=entra and a secret or certificate; otherwise there is no Graph (local mode).
 */
import type { Config } from '../config/config.js';
import { GraphCredentials } from './graph-credentials.js';

export function appGraphCredentials(config: Config): GraphCredentials | undefined {
  const { entra } = config;
  if (config.authMode !== 'entra' || !entra.tenantId || !entra.clientId || (!entra.clientSecret && !entra.clientCertificatePath)) return undefined;
  return new GraphCredentials({
    tenantId: entra.tenantId,
    clientId: entra.clientId,
    ...(entra.clientCertificatePath ? { clientCertificatePath: entra.clientCertificatePath } : { clientSecret: entra.clientSecret ?? '' }),
    authorityHost: entra.authorityHost,
    // The resource is Graph wherever GRAPH_BASE_URL points (national clouds have their own host).
    scope: `${config.graphBaseUrl}/.default`,
  });
}
