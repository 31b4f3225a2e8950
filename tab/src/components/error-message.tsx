/**
 * Shows a failed request as something a person can act on: what happened, what to do, and
 * the button that does it (try again, give consent, sign in). Fluent's MessageBar announces
 * itself to screen readers. Never shows a stack trace; shows the server's reference id for
 * support on server errors.
 */
import { Button, Link, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, makeStyles, tokens } from '@fluentui/react-components';
import { useState, type ReactNode } from 'react';
import { ApiProblem } from '../api/api-problem.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { problemText } from '../i18n/problem-texts.js';
import type { Translator } from '../i18n/translator.js';
import { useEntraSession } from '../auth/session-context.js';
import { askForConsent } from '../teams/consent.js';
import { useHost } from '../teams/host-context.js';

const useStyles = makeStyles({
  root: { marginBottom: tokens.spacingVerticalM },
  lines: { display: 'block' },
});

/** Anything thrown becomes an ApiProblem; a programming error is shown as a generic failure. */
export function toProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  return new ApiProblem({ status: 0, code: 'client_error' });
}

/** The local sign-in page, coming back to where the user is now. */
export function localSignInUrl(): string {
  const here = `${window.location.pathname}${window.location.search}${window.location.hash}`;
  return `/auth/local?returnTo=${encodeURIComponent(here)}`;
}

/** 401 codes that a fresh sign-in (or token) can cure. */
const SIGN_IN_AGAIN_CODES = new Set(['unauthenticated', 'invalid_token', 'token_expired', 'insufficient_scope']);

interface Description {
  title: string;
  body?: string;
  reference?: string;
}

function describe(problem: ApiProblem, i18n: Translator): Description {
  const { t } = i18n;
  // What the code means in the reader's language; the server's own detail (English) only for a code this tab does not know.
  const known = problemText(problem.code, i18n.language);
  const said = known ?? problem.detail;
  if (problem.code === 'network_error') return { title: t('error.network.title'), body: t('error.network.body') };
  if (problem.code === 'sso_failed') return { title: t('error.sso.title'), body: t('error.sso.body') };
  switch (problem.status) {
    case 400:
    case 422:
      return { title: t('error.invalid.title'), body: said };
    case 401:
      // A refusal the user cannot fix by signing in again (tenant or guest policy) says why.
      if (!SIGN_IN_AGAIN_CODES.has(problem.code)) return { title: t('error.forbidden.title'), body: said ?? t('error.forbidden.body') };
      return { title: t('error.unauthenticated.title'), body: t('error.unauthenticated.body') };
    case 403:
      return { title: t('error.forbidden.title'), body: said ?? t('error.forbidden.body') };
    case 404:
      return { title: t('error.notFound.title'), body: known && problem.code !== 'not_found' ? known : t('error.notFound.body') };
    case 409:
      return { title: t('error.conflict.title'), body: said };
    case 429:
      return { title: t('error.rateLimited.title'), body: t('error.rateLimited.body', { seconds: problem.retryAfterSeconds ?? 30 }) };
    case 503:
      return { title: t('error.unavailable.title'), body: t('error.unavailable.body') };
    default:
      if (problem.status >= 500) return { title: t('error.server.title'), body: t('error.server.body'), reference: problem.requestId };
      return { title: t('error.generic.title'), reference: problem.requestId };
  }
}

export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const styles = useStyles();
  const i18n = useI18n();
  const host = useHost();
  const problem = toProblem(error);

  if (problem.needsInteraction && host.inTeams) return <ConsentPrompt reason={problem.code} onConsented={onRetry} />;
  if ((problem.status === 401 || problem.needsInteraction) && !host.inTeams) return <SignInPrompt />;

  const { title, body, reference } = describe(problem, i18n);
  return (
    <MessageBar intent="error" layout="multiline" className={styles.root} data-testid="error-message" data-code={problem.code}>
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {body ? <span className={styles.lines}>{body}</span> : null}
        {reference ? <span className={styles.lines}>{i18n.t('error.reference', { reference })}</span> : null}
      </MessageBarBody>
      {onRetry ? (
        <MessageBarActions>
          <Button onClick={onRetry}>{i18n.t('error.retry')}</Button>
        </MessageBarActions>
      ) : null}
    </MessageBar>
  );
}

/** Asks the user to consent in a Teams pop-up, then retries what failed. */
export function ConsentPrompt({ reason, onConsented }: { reason: string; onConsented?: () => void }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'asking' | 'declined'>('idle');

  const ask = async () => {
    setState('asking');
    const consented = await askForConsent(reason);
    if (consented) {
      setState('idle');
      onConsented?.();
    } else {
      setState('declined');
    }
  };

  const action = (
    <Button appearance="primary" disabled={state === 'asking'} onClick={() => void ask()}>
      {t('consent.action')}
    </Button>
  );
  return <Prompt intent="warning" testId="consent-prompt" title={t('consent.title')} body={state === 'declined' ? t('consent.declined') : t('consent.body')} action={action} />;
}

/** Outside Teams: the way to sign in again (Microsoft's sign-in in entra mode, the local sign-in page otherwise). */
export function SignInPrompt() {
  const { t } = useI18n();
  const entra = useEntraSession();
  if (entra) {
    const action = (
      <Button appearance="primary" onClick={() => void entra.signIn()}>
        {t('browserSignIn.action')}
      </Button>
    );
    return <Prompt intent="info" testId="sign-in-prompt" title={t('browserSignIn.title')} body={t('browserSignIn.expired')} action={action} />;
  }
  return <Prompt intent="info" testId="sign-in-prompt" title={t('signIn.title')} body={t('signIn.body')} action={<Link href={localSignInUrl()}>{t('signIn.action')}</Link>} />;
}

/** A problem the user solves with one step of their own (consent, sign in), rather than "Try again". */
function Prompt({ intent, testId, title, body, action }: { intent: 'warning' | 'info'; testId: string; title: string; body: string; action: ReactNode }) {
  const styles = useStyles();
  return (
    <MessageBar intent={intent} layout="multiline" className={styles.root} data-testid={testId}>
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        <span className={styles.lines}>{body}</span>
      </MessageBarBody>
      <MessageBarActions>{action}</MessageBarActions>
    </MessageBar>
  );
}
