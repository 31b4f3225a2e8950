/** The browser sign-in (outside Teams), available to every component through `useBrowserSession`. */
import { createContext, useContext, type ReactNode } from 'react';
import type { BrowserSession, EntraSession } from './browser-session.js';

const SessionContext = createContext<BrowserSession | undefined>(undefined);

/** `session` is undefined inside Teams (Teams SSO signs in). */
export function BrowserSessionProvider({ session, children }: { session: BrowserSession | undefined; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useBrowserSession(): BrowserSession | undefined {
  return useContext(SessionContext);
}

/** The Entra sign-in, when the tab runs in a browser in entra mode. */
export function useEntraSession(): EntraSession | undefined {
  const session = useContext(SessionContext);
  return session?.mode === 'entra' ? session : undefined;
}
