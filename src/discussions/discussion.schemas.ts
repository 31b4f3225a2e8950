/** The discussions API's input and output as zod schemas (also the OpenAPI document's). */
import { z } from 'zod';
import { tagListSchema } from '../content/tags.js';
import { hasControlCharacter } from '../content/plain-text.js';
import { objectIdString, pageQuery, userIdString } from '../http/api-schemas.js';
import { MAX_MARKDOWN_LENGTH } from '../communities/community.schemas.js';
import { DISCUSSION_KINDS, REACTION_KINDS } from './discussion.model.js';
import { attachmentRefsSchema, attachmentView } from '../attachments/attachment.schemas.js';

const markdownBody = (what: string) =>
  z
    .string({ error: `${what} must be text` })
    .max(MAX_MARKDOWN_LENGTH, { error: `at most ${MAX_MARKDOWN_LENGTH} characters` })
    .refine((v) => v.trim().length > 0, { error: `${what} cannot be empty` });
const title = z
  .string({ error: 'the title must be text' })
  .trim()
  .min(1, { error: 'a title is required' })
  .max(200, { error: 'at most 200 characters' })
  .refine((v) => !hasControlCharacter(v), { error: 'cannot hold control characters', params: { fieldCode: 'control_characters' } });
const mentions = z.array(userIdString).max(20, { error: 'at most 20 mentions' });

export const createDiscussionSchema = z
  .object({
    title,
    body: markdownBody('the body'),
    tags: tagListSchema.optional(),
    kind: z.enum(DISCUSSION_KINDS).default('discussion'),
    /** People to mention (user ids); people who cannot see the discussion are left out silently. */
    mentions: mentions.optional(),
    /** Files from OneDrive or SharePoint, or uploaded through Meent (up to 10). */
    attachments: attachmentRefsSchema.optional(),
  })
  .strict();
export type CreateDiscussionInput = z.output<typeof createDiscussionSchema>;

export const updateDiscussionSchema = z
  .object({
    title: title.optional(),
    body: markdownBody('the body').optional(),
    tags: tagListSchema.optional(),
    mentions: mentions.optional(),
    /** Close (with a conclusion) or reopen: the author or a manager. */
    status: z.enum(['open', 'closed']).optional(),
    conclusion: z.string().max(MAX_MARKDOWN_LENGTH, { error: `at most ${MAX_MARKDOWN_LENGTH} characters` }).optional(),
    /** Pin to the top of the community: managers. */
    pinned: z.boolean().optional(),
    /** The post's files after the edit (the author). */
    attachments: attachmentRefsSchema.optional(),
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), { error: 'nothing to change' });
export type UpdateDiscussionInput = z.output<typeof updateDiscussionSchema>;

export const listDiscussionsQuery = z
  .object({
    kind: z.enum(DISCUSSION_KINDS).optional(),
    tag: z.string().max(40).optional(),
    ...pageQuery,
  })
  .strict();
export type ListDiscussionsQuery = z.output<typeof listDiscussionsQuery>;

export const createReplySchema = z
  .object({
    body: markdownBody('the reply'),
    /** Answer this reply; a reply to a nested reply is attached to its parent. */
    parentId: objectIdString.optional(),
    mentions: mentions.optional(),
    attachments: attachmentRefsSchema.optional(),
  })
  .strict();
export type CreateReplyInput = z.output<typeof createReplySchema>;

export const updateReplySchema = z.object({ body: markdownBody('the reply'), mentions: mentions.optional(), attachments: attachmentRefsSchema.optional() }).strict();
export type UpdateReplyInput = z.output<typeof updateReplySchema>;

export const listRepliesQuery = z.object({ ...pageQuery }).strict();

export const answerSchema = z.object({ replyId: objectIdString }).strict();

export const reactionParams = z.object({ id: objectIdString, kind: z.enum(REACTION_KINDS) }).strict();

const markdownView = z.object({ source: z.string(), html: z.string() });
const reactionCounts = z.object(Object.fromEntries(REACTION_KINDS.map((k) => [k, z.number().int()])) as Record<(typeof REACTION_KINDS)[number], z.ZodNumber>);
const person = z.object({ id: z.string(), displayName: z.string(), erased: z.literal(true).optional().meta({ description: 'The author was erased: show "Former member" in the reader\'s language' }) });

export const reactionsView = z.object({ reactions: reactionCounts, mine: z.array(z.enum(REACTION_KINDS)) }).meta({ id: 'Reactions' });

export const discussionSummaryView = z
  .object({
    id: z.string(),
    communityId: z.string(),
    author: person,
    kind: z.enum(DISCUSSION_KINDS),
    title: z.string(),
    excerpt: z.string(),
    tags: z.array(z.string()),
    status: z.enum(['open', 'closed']),
    pinned: z.boolean(),
    hidden: z.boolean(),
    answered: z.boolean(),
    replyCount: z.number().int(),
    reactions: reactionCounts,
    isNew: z.boolean(),
    unreadCount: z.number().int(),
    createdAt: z.string(),
    lastActivityAt: z.string(),
  })
  .meta({ id: 'DiscussionSummary' });
export type DiscussionSummaryView = z.output<typeof discussionSummaryView>;

export const discussionView = discussionSummaryView
  .extend({
    body: markdownView,
    mentions: z.array(z.string()),
    conclusion: markdownView.nullable(),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
    acceptedReplyId: z.string().nullable(),
    hiddenReason: z.string().nullable(),
    myReactions: z.array(z.enum(REACTION_KINDS)),
    following: z.boolean(),
    editedAt: z.string().nullable(),
    history: z.array(z.object({ title: z.string().nullable(), body: z.string().nullable(), editedAt: z.string(), editedBy: z.string() })),
    permissions: z.object({
      canEdit: z.boolean(),
      canDelete: z.boolean(),
      canReply: z.boolean(),
      canReact: z.boolean(),
      canClose: z.boolean(),
      canPin: z.boolean(),
      canAcceptAnswer: z.boolean(),
      canModerate: z.boolean(),
    }),
    attachments: z.array(attachmentView).optional().meta({ description: 'The files attached, in order' }),
  })
  .meta({ id: 'Discussion' });
export type DiscussionView = z.output<typeof discussionView>;

const replyBase = z.object({
  id: z.string(),
  discussionId: z.string(),
  parentId: z.string().nullable(),
  author: person,
  body: markdownView.nullable().meta({ description: 'null when the reply was removed or is hidden' }),
  removed: z.boolean(),
  hidden: z.boolean(),
  accepted: z.boolean(),
  mentions: z.array(z.string()),
  reactions: reactionCounts,
  myReactions: z.array(z.enum(REACTION_KINDS)),
  editedAt: z.string().nullable(),
  createdAt: z.string(),
  permissions: z.object({ canEdit: z.boolean(), canDelete: z.boolean(), canModerate: z.boolean() }),
  attachments: z.array(attachmentView).optional(),
});
export const replyView = replyBase
  .extend({
    replies: z.array(replyBase).meta({ description: 'Nested replies (one level), oldest first' }),
    history: z.array(z.object({ body: z.string().nullable(), editedAt: z.string(), editedBy: z.string() })).optional(),
  })
  .meta({ id: 'Reply' });
export type ReplyView = z.output<typeof replyView>;
export type ReplyBaseView = z.output<typeof replyBase>;

export const followView = z.object({ following: z.boolean() });
