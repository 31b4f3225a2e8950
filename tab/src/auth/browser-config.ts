/**
 * How the tab signs in outside Teams, as the server tells it (`GET /auth/browser-config`,
 * src/auth/browser-sign-in.routes.ts): the local demo sign-in, or Microsoft Entra ID through
 * msal-browser with the app registration's public settings. Read once at start.
 */

import type { BrowserSignInConfig as BrowserConfig, EntraBrowserConfig } from '../../../src/auth/browser-sign-in-config.js';

export type { BrowserConfig, EntraBrowserConfig };

export const BROWSER_CONFIG_URL = '/auth/browser-config';

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** The server's answer, checked: anything unexpected means the local sign-in (which a production server never answers). */
export function parseBrowserConfig(value: unknown): BrowserConfig {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (
    v.mode === 'entra' &&
    typeof v.clientId === 'string' &&
    typeof v.authority === 'string' &&
    /^https:\/\//.test(v.authority) &&
    isStringArray(v.knownAuthorities) &&
    isStringArray(v.scopes) &&
    v.scopes.length > 0 &&
    typeof v.redirectUri === 'string' &&
    typeof v.postLogoutRedirectUri === 'string'
  ) {
    return { mode: 'entra', clientId: v.clientId, authority: v.authority, knownAuthorities: v.knownAuthorities, scopes: v.scopes, redirectUri: v.redirectUri, postLogoutRedirectUri: v.postLogoutRedirectUri };
  }
  return { mode: 'local', signInUrl: typeof v.signInUrl === 'string' && v.signInUrl.startsWith('/') ? v.signInUrl : '/auth/local' };
}

export async function fetchBrowserConfig(fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<BrowserConfig> {
  const response = await fetchImpl(BROWSER_CONFIG_URL, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${BROWSER_CONFIG_URL} answered ${response.status}`);
  return parseBrowserConfig(await response.json());
}
