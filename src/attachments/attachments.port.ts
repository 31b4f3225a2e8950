/**
 * What discussions, replies, events, memberships, communities, moderation and search need of
 * attachments: prepare a post's files before writing it (commit or roll back after), show them,
 * tell attachments when who may read a post changed, and the attached files' names.
 */
import type { Types } from 'mongoose';
import type { AttachmentTarget } from './attachment.model.js';
import type { AttachmentService, PreparedAttachments } from './attachment.service.js';
import { attachmentsOf } from './attachments.repository.js';

export type PostAttachments = Pick<AttachmentService, 'prepare' | 'replace' | 'prepareReplace' | 'viewsOf' | 'namesOf' | 'postChanged' | 'postRemoved' | 'communityChanged' | 'communityRemoved'>;
export type { AttachmentRef, AttachmentView, PostAudience, PreparedAttachments, PreparedReplacement } from './attachment.service.js';

/** The names of the files attached to these posts, per post id (search finds events by them). */
export async function attachedFileNames(targetType: AttachmentTarget, ids: Types.ObjectId[]): Promise<Map<string, string[]>> {
  const names = new Map<string, string[]>();
  for (const a of await attachmentsOf(targetType, ids)) {
    const key = String(a.targetId);
    names.set(key, [...(names.get(key) ?? []), a.name]);
  }
  return names;
}

/**
 * Records prepared files on the post just written; when that fails, takes their permissions
 * back and undoes the post (`undo`), so nothing stays posted half.
 */
export async function commitOrUndo(files: PreparedAttachments | null, target: Parameters<PreparedAttachments['commit']>[0], undo: () => Promise<void>): Promise<void> {
  if (!files) return;
  try {
    await files.commit(target);
  } catch (error) {
    await files.rollback();
    await undo();
    throw error;
  }
}
