/**
 * The two ends of the consent pop-up Teams opens (see teams/consent.ts). `#/auth/start` sends
 * the user on to the server's consent route; the server's callback returns to
 * `#/auth/end?result=success` (or `failure&reason=...`), which tells Teams how it went and
 * lets Teams close the window.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/tabs/how-to/authentication/auth-flow-tab
 */
import { Spinner } from '@fluentui/react-components';
import { authentication } from '@microsoft/teams-js';
import { useEffect } from 'react';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';
import type { Route } from '../router/hash-router.js';
import { SERVER_CONSENT_PATH } from '../teams/consent.js';
import { useHost } from '../teams/host-context.js';

export function AuthPopupPage({ route }: { route: Route }) {
  const { t } = useI18n();
  const host = useHost();
  const isStart = route.name === 'authStart';
  const succeeded = route.query.get('result') === 'success';

  useEffect(() => {
    if (isStart) {
      const params = new URLSearchParams({ reason: route.query.get('reason') ?? 'consent_required' });
      const loginHint = host.context?.user?.loginHint;
      const tenantId = host.context?.user?.tenant?.id;
      if (loginHint) params.set('loginHint', loginHint);
      if (tenantId) params.set('tenantId', tenantId);
      window.location.assign(`${SERVER_CONSENT_PATH}?${params.toString()}`);
      return;
    }
    if (!host.inTeams) return;
    if (succeeded) authentication.notifySuccess('consented');
    else authentication.notifyFailure(route.query.get('reason') ?? 'consent_declined');
  }, [isStart, succeeded, route.query, host]);

  if (isStart) {
    return (
      <>
        <PageHeader title={t('consent.title')} />
        <Spinner label={t('consent.redirecting')} />
      </>
    );
  }
  return <PageHeader title={t('consent.title')} intro={succeeded ? t('consent.done') : t('consent.failed')} />;
}
