/**
 * A person's attachments (the file cards of what they posted: name, size, type, ids, web and
 * thumbnail addresses), Meent's sharing grants to them, and their uploads in progress, as part
 * of "export my data" and "erase me". Erasure keeps a post's file card under "Former member"
 * (the file is the organisation's, in its library) and drops the grants and uploads.
 */
import { FORMER_MEMBER_ID } from '../personal-data/former-member.js';
import type { PersonalDataContributor } from '../personal-data/personal-data.js';
import { attachmentsByAuthor, countAttachmentsByAuthor, deleteGrantsOfPerson, deleteUploadsOfPerson, grantsOfPerson, scrubAuthor, uploadsOfPerson } from './attachments.repository.js';

const PAGE = 200;

export interface AttachmentsPersonalDataDeps {
  /**
   * Takes back on the drives the permissions Meent granted to the person and forgets them.
   * Without it only the records go, and the person keeps reading the files through
   * permissions nobody knows of any more.
   */
  revokeGrantsOf?: (tenantId: string, userId: string) => Promise<void>;
}

export function attachmentsPersonalData(deps: AttachmentsPersonalDataDeps = {}): PersonalDataContributor {
  return {
    name: 'attachments',
    files: [
      {
        name: 'attachments.json',
        describe: { nl: 'De bestanden die je aan berichten toevoegde: naam, grootte, type, de verwijzing naar OneDrive of SharePoint.', en: 'The files you attached to posts: name, size, type, the reference to OneDrive or SharePoint.' },
        count: (s) => countAttachmentsByAuthor(s.tenantId, s.userId),
        async *records(s) {
          let after = null;
          for (;;) {
            const page = await attachmentsByAuthor(s.tenantId, s.userId, after, PAGE);
            for (const a of page) yield { post: { type: a.targetType, id: String(a.targetId) }, name: a.name, size: a.size, mimeType: a.mimeType, driveId: a.driveId, itemId: a.itemId, webUrl: a.webUrl, thumbnailUrl: a.thumbnailUrl, createdAt: a.createdAt };
            if (page.length < PAGE) return;
            after = page[page.length - 1]?._id ?? null;
          }
        },
      },
      {
        name: 'attachment-permissions.json',
        describe: { nl: 'Bestanden die Meent met je deelde omdat je de berichten ervan mag lezen.', en: 'Files Meent shared with you because you may read their posts.' },
        count: async (s) => (await grantsOfPerson(s.tenantId, s.userId)).length,
        async *records(s) {
          for (const g of await grantsOfPerson(s.tenantId, s.userId)) yield { driveId: g.driveId, itemId: g.itemId, kind: g.kind };
        },
      },
      {
        name: 'uploads.json',
        describe: { nl: 'Uploads die je begon en die nog niet verlopen zijn: naam, grootte, de map waarin ze komen en hoeveel delen er nog buiten de snelheidslimiet vallen.', en: 'Uploads you started that have not expired yet: name, size, the folder they go into and how many more fragments fall outside the rate limit.' },
        count: async (s) => (await uploadsOfPerson(s.tenantId, s.userId)).length,
        async *records(s) {
          for (const u of await uploadsOfPerson(s.tenantId, s.userId)) yield { name: u.name, size: u.size, status: u.status, folder: u.folderPath ?? null, fragmentsLeft: u.fragmentsLeft ?? 0, createdAt: u.createdAt };
        },
      },
    ],
    async erase(s) {
      await scrubAuthor(s.tenantId, s.userId, { authorId: FORMER_MEMBER_ID, authorName: '' });
      if (deps.revokeGrantsOf) await deps.revokeGrantsOf(s.tenantId, s.userId);
      await deleteGrantsOfPerson(s.tenantId, s.userId);
      await deleteUploadsOfPerson(s.tenantId, s.userId);
    },
  };
}
