/**
 * What discussions, replies, events, memberships, communities and moderation need of
 * attachments: prepare a post's files before writing it (commit or roll back after), show them,
 * and tell attachments when who may read a post changed.
 */
import type { AttachmentService } from './attachment.service.js';

export type PostAttachments = Pick<AttachmentService, 'prepare' | 'replace' | 'viewsOf' | 'namesOf' | 'postChanged' | 'postRemoved' | 'communityChanged' | 'communityRemoved'>;
export type { AttachmentRef, AttachmentView, PreparedAttachments } from './attachment.service.js';
