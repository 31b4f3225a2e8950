/**
 * What the server tells the tab about signing in outside Teams (GET /auth/browser-config), shared
 * by the server (src/auth/browser-sign-in.routes.ts) and the tab (tab/src/auth/browser-config.ts),
 * so the two cannot drift. Nothing in it is secret: a single-page application is a public client.
 */

/** Entra mode: the settings `@azure/msal-browser` needs. */
export interface EntraBrowserConfig {
  mode: 'entra';
  clientId: string;
  authority: string;
  knownAuthorities: string[];
  scopes: string[];
  redirectUri: string;
  postLogoutRedirectUri: string;
}

export type BrowserSignInConfig = { mode: 'local'; signInUrl: string } | EntraBrowserConfig;
