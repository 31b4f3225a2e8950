/**
 * The audit log's part of "export my data" and "erase me": entries about the person or by
 * them. Erasure keeps the entries (the organisation must be able to show what happened) with
 * the person pseudonymised: a keyed hash stands where their id was, in paths and details too.
 * Runs last, after every other step may have written an entry about them.
 */
import mongoose from 'mongoose';
import { pagedLean } from '../db/paged-reads.js';
import { mentionsSubject, scrubText, scrubValues, type DataSubject, type PersonalDataContributor } from '../personal-data/personal-data.js';
import { AuditEntryModel, type AuditEntryRecord } from './audit-entry.model.js';

export function auditPersonalData(): PersonalDataContributor {
  const about = (s: DataSubject) => ({ tenantId: s.tenantId, subjectId: s.userId });
  const by = (s: DataSubject) => ({ tenantId: s.tenantId, actorId: s.userId });
  const view = (e: AuditEntryRecord) => ({ kind: e.kind, at: e.createdAt, byMe: e.actorId !== undefined, reason: e.reason ?? null, method: e.method ?? null, path: e.path ?? null, details: e.details ?? null, count: e.count ?? 1 });
  return {
    name: 'audit',
    files: [
      {
        name: 'audit-log.json',
        describe: {
          nl: 'Vermeldingen in het auditlog over jou of door jou (zoals je eerste aanmelding, rolwijzigingen en geweigerde verzoeken).',
          en: 'Audit log entries about you or by you (such as your first sign-in, role changes and refused requests).',
        },
        count: async (s) => (await AuditEntryModel.countDocuments(about(s))) + (await AuditEntryModel.countDocuments({ ...by(s), subjectId: mongoose.trusted({ $ne: s.userId }) })),
        async *records(s) {
          for await (const e of pagedLean(AuditEntryModel, about(s))) yield view(e as AuditEntryRecord);
          for await (const e of pagedLean(AuditEntryModel, by(s))) if (e.subjectId !== s.userId) yield view(e as AuditEntryRecord);
        },
      },
    ],
    async erase(s) {
      const pseudonym = `pseudonym:${s.pseudonym}`;
      // Entries whose path or details name them carry no actor or subject field to find them by.
      for await (const e of pagedLean(AuditEntryModel, { tenantId: s.tenantId })) {
        const rec = e as AuditEntryRecord;
        if (rec.actorId !== s.userId && rec.subjectId !== s.userId && !mentionsSubject([rec.path, rec.details], s)) continue;
        await AuditEntryModel.updateOne(
          { _id: rec._id },
          {
            $set: {
              ...(rec.actorId === s.userId ? { actorId: pseudonym } : {}),
              ...(rec.subjectId === s.userId ? { subjectId: pseudonym } : {}),
              ...(rec.path ? { path: scrubText(rec.path, s, pseudonym).slice(0, 200) } : {}),
              ...(rec.details ? { details: scrubValues(rec.details, s, pseudonym) } : {}),
            },
          },
        );
      }
    },
  };
}
