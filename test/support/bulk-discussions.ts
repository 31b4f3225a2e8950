/**
 * Bulk loading of discussions and replies for tests and benchmarks that need many (more
 * than a page bucket): the same documents the services write (sequence numbers, buckets,
 * activity entries, search entries, counters), inserted with insertMany.
 */
import { Types } from 'mongoose';
import type { Actor } from '../../src/auth/actor.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { markdown } from '../../src/content/markdown.js';
import { ActivityModel } from '../../src/discussions/activity.model.js';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { bucketOf } from '../../src/discussions/feed-buckets.js';
import { ReplyModel } from '../../src/discussions/reply.model.js';
import { searchIndex } from '../../src/search-index/search-index.js';

const CHUNK = 250;

async function insertInChunks<T>(insert: (docs: T[]) => Promise<unknown>, docs: T[]): Promise<void> {
  for (let i = 0; i < docs.length; i += CHUNK) await insert(docs.slice(i, i + CHUNK));
}

export interface BulkDiscussion {
  title: string;
  body: string;
  tags?: string[];
  kind?: 'discussion' | 'question';
}

/**
 * Appends discussions to a community (after the ones it has), one a minute ending now, by
 * the given authors in turn. Returns their ids, oldest first.
 */
export async function bulkDiscussions(communityId: string, authors: Actor[], items: BulkDiscussion[], now = Date.now()): Promise<string[]> {
  const cid = new Types.ObjectId(communityId);
  const community = await CommunityModel.findById(cid).lean();
  if (!community) throw new Error('no such community');
  const firstSeq = (community.counts?.discussionSeq ?? 0) + 1;
  const firstActivity = (community.counts?.activitySeq ?? 0) + 1;
  const discussions = [];
  const activities = [];
  const entries = [];
  const ids: string[] = [];
  for (const [i, item] of items.entries()) {
    const _id = new Types.ObjectId();
    ids.push(String(_id));
    const seq = firstSeq + i;
    const activitySeq = firstActivity + i;
    const at = new Date(now - (items.length - 1 - i) * 60_000);
    const author = authors[i % authors.length];
    if (!author) throw new Error('no authors');
    const tags = item.tags ?? [];
    const excerpt = item.body.slice(0, 280);
    discussions.push({ _id, tenantId: community.tenantId, communityId: cid, authorId: author.userId, authorName: author.name, kind: item.kind ?? 'discussion', title: item.title, body: markdown(item.body), excerpt, tags, seq, bucket: bucketOf(seq), lastActivityAt: at, createdAt: at, updatedAt: at });
    activities.push({ tenantId: community.tenantId, communityId: cid, seq: activitySeq, bucket: bucketOf(activitySeq), kind: 'discussion', discussionId: _id, authorId: author.userId, authorName: author.name, title: item.title, excerpt, at });
    entries.push(searchIndex.entryFor({ tenantId: community.tenantId, type: 'discussion', itemId: String(_id), communityId: cid, discussionId: _id, title: item.title, keywords: tags, body: [item.body], at }));
  }
  await insertInChunks((d) => DiscussionModel.insertMany(d), discussions);
  await insertInChunks((d) => ActivityModel.insertMany(d), activities);
  await insertInChunks((d) => searchIndex.insertEntries(d), entries);
  await CommunityModel.updateOne(
    { _id: cid },
    { $inc: { 'counts.discussionSeq': items.length, 'counts.activitySeq': items.length, 'counts.discussionCount': items.length }, $set: { lastActivityAt: new Date(now) } },
  );
  return ids;
}

/** Appends replies to a discussion; `nestedEvery` makes every n-th a reply to the previous top-level one. Returns the bodies in thread order. */
export async function bulkReplies(discussionId: string, authors: Actor[], bodies: string[], options: { nestedEvery?: number; now?: number } = {}): Promise<string[]> {
  const did = new Types.ObjectId(discussionId);
  const d = await DiscussionModel.findById(did).lean();
  if (!d) throw new Error('no such discussion');
  const community = await CommunityModel.findById(d.communityId).lean();
  if (!community) throw new Error('no such community');
  const now = options.now ?? Date.now();
  let seq = d.counts?.replySeq ?? 0;
  let threadSeq = d.counts?.threadSeq ?? 0;
  let activitySeq = community.counts?.activitySeq ?? 0;
  let lastTop: { id: Types.ObjectId; threadSeq: number } | undefined;
  const replies = [];
  const activities = [];
  const order: Array<{ top: number; seq: number; body: string }> = [];
  for (const [i, body] of bodies.entries()) {
    const _id = new Types.ObjectId();
    seq++;
    activitySeq++;
    const nested = options.nestedEvery !== undefined && (i + 1) % options.nestedEvery === 0 && lastTop !== undefined;
    if (!nested) threadSeq++;
    const ts = nested && lastTop ? lastTop.threadSeq : threadSeq;
    const author = authors[i % authors.length];
    if (!author) throw new Error('no authors');
    const at = new Date(now - (bodies.length - 1 - i) * 1000);
    replies.push({ _id, tenantId: d.tenantId, communityId: d.communityId, discussionId: did, ...(nested && lastTop ? { parentId: lastTop.id } : {}), authorId: author.userId, authorName: author.name, seq, threadSeq: ts, bucket: bucketOf(ts), body: markdown(body), tags: d.tags ?? [], createdAt: at, updatedAt: at });
    activities.push({ tenantId: d.tenantId, communityId: d.communityId, seq: activitySeq, bucket: bucketOf(activitySeq), kind: 'reply', discussionId: did, replyId: _id, authorId: author.userId, authorName: author.name, title: d.title, excerpt: body.slice(0, 280), at });
    order.push({ top: ts, seq, body });
    if (!nested) lastTop = { id: _id, threadSeq };
  }
  await insertInChunks((r) => ReplyModel.insertMany(r), replies);
  await insertInChunks((a) => ActivityModel.insertMany(a), activities);
  await DiscussionModel.updateOne({ _id: did }, { $inc: { 'counts.replies': bodies.length }, $set: { 'counts.replySeq': seq, 'counts.threadSeq': threadSeq, lastActivityAt: new Date(now) } });
  await CommunityModel.updateOne({ _id: d.communityId }, { $set: { 'counts.activitySeq': activitySeq, lastActivityAt: new Date(now) } });
  return order.sort((a, b) => a.top - b.top || a.seq - b.seq).map((o) => o.body);
}
