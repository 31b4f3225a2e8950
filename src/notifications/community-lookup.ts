/**
 * What delivery needs to know about communities: their names (digest sections) and the
 * Teams channel a community is pinned to (channel posts). Read-only; the communities
 * capability owns the documents.
 */
import mongoose, { isValidObjectId } from 'mongoose';
import { CommunityModel } from '../communities/community.model.js';

export interface CommunityLookup {
  names(tenantId: string, communityIds: string[]): Promise<Map<string, string>>;
  channelOf(tenantId: string, communityId: string): Promise<{ teamId: string; channelId: string } | null>;
}

export const communityLookup: CommunityLookup = {
  async names(tenantId, communityIds) {
    const ids = [...new Set(communityIds)].filter((id) => isValidObjectId(id));
    if (ids.length === 0) return new Map();
    const found = await CommunityModel.find({ tenantId, _id: mongoose.trusted({ $in: ids }) }, { name: 1 }).lean<{ _id: mongoose.Types.ObjectId; name: string }[]>().exec();
    return new Map(found.map((c) => [String(c._id), c.name]));
  },
  async channelOf(tenantId, communityId) {
    if (!isValidObjectId(communityId)) return null;
    const c = await CommunityModel.findOne({ tenantId, _id: communityId }, { teamId: 1, channelId: 1 }).lean<{ teamId?: string; channelId?: string }>().exec();
    return c?.teamId && c.channelId ? { teamId: c.teamId, channelId: c.channelId } : null;
  },
};
