/**
 * The pages of the browser sign-in (entra mode, outside Teams): "Sign in" (also after sign-out,
 * or when Microsoft's sign-in did not succeed), and the clear refusal when the API says the
 * person's organisation may not use Meent or guests are off. Each is one heading, a sentence and
 * one button, in the reader's language; the button is the first thing Tab reaches.
 */
import { Button, MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';
import type { EntraSession } from './browser-session.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalM, maxWidth: '60ch' },
  body: { margin: 0, fontSize: tokens.fontSizeBase300, lineHeight: tokens.lineHeightBase300 },
});

/** API refusals that signing in again does not cure (src/auth/auth-errors.ts). */
export const REFUSED_CODES = ['tenant_not_allowed', 'guests_not_allowed'] as const;
export type RefusedCode = (typeof REFUSED_CODES)[number];

export function isRefusedCode(code: string): code is RefusedCode {
  return (REFUSED_CODES as readonly string[]).includes(code);
}

export function SignInPage({ session }: { session: EntraSession }) {
  const styles = useStyles();
  const { t } = useI18n();
  const intro = session.signedOut ? t('browserSignIn.signedOut') : t('browserSignIn.body');
  return (
    <div className={styles.root} data-testid="browser-sign-in">
      <PageHeader title={t('browserSignIn.title')} intro={intro} />
      {session.failure ? (
        <MessageBar intent="error" layout="multiline" data-testid="browser-sign-in-failed" data-code={session.failure}>
          <MessageBarBody>
            <MessageBarTitle>{t('browserSignIn.failedTitle')}</MessageBarTitle>
            {t('browserSignIn.failedBody')}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <LeavingButton appearance="primary" testId="browser-sign-in-button" go={() => session.signIn()}>
        {t('browserSignIn.action')}
      </LeavingButton>
    </div>
  );
}

/** Signed in, but refused: the organisation is not allowed, or guests are off. Another account may help. */
export function AccessRefusedPage({ session, code }: { session: EntraSession; code: RefusedCode }) {
  const styles = useStyles();
  const { t } = useI18n();
  const title = code === 'tenant_not_allowed' ? t('browserSignIn.tenantRefused.title') : t('browserSignIn.guestsRefused.title');
  const body = code === 'tenant_not_allowed' ? t('browserSignIn.tenantRefused.body') : t('browserSignIn.guestsRefused.body');
  return (
    <div className={styles.root} data-testid="access-refused" data-code={code}>
      <PageHeader title={title} />
      <p className={styles.body}>{body}</p>
      {session.accountName ? <p className={styles.body}>{t('browserSignIn.refusedAccount', { name: session.accountName })}</p> : null}
      <LeavingButton appearance="primary" testId="refused-sign-out" go={() => session.signOut()}>
        {t('browserSignIn.otherAccount')}
      </LeavingButton>
    </div>
  );
}

/** In the banner of every page: sign out (browser, entra mode only). */
export function SignOutButton({ session }: { session: EntraSession }) {
  const { t } = useI18n();
  return (
    <LeavingButton size="small" testId="sign-out" go={() => session.signOut()}>
      {t('browserSignIn.signOut')}
    </LeavingButton>
  );
}

/** A button that leaves the page for Microsoft's: disabled while the browser goes, enabled again if it could not. */
function LeavingButton({ go, testId, appearance, size, children }: { go: () => Promise<void>; testId: string; appearance?: 'primary'; size?: 'small'; children: ReactNode }) {
  const [leaving, setLeaving] = useState(false);
  return (
    <Button
      appearance={appearance}
      size={size}
      disabled={leaving}
      data-testid={testId}
      onClick={() => {
        setLeaving(true);
        go().catch(() => setLeaving(false));
      }}
    >
      {children}
    </Button>
  );
}
