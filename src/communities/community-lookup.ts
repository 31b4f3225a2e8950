/**
 * What notification delivery needs to know about communities (its `CommunityLookup`: names
 * for digest sections, the Teams channel a community is pinned to), answered by the
 * communities capability that owns them and handed to delivery by the composition root.
 */
import { isValidObjectId, Types } from 'mongoose';
import type { CommunityLookup } from '../notifications/delivery-job.js';
import { communityChannel, communityNames } from './communities.port.js';


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
