/**
 * The moderation capability's part of "export my data" and "erase me": the reports the
 * person made. Erasure keeps a report (it may be why content is hidden, and "N different
 * people reported it" must stay true) under the person's pseudonym, not their id.
 */
import { pagedLean } from '../db/paged-reads.js';
import { FORMER_MEMBER_ID } from '../personal-data/former-member.js';
import type { DataSubject, PersonalDataContributor } from '../personal-data/personal-data.js';
import { ReportModel, type ReportRecord } from './report.model.js';

export function moderationPersonalData(): PersonalDataContributor {
  const made = (s: DataSubject) => ({ tenantId: s.tenantId, reporterId: s.userId });
  return {
    name: 'moderation',
    files: [
      {
        name: 'reports.json',
        describe: { nl: 'Meldingen van ongepaste inhoud die je deed, met reden, toelichting en afhandeling.', en: 'Reports of inappropriate content you made, with reason, comment and outcome.' },
        count: (s) => ReportModel.countDocuments(made(s)),
        async *records(s) {
          for await (const r of pagedLean(ReportModel, made(s))) yield { targetType: r.targetType, targetId: r.targetType === 'person' ? null : r.targetId, reason: r.reason, text: r.text ?? null, status: r.status, createdAt: (r as ReportRecord).createdAt };
        },
      },
    ],
    async erase(s, options) {
      // One pseudonym per person keeps the unique (target, reporter) index and the distinct count.
      const reporter = `erased:${s.pseudonym.slice(0, 40)}`;
      await ReportModel.updateMany(made(s), { $set: { reporterId: reporter }, ...(options.keepText ? {} : { $unset: { text: 1 } }) });
      // Reports about them (their content, or them as a person) and who handled reports.
      await ReportModel.updateMany({ tenantId: s.tenantId, targetAuthorId: s.userId }, { $set: { targetAuthorId: FORMER_MEMBER_ID } });
      await ReportModel.deleteMany({ tenantId: s.tenantId, targetType: 'person', targetId: s.userId });
      await ReportModel.updateMany({ tenantId: s.tenantId, resolvedBy: s.userId }, { $set: { resolvedBy: FORMER_MEMBER_ID } });
    },
  };
}
