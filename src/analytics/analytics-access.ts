/**
 * Whose figures an actor may read: organisation admins everything (the organisation as a
 * whole, or any community); community managers their own communities (together, or one).
 * Anyone else is refused; a secret community's figures are a 404 to all but its managers and
 * admins, so they do not learn that it exists.
 */
import type { Actor } from '../auth/actor.js';
import { communityById, communitiesManagedBy } from '../communities/communities.port.js';
import { ForbiddenError, NotFoundError } from '../errors/domain-errors.js';

export interface AnalyticsScope {
  /** null: the whole organisation (admins). */
  communityIds: string[] | null;
  /** The name to show (a community's), or null for the organisation or a manager's set. */
  name: string | null;
}

export async function scopeFor(actor: Actor, communityId?: string): Promise<AnalyticsScope> {
  const managed = actor.isOrgAdmin ? [] : (await communitiesManagedBy(actor.tenantId, actor.userId)).map(String);
  if (communityId) {
    const community = await communityById(communityId);
    if (!community || community.tenantId !== actor.tenantId) throw new NotFoundError('No such community.', 'community_not_found');
    if (actor.isOrgAdmin || managed.includes(communityId)) return { communityIds: [communityId], name: community.name };
    if (community.visibility === 'secret') throw new NotFoundError('No such community.', 'community_not_found');
    throw new ForbiddenError('Only the community\'s managers and organisation admins see its figures.', 'analytics_forbidden');
  }
  if (actor.isOrgAdmin) return { communityIds: null, name: null };
  if (managed.length > 0) return { communityIds: managed, name: null };
  throw new ForbiddenError('Figures are for community managers and organisation admins.', 'analytics_forbidden');
}

/** Whether the actor may open the dashboard at all (the tab shows the navigation entry only then). */
export async function mayReadAnalytics(actor: Actor): Promise<boolean> {
  if (actor.isOrgAdmin) return true;
  return (await communitiesManagedBy(actor.tenantId, actor.userId)).length > 0;
}
