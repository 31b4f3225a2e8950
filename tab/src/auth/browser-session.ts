/**
 * The tab's sign-in when it runs in a plain browser (outside Teams). Local mode keeps its demo
 * sign-in (a session cookie). Entra mode signs in with Microsoft Entra ID through msal-browser,
 * loaded only here (a chunk of its own), so the tab inside Teams never downloads it.
 */
import { fetchBrowserConfig, type BrowserConfig } from './browser-config.js';
import { currentRoute } from './return-to.js';
import type { BrowserSession } from './session.js';

export type { BrowserSession, EntraSession } from './session.js';

/** Reads how to sign in, and in entra mode finishes a sign-in or sign-out round trip. */
export async function startBrowserSession(win: Window = window): Promise<BrowserSession> {
  let config: BrowserConfig;
  try {
    config = await fetchBrowserConfig();
  } catch {
    // Without the server's answer the tab cannot sign anyone in; the API's 401 then says so.
    return { mode: 'local', signInUrl: '/auth/local' };
  }
  if (config.mode === 'local') return config;
  const { startMsalSession } = await import('./msal-session.js');
  return startMsalSession(config, win, currentRoute(win));
}
