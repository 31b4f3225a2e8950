/**
 * Files in discussions, replies and events. A post's files are prepared before the post is
 * written (the author must be able to read each item, and sharing it with the post's readers
 * must succeed: `invite` for members, an organisation link for public communities), then
 * committed to the post, or rolled back (every permission granted for it taken back) when
 * writing the post fails, so nothing is ever posted half. Afterwards the permissions follow
 * the post's readers: `syncItem` grants what is missing and takes back what Meent granted to
 * people who lost access (leave, removal, block, guests turned off, hidden, deleted).
 */
import { extname } from 'node:path';
import { Types } from 'mongoose';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.js';
import { resolveCommunityAccess } from '../communities/community-access.js';
import { communitiesReadByGuests, communityById } from '../communities/communities.port.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import { clockOf, type Clock } from '../time/clock.js';
import type { AttachmentTarget } from './attachment.model.js';
import { readersOfCommunity, readersOfOrganisation, readersOfPost, type Readers } from './attachment-readers.js';
import {
  advanceUpload,
  attachmentsOf,
  attachmentsOfItem,
  completedUploadOf,
  createUpload,
  deleteAttachmentIds,
  deleteAttachmentsWhere,
  deleteGrant,
  deleteUpload,
  grantsOfItem,
  grantsOfPerson,
  itemsDueForCheck,
  insertAttachments,
  itemClaimed,
  itemsOfOrganisationEvents,
  itemsWhere,
  markItem,
  recordGrant,
  uploadOf,
  type AttachmentRecord,
  type ItemKey,
  type UploadRecord,
} from './attachments.repository.js';
import type { ChunkResult, CreatedItemInfo, DriveGateway, DriveItemInfo } from './drive-gateway.js';
import { DEFAULT_FRAGMENT_BYTES, sendFragment, type ResumeOptions } from './resumable-upload.js';
import { UPLOAD_FRAGMENT_UNIT } from './local-drive-store.js';
import { MAX_ATTACHMENTS } from './attachment-limits.js';
import { fragmentAllowance } from './upload-fragment-writes.js';
import { thumbnailPath } from './attachment-thumbnail.js';

export { MAX_ATTACHMENTS };
const UPLOAD_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** How far Microsoft 365's clock may be from Meent's when judging when a file was made. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface AttachmentRef {
  driveId: string;
  itemId: string;
}

/** The drive port as a person (their own rights, on-behalf-of) or as the app (Meent's library, taking permissions back). */
export interface DriveAccess {
  asActor(actor: Actor): DriveGateway;
  asApp(tenantId: string): DriveGateway;
}

export interface AttachmentSettings {
  maxBytes: number;
  blockedTypes: string[];
  /** The library for uploads to communities that are not pinned to a team. */
  libraryDriveId: string | undefined;
}

export interface AttachmentView {
  id: string;
  name: string;
  size: number;
  mimeType: string | null;
  webUrl: string | null;
  thumbnailUrl: string | null;
  lastModifiedAt: string | null;
  author: { id: string; displayName: string };
  /** False when the item vanished or access was revoked: show "no longer available". */
  available: boolean;
  driveId: string;
  itemId: string;
}

/** Who reads a post beyond its community: an organisation-wide event that admits guests is read by the tenant's guests too. */
export interface PostAudience {
  tenantGuests?: boolean;
}

/** A post's files replaced, shared already: `commit` once the post's edit is written, `rollback` when it fails. */
export interface PreparedReplacement {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface PreparedAttachments {
  items: DriveItemInfo[];
  commit(target: { type: AttachmentTarget; id: Types.ObjectId; discussionId?: Types.ObjectId | null }): Promise<AttachmentRecord[]>;
  rollback(): Promise<void>;
}

export interface UploadProgress {
  id: string;
  name: string;
  size: number;
  nextOffset: number;
  fragmentBytes: number;
  done: boolean;
  item: { driveId: string; itemId: string } | null;
}

export interface AttachmentServiceDeps {
  drives: DriveAccess;
  settings: AttachmentSettings;
  logger: Logger;
  now?: () => Date;
  /** Waits between upload retries (tests hand in a recorder). */
  resume?: ResumeOptions;
}

export class AttachmentService {
  private readonly now: Clock;

  constructor(private readonly deps: AttachmentServiceDeps) {
    this.now = clockOf(deps);
  }

  // ---- posting ----

  /**
   * Checks and shares the files for a post in `communityId` (null: an organisation-wide event)
   * before the post is written. Refuses files the actor cannot read or share.
   */
  async prepare(actor: Actor, communityId: Types.ObjectId | null, refs: AttachmentRef[], existing: ItemKey[] = [], audience: PostAudience = {}): Promise<PreparedAttachments> {
    if (refs.length > MAX_ATTACHMENTS) throw new ValidationError(`At most ${MAX_ATTACHMENTS} files per post.`, [{ path: 'body.attachments', message: `at most ${MAX_ATTACHMENTS}` }], 'too_many_attachments');
    const keys = new Set<string>();
    for (const r of refs) {
      const key = `${r.driveId}\u0000${r.itemId}`;
      if (keys.has(key)) throw new ValidationError('The same file is attached twice.', [{ path: 'body.attachments', message: 'duplicate file' }], 'duplicate_attachment');
      keys.add(key);
    }
    const readers = await this.readersFor(actor.tenantId, communityId, audience);
    const granted: { gateway: DriveGateway; item: ItemKey; permissionIds: { kind: 'invite' | 'organizationLink'; userId: string; permissionId: string }[] }[] = [];
    const items: { info: DriveItemInfo; source: 'drive' | 'upload' }[] = [];
    const rollback = async () => {
      const app = this.deps.drives.asApp(actor.tenantId);
      for (const g of granted) {
        const grants = await grantsOfItem(g.item);
        for (const p of g.permissionIds) {
          await app.deletePermission(g.item.driveId, g.item.itemId, p.permissionId).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not take back a permission of a post that failed'));
          const record = grants.find((x) => x.permissionId === p.permissionId);
          if (record) await deleteGrant(record._id);
        }
      }
    };
    try {
      for (const [index, ref] of refs.entries()) {
        const already = existing.some((e) => e.driveId === ref.driveId && e.itemId === ref.itemId);
        const upload = await completedUploadOf(actor.tenantId, actor.userId, ref);
        const source = upload ? 'upload' : 'drive';
        // An upload through Meent lives in Meent's library: the app reads and shares it. Anything else: the actor's own rights.
        const gateway = upload ? this.deps.drives.asApp(actor.tenantId) : this.deps.drives.asActor(actor);
        const info = await gateway.getItem(ref.driveId, ref.itemId);
        if (!info || info.folder) {
          throw new ValidationError('You cannot open one of the files, so it cannot be attached.', [{ path: `body.attachments.${index}`, message: 'not readable by you' }], 'attachment_unreadable');
        }
        this.assertAllowedType(info.name, `body.attachments.${index}`);
        items.push({ info, source });
        if (already) continue;
        const ownerId = source === 'drive' ? actor.userId : null;
        const made = await this.grantMissing(gateway, actor.tenantId, communityId, ref, readers, ownerId).catch((error: unknown) => {
          if (error instanceof ForbiddenError) {
            throw new ForbiddenError(`You may not share “${info.name.slice(0, 120)}”, so it cannot be attached. Ask its owner to share it with you (edit rights) or upload a copy.`, 'attachment_not_shareable');
          }
          throw error;
        });
        granted.push({ gateway, item: ref, permissionIds: made });
      }
    } catch (error) {
      await rollback();
      throw error;
    }
    return {
      items: items.map((i) => i.info),
      commit: async (target) => {
        const docs = items.map(({ info, source }, position) => ({
          tenantId: actor.tenantId,
          communityId,
          targetType: target.type,
          targetId: target.id,
          discussionId: target.discussionId ?? (target.type === 'discussion' ? target.id : null),
          position,
          authorId: actor.userId,
          authorName: actor.name,
          source,
          driveId: info.driveId,
          itemId: info.itemId,
          name: info.name,
          size: info.size,
          mimeType: info.mimeType,
          webUrl: info.webUrl,
          thumbnailUrl: info.thumbnailUrl,
          lastModifiedAt: info.lastModifiedAt ? new Date(info.lastModifiedAt) : null,
          available: true,
          checkedAt: this.now(),
        }));
        return insertAttachments(docs);
      },
      rollback,
    };
  }

  /** Replaces a post's files (an edit): new ones prepared, dropped ones' permissions re-checked. */
  async replace(actor: Actor, communityId: Types.ObjectId | null, target: { type: AttachmentTarget; id: Types.ObjectId; discussionId?: Types.ObjectId | null }, refs: AttachmentRef[]): Promise<void> {
    await (await this.prepareReplace(actor, communityId, target, refs)).commit();
  }

  /**
   * `replace` in two steps, for an edit that may still be refused after the files are shared
   * (an event's edit is decided under its lock): nothing changes until `commit`.
   */
  async prepareReplace(actor: Actor, communityId: Types.ObjectId | null, target: { type: AttachmentTarget; id: Types.ObjectId; discussionId?: Types.ObjectId | null }, refs: AttachmentRef[], audience: PostAudience = {}): Promise<PreparedReplacement> {
    const current = await attachmentsOf(target.type, [target.id]);
    const prepared = await this.prepare(actor, communityId, refs, current.map((c) => ({ driveId: c.driveId, itemId: c.itemId })), audience);
    return {
      commit: async () => {
        await deleteAttachmentIds(current.map((c) => c._id));
        try {
          await prepared.commit(target);
        } catch (error) {
          await prepared.rollback();
          throw error;
        }
        const dropped = current.filter((c) => !refs.some((r) => r.driveId === c.driveId && r.itemId === c.itemId));
        for (const item of dropped) await this.syncItemQuietly(item);
      },
      rollback: () => prepared.rollback(),
    };
  }

  /** The files of posts, in their order, per post id. */
  async viewsOf(targetType: AttachmentTarget, ids: Types.ObjectId[]): Promise<Map<string, AttachmentView[]>> {
    const records = await attachmentsOf(targetType, ids);
    const views = new Map<string, AttachmentView[]>();
    for (const r of records) {
      const list = views.get(String(r.targetId)) ?? [];
      list.push(viewOf(r));
      views.set(String(r.targetId), list);
    }
    return views;
  }

  async namesOf(targetType: AttachmentTarget, id: Types.ObjectId): Promise<string[]> {
    return (await attachmentsOf(targetType, [id])).map((a) => a.name);
  }

  // ---- access changes ----

  /** Membership or community settings changed: every file in the community follows. */
  async communityChanged(communityId: Types.ObjectId): Promise<void> {
    for (const item of await itemsWhere({ communityId })) await this.syncItemQuietly(item);
  }

  /**
   * A guest's first sign-in accepted their invitations: they are now among the guests that an
   * organisation-wide event admitting guests, and a public community admitting guests, are read
   * by (attachment-readers.ts), so their files are shared with them now rather than at the next
   * reconciliation. The communities they joined follow through `communityChanged`, as any join does.
   */
  async guestAdmitted(tenantId: string): Promise<void> {
    try {
      const items = await itemsOfOrganisationEvents(tenantId);
      for (const communityId of await communitiesReadByGuests(tenantId)) items.push(...(await itemsWhere({ communityId })));
      for (const item of items) await this.syncItemQuietly(item);
    } catch (error) {
      // A sign-in does not fail for this: the reconciliation shares what was missed.
      this.deps.logger.warn({ err: error }, 'files read by the tenant’s guests not shared with a new guest; the reconciliation will');
    }
  }

  /** A post was hidden or shown again. */
  async postChanged(targetType: AttachmentTarget, targetId: Types.ObjectId): Promise<void> {
    const items = targetType === 'discussion' ? await itemsWhere({ discussionId: targetId }) : await itemsWhere({ targetType, targetId });
    for (const item of items) await this.syncItemQuietly(item);
  }

  /** A post was deleted (a discussion with its replies): its files are no longer shared through it. */
  async postRemoved(targetType: AttachmentTarget, targetId: Types.ObjectId): Promise<void> {
    const items = await deleteAttachmentsWhere(targetType === 'discussion' ? { discussionId: targetId } : { targetType, targetId });
    for (const item of items) await this.syncItemQuietly(item);
  }

  /** A community was deleted. */
  async communityRemoved(communityId: Types.ObjectId): Promise<void> {
    for (const item of await deleteAttachmentsWhere({ communityId })) await this.syncItemQuietly(item);
  }

  /**
   * Brings an item's permissions to what its posts' readers need: grants what is missing and
   * takes back what Meent granted that nobody needs any more. Permissions Meent did not grant
   * are the owner's business and stay.
   */
  async syncItem(item: ItemKey): Promise<void> {
    const attachments = await attachmentsOfItem(item);
    const grants = await grantsOfItem(item);
    const tenantId = attachments[0]?.tenantId ?? grants[0]?.tenantId;
    if (!tenantId) return;
    const wanted = await this.wantedReaders(attachments);
    const app = this.deps.drives.asApp(tenantId);
    for (const g of grants) {
      const needed = g.kind === 'invite' ? wanted.users.has(g.userId) : wanted.organization;
      if (needed) continue;
      await app.deletePermission(item.driveId, item.itemId, g.permissionId);
      await deleteGrant(g._id);
    }
    if (attachments.length === 0 || attachments.every((a) => !a.available)) return;
    const communityId = attachments[0]?.communityId ?? null;
    await this.grantMissing(app, tenantId, communityId, item, wanted, null, grants);
  }

  /** Recomputes who should read an item from all posts it is attached to. */
  async wantedReaders(attachments: AttachmentRecord[]): Promise<Readers> {
    const users = new Set<string>();
    let organization = false;
    const cache = new Map<string, Readers>();
    for (const a of attachments) {
      if (!a.available) continue;
      const r = await readersOfPost(a.targetType, a.targetId, cache);
      for (const u of r.users) if (!(a.source === 'drive' && u === a.authorId)) users.add(u);
      organization ||= r.organization;
    }
    return { users, organization };
  }

  /**
   * One pass of the reconciliation: the items checked longest ago, each looked up on its drive
   * (gone: its cards say "no longer available" and Meent's permissions go; there: its thumbnail
   * address brought up to date), Meent's own grants
   * that the owner removed behind Meent's back forgotten and granted again, and the permissions
   * brought to what the posts' readers need. Permissions Meent did not grant stay (the owner's).
   * Answers how many items were checked.
   */
  async reconcile(limit = 50): Promise<number> {
    const items = await itemsDueForCheck(limit);
    for (const item of items) {
      try {
        await this.reconcileItem(item);
      } catch (error) {
        // Stamped anyway, so one failing item does not block the rest; it comes round again.
        await markItem(item, { checkedAt: this.now() });
        this.deps.logger.warn({ err: error }, 'attachment reconciliation of an item failed; it is tried again later');
      }
    }
    return items.length;
  }

  private async reconcileItem(item: ItemKey): Promise<void> {
    const attachments = await attachmentsOfItem(item);
    const tenantId = attachments[0]?.tenantId;
    if (!tenantId) return;
    const app = this.deps.drives.asApp(tenantId);
    const info = await app.getItem(item.driveId, item.itemId);
    if (!info) {
      await markItem(item, { available: false, checkedAt: this.now() });
      await this.syncItem(item);
      return;
    }
    const live = new Set((await app.permissions(item.driveId, item.itemId)).map((p) => p.id));
    for (const g of await grantsOfItem(item)) if (!live.has(g.permissionId)) await deleteGrant(g._id);
    // Graph makes thumbnails after an upload, not at once: a card learns here that it has one now.
    await markItem(item, { available: true, thumbnailUrl: info.thumbnailUrl, checkedAt: this.now() });
    await this.syncItem(item);
  }

  /** Erasure: takes back every permission Meent granted to the person (one already gone is no error). */
  async revokeGrantsOf(tenantId: string, userId: string): Promise<void> {
    const app = this.deps.drives.asApp(tenantId);
    for (const g of await grantsOfPerson(tenantId, userId)) {
      await app.deletePermission(g.driveId, g.itemId, g.permissionId);
      await deleteGrant(g._id);
    }
  }

  async markUnavailable(item: ItemKey): Promise<void> {
    await markItem(item, { available: false, checkedAt: this.now() });
  }

  private async syncItemQuietly(item: ItemKey): Promise<void> {
    try {
      await this.syncItem(item);
    } catch (error) {
      // The reconciliation job repairs what failed here (Graph down, throttled).
      this.deps.logger.warn({ err: error }, 'attachment permissions not brought up to date; the reconciliation will');
    }
  }

  private async grantMissing(
    gateway: DriveGateway,
    tenantId: string,
    communityId: Types.ObjectId | null,
    item: ItemKey,
    readers: Readers,
    ownerId: string | null,
    known?: Awaited<ReturnType<typeof grantsOfItem>>,
  ): Promise<{ kind: 'invite' | 'organizationLink'; userId: string; permissionId: string }[]> {
    const grants = known ?? (await grantsOfItem(item));
    const made: { kind: 'invite' | 'organizationLink'; userId: string; permissionId: string }[] = [];
    const missing = [...readers.users].filter((u) => u !== ownerId && !grants.some((g) => g.kind === 'invite' && g.userId === u));
    if (missing.length > 0) {
      const ids = await gateway.invite(item.driveId, item.itemId, missing);
      for (const [userId, permissionId] of ids) {
        await recordGrant({ tenantId, communityId, driveId: item.driveId, itemId: item.itemId, kind: 'invite', userId, permissionId });
        made.push({ kind: 'invite', userId, permissionId });
      }
    }
    if (readers.organization && !grants.some((g) => g.kind === 'organizationLink')) {
      const permissionId = await gateway.createOrganizationLink(item.driveId, item.itemId);
      await recordGrant({ tenantId, communityId, driveId: item.driveId, itemId: item.itemId, kind: 'organizationLink', userId: '', permissionId });
      made.push({ kind: 'organizationLink', userId: '', permissionId });
    }
    return made;
  }

  private async readersFor(tenantId: string, communityId: Types.ObjectId | null, audience: PostAudience): Promise<Readers> {
    if (!communityId) return readersOfOrganisation(tenantId, audience.tenantGuests === true);
    const community = await communityById(communityId);
    if (!community) throw new ConflictError('The community was deleted meanwhile.', 'community_gone');
    return readersOfCommunity(community);
  }

  private assertAllowedType(name: string, path: string): void {
    const ext = extname(name).slice(1).toLowerCase();
    if (ext && this.deps.settings.blockedTypes.includes(ext)) {
      throw new ValidationError(`Files of type .${ext} cannot be attached.`, [{ path, message: `type .${ext} is blocked` }], 'file_type_blocked');
    }
  }

  // ---- uploads from the tab ----

  /** Starts an upload into the community's library (its team's, or the organisation's). */
  async startUpload(actor: Actor, communityId: string, input: { name: string; size: number }): Promise<UploadProgress> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize('discussion.create');
    if (input.size > this.deps.settings.maxBytes) {
      const mb = Math.round(this.deps.settings.maxBytes / (1024 * 1024));
      throw new ValidationError(`The file is larger than ${mb} MB, the most Meent uploads.`, [{ path: 'body.size', message: `at most ${mb} MB` }], 'file_too_large');
    }
    this.assertAllowedType(input.name, 'body.name');
    const app = this.deps.drives.asApp(actor.tenantId);
    const community = access.community;
    const driveId = community.teamId ? await app.groupDriveId(community.teamId) : this.deps.settings.libraryDriveId;
    if (!driveId) throw new ConflictError('This community has no document library for uploads: pin it to a team, or ask an administrator to configure one. You can attach a file from OneDrive instead.', 'no_upload_library');
    const folderPath = `Meent/${folderName(community.name, String(community._id))}`;
    const session = await app.createUploadSession({ driveId, folderPath }, input.name);
    const record = await createUpload({
      tenantId: actor.tenantId,
      communityId: community._id,
      userId: actor.userId,
      name: input.name,
      size: input.size,
      uploadUrl: session.uploadUrl,
      expiresAt: new Date(this.now().getTime() + UPLOAD_LIFETIME_MS),
      driveId,
      folderPath,
      fragmentsLeft: fragmentAllowance(input.size),
    });
    return progressOf(record);
  }

  async uploadStatus(actor: Actor, uploadId: string): Promise<UploadProgress> {
    return progressOf(await this.uploadFor(actor, uploadId));
  }

  /** One fragment from the tab, sent on to the session (resuming there after faults). */
  async putFragment(actor: Actor, uploadId: string, range: { start: number; end: number; total: number }, bytes: Uint8Array): Promise<UploadProgress> {
    const upload = await this.uploadFor(actor, uploadId);
    if (upload.status === 'complete') return progressOf(upload);
    if (range.total !== upload.size || bytes.length !== range.end - range.start + 1) {
      throw new ValidationError('The Content-Range does not match the file or the body.', [{ path: 'headers.content-range', message: 'does not match' }], 'invalid_range');
    }
    if (range.start !== upload.nextOffset) throw new ConflictError(`The upload stands at byte ${upload.nextOffset}; send from there.`, 'upload_out_of_step');
    const last = range.end === range.total - 1;
    if (!last && bytes.length % UPLOAD_FRAGMENT_UNIT !== 0) {
      throw new ValidationError('A fragment must be a multiple of 320 KiB, except the last.', [{ path: 'headers.content-range', message: 'not a multiple of 320 KiB' }], 'invalid_range');
    }
    const app = this.deps.drives.asApp(actor.tenantId);
    let result: ChunkResult;
    try {
      result = await sendFragment(app, { uploadUrl: upload.uploadUrl, expiresAt: upload.expiresAt.toISOString() }, range.start, range.total, bytes, this.deps.resume);
    } catch (error) {
      const made = last && isSessionGone(error) ? await this.recoverLostCompletion(app, upload) : null;
      if (!made) throw error;
      result = { done: true, item: made };
    }
    const set = result.done ? { nextOffset: range.total, status: 'complete', driveId: result.item.driveId, itemId: result.item.itemId } : { nextOffset: result.nextOffset };
    const advanced = await advanceUpload(upload._id, range.start, set);
    if (!advanced) throw new ConflictError('Another request moved this upload on meanwhile.', 'upload_out_of_step');
    return progressOf(advanced);
  }

  /**
   * The session is gone (404) after the last fragment was sent to it: it expired, or it made the
   * file and the answer saying so was lost (a dropped connection, a 503 after the commit), and
   * starting again would make a second copy. The file it made is in the upload's folder, under
   * the upload's name or, where that was taken, the name `rename` gave it ("name 1.pdf"). Meent
   * adopts the one file there of the upload's size, made since the upload started, that no
   * other upload or post of Meent's holds; none, or more than one (two such uploads lost their
   * answers at once): Meent cannot tell, and the person starts again.
   *
   * Why not another conflict behaviour instead: `fail` would refuse the second "Verslag.pdf"
   * of a community at its last fragment (409 nameAlreadyExists), `replace` would overwrite
   * someone else's file, and neither tells Meent the id of a file whose answer was lost
   * (https://learn.microsoft.com/en-us/graph/api/driveitem-createuploadsession#handling-upload-conflicts;
   * a completed session's URL answers 404, #completing-a-file).
   */
  private async recoverLostCompletion(app: DriveGateway, upload: UploadRecord): Promise<DriveItemInfo | null> {
    const { driveId, folderPath } = upload;
    if (!driveId || folderPath === null || folderPath === undefined) return null;
    // Started a day before it expires (by Meent's clock, which `createdAt` is not).
    const since = upload.expiresAt.getTime() - UPLOAD_LIFETIME_MS - CLOCK_SKEW_MS;
    const until = this.now().getTime() + CLOCK_SKEW_MS;
    const fits = (i: CreatedItemInfo) => {
      const made = i.createdAt ? Date.parse(i.createdAt) : Number.NaN;
      return !i.folder && i.size === upload.size && made >= since && made <= until && renamedFrom(upload.name, i.name);
    };
    // The exact path finds it in a folder of more files than a listing reads; the listing finds a renamed one.
    const exact = await app.itemAtPath(driveId, `${folderPath}/${upload.name}`);
    const listed = await app.childrenAtPath(driveId, folderPath);
    const candidates = new Map<string, CreatedItemInfo>();
    for (const i of [...(exact ? [exact] : []), ...listed]) if (fits(i) && !(await itemClaimed(i, upload._id))) candidates.set(i.itemId, i);
    if (candidates.size === 1) return [...candidates.values()][0] ?? null;
    if (candidates.size > 1) this.deps.logger.warn({ uploadId: String(upload._id), candidates: candidates.size }, 'the file of an upload whose last answer was lost cannot be told apart; the person starts again');
    return null;
  }

  async cancelUpload(actor: Actor, uploadId: string): Promise<void> {
    const upload = await this.uploadFor(actor, uploadId);
    if (upload.status === 'uploading') {
      await this.deps.drives.asApp(actor.tenantId).cancelUpload({ uploadUrl: upload.uploadUrl, expiresAt: upload.expiresAt.toISOString() }).catch(() => undefined);
    }
    await deleteUpload(upload._id);
  }

  // ---- browsing ----

  async browse(actor: Actor, query: { q?: string | undefined; driveId?: string | undefined; itemId?: string | undefined }): Promise<DriveItemInfo[]> {
    const gateway = this.deps.drives.asActor(actor);
    if (query.q) return gateway.search(query.q);
    return gateway.children(query.driveId && query.itemId ? { driveId: query.driveId, itemId: query.itemId } : undefined);
  }

  private async uploadFor(actor: Actor, uploadId: string) {
    const id = Types.ObjectId.isValid(uploadId) ? new Types.ObjectId(uploadId) : null;
    const upload = id ? await uploadOf(actor.tenantId, actor.userId, id) : null;
    if (!upload || upload.expiresAt.getTime() <= this.now().getTime()) throw new NotFoundError('There is no such upload (it may have expired); start again.', 'upload_not_found');
    return upload;
  }
}

function progressOf(u: { _id: Types.ObjectId; name: string; size: number; nextOffset: number; status: string; driveId?: string | null; itemId?: string | null }): UploadProgress {
  const done = u.status === 'complete';
  return { id: String(u._id), name: u.name, size: u.size, nextOffset: u.nextOffset, fragmentBytes: DEFAULT_FRAGMENT_BYTES, done, item: done && u.driveId && u.itemId ? { driveId: u.driveId, itemId: u.itemId } : null };
}

export function viewOf(r: AttachmentRecord): AttachmentView {
  return {
    id: String(r._id),
    name: r.name,
    size: r.size,
    mimeType: r.mimeType ?? null,
    webUrl: r.available ? r.webUrl : null,
    // Meent's own route, not Graph's address: the tab may only show images from its own origin (attachment-thumbnail.ts).
    thumbnailUrl: r.available && r.thumbnailUrl ? thumbnailPath(String(r._id)) : null,
    lastModifiedAt: r.lastModifiedAt ? r.lastModifiedAt.toISOString() : null,
    author: { id: r.authorId, displayName: r.authorName ?? '' },
    available: r.available,
    driveId: r.driveId,
    itemId: r.itemId,
  };
}

function isSessionGone(error: unknown): boolean {
  return error instanceof NotFoundError && error.code === 'upload_session_gone';
}

/** Whether `candidate` is `name`, or `name` as conflict behaviour `rename` changes it: "Verslag 1.pdf", "Verslag (1).pdf". */
function renamedFrom(name: string, candidate: string): boolean {
  const ext = extname(name);
  const base = name.slice(0, name.length - ext.length);
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escape(base)}(?: \\d+| \\(\\d+\\))?${escape(ext)}$`, 'i').test(candidate);
}

/** A folder name SharePoint accepts: its forbidden characters replaced, with the id so renamed communities keep one folder. */
function folderName(name: string, id: string): string {
  const clean = name.replace(/["*:<>?/\\|#%~&{}]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 60);
  return `${clean || 'Community'} (${id.slice(-6)})`;
}
