/**
 * The tab's sign-in when it runs in a plain browser (outside Teams). Local mode keeps its demo
 * sign-in (a session cookie). Entra mode signs in with Microsoft Entra ID through msal-browser,
 * loaded only here (a chunk of its own), so the tab inside Teams never downloads it.
 */
import { fetchBrowserConfig, type BrowserConfig } from './browser-config.js';
import { currentRoute } from './return-to.js';

export interface EntraSession {
  mode: 'entra';
  /** The signed-in account's display name, when someone is signed in. */
  accountName: string | undefined;
  /** An access token for the Meent API (from the cache, renewed silently); rejects with an `ApiProblem`. */
  getToken(): Promise<string>;
  /** Goes to Microsoft's sign-in page; after it, the tab opens `returnTo`. */
  signIn(returnTo?: string): Promise<void>;
  /** Ends the session here and at Microsoft, then shows the signed-out page. */
  signOut(): Promise<void>;
  /** The tab route to open now that the sign-in round trip is over (from the OAuth state). */
  returnTo: string | undefined;
  /** Why the last sign-in did not succeed (an OAuth error code), if it did not. */
  failure: string | undefined;
  /** True on the page Microsoft sends the browser to after sign-out. */
  signedOut: boolean;
}

export type BrowserSession = { mode: 'local'; signInUrl: string } | EntraSession;

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
