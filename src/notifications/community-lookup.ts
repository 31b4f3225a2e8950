/**
 * What delivery needs to know about communities: their names (digest sections) and the
 * Teams channel a community is pinned to (channel posts). Read-only; the communities
 * capability owns the documents.
 */
import { isValidObjectId, Types } from 'mongoose';
import { communityChannel, communityNames } from '../communities/communities.port.js';

export interface CommunityLookup {
  names(tenantId: string, communityIds: string[]): Promise<Map<string, string>>;
  channelOf(tenantId: string, communityId: string): Promise<{ teamId: string; channelId: string } | null>;
}

export const communityLookup: CommunityLookup = {
  async names(tenantId, communityIds) {
    const ids = [...new Set(communityIds)].filter((id) => isValidObjectId(id));
    if (ids.length === 0) return new Map();
    return communityNames(tenantId, ids.map((id) => new Types.ObjectId(id)));
  },
  async channelOf(tenantId, communityId) {
    if (!isValidObjectId(communityId)) return null;
    return communityChannel(tenantId, communityId);
  },
};
