/** The search API's input and output. */
import { z } from 'zod';

export const SEARCH_RESULT_TYPES = ['community', 'discussion', 'reply', 'event', 'person', 'consultation'] as const;
export type SearchResultType = (typeof SEARCH_RESULT_TYPES)[number];

export const searchQuery = z
  .object({
    q: z.string().trim().min(1, { error: 'say what to look for' }).max(200, { error: 'at most 200 characters' }),
    type: z.enum(SEARCH_RESULT_TYPES).optional().meta({ description: 'Only results of this type' }),
    cursor: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(50).optional(),
  })
  .strict();
export type SearchQuery = z.output<typeof searchQuery>;

export const searchHitView = z
  .object({
    type: z.enum(SEARCH_RESULT_TYPES),
    id: z.string(),
    title: z.string(),
    snippet: z.string(),
    communityId: z.string().nullable(),
    communityName: z.string().nullable(),
    discussionId: z.string().nullable(),
    at: z.string().nullable(),
    score: z.number(),
  })
  .meta({ id: 'SearchHit' });
export type SearchHitView = z.output<typeof searchHitView>;

export const searchResultView = z.object({ items: z.array(searchHitView), nextCursor: z.string().optional(), words: z.array(z.string()) });
