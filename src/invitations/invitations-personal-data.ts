/**
 * The invitations' personal data (invitation.model.ts), to communities and to events alike:
 * the invited person's address and object id, and who invited. Export: the invitations a
 * person received (by object id) and sent. Erasure: invitations to them are deleted; those they sent keep the invitation but
 * no longer name them.
 */
import type { PersonalDataContributor } from '../personal-data/personal-data.js';
import { pagedLean } from '../db/paged-reads.js';
import { FORMER_MEMBER_ID } from '../personal-data/former-member.js';
import { InvitationModel, type InvitationRecord } from './invitation.model.js';

/** What the invitation was to: a community, or an event (with its community, if any). */
function target(i: Pick<InvitationRecord, 'communityId' | 'eventId'>): { communityId: string | null; eventId: string | null } {
  return { communityId: i.communityId ? String(i.communityId) : null, eventId: i.eventId ? String(i.eventId) : null };
}

export function invitationsPersonalData(): PersonalDataContributor {
  return {
    name: 'invitations',
    files: [
      {
        name: 'invitations.json',
        describe: {
          nl: 'Uitnodigingen per e-mail die je kreeg (community of bijeenkomst, status) en die je verstuurde (status, zonder het adres van de ander).',
          en: 'Invitations by e-mail you received (community or event, state) and sent (state, without the other person’s address).',
        },
        count: async (s) => (await InvitationModel.countDocuments({ tenantId: s.tenantId, userId: s.userId })) + (await InvitationModel.countDocuments({ tenantId: s.tenantId, invitedBy: s.userId })),
        async *records(s) {
          for await (const i of pagedLean(InvitationModel, { tenantId: s.tenantId, userId: s.userId })) yield { type: 'received', ...target(i), email: i.email ?? null, state: i.state, kind: i.kind ?? null };
          for await (const i of pagedLean(InvitationModel, { tenantId: s.tenantId, invitedBy: s.userId })) yield { type: 'sent', ...target(i), state: i.state, kind: i.kind ?? null };
        },
      },
    ],
    async erase(s) {
      await InvitationModel.deleteMany({ tenantId: s.tenantId, userId: s.userId });
      await InvitationModel.updateMany({ tenantId: s.tenantId, invitedBy: s.userId }, { $set: { invitedBy: FORMER_MEMBER_ID } });
    },
  };
}
