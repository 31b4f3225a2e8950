/**
 * Which stamp scopes a write to each read-path model touches (see read-cache.ts): the models
 * declare theirs with one of these, and the read caches name the same scopes, plus the
 * model's whole scope for writes that name no narrower one.
 */
import type { VersionStampedOptions } from './read-cache.js';
import { stampScope } from './version-stamps.js';

const present = (v: unknown): v is NonNullable<unknown> => v !== undefined && v !== null && v !== '';

/** Content of one community (discussions, replies, activity): the community's scope. */
export function stampedByCommunity(model: string): VersionStampedOptions {
  return { model, fields: ['communityId'], scopes: (get) => (present(get('communityId')) ? [stampScope.community(get('communityId'))] : null) };
}

/** A discussion: its community's scope and its own (the thread page reads it by id). */
export function stampedDiscussion(model: string): VersionStampedOptions {
  return {
    model,
    fields: ['communityId', '_id'],
    scopes: (get) => (present(get('communityId')) && present(get('_id')) ? [stampScope.community(get('communityId')), stampScope.discussion(get('_id'))] : null),
  };
}

/** A reply: its community's scope and its discussion's (the thread's reply buckets). */
export function stampedReply(model: string): VersionStampedOptions {
  return {
    model,
    fields: ['communityId', 'discussionId'],
    scopes: (get) => (present(get('communityId')) && present(get('discussionId')) ? [stampScope.community(get('communityId')), stampScope.discussion(get('discussionId'))] : null),
  };
}

/** What belongs to one person (read markers, follows): the person's scope. */
export function stampedByPerson(model: string): VersionStampedOptions {
  return { model, fields: ['userId'], scopes: (get) => (present(get('userId')) ? [stampScope.person(String(get('userId')))] : null) };
}

/** A membership: its community's scope (the community's access) and its person's (their communities). */
export function stampedMembership(model: string): VersionStampedOptions {
  return {
    model,
    fields: ['communityId', 'userId'],
    scopes: (get) => (present(get('communityId')) && present(get('userId')) ? [stampScope.community(get('communityId')), stampScope.person(String(get('userId')))] : null),
  };
}

/** A community document: its own scope and its tenant's list of communities. */
export function stampedCommunity(model: string): VersionStampedOptions {
  return {
    model,
    fields: ['_id', 'tenantId'],
    scopes: (get) => (present(get('_id')) && present(get('tenantId')) ? [stampScope.community(get('_id')), stampScope.tenantCommunities(String(get('tenantId')))] : null),
  };
}

/** A search entry: its tenant's search scope. */
export function stampedBySearchTenant(model: string): VersionStampedOptions {
  return { model, fields: ['tenantId'], scopes: (get) => (present(get('tenantId')) ? [stampScope.tenantSearch(String(get('tenantId')))] : null) };
}

/** A record of a tenant-wide collection whose readers read it per tenant (events, people, attachments). */
export function stampedByTenant(model: string, scope: (tenantId: string) => string, unreadFields?: readonly string[]): VersionStampedOptions {
  return { model, fields: ['tenantId'], scopes: (get) => (present(get('tenantId')) ? [scope(String(get('tenantId')))] : null), ...(unreadFields ? { unreadFields } : {}) };
}
