/**
 * How the tab signs in when it runs in a plain browser, outside Teams:
 *
 *   GET /auth/browser-config
 *     local mode -> { mode: 'local', signInUrl: '/auth/local' }
 *     entra mode -> { mode: 'entra', clientId, authority, knownAuthorities, scopes, redirectUri, postLogoutRedirectUri }
 *
 * In entra mode the tab hands these to `@azure/msal-browser` (authorization code flow with PKCE,
 * redirect), gets an access token for `ENTRA_APP_ID_URI/access_as_user`, and calls the API with
 * it: the same validation, policies and guest rules as a Teams SSO token. Nothing here is secret
 * (a single-page application is a public client); the answer is public and may be cached briefly.
 *
 * The authority is tenant-specific by default (`ENTRA_TENANT_ID`): a B2B guest must sign in to the
 * inviting tenant to get a token of it; through `organizations` they would get one of their home
 * tenant. https://learn.microsoft.com/en-us/entra/identity-platform/msal-client-application-configuration#authority
 * https://learn.microsoft.com/en-us/entra/external-id/redemption-experience
 * Both redirect URIs must be registered on the app registration's Single-page application
 * platform (README, deployment step 1): Entra only sends a code to, and only ends a session back
 * to, a registered URI. https://learn.microsoft.com/en-us/entra/identity-platform/reply-url
 */
import { Router } from 'express';
import type { BrowserSignInConfig } from './browser-sign-in-config.js';

export type { BrowserSignInConfig };

export const BROWSER_CONFIG_PATH = '/auth/browser-config';
/** Where Entra sends the browser back with the code (the tab's own page; msal reads the fragment). */
export const BROWSER_REDIRECT_PATH = '/tab/auth-end';
/** Where Entra sends the browser after sign-out. */
export const BROWSER_SIGNED_OUT_PATH = '/tab/signed-out';

/** Entra's own hosts need no `knownAuthorities` (msal knows them); any other host (a test's) does. */
const MICROSOFT_AUTHORITY_HOSTS = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn']);

export interface BrowserSignInDeps {
  publicUrl: string;
  /** Absent in local mode. */
  entra?: { authorityHost: string; tenant: string; clientId: string; appIdUri: string };
}

export function browserSignInConfig(deps: BrowserSignInDeps): BrowserSignInConfig {
  if (!deps.entra) return { mode: 'local', signInUrl: '/auth/local' };
  const { authorityHost, tenant, clientId, appIdUri } = deps.entra;
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  const host = new URL(authorityHost);
  return {
    mode: 'entra',
    clientId,
    authority: `${authorityHost.replace(/\/+$/, '')}/${tenant}`,
    knownAuthorities: MICROSOFT_AUTHORITY_HOSTS.has(host.hostname) ? [] : [host.host],
    scopes: [`${appIdUri.replace(/\/+$/, '')}/access_as_user`],
    redirectUri: `${publicUrl}${BROWSER_REDIRECT_PATH}`,
    postLogoutRedirectUri: `${publicUrl}${BROWSER_SIGNED_OUT_PATH}`,
  };
}

export function browserSignInRouter(deps: BrowserSignInDeps): Router {
  const router = Router();
  const body = browserSignInConfig(deps);
  router.get(BROWSER_CONFIG_PATH, (_req, res) => {
    // The same for everyone, and changed only by a redeploy.
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(body);
  });
  return router;
}
