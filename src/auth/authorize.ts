/**
 * The one authorization helper. A capability states its policy once, as a table from
 * action to requirement, built from the roles below (organisation admin, community manager,
 * member, guest) and facts about the resource (visibility, whether it admits guests, who
 * owns it); its service then calls `policy.authorize(actor, action, context)` before doing
 * anything. Denied is `ForbiddenError`, or `NotFoundError` where the rule says the resource
 * must stay invisible to this actor (a secret community for outsiders). Unknown actions are
 * denied: the helper fails closed.
 *
 *   const communityPolicy = definePolicy<'read' | 'post', CommunityContext>({
 *     read: { allow: anyOf(orgAdmin, communityMember, allOf(visibility('public', 'closed'), not(guest))),
 *             conceal: visibility('secret') },
 *     post: { allow: anyOf(communityManager, communityMember) },
 *   });
 */
import { ForbiddenError, NotFoundError } from '../errors/domain-errors.js';
import type { Actor } from './actor.js';

export type CommunityRole = 'manager' | 'member';
export type Visibility = 'public' | 'closed' | 'secret';

/** What a policy may know about the resource and the actor's relation to it. Capabilities may extend it. */
export interface AccessContext {
  /** The actor's role in the community the resource belongs to; null or absent when not a member. */
  communityRole?: CommunityRole | null;
  visibility?: Visibility;
  /** Whether the community admits guests. */
  guestsAdmitted?: boolean;
  /** The user id of the resource's author or owner. */
  ownerId?: string;
}

export type Requirement<C extends AccessContext = AccessContext> = (actor: Actor, context: C) => boolean;

export interface Rule<C extends AccessContext = AccessContext> {
  allow: Requirement<C>;
  /** When the actor is denied and this holds, the answer is 404: the resource must not be seen to exist. */
  conceal?: Requirement<C>;
  /** What a denied actor is told (default: "You may not do this."). */
  message?: string;
}

export interface Policy<A extends string, C extends AccessContext = AccessContext> {
  readonly rules: Readonly<Record<A, Rule<C>>>;
  /** Whether the actor may; never throws for a denial. */
  can(actor: Actor, action: A, context: C): boolean;
  /** Throws `ForbiddenError` (or `NotFoundError` for concealed resources) unless the actor may. */
  authorize(actor: Actor, action: A, context: C): void;
}

// ---- roles and facts ----

/** Holds the organisation admin app role. */
export const orgAdmin: Requirement = (actor) => actor.isOrgAdmin;
/** One of the organisation's own people (not a guest). */
export const organisationMember: Requirement = (actor) => !actor.isGuest;
/** A B2B guest or an account from another tenant. */
export const guest: Requirement = (actor) => actor.isGuest;
export const communityManager: Requirement = (_actor, context) => context.communityRole === 'manager';
/** A member of the community in any role (managers included). */
export const communityMember: Requirement = (_actor, context) => context.communityRole === 'manager' || context.communityRole === 'member';
export const owner: Requirement = (actor, context) => context.ownerId !== undefined && context.ownerId === actor.userId;
export const guestsAdmitted: Requirement = (_actor, context) => context.guestsAdmitted === true;
export const anyone: Requirement = () => true;
export const nobody: Requirement = () => false;

export function visibility(...allowed: Visibility[]): Requirement {
  return (_actor, context) => context.visibility !== undefined && allowed.includes(context.visibility);
}

// ---- combinators ----

export function anyOf<C extends AccessContext>(...requirements: Requirement<C>[]): Requirement<C> {
  return (actor, context) => requirements.some((r) => r(actor, context));
}

export function allOf<C extends AccessContext>(...requirements: Requirement<C>[]): Requirement<C> {
  return (actor, context) => requirements.length > 0 && requirements.every((r) => r(actor, context));
}

export function not<C extends AccessContext>(requirement: Requirement<C>): Requirement<C> {
  return (actor, context) => !requirement(actor, context);
}

// ---- policies ----

export function definePolicy<A extends string, C extends AccessContext = AccessContext>(rules: Record<A, Rule<C>>): Policy<A, C> {
  const frozen = Object.freeze({ ...rules });
  const ruleFor = (action: A): Rule<C> | undefined => (Object.prototype.hasOwnProperty.call(frozen, action) ? frozen[action] : undefined);
  return {
    rules: frozen,
    can(actor, action, context) {
      return ruleFor(action)?.allow(actor, context) ?? false;
    },
    authorize(actor, action, context) {
      const rule = ruleFor(action);
      if (rule?.allow(actor, context)) return;
      if (rule?.conceal?.(actor, context)) throw new NotFoundError();
      throw new ForbiddenError(rule?.message ?? 'You may not do this.');
    },
  };
}
