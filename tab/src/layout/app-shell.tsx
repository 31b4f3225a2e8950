/**
 * The frame around every full-size page: a skip link (the first thing Tab reaches), a banner
 * with the signed-in user, the navigation, and the main region pages render into.
 */
import { Badge, makeStyles, tokens } from '@fluentui/react-components';
import { useRef, type ReactNode } from 'react';
import { useMe } from '../api/me-provider.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { RouteName } from '../router/hash-router.js';
import { AppNav } from './app-nav.js';
import { focusRing } from './focus-styles.js';

export const MAIN_ID = 'main-content';

const useStyles = makeStyles({
  shell: { display: 'flex', flexDirection: 'column', minHeight: '100vh' },
  skipLink: {
    position: 'absolute',
    left: tokens.spacingHorizontalS,
    top: tokens.spacingVerticalS,
    zIndex: 10,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorBrandForegroundLink,
    transform: 'translateY(-200%)',
    ':focus': { transform: 'none' },
    ...focusRing,
  },
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL} 0`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  brand: { margin: 0, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold },
  user: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  navRow: { flexBasis: '100%' },
  main: {
    flexGrow: 1,
    padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalL}`,
    maxWidth: '1200px',
    width: '100%',
    boxSizing: 'border-box',
    ':focus': { outlineStyle: 'none' },
  },
});

/** `account`: controls beside the signed-in user (sign-out in a browser). */
export function AppShell({ route, account, children }: { route: RouteName; account?: ReactNode; children: ReactNode }) {
  const styles = useStyles();
  const { t } = useI18n();
  const me = useMe();
  const main = useRef<HTMLElement>(null);

  return (
    <div className={styles.shell}>
      <a
        href={`#${MAIN_ID}`}
        className={styles.skipLink}
        data-testid="skip-link"
        onClick={(event) => {
          // The fragment holds the route: move focus ourselves instead of following the link.
          event.preventDefault();
          main.current?.focus();
        }}
      >
        {t('shell.skipToContent')}
      </a>
      <header className={styles.header}>
        <p className={styles.brand}>{t('app.name')}</p>
        {me.status === 'success' ? (
          <span className={styles.user} data-testid="signed-in-user">
            {t('shell.signedInAs', { name: me.data.name })}
            {me.data.isGuest ? <Badge appearance="outline">{t('shell.guest')}</Badge> : null}
            {account}
          </span>
        ) : null}
        <div className={styles.navRow}>
          <AppNav current={route} />
        </div>
      </header>
      <main id={MAIN_ID} ref={main} tabIndex={-1} className={styles.main}>
        {children}
      </main>
    </div>
  );
}

const useCompactStyles = makeStyles({
  main: { padding: tokens.spacingHorizontalM, boxSizing: 'border-box', ':focus': { outlineStyle: 'none' } },
});

/** For the surfaces Teams shows without our navigation: configuration, meeting side panel, pop-ups. */
export function CompactShell({ children }: { children: ReactNode }) {
  const styles = useCompactStyles();
  return (
    <main id={MAIN_ID} tabIndex={-1} className={styles.main}>
      {children}
    </main>
  );
}
