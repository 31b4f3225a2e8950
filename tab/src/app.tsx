/**
 * The tab: providers (host, language, theme, API), the live region, and the surface Teams
 * asked for — the configuration page, the meeting side panel, the consent pop-up, or the
 * full app with navigation.
 */
import { Link } from '@fluentui/react-components';
import { app } from '@microsoft/teams-js';
import { Suspense, useEffect, type ReactNode } from 'react';
import { PageViews } from './analytics/use-page-views.js';
import { AccessGate, SignInGate, SignOutControl } from './auth/browser-access-gate.js';
import type { BrowserSession } from './auth/browser-session.js';
import { BrowserSessionProvider } from './auth/session-context.js';
import { ApiProvider } from './api/api-provider.js';
import { MeProvider } from './api/me-provider.js';
import { PageSkeleton } from './components/loading-skeleton.js';
import { PageErrorBoundary } from './components/page-error-boundary.js';
import { I18nProvider, useI18n } from './i18n/i18n-provider.js';
import { AppShell, CompactShell } from './layout/app-shell.js';
import { LiveRegion } from './layout/live-region.js';
import { hrefFor, useRoute } from './router/hash-router.js';
import { AuthPopupPage, ConfigPage, pageFor, SidePanelPage } from './router/page-registry.js';
import type { HostConnection } from './teams/host-connection.js';
import { HostProvider, useHost } from './teams/host-context.js';
import { ThemeRoot } from './theme/theme-root.js';

/** `session`: the browser sign-in outside Teams (undefined inside Teams, where Teams SSO signs in). */
export function App({ host, session }: { host: HostConnection; session?: BrowserSession }) {
  return (
    <HostProvider value={host}>
      <BrowserSessionProvider session={session}>
      <I18nProvider locale={host.locale}>
        <ThemeRoot initial={host.theme} inTeams={host.inTeams}>
          <ApiProvider>
            <LiveRegion />
            <Surface />
          </ApiProvider>
        </ThemeRoot>
      </I18nProvider>
      </BrowserSessionProvider>
    </HostProvider>
  );
}

function Surface() {
  const host = useHost();
  const route = useRoute();
  const { t } = useI18n();

  useEffect(() => {
    // Tells Teams the tab has rendered, so it can take its own loading indicator away.
    if (host.inTeams && host.frameContext !== 'authentication') void app.notifySuccess();
  }, [host]);

  if (route.name === 'authStart' || route.name === 'authEnd') {
    return <CompactSurface><AuthPopupPage route={route} /></CompactSurface>;
  }
  if (host.frameContext === 'settings' || route.name === 'config') {
    return <CompactSurface><ConfigPage /></CompactSurface>;
  }
  if (host.frameContext === 'sidePanel') {
    return <CompactSurface><SidePanelPage /></CompactSurface>;
  }

  const Page = pageFor[route.name];
  return (
    <SignInGate>
      <MeProvider>
        <AccessGate>
          <PageViews route={route} />
          <AppShell route={route.name} account={<SignOutControl />}>
            <PageErrorBoundary key={route.path} title={t('error.page.title')} body={t('error.page.body')} action={<Link href={hrefFor('/')}>{t('notFound.action')}</Link>}>
              <Suspense fallback={<PageSkeleton />}>
                <Page route={route} />
              </Suspense>
            </PageErrorBoundary>
          </AppShell>
        </AccessGate>
      </MeProvider>
    </SignInGate>
  );
}

/** A surface Teams shows without our navigation (sign-in pop-up, configuration, meeting side panel), its page loaded lazily. */
function CompactSurface({ children }: { children: ReactNode }) {
  return (
    <CompactShell>
      <Suspense fallback={<PageSkeleton />}>{children}</Suspense>
    </CompactShell>
  );
}
