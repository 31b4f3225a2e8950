/**
 * Microsoft Entra ID sign-in in the browser with @azure/msal-browser: the authorization code
 * flow with PKCE in a redirect (no pop-ups to block), tokens kept in sessionStorage (gone when the
 * tab is closed), silent renewal with the refresh token, and sign-out at Entra's end_session
 * endpoint. The authority, client id and redirect URIs come from the server
 * (GET /auth/browser-config), so the same build runs against Entra and a local identity provider.
 * https://learn.microsoft.com/en-us/entra/identity-platform/scenario-spa-sign-in
 * https://learn.microsoft.com/en-us/entra/identity-platform/scenario-spa-acquire-token
 */
import { InteractionRequiredAuthError, LogLevel, PublicClientApplication, type AccountInfo, type AuthenticationResult } from '@azure/msal-browser';
import { ApiProblem } from '../api/api-problem.js';
import type { EntraBrowserConfig } from './browser-config.js';
import type { EntraSession } from './session.js';
import { safeReturnRoute } from './return-to.js';

/** OAuth error codes are short ASCII words; anything else is reported as a failed sign-in. */
const ERROR_CODE = /^[a-z0-9_]{1,64}$/i;

export async function startMsalSession(config: EntraBrowserConfig, win: Window, here: string): Promise<EntraSession> {
  const msal = new PublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      knownAuthorities: config.knownAuthorities,
      redirectUri: config.redirectUri,
      postLogoutRedirectUri: config.postLogoutRedirectUri,
    },
    cache: { cacheLocation: 'sessionStorage' },
    system: {
      // Only warnings and errors, and never personal data: these may end up in a support log.
      loggerOptions: { logLevel: LogLevel.Warning, piiLoggingEnabled: false, loggerCallback: () => undefined },
    },
  });
  await msal.initialize();

  let result: AuthenticationResult | null = null;
  let failure: string | undefined;
  try {
    result = await msal.handleRedirectPromise();
  } catch (error) {
    const code = (error as { errorCode?: unknown }).errorCode;
    failure = typeof code === 'string' && ERROR_CODE.test(code) ? code : 'sign_in_failed';
  }

  const account: AccountInfo | null = result?.account ?? msal.getActiveAccount() ?? msal.getAllAccounts()[0] ?? null;
  if (account) msal.setActiveAccount(account);
  const path = win.location.pathname;
  const signedOut = path.endsWith('/signed-out');
  const returnTo = result ? safeReturnRoute(result.state) : undefined;
  // Leave the redirect pages (their fragment held the code) for the tab's own address.
  if (path.endsWith('/auth-end') || signedOut) win.history.replaceState(null, '', `/tab/index.html#${returnTo ?? '/'}`);

  return {
    mode: 'entra',
    accountName: account?.name ?? undefined,
    returnTo,
    failure,
    signedOut: signedOut && !account,
    async getToken() {
      const active = msal.getActiveAccount();
      if (!active) throw new ApiProblem({ status: 401, code: 'unauthenticated' });
      try {
        // From the cache while valid, else renewed with the refresh token (then a hidden frame).
        return (await msal.acquireTokenSilent({ scopes: config.scopes, account: active })).accessToken;
      } catch (error) {
        if (error instanceof InteractionRequiredAuthError) throw new ApiProblem({ status: 401, code: 'unauthenticated' });
        throw new ApiProblem({ status: 0, code: 'sso_failed' });
      }
    },
    async signIn(returnTo = here) {
      await msal.loginRedirect({ scopes: config.scopes, state: safeReturnRoute(returnTo) });
    },
    async signOut() {
      const active = msal.getActiveAccount();
      await msal.logoutRedirect({ ...(active ? { account: active } : {}), postLogoutRedirectUri: config.postLogoutRedirectUri });
    },
  };
}
