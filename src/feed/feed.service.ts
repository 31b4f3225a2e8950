/**
 * The personal home feed: new discussions in the actor's communities and new replies in
 * the discussions they follow, newest first, plus (on the first page) their communities'
 * upcoming events. It is a k-way merge of each community's activity stream
 * (src/discussions/activity.model.ts), read bucket by bucket. The cursor holds, per
 * community, the sequence number below which the next page continues, so items that arrive
 * while someone pages appear on a fresh first page and are never skipped or repeated.
 */
import { authorView } from '../personal-data/former-member.js';
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import { communityVisibility } from '../communities/community-access.js';
import type { CommunityRecord } from '../communities/communities.port.js';
import { MAX_PAGE_SIZE } from '../db/pagination.js';
import { ValidationError } from '../errors/domain-errors.js';
import { activityOfCommunity, conclusionsOf, followsOfPerson, type ActivityRecord } from '../discussions/discussions.port.js';
import { bucketOf, firstSeqOf } from '../discussions/feed-buckets.js';
import type { FeedItemView, FeedView } from './feed.schemas.js';

/** The events capability's "upcoming events I may see", when it is wired. */
export type UpcomingEvents = (actor: Actor, limit: number) => Promise<Array<Record<string, unknown>>>;

export interface FeedServiceDeps {
  upcomingEvents?: UpcomingEvents;
}

/** Bucket reads one page may make beyond one per source; a page that needs more ends early (with a cursor). */
const MAX_BUCKET_READS = 60;
/** The feed follows at most this many communities (the most recently active). */
const MAX_SOURCES = 100;

const cursorSchema = z.object({ t: z.number().int().nonnegative(), p: z.record(z.string().regex(/^[0-9a-f]{24}$/), z.number().int().nonnegative()) });

interface Source {
  community: CommunityRecord;
  /** Whether all new discussions count (member), or only replies in followed discussions. */
  member: boolean;
  /** Continue below this sequence number. */
  below: number;
  nextBucket: number;
  buffer: ActivityRecord[];
  lastEmitted?: number;
  /**
   * No item of this source that the page may show is newer than this: the community's last
   * activity (set with every activity entry, from the same clock reading), or the page's
   * `notAfter` if earlier. Infinite when unknown.
   */
  newest: number;
  /** Whether a bucket of it was read on this page. */
  started: boolean;
}

export class FeedService {
  private readonly deps: FeedServiceDeps;

  constructor(deps: FeedServiceDeps = {}) {
    this.deps = deps;
  }

  async home(actor: Actor, query: { cursor?: string; limit?: number }): Promise<FeedView> {
    const limit = Math.min(query.limit ?? 20, MAX_PAGE_SIZE);
    const cursor = query.cursor ? decodeFeedCursor(query.cursor) : null;
    const [visibility, follows] = await Promise.all([communityVisibility(actor), followsOfPerson(actor.tenantId, actor.userId)]);
    const followed = new Set(follows.map((f) => String(f.discussionId)));
    const sourceIds = new Set<string>([...visibility.member].filter((id) => visibility.readable.has(id)));
    for (const f of follows) if (visibility.readable.has(String(f.communityId))) sourceIds.add(String(f.communityId));

    const communities = [...sourceIds].map((id) => visibility.records.get(id)).filter((c): c is CommunityRecord => c !== undefined);
    communities.sort((a, b) => (b.lastActivityAt?.getTime() ?? 0) - (a.lastActivityAt?.getTime() ?? 0));
    // Communities joined after the first page start where the page left off in time.
    const notAfter = cursor ? cursor.t : Number.POSITIVE_INFINITY;
    const sources: Source[] = communities.slice(0, MAX_SOURCES).map((community) => {
      const top = (community.counts?.activitySeq ?? 0) + 1;
      const below = cursor ? Math.min(top, cursor.p[String(community._id)] ?? top) : top;
      const newest = Math.min(community.lastActivityAt?.getTime() ?? Number.POSITIVE_INFINITY, notAfter);
      return { community, member: visibility.member.has(String(community._id)), below, nextBucket: bucketOf(below - 1), buffer: [], newest, started: false };
    });
    const relevant = (s: Source, a: ActivityRecord) =>
      a.seq < s.below &&
      !a.hidden &&
      a.authorId !== actor.userId &&
      a.at.getTime() <= notAfter &&
      (a.kind === 'discussion' ? s.member : followed.has(String(a.discussionId)));

    let reads = 0;
    const load = async (s: Source): Promise<void> => {
      if (s.nextBucket < 0 || s.below <= 1) {
        s.nextBucket = -1;
        return;
      }
      reads++;
      s.started = true;
      const docs = await activityOfCommunity(s.community._id, s.nextBucket);
      s.nextBucket--;
      s.buffer.push(...docs.filter((a) => relevant(s, a)).sort((a, b) => b.seq - a.seq));
    };
    const needsLoad = (s: Source) => s.buffer.length === 0 && s.nextBucket >= 0 && s.below > 1;

    const out: Array<{ source: Source; item: ActivityRecord }> = [];
    let truncated = false;
    while (out.length < limit) {
      let best: Source | undefined;
      for (const s of sources) {
        const head = s.buffer[0];
        if (!head) continue;
        const bestHead = best?.buffer[0];
        if (!bestHead || head.at.getTime() > bestHead.at.getTime()) best = s;
      }
      // A source read on this page whose buffer ran dry is read further before anything is
      // picked (its next item might be the newest). One not read yet is read only once it
      // could hold an item at least as new as the best one at hand (or, with none at hand, if
      // it is the newest of them): a page of a feed over many communities reads the active
      // ones, not a bucket of every one.
      const dry = sources.filter((s) => s.started && needsLoad(s));
      const fresh = sources.filter((s) => !s.started && needsLoad(s));
      let empty: Source[];
      if (best) {
        const bestAt = best.buffer[0]?.at.getTime() ?? Number.NEGATIVE_INFINITY;
        empty = [...dry, ...fresh.filter((s) => s.newest >= bestAt)];
      } else if (dry.length > 0) {
        empty = dry;
      } else {
        const top = Math.max(...fresh.map((s) => s.newest));
        empty = fresh.filter((s) => s.newest === top);
      }
      if (empty.length > 0) {
        if (reads + empty.length > MAX_BUCKET_READS + sources.length) {
          truncated = true;
          break;
        }
        await Promise.all(empty.map(load));
        continue;
      }
      if (!best) break;
      const item = best.buffer.shift();
      if (!item) break;
      best.lastEmitted = item.seq;
      out.push({ source: best, item });
    }

    const more = truncated || sources.some((s) => s.buffer.length > 0 || (s.nextBucket >= 0 && s.below > 1));
    let nextCursor: string | undefined;
    if (more && (out.length > 0 || truncated)) {
      const positions: Record<string, number> = {};
      for (const s of sources) {
        // Everything at or above this position was shown or is not for this actor: with items
        // left in the buffer, that is the last one shown; with none, all that was read.
        positions[String(s.community._id)] = s.buffer.length > 0 ? (s.lastEmitted ?? s.below) : Math.max(0, Math.min(s.below, firstSeqOf(s.nextBucket + 1)));
      }
      const lastAt = out[out.length - 1]?.item.at.getTime() ?? cursor?.t ?? Date.now();
      nextCursor = encodeFeedCursor({ t: lastAt, p: positions });
    }
    const upcomingEvents = !cursor && this.deps.upcomingEvents ? await this.deps.upcomingEvents(actor, 5).catch(() => []) : undefined;
    const conclusions = await conclusionsOf(actor.tenantId, out.filter(({ item }) => item.kind === 'discussion').map(({ item }) => item.discussionId));
    return {
      items: out.map(({ source, item }) => toItem(item, source.community, item.kind === 'discussion' ? (conclusions.get(String(item.discussionId)) ?? null) : null)),
      ...(nextCursor ? { nextCursor } : {}),
      ...(upcomingEvents ? { upcomingEvents } : {}),
    };
  }
}

function toItem(a: ActivityRecord, community: CommunityRecord, conclusion: string | null): FeedItemView {
  return {
    type: a.kind,
    id: String(a._id),
    communityId: String(community._id),
    communityName: community.name,
    discussionId: String(a.discussionId),
    replyId: a.replyId ? String(a.replyId) : null,
    title: a.title,
    excerpt: a.excerpt,
    author: authorView(a.authorId, a.authorName),
    at: a.at.toISOString(),
    conclusion,
  };
}

function encodeFeedCursor(cursor: z.output<typeof cursorSchema>): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeFeedCursor(cursor: string): z.output<typeof cursorSchema> {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new ValidationError('The cursor is not valid; start again without one.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'invalid_cursor');
  }
}

