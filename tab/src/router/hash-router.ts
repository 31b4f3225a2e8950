/**
 * A small hash router. Teams loads the tab at one URL (`/tab/index.html#/...`) and links into
 * it with `subPageId` (see teams/deep-link.ts), so the route lives in the fragment; the
 * server never sees it and every route loads the same page.
 */
import { useSyncExternalStore } from 'react';

export type RouteName =
  | 'home'
  | 'communities'
  | 'communityNew'
  | 'community'
  | 'communityEdit'
  | 'communityMembers'
  | 'communityInvitations'
  | 'communitySettings'
  | 'discussionNew'
  | 'discussion'
  | 'discussionEdit'
  | 'consultationNew'
  | 'consultation'
  | 'consultationEdit'
  | 'consultationReport'
  | 'events'
  | 'eventNew'
  | 'event'
  | 'eventEdit'
  | 'people'
  | 'person'
  | 'search'
  | 'profile'
  | 'meeting'
  | 'analytics'
  | 'privacySettings'
  | 'me'
  | 'admin'
  | 'adminAudit'
  | 'adminFailed'
  | 'adminSettings'
  | 'adminModeration'
  | 'config'
  | 'authStart'
  | 'authEnd'
  | 'notFound';

const patterns: ReadonlyArray<readonly [RouteName, string]> = [
  ['home', '/'],
  ['communities', '/communities'],
  ['communityNew', '/communities/new'],
  // Where a guest invited by e-mail lands after redeeming (the redirect URL Graph keeps); before the usual path, which names the page.
  ['community', '/communities/:id'],
  ['community', '/community/:id'],
  ['communityEdit', '/community/:id/edit'],
  ['communityMembers', '/communities/:id/members'],
  ['communityInvitations', '/communities/:id/invitations'],
  ['communitySettings', '/communities/:id/settings'],
  ['discussionNew', '/community/:id/new-discussion'],
  ['discussion', '/discussion/:id'],
  ['discussionEdit', '/discussion/:id/edit'],
  ['consultationNew', '/community/:id/new-consultation'],
  ['consultation', '/consultations/:id'],
  ['consultationEdit', '/consultations/:id/edit'],
  ['consultationReport', '/consultations/:id/report'],
  ['events', '/events'],
  ['eventNew', '/events/new'],
  ['event', '/events/:id'],
  ['event', '/event/:id'],
  ['eventEdit', '/event/:id/edit'],
  ['people', '/people'],
  ['person', '/people/:id'],
  ['search', '/search'],
  ['profile', '/profile'],
  ['meeting', '/meeting'],
  ['analytics', '/analytics'],
  ['privacySettings', '/admin/privacy'],
  ['me', '/me'],
  ['admin', '/admin'],
  ['adminAudit', '/admin/audit'],
  ['adminFailed', '/admin/notifications'],
  ['adminSettings', '/admin/settings'],
  ['adminModeration', '/admin/moderation'],
  ['config', '/config'],
  ['authStart', '/auth/start'],
  ['authEnd', '/auth/end'],
];

export interface Route {
  name: RouteName;
  /** The path part of the fragment, e.g. `/event/42`. */
  path: string;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
}

function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const h = have[i]!;
    if (w.startsWith(':')) {
      try {
        params[w.slice(1)] = decodeURIComponent(h);
      } catch {
        return undefined;
      }
    } else if (w !== h) {
      return undefined;
    }
  }
  return params;
}

/** `#/event/42?tab=attendees` → the `event` route with `id` 42. */
export function parseHash(hash: string): Route {
  const fragment = hash.replace(/^#/, '');
  const [rawPath = '', rawQuery = ''] = fragment.split('?', 2);
  const path = rawPath === '' ? '/' : rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  const query = new URLSearchParams(rawQuery);
  for (const [name, pattern] of patterns) {
    const params = match(pattern, path);
    if (params) return { name, path, params, query };
  }
  return { name: 'notFound', path, params: {}, query };
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const currentHash = () => window.location.hash;

let cachedHash: string | undefined;
let cachedRoute: Route | undefined;

/** The current route; re-renders on every navigation. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash);
  if (hash !== cachedHash || !cachedRoute) {
    cachedHash = hash;
    cachedRoute = parseHash(hash);
  }
  return cachedRoute;
}

export function hrefFor(path: string): string {
  return `#${path.startsWith('/') ? path : `/${path}`}`;
}

/** Go to a route; `replace` keeps the current entry out of the history (redirects). */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const href = hrefFor(path);
  if (options.replace) {
    window.history.replaceState(window.history.state, '', href);
    // replaceState does not fire hashchange; tell the subscribers ourselves.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = href;
  }
}
