/**
 * The meetings capability's part of "export my data" and "erase me": attendance of online
 * events (from Teams' attendance reports) and Teams meetings linked to discussions where the
 * person linked it or is listed in its follow-up.
 */
import { pagedLean } from '../db/paged-reads.js';
import { FORMER_MEMBER_ID } from '../personal-data/former-member.js';
import type { DataSubject, PersonalDataContributor } from '../personal-data/personal-data.js';
import { EventAttendanceModel } from './attendance.model.js';
import { MeetingLinkModel, type ListedPerson, type MeetingLinkRecord } from './meeting-link.model.js';

export function meetingsPersonalData(): PersonalDataContributor {
  const attended = (s: DataSubject) => ({ tenantId: s.tenantId, userId: s.userId });
  const links = (s: DataSubject) => ({ tenantId: s.tenantId, linkedBy: s.userId });
  const listed = (s: DataSubject, list: 'people' | 'notAdmitted') => ({ tenantId: s.tenantId, [`followUp.${list}.userId`]: s.userId });
  return {
    name: 'meetings',
    files: [
      {
        name: 'event-attendance.json',
        describe: {
          nl: 'Je aanwezigheid bij online bijeenkomsten volgens het aanwezigheidsrapport van Teams: rol, hoe lang, eerste en laatste moment.',
          en: 'Your attendance at online events according to the Teams attendance report: role, how long, first join and last leave.',
        },
        count: (s) => EventAttendanceModel.countDocuments(attended(s)),
        async *records(s) {
          for await (const a of pagedLean(EventAttendanceModel, attended(s))) yield { eventId: String(a.eventId), displayName: a.displayName, email: a.email, role: a.role, attendedSeconds: a.attendedSeconds, firstJoin: a.firstJoin, lastLeave: a.lastLeave };
        },
      },
      {
        name: 'meeting-links.json',
        describe: {
          nl: 'Teams-vergaderingen die je aan een discussie koppelde, of waarna je (na afloop) in de gemeenschap werd opgenomen of niet.',
          en: 'Teams meetings you linked to a discussion, or after which you were (or were not) let into the community.',
        },
        count: async (s) => (await MeetingLinkModel.countDocuments(links(s))) + (await MeetingLinkModel.countDocuments(listed(s, 'people'))) + (await MeetingLinkModel.countDocuments(listed(s, 'notAdmitted'))),
        async *records(s) {
          for await (const l of pagedLean(MeetingLinkModel, links(s))) yield { type: 'linked', subject: l.subject, discussionId: String(l.discussionId), discussionTitle: l.discussionTitle, linkedAt: (l as MeetingLinkRecord).createdAt };
          for (const list of ['people', 'notAdmitted'] as const) {
            for await (const l of pagedLean(MeetingLinkModel, listed(s, list))) {
              const me = ((l.followUp?.[list] ?? []) as ListedPerson[]).find((p) => p.userId === s.userId);
              yield { type: list === 'people' ? 'admitted' : 'notAdmitted', subject: l.subject, discussionId: String(l.discussionId), outcome: me?.outcome ?? null, reason: me?.reason ?? null };
            }
          }
        },
      },
    ],
    async erase(s) {
      // Attendance rows of people without an account are keyed by address or name.
      await EventAttendanceModel.deleteMany(attended(s));
      for (const email of s.emails) await EventAttendanceModel.deleteMany({ tenantId: s.tenantId, email });
      await MeetingLinkModel.updateMany(links(s), { $set: { linkedBy: FORMER_MEMBER_ID } });
      await MeetingLinkModel.updateMany({ tenantId: s.tenantId, organizerId: s.userId }, { $set: { organizerId: FORMER_MEMBER_ID } });
      for (const list of ['people', 'notAdmitted'] as const) {
        // Read and rewritten (a $pull with a condition is not among what FerretDB 1.24 is sure to support).
        for await (const l of pagedLean(MeetingLinkModel, listed(s, list))) {
          const kept = ((l.followUp?.[list] ?? []) as ListedPerson[]).filter((p) => p.userId !== s.userId);
          await MeetingLinkModel.updateOne({ _id: l._id }, { $set: { [`followUp.${list}`]: kept } });
        }
      }
    },
  };
}
