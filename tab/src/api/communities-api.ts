/** The communities resource (`/api/v1/communities`), as far as the tab uses it so far. */
import type { ApiClient } from './api-client.js';

export type CommunityVisibility = 'public' | 'closed' | 'secret';

export interface CommunitySummary {
  id: string;
  name: string;
  description?: string;
  visibility: CommunityVisibility;
}

/** A page of a cursor-paginated list (see src/db/pagination.ts). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface NewCommunity {
  name: string;
  description?: string;
  visibility: CommunityVisibility;
  /** The Teams team and channel the community is pinned to, when created from a channel tab. */
  teamId?: string;
  channelId?: string;
}

export function listCommunities(api: ApiClient, options: { cursor?: string; limit?: number; signal?: AbortSignal } = {}): Promise<Page<CommunitySummary>> {
  return api.get<Page<CommunitySummary>>('/communities', { query: { cursor: options.cursor, limit: options.limit }, signal: options.signal });
}

export function createCommunity(api: ApiClient, input: NewCommunity): Promise<CommunitySummary> {
  return api.post<CommunitySummary>('/communities', input);
}
