/** What the browser sign-in offers the tab (outside Teams): the local demo sign-in, or Entra through msal-browser. */

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
