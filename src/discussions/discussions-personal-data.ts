/**
 * The discussions capability's part of "export my data" and "erase me": discussions and
 * replies the person wrote (with their edit history), reactions, follows and read markers,
 * and where others mentioned them. Erasure puts "Former member" in place of the author and,
 * unless the text is kept, removes what they wrote.
 */
import type { Model, Types } from 'mongoose';
import { pagedLean } from '../db/paged-reads.js';
import { FORMER_MEMBER_ID } from '../personal-data/former-member.js';
import type { DataSubject, EraseOptions, PersonalDataContributor } from '../personal-data/personal-data.js';
import type { SearchIndex } from '../search-index/search-index.js';
import { ActivityModel } from './activity.model.js';
import { DiscussionModel, type DiscussionRecord, type ReactionKind } from './discussion.model.js';
import { removeReaction, updateDiscussion, updateReply } from './discussions.repository.js';
import { FollowModel } from './follow.model.js';
import { ReactionModel } from './reaction.model.js';
import { ReadMarkerModel } from './read-marker.model.js';
import { ReplyModel, type ReplyRecord } from './reply.model.js';

interface HistoryEntry {
  title?: string | null;
  body?: string | null;
  editedAt: Date;
  editedBy: string;
}

const history = (h: HistoryEntry[] | undefined | null) => (h ?? []).map((e) => ({ ...(e.title !== undefined ? { title: e.title } : {}), body: e.body ?? null, editedAt: e.editedAt, editedByMe: e.editedBy !== undefined }));

export function discussionsPersonalData(deps: { search: SearchIndex }): PersonalDataContributor {
  const authored = (s: DataSubject) => ({ tenantId: s.tenantId, authorId: s.userId });
  const own = (s: DataSubject) => ({ tenantId: s.tenantId, userId: s.userId });
  const mentioning = (s: DataSubject) => ({ tenantId: s.tenantId, mentions: s.userId });
  return {
    name: 'discussions',
    files: [
      {
        name: 'discussions.json',
        describe: {
          nl: 'Discussies en vragen die je schreef, met titel, tekst (Markdown), tags, status en eerdere versies (bewerkgeschiedenis).',
          en: 'Discussions and questions you wrote, with title, text (Markdown), tags, status and earlier versions (edit history).',
        },
        count: (s) => DiscussionModel.countDocuments(authored(s)),
        async *records(s) {
          for await (const d of pagedLean(DiscussionModel, authored(s))) {
            yield { id: String(d._id), communityId: String(d.communityId), kind: d.kind, title: d.title, body: d.body?.source ?? '', conclusion: d.conclusion?.source || null, tags: d.tags, status: d.status, createdAt: (d as DiscussionRecord).createdAt, editedAt: d.editedAt ?? null, history: history(d.history as HistoryEntry[]) };
          }
        },
      },
      {
        name: 'replies.json',
        describe: {
          nl: 'Reacties die je schreef, met de discussie waarin, de tekst en eerdere versies.',
          en: 'Replies you wrote, with the discussion they are in, the text and earlier versions.',
        },
        count: (s) => ReplyModel.countDocuments(authored(s)),
        async *records(s) {
          for await (const r of pagedLean(ReplyModel, authored(s))) {
            yield { id: String(r._id), discussionId: String(r.discussionId), parentId: r.parentId ? String(r.parentId) : null, body: r.body?.source ?? '', removed: r.removed ?? false, accepted: r.accepted ?? false, createdAt: (r as ReplyRecord).createdAt, editedAt: r.editedAt ?? null, history: history(r.history as HistoryEntry[]) };
          }
        },
      },
      {
        name: 'reactions.json',
        describe: { nl: 'Je reacties met een emoji (zoals "duim omhoog") op discussies en reacties.', en: 'Your reactions (such as "like") to discussions and replies.' },
        count: (s) => ReactionModel.countDocuments(own(s)),
        async *records(s) {
          for await (const r of pagedLean(ReactionModel, own(s))) yield { kind: r.kind, targetType: r.targetType, targetId: String(r.targetId), discussionId: String(r.discussionId), at: (r as { createdAt?: Date }).createdAt ?? null };
        },
      },
      {
        name: 'follows.json',
        describe: {
          nl: 'Discussies die je volgt (je krijgt meldingen van nieuwe reacties) en hoe ver je ze gelezen hebt.',
          en: 'Discussions you follow (you are told of new replies) and how far you have read them.',
        },
        count: async (s) => (await FollowModel.countDocuments(own(s))) + (await ReadMarkerModel.countDocuments(own(s))),
        async *records(s) {
          for await (const f of pagedLean(FollowModel, own(s))) yield { type: 'follow', discussionId: String(f.discussionId), since: (f as { createdAt?: Date }).createdAt ?? null };
          for await (const m of pagedLean(ReadMarkerModel, own(s))) yield { type: 'read', discussionId: String(m.discussionId), lastReadReply: m.lastReadSeq, readAt: m.readAt };
        },
      },
      {
        name: 'mentions.json',
        describe: { nl: 'Discussies en reacties van anderen waarin je genoemd werd (alleen de verwijzing, niet hun tekst).', en: 'Discussions and replies by others that mention you (the reference only, not their text).' },
        count: async (s) => (await DiscussionModel.countDocuments(mentioning(s))) + (await ReplyModel.countDocuments(mentioning(s))),
        async *records(s) {
          for await (const d of pagedLean(DiscussionModel, mentioning(s))) yield { type: 'discussion', id: String(d._id), title: d.title, at: (d as DiscussionRecord).createdAt };
          for await (const r of pagedLean(ReplyModel, mentioning(s))) yield { type: 'reply', id: String(r._id), discussionId: String(r.discussionId), at: (r as ReplyRecord).createdAt };
        },
      },
    ],
    async erase(s, options) {
      // Reactions one by one, so every target's count goes down with its reaction.
      for await (const r of pagedLean(ReactionModel, own(s))) await removeReaction(r.targetType as 'discussion' | 'reply', r.targetId, s.userId, r.kind as ReactionKind);
      await FollowModel.deleteMany(own(s));
      await ReadMarkerModel.deleteMany(own(s));
      await eraseAuthorship(s, options, deps.search, 'discussion');
      await eraseAuthorship(s, options, deps.search, 'reply');
      // Activity entries are denormalised copies without counters, rewritten in bulk everywhere
      // (see discussions.repository.ts): a bulk $set of the author fields races with nothing.
      await ActivityModel.updateMany({ tenantId: s.tenantId, authorId: s.userId }, { $set: { authorId: FORMER_MEMBER_ID, authorName: '', ...(options.keepText ? {} : { excerpt: '' }) } });
      // Others' content: mentions of them, and who closed, hid or removed something.
      await eachGuarded('discussion', mentioning(s), { $pull: { mentions: s.userId } });
      await eachGuarded('reply', mentioning(s), { $pull: { mentions: s.userId } });
      for (const field of ['closedBy', 'hiddenBy'] as const) await eachGuarded('discussion', { tenantId: s.tenantId, [field]: s.userId }, { $set: { [field]: FORMER_MEMBER_ID } });
      for (const field of ['removedBy', 'hiddenBy'] as const) await eachGuarded('reply', { tenantId: s.tenantId, [field]: s.userId }, { $set: { [field]: FORMER_MEMBER_ID } });
      await replaceEditor('discussion', s);
      await replaceEditor('reply', s);
    },
  };
}

/**
 * Discussions and replies carry counters that reactions and replies change concurrently
 * (`$inc` through `updateDiscussion` / `updateReply`). A bulk `updateMany` would bypass their
 * per-document lock, and FerretDB applies an update as read-modify-write of the whole document:
 * a reaction counted meanwhile could be lost even though this update only $sets author fields.
 * So each matching document is updated through the guarded update, the filter repeated as the
 * guard (a document that no longer matches is left alone; a rerun of the erasure finds the rest).
 */
async function eachGuarded(type: 'discussion' | 'reply', filter: Record<string, unknown>, update: Record<string, unknown>): Promise<void> {
  const model = type === 'discussion' ? DiscussionModel : ReplyModel;
  for await (const doc of pagedLean(model, filter)) {
    const guard = { ...filter };
    if (type === 'discussion') await updateDiscussion(doc._id, guard, update);
    else await updateReply(doc._id, guard, update);
  }
}

/** Their discussions or replies: the author becomes "Former member"; without `keepText` the text goes too. */
async function eraseAuthorship(s: DataSubject, options: EraseOptions, search: SearchIndex, type: 'discussion' | 'reply'): Promise<void> {
  const model = type === 'discussion' ? DiscussionModel : ReplyModel;
  if (!options.keepText) {
    for await (const doc of pagedLean(model, { tenantId: s.tenantId, authorId: s.userId })) await search.remove(type, String(doc._id));
  }
  const removeText =
    type === 'discussion'
      ? { title: '…', body: { source: '', html: '' }, excerpt: '', conclusion: { source: '', html: '' }, history: [] }
      : { body: { source: '', html: '' }, removed: true, history: [] };
  await eachGuarded(type, { tenantId: s.tenantId, authorId: s.userId }, { $set: { authorId: FORMER_MEMBER_ID, authorName: '', ...(options.keepText ? {} : removeText) } });
}

/**
 * Edit history entries by them (their own, and their edits of others' posts as a manager).
 * The history is rewritten whole, so the write is guarded by the `updatedAt` it was read at:
 * any write in between (an edit, a counted reaction) makes the guard fail, and the document is
 * read again (a few times; a rerun of the erasure otherwise finds it).
 */
async function replaceEditor(type: 'discussion' | 'reply', s: DataSubject): Promise<void> {
  const model = (type === 'discussion' ? DiscussionModel : ReplyModel) as unknown as Model<Versioned>;
  const filter = { tenantId: s.tenantId, 'history.editedBy': s.userId };
  for await (const first of pagedLean(model, filter)) {
    let doc: Versioned | null = first;
    for (let attempt = 0; doc && attempt < 3; attempt++) {
      const entries = ((doc.history ?? []) as HistoryEntry[]).map((e) => (e.editedBy === s.userId ? { ...e, editedBy: FORMER_MEMBER_ID } : e));
      // Not the array-path filter itself: FerretDB's findAndModify does not match it (find does).
      const guard = { tenantId: s.tenantId, updatedAt: doc.updatedAt };
      const update = { $set: { history: entries } };
      const done = type === 'discussion' ? await updateDiscussion(doc._id, guard, update) : await updateReply(doc._id, guard, update);
      if (done) break;
      doc = await model.findOne({ ...filter, _id: doc._id }).select({ history: 1, updatedAt: 1 }).lean<Versioned>();
    }
  }
}

interface Versioned {
  _id: Types.ObjectId;
  updatedAt: Date;
  history?: HistoryEntry[] | null;
}
