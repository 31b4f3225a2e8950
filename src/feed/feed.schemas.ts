/** The home feed's input and output. */
import { z } from 'zod';
import { MAX_PAGE_SIZE } from '../db/pagination.js';

export const feedQuery = z
  .object({
    cursor: z.string().min(1).max(8192).optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  })
  .strict();

export const feedItemView = z
  .object({
    type: z.enum(['discussion', 'reply']),
    id: z.string(),
    communityId: z.string(),
    communityName: z.string(),
    discussionId: z.string(),
    replyId: z.string().nullable(),
    title: z.string(),
    excerpt: z.string(),
    author: z.object({ id: z.string(), displayName: z.string(), erased: z.literal(true).optional() }),
    at: z.string(),
    conclusion: z.string().nullable().meta({ description: 'For a new discussion that has since been closed with a conclusion: the conclusion as plain text (an excerpt)' }),
  })
  .meta({ id: 'FeedItem' });
export type FeedItemView = z.output<typeof feedItemView>;

export const feedView = z.object({
  items: z.array(feedItemView),
  nextCursor: z.string().optional(),
  /** On the first page: the next events of the actor's communities (the events capability's shape). */
  upcomingEvents: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type FeedView = z.output<typeof feedView>;
