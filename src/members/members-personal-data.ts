/**
 * The members capability's part of "export my data" and "erase me": the person's profile
 * (what they edited and what Meent stored from Microsoft Graph) and the cached photo.
 */
import { pagedLean } from '../db/paged-reads.js';
import type { DataSubject, PersonalDataContributor } from '../personal-data/personal-data.js';
import { UserPhotoModel } from './user-photo.model.js';
import { UserModel, type UserRecord } from './user.model.js';

/** The names and addresses a person is known by (the erasure scrubs copies of them elsewhere). */
export async function identifiersOf(tenantId: string, userId: string): Promise<{ names: string[]; emails: string[]; known: boolean }> {
  const user = await UserModel.findOne({ tenantId, userId }).lean<UserRecord>();
  if (!user) return { names: [], emails: [], known: false };
  const emails = [user.mail, user.userPrincipalName].filter((v): v is string => typeof v === 'string' && v.length > 0);
  return { names: user.displayName ? [user.displayName] : [], emails: [...new Set(emails)], known: true };
}

export function membersPersonalData(deps: { forget?: (tenantId: string, userId: string) => void } = {}): PersonalDataContributor {
  const own = (s: DataSubject) => ({ tenantId: s.tenantId, userId: s.userId });
  return {
    name: 'members',
    files: [
      {
        name: 'profile.json',
        describe: {
          nl: 'Je profiel: wat je zelf invulde (organisatie, functie, expertise, interesses) en wat Meent uit Microsoft 365 overnam (naam, e-mail, functie, afdeling, locatie), plus of er een profielfoto in de cache staat.',
          en: 'Your profile: what you filled in (organisation, function, expertise, interests) and what Meent copied from Microsoft 365 (name, e-mail, job title, department, location), and whether a profile photo is cached.',
        },
        count: async (s) => (await UserModel.countDocuments(own(s))) + (await UserPhotoModel.countDocuments(own(s))),
        async *records(s) {
          for await (const u of pagedLean(UserModel, own(s))) {
            yield {
              type: 'profile',
              userId: u.userId,
              displayName: u.displayName,
              userPrincipalName: u.userPrincipalName ?? null,
              mail: u.mail ?? null,
              jobTitle: u.jobTitle ?? null,
              department: u.department ?? null,
              officeLocation: u.officeLocation ?? null,
              isGuest: u.isGuest ?? false,
              isOrgAdmin: u.isOrgAdmin ?? false,
              profile: u.profile ?? {},
              locale: u.locale ?? null,
              graphSyncedAt: u.graphSyncedAt ?? null,
              firstSignInAt: u.firstSignInAt ?? null,
              lastSeenAt: u.lastSeenAt ?? null,
            };
          }
          for await (const p of pagedLean(UserPhotoModel, own(s))) {
            yield { type: 'photo', hasPhoto: p.hasPhoto, contentType: p.contentType ?? null, fetchedAt: p.fetchedAt, dataBase64: p.data ? Buffer.from(p.data as Uint8Array).toString('base64') : null };
          }
        },
      },
    ],
    async erase(s) {
      await UserPhotoModel.deleteMany(own(s));
      await UserModel.deleteMany(own(s));
      // A later sign-in must make a new record, not be skipped as "seen a minute ago".
      deps.forget?.(s.tenantId, s.userId);
    },
  };
}
