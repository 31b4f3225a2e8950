/**
 * Home: a welcome, then my feed, my upcoming sign-ups and suggested communities. The three
 * sections show their empty states until the feed, events and communities APIs are wired in.
 */
import { Link, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useMe } from '../api/me-provider.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageSkeleton } from '../components/loading-skeleton.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor } from '../router/hash-router.js';

const useStyles = makeStyles({
  sections: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(280px, 1fr))',
    gap: tokens.spacingHorizontalXL,
    alignItems: 'start',
  },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  heading: { margin: 0, fontSize: tokens.fontSizeBase500, lineHeight: tokens.lineHeightBase500, fontWeight: tokens.fontWeightSemibold },
  guest: { margin: `0 0 ${tokens.spacingVerticalL}`, color: tokens.colorNeutralForeground2 },
});

function HomeSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <section className={styles.section} aria-labelledby={`${id}-heading`} data-testid={id}>
      <h2 id={`${id}-heading`} className={styles.heading}>
        {title}
      </h2>
      {children}
    </section>
  );
}

export function HomePage() {
  const styles = useStyles();
  const { t } = useI18n();
  const me = useMe();

  if (me.status === 'loading') return <PageSkeleton />;
  if (me.status === 'error') {
    return (
      <>
        <PageHeader title={t('home.title')} />
        <ErrorMessage error={me.error} onRetry={me.reload} />
      </>
    );
  }

  return (
    <>
      <PageHeader title={t('home.welcome', { name: me.data.name })} intro={t('home.intro')} />
      {me.data.isGuest ? <p className={styles.guest}>{t('home.guestNote')}</p> : null}
      <div className={styles.sections}>
        <HomeSection id="home-feed" title={t('home.feed.title')}>
          <EmptyState
            title={t('home.feed.emptyTitle')}
            body={t('home.feed.emptyBody')}
            action={<Link href={hrefFor('/communities')}>{t('home.feed.emptyAction')}</Link>}
          />
        </HomeSection>
        <HomeSection id="home-upcoming" title={t('home.upcoming.title')}>
          <EmptyState
            title={t('home.upcoming.emptyTitle')}
            body={t('home.upcoming.emptyBody')}
            action={<Link href={hrefFor('/events')}>{t('home.upcoming.emptyAction')}</Link>}
          />
        </HomeSection>
        <HomeSection id="home-suggested" title={t('home.suggested.title')}>
          <EmptyState
            title={t('home.suggested.emptyTitle')}
            body={t('home.suggested.emptyBody')}
            action={<Link href={hrefFor('/profile')}>{t('home.suggested.emptyAction')}</Link>}
          />
        </HomeSection>
      </div>
    </>
  );
}
