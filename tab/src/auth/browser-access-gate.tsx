/**
 * In a browser in entra mode: nobody signed in gets the sign-in page; someone the API refuses for
 * their organisation or for being a guest (401 `tenant_not_allowed` / `guests_not_allowed`) gets a
 * page that says so, instead of an error on every page. Inside Teams and in local mode it lets
 * everything through.
 */
import type { ReactNode } from 'react';
import { useMe } from '../api/me-provider.js';
import { CompactShell } from '../layout/app-shell.js';
import { useEntraSession } from './session-context.js';
import { AccessRefusedPage, isRefusedCode, SignInPage, SignOutButton } from './sign-in-pages.js';

/** Before anything asks the API: without an account there is nothing to ask with. */
export function SignInGate({ children }: { children: ReactNode }) {
  const session = useEntraSession();
  if (session && (session.accountName === undefined || session.signedOut)) {
    return (
      <CompactShell>
        <SignInPage session={session} />
      </CompactShell>
    );
  }
  return children;
}

/** Once `GET /me` answered: the refusal page, or the app. */
export function AccessGate({ children }: { children: ReactNode }) {
  const session = useEntraSession();
  const me = useMe();
  if (session && me.status === 'error' && me.error.status === 401 && isRefusedCode(me.error.code)) {
    return (
      <CompactShell>
        <AccessRefusedPage session={session} code={me.error.code} />
      </CompactShell>
    );
  }
  return children;
}

/** The sign-out button in the banner, in a browser in entra mode only. */
export function SignOutControl() {
  const session = useEntraSession();
  return session ? <SignOutButton session={session} /> : null;
}
