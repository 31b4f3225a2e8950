/**
 * The tab's analytics beacon: each route the user opens is one page view (the route's name and,
 * for a community, discussion or event, its id; never a query string, search text or person),
 * held briefly and sent in batches to `POST /api/v1/analytics/page-views` on our own server.
 * No cookie, no third party. When the tab is hidden or closed, what is held goes out with
 * `fetch(..., { keepalive: true })`: unlike `navigator.sendBeacon` it can carry the Teams SSO
 * bearer token, and it outlives the page the same way.
 */
import type { ApiClient } from '../api/api-client.js';
import { OBJECT_ROUTES, PAGE_ROUTES, type PageRoute } from '../../../src/analytics/page-routes.js';
import type { Route, RouteName } from '../router/hash-router.js';

/** Routes that are pages of the product (the server refuses any other name). */
const COUNTED: ReadonlySet<string> = new Set<string>(PAGE_ROUTES);
// Every name the server accepts is a route of this router (the compiler checks it here).
const ROUTES_OF_THE_TAB: readonly RouteName[] = PAGE_ROUTES;
void ROUTES_OF_THE_TAB;
const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** Sent when this many are held (the server takes at most 50). */
const BATCH = 20;
/** Or after this long. */
const HOLD_MS = 15_000;

interface Held {
  route: PageRoute;
  id?: string;
  at: number;
}

export class PageViewBeacon {
  private held: Held[] = [];
  private timer: number | undefined;
  private lastPath: string | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts the route as a page view (a repeat of the same path without navigating away is not one). */
  record(route: Route): void {
    if (!isCounted(route.name) || route.path === this.lastPath) return;
    this.lastPath = route.path;
    const id = OBJECT_ROUTES[route.name] && route.params.id && OBJECT_ID.test(route.params.id) ? route.params.id : undefined;
    this.held.push({ route: route.name, ...(id ? { id } : {}), at: this.now() });
    if (this.held.length >= BATCH) this.send(false);
    else this.timer ??= window.setTimeout(() => this.send(false), HOLD_MS);
  }

  /** Sends what is held; `keepalive` when the page may be going away. */
  send(keepalive: boolean): void {
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.held.splice(0, 50);
    if (batch.length === 0) return;
    const now = this.now();
    const views = batch.map((v) => ({ route: v.route, ...(v.id ? { id: v.id } : {}), msAgo: Math.min(Math.max(0, now - v.at), 15 * 60_000) }));
    // Analytics must never disturb the user: a failed batch is dropped.
    this.api.post('/analytics/page-views', { views }, { keepalive }).catch(() => undefined);
  }

  /** Sends on hide (switching tabs in Teams, closing the window); answers the function that stops listening. */
  start(): () => void {
    const onHide = () => {
      if (document.visibilityState === 'hidden') this.send(true);
    };
    const onPageHide = () => this.send(true);
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', onPageHide);
    return () => {
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', onPageHide);
      this.send(true);
    };
  }
}

function isCounted(name: string): name is PageRoute {
  return COUNTED.has(name);
}
