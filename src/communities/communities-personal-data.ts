/**
 * The communities capability's part of "export my data" and "erase me": memberships in every
 * state (active, requested, invited, blocked). A community's last manager cannot be erased
 * until they hand over (the community would be left without anyone to run it).
 */
import mongoose, { type Types } from 'mongoose';
import { pagedLean } from '../db/paged-reads.js';
import { ConflictError } from '../errors/domain-errors.js';
import { FORMER_MEMBER_ID } from '../personal-data/former-member.js';
import type { DataSubject, PersonalDataContributor } from '../personal-data/personal-data.js';
import { updateCommunity } from './communities.repository.js';
import { CommunitySettingsModel } from './community-settings.model.js';
import { CommunityModel, type CommunityRecord } from './community.model.js';
import { MembershipModel, type MembershipRecord } from './membership.model.js';

export const LAST_MANAGER_ERASURE = 'last_manager_cannot_be_erased';

export function communitiesPersonalData(): PersonalDataContributor {
  const own = (s: DataSubject) => ({ tenantId: s.tenantId, userId: s.userId });
  return {
    name: 'communities',
    files: [
      {
        name: 'memberships.json',
        describe: {
          nl: 'Je lidmaatschappen van gemeenschappen: lid of beheerder, en openstaande verzoeken en uitnodigingen, met de gemeenschap en de data.',
          en: 'Your community memberships: member or manager, and pending requests and invitations, with the community and the dates.',
        },
        count: (s) => MembershipModel.countDocuments(own(s)),
        async *records(s) {
          for await (const m of pagedLean(MembershipModel, own(s))) {
            const community = await CommunityModel.findById(m.communityId).select({ name: 1 }).lean<Pick<CommunityRecord, 'name'>>();
            yield { communityId: String(m.communityId), community: community?.name ?? null, role: m.role, status: m.status, message: m.message ?? null, joinedAt: m.joinedAt ?? null, createdAt: m.createdAt, updatedAt: m.updatedAt };
          }
        },
      },
    ],
    async precheck(s) {
      const managed = await MembershipModel.find({ ...own(s), status: 'active', role: 'manager' }).lean<MembershipRecord[]>();
      const stuck: string[] = [];
      for (const m of managed) {
        const community = await CommunityModel.findById(m.communityId).select({ counts: 1, name: 1 }).lean<CommunityRecord>();
        if (community && (community.counts?.managerCount ?? 0) <= 1) stuck.push(String(m.communityId));
      }
      if (stuck.length > 0) {
        throw new ConflictError('This person is the last manager of a community: make someone else manager first.', LAST_MANAGER_ERASURE, stuck.map((id) => ({ path: `communities.${id}`, message: 'the last manager of this community' })));
      }
    },
    async erase(s) {
      // Per membership: first set the community's counts to a recount of its active memberships
      // without this person, then delete the membership. A crash between the two leaves the
      // membership in place and the counts already right; the rerun recounts (the same numbers)
      // and deletes. Counting down after deleting could not be repaired: the membership is gone.
      // The counts are what membership.service.ts keeps: active memberships, and the active
      // ones whose role is manager.
      for await (const m of pagedLean(MembershipModel, own(s))) {
        if (m.status === 'active') await recountWithout(m.communityId, s.userId);
        await MembershipModel.deleteOne({ _id: m._id });
      }
      // Other people's memberships and the communities keep who invited, blocked or created: no longer them.
      for (const field of ['invitedBy', 'blockedBy'] as const) {
        await MembershipModel.updateMany({ tenantId: s.tenantId, [field]: s.userId }, { $set: { [field]: FORMER_MEMBER_ID } });
      }
      await CommunityModel.updateMany({ tenantId: s.tenantId, createdBy: s.userId }, { $set: { createdBy: FORMER_MEMBER_ID } });
      await CommunitySettingsModel.updateMany({ tenantId: s.tenantId, updatedBy: s.userId }, { $set: { updatedBy: FORMER_MEMBER_ID } });
    },
  };
}

async function recountWithout(communityId: Types.ObjectId, userId: string): Promise<void> {
  const active = { communityId, status: 'active' as const, userId: mongoose.trusted({ $ne: userId }) };
  const [memberCount, managerCount] = await Promise.all([
    MembershipModel.countDocuments(active),
    MembershipModel.countDocuments({ ...active, role: 'manager' as const }),
  ]);
  await updateCommunity(communityId, {}, { $set: { 'counts.memberCount': memberCount, 'counts.managerCount': managerCount } });
}
