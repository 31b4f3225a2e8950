/** The community and membership API's input and output, as zod schemas (also the OpenAPI document's). */
import { z } from 'zod';
import { hasControlCharacter } from '../content/plain-text.js';
import { objectIdString, pageQuery, queryBoolean, userIdString } from '../http/api-schemas.js';
import { tagListSchema } from '../content/tags.js';
import { COMMUNITY_VISIBILITIES } from './community.model.js';
import { MEMBERSHIP_ROLES, MEMBERSHIP_STATUSES } from './membership.model.js';

export const MAX_MARKDOWN_LENGTH = 20_000;

const markdownSource = z.string().max(MAX_MARKDOWN_LENGTH, { error: `at most ${MAX_MARKDOWN_LENGTH} characters` });
const httpsUrl = z
  .string()
  .max(2048)
  .url({ error: 'must be an https:// URL' })
  .refine((v) => v.startsWith('https://'), { error: 'must be an https:// URL' });
const plainLine = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `at most ${max} characters` })
    .refine((v) => !hasControlCharacter(v), { error: 'cannot hold control characters', params: { fieldCode: 'control_characters' } });
const teamsId = z.string().trim().min(1).max(200).regex(/^[A-Za-z0-9@:._=-]+$/, { error: 'must be a Teams id' });

export const createCommunitySchema = z
  .object({
    name: plainLine(120).min(1, { error: 'a name is required' }),
    description: markdownSource.optional(),
    imageUrl: httpsUrl.optional(),
    tags: tagListSchema.optional(),
    visibility: z.enum(COMMUNITY_VISIBILITIES).default('public'),
    guestsAllowed: z.boolean().default(false),
    teamId: teamsId.optional(),
    channelId: teamsId.optional(),
  })
  .strict();
export type CreateCommunityInput = z.output<typeof createCommunitySchema>;

export const updateCommunitySchema = z
  .object({
    name: plainLine(120).min(1, { error: 'a name cannot be empty' }).optional(),
    description: markdownSource.optional(),
    imageUrl: httpsUrl.nullable().optional(),
    tags: tagListSchema.optional(),
    visibility: z.enum(COMMUNITY_VISIBILITIES).optional(),
    guestsAllowed: z.boolean().optional(),
    teamId: teamsId.nullable().optional(),
    channelId: teamsId.nullable().optional(),
  })
  .strict()
  .refine((v) => Object.values(v).some((x) => x !== undefined), { error: 'nothing to change' });
export type UpdateCommunityInput = z.output<typeof updateCommunitySchema>;

export const listCommunitiesQuery = z
  .object({
    q: z.string().max(200).optional().meta({ description: 'Words in the name, description or tags' }),
    mine: queryBoolean.optional().meta({ description: 'Only communities I am a member of' }),
    teamId: teamsId.optional().meta({ description: 'Only the communities pinned to this team' }),
    ...pageQuery,
  })
  .strict();
export type ListCommunitiesQuery = z.output<typeof listCommunitiesQuery>;

export const communitySettingsSchema = z
  .object({
    communityCreation: z.enum(['members', 'admins']).optional(),
    autoHideThreshold: z.number().int().min(1).max(100).optional(),
  })
  .strict()
  .refine((v) => v.communityCreation !== undefined || v.autoHideThreshold !== undefined, { error: 'nothing to change' });

export const communitySettingsView = z.object({ communityCreation: z.enum(['members', 'admins']), autoHideThreshold: z.number().int() }).meta({ id: 'CommunitySettings' });

export const membershipSummary = z.object({ role: z.enum(MEMBERSHIP_ROLES), status: z.enum(MEMBERSHIP_STATUSES) });

export const communityView = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.object({ source: z.string(), html: z.string() }),
    imageUrl: z.string().nullable(),
    tags: z.array(z.string()),
    visibility: z.enum(COMMUNITY_VISIBILITIES),
    guestsAllowed: z.boolean(),
    teamId: z.string().nullable(),
    channelId: z.string().nullable(),
    createdBy: z.string(),
    memberCount: z.number().int(),
    discussionCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastActivityAt: z.string().nullable(),
    membership: membershipSummary.nullable(),
    permissions: z.object({ canRead: z.boolean(), canJoin: z.boolean(), canPost: z.boolean(), canManage: z.boolean() }),
  })
  .meta({ id: 'Community' });
export type CommunityView = z.output<typeof communityView>;

// ---- members ----

export const membersParams = z.object({ id: objectIdString, userId: userIdString }).strict();

export const listMembersQuery = z
  .object({
    status: z.enum(MEMBERSHIP_STATUSES).default('active').meta({ description: 'active (default); requested, invited and blocked for managers' }),
    q: z.string().trim().max(100).optional().meta({ description: 'Only people whose name (or e-mail address) has a word starting with each word given' }),
    ...pageQuery,
  })
  .strict();
export type ListMembersQuery = z.output<typeof listMembersQuery>;

export const addMemberSchema = z
  .object({
    /** Invite this person (managers). */
    userId: userIdString.optional(),
    /** Invite the person with this e-mail address, found in the organisation's directory (managers). */
    email: z.email({ error: 'must be an e-mail address' }).max(320).optional(),
    message: plainLine(1000).optional(),
  })
  .strict()
  .refine((v) => !(v.userId && v.email), { error: 'give userId or email, not both' });
export type AddMemberInput = z.output<typeof addMemberSchema>;

export const updateMemberSchema = z
  .object({
    /** `active` approves a request; `blocked` blocks the person from the community. */
    status: z.enum(['active', 'blocked']).optional(),
    role: z.enum(MEMBERSHIP_ROLES).optional(),
  })
  .strict()
  .refine((v) => v.status !== undefined || v.role !== undefined, { error: 'give a status or a role' });
export type UpdateMemberInput = z.output<typeof updateMemberSchema>;

export const memberView = z
  .object({
    userId: z.string(),
    displayName: z.string(),
    jobTitle: z.string().nullable(),
    organisation: z.string().nullable(),
    isGuest: z.boolean(),
    role: z.enum(MEMBERSHIP_ROLES),
    status: z.enum(MEMBERSHIP_STATUSES),
    message: z.string().nullable(),
    invitedBy: z.string().nullable(),
    joinedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'Member' });
export type MemberView = z.output<typeof memberView>;
