/**
 * Deep links into the tab. Teams hands the tab a `subPageId` (the `subEntityId` of a deep
 * link or of `pages.navigateToApp`); we use `<kind>:<id>`, e.g. `discussion:65f0c...`, and
 * map it to the tab's own route.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/concepts/build-and-test/deep-link-application
 */

export type DeepLinkKind = 'discussion' | 'event' | 'community';

const KINDS: ReadonlySet<string> = new Set<DeepLinkKind>(['discussion', 'event', 'community']);
/** Ids are opaque to the tab but never contain anything that could change a route. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `discussion:<id>` → `/discussion/<id>`; anything else → undefined. */
export function routeForSubPageId(subPageId: string | undefined): string | undefined {
  if (!subPageId) return undefined;
  const separator = subPageId.indexOf(':');
  if (separator < 0) return undefined;
  const kind = subPageId.slice(0, separator);
  const id = subPageId.slice(separator + 1);
  if (!KINDS.has(kind) || !ID.test(id)) return undefined;
  return `/${kind}/${id}`;
}

export function subPageIdFor(kind: DeepLinkKind, id: string): string {
  return `${kind}:${id}`;
}
