/**
 * Where to go after the sign-in round trip: the tab route (`/community/<id>`, from the address's
 * fragment) travels through Entra in the OAuth `state` (msal keeps it with its own check value) and
 * comes back as is. Only a route of the tab itself is accepted, so a forged state can never send
 * the browser elsewhere.
 */

/** A tab route: starts with one `/`, then letters, digits and the few characters routes use. */
const ROUTE = /^\/(?!\/)[A-Za-z0-9_\-/.?=&%:]{0,300}$/;

export function safeReturnRoute(value: string | null | undefined): string {
  return value && ROUTE.test(value) ? value : '/';
}

/** The route the browser shows now (`#/community/42` -> `/community/42`). */
export function currentRoute(win: Window = window): string {
  const hash = win.location.hash.replace(/^#/, '');
  return safeReturnRoute(hash === '' ? '/' : hash);
}
