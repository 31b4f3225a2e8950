/**
 * What may be recorded: the tab's pages (the fixed list of its router's routes, see
 * tab/src/router/hash-router.ts) and the actions the server sees. Anything else sent to the
 * beacon is refused, so the raw events can only ever hold these names.
 */

/** The tab's routes a page view may name (sign-in pop-ups, the configuration page and "not found" are no pages of the product). */
export const PAGE_ROUTES = [
  'home',
  'communities',
  'communityNew',
  'community',
  'communityEdit',
  'discussionNew',
  'discussion',
  'discussionEdit',
  'events',
  'eventNew',
  'event',
  'eventEdit',
  'people',
  'person',
  'search',
  'profile',
  'meeting',
  'analytics',
] as const;
export type PageRoute = (typeof PAGE_ROUTES)[number];

/** Routes whose id is an object of a community (kept, so a page counts once per visit and tops can be shown). */
export const OBJECT_ROUTES: Partial<Record<PageRoute, 'community' | 'discussion' | 'event'>> = {
  community: 'community',
  communityEdit: 'community',
  discussionNew: 'community',
  discussion: 'discussion',
  discussionEdit: 'discussion',
  event: 'event',
  eventEdit: 'event',
};

/** Event pages: a visit that shows one counts as an event-page visit. */
export const EVENT_ROUTES: readonly PageRoute[] = ['events', 'event'];

/** Server-side actions (Matomo's "actions" besides page views and downloads). */
export const ACTION_KINDS = ['reply', 'reaction', 'discussionStarted', 'signUp', 'consultationAnswered', 'search'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** Where an action came from: the tab (through the API) or a bot card. */
export type ActionSource = 'tab' | 'card';
