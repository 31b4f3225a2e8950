/**
 * Communities: create, read, list what the actor may see, change, delete, and the tenant's
 * community settings. Every operation asks the community policy (community-policy.ts)
 * through `resolveCommunityAccess`; a secret community the actor may not see is a 404
 * everywhere, in lists and counts too.
 */
import type { Types } from 'mongoose';
import type { AuditSink } from '../audit/audit.port.js';
import type { Actor } from '../auth/actor.js';
import { markdown, markdownToText } from '../content/markdown.js';
import { normalizeTags } from '../content/tags.js';
import { decodeCursor, encodeCursor, MAX_PAGE_SIZE, type Page } from '../db/pagination.js';
import { ForbiddenError } from '../errors/domain-errors.js';
import type { TeamsGateway } from '../graph/teams-gateway.js';
import type { SearchIndex } from '../search-index/search-index.js';
import { analyseQuery, searchKeys } from '../search-index/text-analysis.js';
import { accessFor, membershipsOf, resolveCommunityAccess, type CommunityAccess } from './community-access.js';
import {
  communitiesOfTenant,
  createCommunity,
  createMembership,
  deleteCommunity,
  findCommunitySettings,
  saveCommunitySettings,
  updateCommunity,
  type CommunityRecord,
} from './communities.repository.js';
import { assertMayPin } from './channel-pin.js';
import { canCreateCommunity } from './community-policy.js';
import type { CommunityView, CreateCommunityInput, ListCommunitiesQuery, UpdateCommunityInput } from './community.schemas.js';
import { DEFAULT_AUTO_HIDE_THRESHOLD } from './community-settings.model.js';
import { clockOf, type Clock } from '../time/clock.js';

export type { AuditSink } from '../audit/audit.port.js';

/** Removes everything hanging off a community (discussions, replies, reports, ...) when it is deleted. */
export type CommunityCleanup = (communityId: Types.ObjectId) => Promise<void>;

export interface CommunitySettings {
  communityCreation: 'members' | 'admins';
  autoHideThreshold: number;
}

export interface CommunityServiceDeps {
  audit: AuditSink;
  search: SearchIndex;
  now?: Clock;
  /** Teams and channels in Microsoft 365, to check who may pin a community to one; absent without Graph (local mode). */
  teamsFor?: (actor: Actor) => TeamsGateway | undefined;
  /** Called after a community is deleted (the discussions capability registers its cleanup). */
  cleanups?: CommunityCleanup[];
  /** Told when who may read the community changed (visibility, guests): attached files' permissions follow. */
  accessChanged?: (communityId: Types.ObjectId) => Promise<void>;
}

export class CommunityService {
  private readonly now: Clock;

  constructor(private readonly deps: CommunityServiceDeps) {
    this.now = clockOf(deps);
  }

  /** Registers more cleanup on delete (other capabilities, wired in the module). */
  onDelete(cleanup: CommunityCleanup): void {
    (this.deps.cleanups ??= []).push(cleanup);
  }

  async create(actor: Actor, input: CreateCommunityInput): Promise<CommunityView> {
    const settings = await this.settings(actor.tenantId);
    if (!canCreateCommunity(actor, settings.communityCreation)) {
      throw new ForbiddenError(actor.isGuest ? 'Guests cannot create communities.' : 'Only organisation admins can create communities here.', 'community_creation_restricted');
    }
    await assertMayPin(actor, { teamId: input.teamId ?? null, channelId: input.channelId ?? null }, this.deps.teamsFor?.(actor));
    const now = this.now();
    const community = await createCommunity({
      tenantId: actor.tenantId,
      name: input.name,
      description: markdown(input.description ?? ''),
      ...(input.imageUrl ? { imageUrl: input.imageUrl } : {}),
      tags: normalizeTags(input.tags ?? []),
      visibility: input.visibility,
      guestsAllowed: input.guestsAllowed,
      ...(input.teamId ? { teamId: input.teamId } : {}),
      ...(input.channelId ? { channelId: input.channelId } : {}),
      createdBy: actor.userId,
      counts: { memberCount: 1, managerCount: 1, discussionCount: 0, discussionSeq: 0, activitySeq: 0 },
      lastActivityAt: now,
    });
    try {
      const manager = await createMembership({
        tenantId: actor.tenantId,
        communityId: community._id,
        userId: actor.userId,
        role: 'manager',
        status: 'active',
        isGuest: actor.isGuest,
        joinedAt: now,
      });
      // A community made a moment ago has no memberships: a duplicate here is a broken store, not a race.
      if (!manager) throw new Error('the new community already has a membership of its creator');
    } catch (err) {
      // Compensation: a community without its manager must not remain.
      await deleteCommunity(community._id);
      throw err;
    }
    await this.indexForSearch(community);
    await this.deps.audit.record({
      tenantId: actor.tenantId,
      kind: 'community.created',
      actorId: actor.userId,
      subjectId: String(community._id),
      details: { visibility: community.visibility, guestsAllowed: community.guestsAllowed ?? false },
    });
    return this.get(actor, String(community._id));
  }

  async get(actor: Actor, communityId: string | Types.ObjectId): Promise<CommunityView> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize('community.read');
    return communityToView(access);
  }

  /** The communities the actor may see, newest first; secret ones only to their members (and admins). */
  async list(actor: Actor, query: ListCommunitiesQuery): Promise<Page<CommunityView>> {
    const [communities, memberships] = await Promise.all([
      communitiesOfTenant(actor.tenantId, query.teamId ? { teamId: query.teamId } : {}),
      membershipsOf(actor),
    ]);
    const words = query.q ? analyseQuery(query.q) : [];
    let visible = communities
      .map((c) => accessFor(actor, c, memberships.get(String(c._id)) ?? null))
      .filter((a) => a.canSee && (!query.mine || a.isMember || a.membership?.status === 'invited' || a.membership?.status === 'requested'));
    if (words.length > 0) {
      visible = visible.filter((a) => {
        const keys = new Set(searchKeys(a.community.name, a.community.tags.join(' '), a.community.description?.source));
        return words.every((w) => w.keys.some((k) => keys.has(k)));
      });
    }
    visible.sort((a, b) => b.community.createdAt.getTime() - a.community.createdAt.getTime() || (String(b.community._id) < String(a.community._id) ? -1 : 1));
    if (query.cursor) {
      const at = decodeCursor(query.cursor);
      const t = at.value instanceof Date ? at.value.getTime() : at.value;
      visible = visible.filter((a) => {
        const ct = a.community.createdAt.getTime();
        return ct < t || (ct === t && String(a.community._id) < String(at.id));
      });
    }
    const limit = Math.min(query.limit ?? 20, MAX_PAGE_SIZE);
    const items = visible.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(communityToView),
      ...(visible.length > limit && last ? { nextCursor: encodeCursor(last.community.createdAt, last.community._id) } : {}),
    };
  }

  async update(actor: Actor, communityId: string, input: UpdateCommunityInput): Promise<CommunityView> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize('community.update');
    const set: Record<string, unknown> = {};
    const unset: Record<string, 1> = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.description !== undefined) set.description = markdown(input.description);
    if (input.tags !== undefined) set.tags = normalizeTags(input.tags);
    if (input.visibility !== undefined) set.visibility = input.visibility;
    if (input.guestsAllowed !== undefined) set.guestsAllowed = input.guestsAllowed;
    for (const key of ['imageUrl', 'teamId', 'channelId'] as const) {
      const value = input[key];
      if (value === null) unset[key] = 1;
      else if (value !== undefined) set[key] = value;
    }
    const pin = { teamId: input.teamId === undefined ? (access.community.teamId ?? null) : input.teamId, channelId: input.channelId === undefined ? (access.community.channelId ?? null) : input.channelId };
    // Only a new place is checked: a manager who is not in the team may still edit a community someone else pinned.
    if (pin.teamId !== (access.community.teamId ?? null) || pin.channelId !== (access.community.channelId ?? null)) {
      await assertMayPin(actor, pin, this.deps.teamsFor?.(actor));
    }
    const updated = await updateCommunity(access.community._id, {}, { ...(Object.keys(set).length ? { $set: set } : {}), ...(Object.keys(unset).length ? { $unset: unset } : {}) });
    if (!updated) return this.get(actor, communityId);
    await this.indexForSearch(updated);
    await this.auditUpdate(actor, access.community, updated);
    if (updated.visibility !== access.community.visibility || (updated.guestsAllowed === true) !== (access.community.guestsAllowed === true)) {
      await this.deps.accessChanged?.(updated._id);
    }
    return this.get(actor, communityId);
  }

  /** Audit entries of an edit that changes who may read the community, or where the bot posts for it. */
  private async auditUpdate(actor: Actor, before: CommunityRecord, after: CommunityRecord): Promise<void> {
    const base = { tenantId: actor.tenantId, actorId: actor.userId, subjectId: String(after._id) };
    if (after.visibility !== before.visibility) {
      await this.deps.audit.record({ ...base, kind: 'community.visibility_changed', details: { from: before.visibility, to: after.visibility } });
    }
    if ((after.guestsAllowed === true) !== (before.guestsAllowed === true)) {
      await this.deps.audit.record({ ...base, kind: 'community.guests_changed', details: { from: before.guestsAllowed === true, to: after.guestsAllowed === true } });
    }
    if ((after.teamId ?? null) !== (before.teamId ?? null) || (after.channelId ?? null) !== (before.channelId ?? null)) {
      await this.deps.audit.record({
        ...base,
        kind: 'community.channel_changed',
        details: { fromTeamId: before.teamId ?? null, fromChannelId: before.channelId ?? null, teamId: after.teamId ?? null, channelId: after.channelId ?? null },
      });
    }
  }

  /** Deletes the community with its memberships and everything in it (managers, admins). */
  async delete(actor: Actor, communityId: string): Promise<void> {
    const access = await resolveCommunityAccess(actor, communityId);
    access.authorize('community.delete');
    const id = access.community._id;
    await deleteCommunity(id);
    await this.deps.search.removeWhere({ communityId: id });
    for (const cleanup of this.deps.cleanups ?? []) await cleanup(id);
    await this.deps.audit.record({
      tenantId: actor.tenantId,
      kind: 'community.deleted',
      actorId: actor.userId,
      subjectId: String(id),
      details: { name: access.community.name.slice(0, 120) },
    });
  }

  async settings(tenantId: string): Promise<CommunitySettings> {
    const doc = await findCommunitySettings(tenantId);
    return {
      communityCreation: doc?.communityCreation === 'admins' ? 'admins' : 'members',
      autoHideThreshold: doc?.autoHideThreshold ?? DEFAULT_AUTO_HIDE_THRESHOLD,
    };
  }

  /** Organisation admins only. */
  async updateSettings(actor: Actor, changes: Partial<CommunitySettings>): Promise<CommunitySettings> {
    if (!actor.isOrgAdmin) throw new ForbiddenError('Only organisation admins can change these settings.');
    await saveCommunitySettings(actor.tenantId, { ...changes, updatedBy: actor.userId });
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: 'community.settings_changed', actorId: actor.userId, details: { ...changes } });
    return this.settings(actor.tenantId);
  }

  async indexForSearch(community: CommunityRecord): Promise<void> {
    await this.deps.search.index({
      tenantId: community.tenantId,
      type: 'community',
      itemId: String(community._id),
      communityId: community._id,
      title: community.name,
      keywords: community.tags,
      body: [markdownToText(community.description?.source ?? '')],
      at: community.createdAt,
    });
  }
}

export function communityToView(access: CommunityAccess): CommunityView {
  const c = access.community;
  const m = access.membership;
  return {
    id: String(c._id),
    name: c.name,
    description: { source: c.description?.source ?? '', html: c.description?.html ?? '' },
    imageUrl: c.imageUrl ?? null,
    tags: c.tags ?? [],
    visibility: c.visibility,
    guestsAllowed: c.guestsAllowed === true,
    teamId: c.teamId ?? null,
    channelId: c.channelId ?? null,
    createdBy: c.createdBy,
    memberCount: c.counts?.memberCount ?? 0,
    discussionCount: c.counts?.discussionCount ?? 0,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    lastActivityAt: c.lastActivityAt ? c.lastActivityAt.toISOString() : null,
    membership: m ? { role: m.role, status: m.status } : null,
    permissions: {
      canRead: access.canRead,
      canJoin: !access.isMember && m?.status !== 'requested' && access.can('community.join'),
      canPost: access.can('discussion.create'),
      canManage: access.can('members.manage'),
    },
  };
}

