/**
 * The communities resource (`/api/v1/communities`, src/communities/): communities I may see,
 * one community, joining, members and requests, and the member export for managers. Shapes
 * follow `communityView` and `memberView` in src/communities/community.schemas.ts.
 */
import type { ApiClient, DownloadedFile } from './api-client.js';
import type { Page, PageOptions } from './page.js';

export type { Page } from './page.js';

export type CommunityVisibility = 'public' | 'closed' | 'secret';
export type MembershipRole = 'manager' | 'member';
export type MembershipStatus = 'active' | 'requested' | 'invited' | 'blocked';

/** What lists show, and what the configuration page needs. */
export interface CommunitySummary {
  id: string;
  name: string;
  description?: { source: string; html: string } | string;
  visibility: CommunityVisibility;
}

export interface Community extends CommunitySummary {
  description: { source: string; html: string };
  imageUrl: string | null;
  tags: string[];
  guestsAllowed: boolean;
  teamId: string | null;
  channelId: string | null;
  createdBy: string;
  memberCount: number;
  discussionCount: number;
  createdAt: string;
  lastActivityAt: string | null;
  /** Mine, when I have one. */
  membership: { role: MembershipRole; status: MembershipStatus } | null;
  permissions: { canRead: boolean; canJoin: boolean; canPost: boolean; canManage: boolean };
}

export interface Member {
  userId: string;
  displayName: string;
  jobTitle: string | null;
  organisation: string | null;
  isGuest: boolean;
  role: MembershipRole;
  status: MembershipStatus;
  message: string | null;
  joinedAt: string | null;
  createdAt: string;
}

export interface NewCommunity {
  name: string;
  description?: string;
  visibility: CommunityVisibility;
  tags?: string[];
  guestsAllowed?: boolean;
  /** The Teams team and channel the community is pinned to, when created from a channel tab. */
  teamId?: string;
  channelId?: string;
}

/** What joining did: joined a public community, asked to join a closed one, accepted an invitation. */
export type JoinOutcome = 'joined' | 'requested' | 'accepted' | 'unchanged';

const path = (id: string) => `/communities/${encodeURIComponent(id)}`;

type Raw = Record<string, unknown>;
const record = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** A community from the API, with defaults for anything an older or partial answer leaves out. */
export function readCommunity(value: unknown): Community {
  const raw = record(value);
  const description = typeof raw.description === 'string' ? { source: raw.description, html: '' } : { source: str(record(raw.description).source), html: str(record(raw.description).html) };
  const membership = record(raw.membership);
  const permissions = record(raw.permissions);
  const visibility = raw.visibility === 'closed' || raw.visibility === 'secret' ? raw.visibility : 'public';
  return {
    id: str(raw.id),
    name: str(raw.name),
    description,
    visibility,
    imageUrl: typeof raw.imageUrl === 'string' ? raw.imageUrl : null,
    tags: Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string') : [],
    guestsAllowed: raw.guestsAllowed === true,
    teamId: typeof raw.teamId === 'string' ? raw.teamId : null,
    channelId: typeof raw.channelId === 'string' ? raw.channelId : null,
    createdBy: str(raw.createdBy),
    memberCount: num(raw.memberCount ?? record(raw.counts).memberCount),
    discussionCount: num(raw.discussionCount ?? record(raw.counts).discussionCount),
    createdAt: str(raw.createdAt),
    lastActivityAt: typeof raw.lastActivityAt === 'string' ? raw.lastActivityAt : null,
    membership:
      typeof membership.status === 'string'
        ? { role: membership.role === 'manager' ? 'manager' : 'member', status: (['active', 'requested', 'invited', 'blocked'] as const).find((x) => x === membership.status) ?? 'active' }
        : null,
    permissions: { canRead: permissions.canRead !== false, canJoin: permissions.canJoin === true, canPost: permissions.canPost === true, canManage: permissions.canManage === true },
  };
}

export async function listCommunities(api: ApiClient, options: PageOptions & { q?: string; mine?: boolean } = {}): Promise<Page<Community>> {
  const answer = record(
    await api.get<unknown>('/communities', {
      query: { q: options.q || undefined, mine: options.mine ? 'true' : undefined, cursor: options.cursor, limit: options.limit },
      signal: options.signal,
    }),
  );
  const items = Array.isArray(answer.items) ? answer.items.map(readCommunity) : [];
  return typeof answer.nextCursor === 'string' ? { items, nextCursor: answer.nextCursor } : { items };
}

export async function getCommunity(api: ApiClient, id: string, signal?: AbortSignal): Promise<Community> {
  return readCommunity(await api.get<unknown>(path(id), { signal }));
}

export async function createCommunity(api: ApiClient, input: NewCommunity): Promise<Community> {
  return readCommunity(await api.post<unknown>('/communities', input));
}

/** Changes a community (managers); `teamId` and `channelId` null unpin it from its channel. */
export async function updateCommunity(api: ApiClient, id: string, changes: Partial<Omit<NewCommunity, 'teamId' | 'channelId'>> & { teamId?: string | null; channelId?: string | null }): Promise<Community> {
  return readCommunity(await api.patch<unknown>(path(id), changes));
}

/** Join (public), ask to join (closed, with an optional message) or accept an invitation. */
export async function joinCommunity(api: ApiClient, id: string, message?: string): Promise<{ outcome: JoinOutcome; member: Member | undefined }> {
  const answer = await api.post<{ outcome?: string; member?: Member } & Partial<Member>>(`${path(id)}/members`, message ? { message } : {});
  const member = answer.member ?? (answer.userId ? (answer as Member) : undefined);
  const outcome: JoinOutcome =
    answer.outcome === 'joined' || answer.outcome === 'requested' || answer.outcome === 'accepted' || answer.outcome === 'unchanged'
      ? answer.outcome
      : member?.status === 'requested'
        ? 'requested'
        : 'joined';
  return { outcome, member };
}

/** Leave, withdraw my request (my own id), or, as a manager, remove someone or decline a request. */
export function removeMember(api: ApiClient, id: string, userId: string): Promise<void> {
  return api.delete(`${path(id)}/members/${encodeURIComponent(userId)}`);
}

export function listMembers(api: ApiClient, id: string, options: PageOptions & { status?: MembershipStatus; q?: string } = {}): Promise<Page<Member>> {
  return api.get<Page<Member>>(`${path(id)}/members`, { query: { status: options.status, q: options.q || undefined, cursor: options.cursor, limit: options.limit }, signal: options.signal });
}

/** What inviting someone did: invited, or (when they had asked) approved; `unchanged` when they already were in. */
export type InviteOutcome = 'invited' | 'approved' | 'unchanged' | 'joined' | 'requested' | 'accepted';

/** Invites a person of the organisation (managers); an open request of theirs is approved instead. */
export async function inviteMember(api: ApiClient, id: string, userId: string, message?: string): Promise<{ outcome: InviteOutcome; member: Member | undefined }> {
  const answer = await api.post<{ outcome?: InviteOutcome; member?: Member }>(`${path(id)}/members`, { userId, ...(message ? { message } : {}) });
  return { outcome: answer.outcome ?? 'invited', member: answer.member };
}

/** Approve a request (`status: 'active'`), block someone, or change a role (managers). */
export function updateMember(api: ApiClient, id: string, userId: string, changes: { status?: 'active' | 'blocked'; role?: MembershipRole }): Promise<Member> {
  return api.patch<Member>(`${path(id)}/members/${encodeURIComponent(userId)}`, changes);
}

export function downloadMembers(api: ApiClient, id: string): Promise<DownloadedFile> {
  return api.file(`${path(id)}/members/export`);
}

