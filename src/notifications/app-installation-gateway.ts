/**
 * Installing Meent in a person's personal scope through Microsoft Graph, so that its bot may
 * message them: `POST /users/{id}/teamwork/installedApps` with the app's catalogue id
 * (https://learn.microsoft.com/en-us/graph/api/userteamwork-post-installedapps, application
 * permission `TeamsAppInstallation.ReadWriteForUser.All`). Graph answers 201 when installed,
 * 409 when the app is already installed for the person, 403 when policy refuses it (the
 * tenant's app permission policy blocks the app, or the person is outside what the app may
 * be installed for), 404 when the person or the app is not there. Teams then sends the bot
 * an installationUpdate and conversationUpdate, which store the person's chat
 * (https://learn.microsoft.com/en-us/microsoftteams/platform/graph-api/proactive-bots-and-messages/graph-proactive-bots-and-messages).
 *
 * The delivery's rate governor owns pacing and retries (POST installedApps: 30 requests per
 * second per app per tenant, https://learn.microsoft.com/en-us/graph/throttling-limits#microsoft-teams-service-limits),
 * so the client does not retry: a 429 comes back at once with Graph's Retry-After.
 */
import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';
import { segment, type GraphClient } from '../graph/graph-client.js';
import { parseRetryAfter } from './messenger.js';

export type InstallResult =
  | { state: 'installed' }
  | { state: 'already_installed' }
  | { state: 'refused'; status: 403; code: string }
  | { state: 'gone'; status: 404 }
  | { state: 'throttled'; status: number; retryAfterMs?: number }
  | { state: 'failed'; status?: number };

export interface AppInstaller {
  install(tenantId: string, userId: string): Promise<InstallResult>;
}

export class GraphAppInstaller implements AppInstaller {
  /** `graphFor(tenantId)`: the app's Graph client in that tenant, built without retries. */
  constructor(
    private readonly graphFor: (tenantId: string) => GraphClient,
    private readonly catalogAppId: string,
  ) {}

  async install(tenantId: string, userId: string): Promise<InstallResult> {
    const graph = this.graphFor(tenantId);
    const body = { 'teamsApp@odata.bind': `${graph.root}/appCatalogs/teamsApps/${segment(this.catalogAppId)}` };
    try {
      await graph.api(`/users/${segment(userId)}/teamwork/installedApps`).post(body);
      return { state: 'installed' };
    } catch (error) {
      return fromGraphFailure(error);
    }
  }
}

/** A failed install -> what it means for reaching the person. */
export function fromGraphFailure(error: unknown): InstallResult {
  if (error instanceof GraphError) {
    const status = error.statusCode;
    if (status === 409) return { state: 'already_installed' };
    if (status === 403) return { state: 'refused', status: 403, code: typeof error.code === 'string' && error.code !== '' ? error.code.slice(0, 100) : 'Forbidden' };
    if (status === 404) return { state: 'gone', status: 404 };
    if (status === 429 || status === 503 || status === 504) {
      const retryAfterMs = parseRetryAfter(error.headers?.get('retry-after'));
      return { state: 'throttled', status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    return { state: 'failed', ...(status > 0 ? { status } : {}) };
  }
  if (error instanceof GraphClientError) return { state: 'failed' };
  throw error;
}
