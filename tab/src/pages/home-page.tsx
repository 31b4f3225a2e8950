/**
 * Home: a welcome, then my feed (what is new where I take part), the consultations I still
 * have to answer, my upcoming sign-ups, and communities I might join. Each section loads on
 * its own, so one slow or failing part does not hold up the others.
 */
import { Link, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { useApi } from '../api/api-provider.js';
import { listCommunities, type Community } from '../api/communities-api.js';
import { listToAnswer } from '../api/consultations-api.js';
import { listEvents } from '../api/events-api.js';
import { getFeed } from '../api/feed-api.js';
import { useMe } from '../api/me-provider.js';
import { usePagedList } from '../api/use-paged-list.js';
import { CommunitySummary } from '../components/community-summary.js';
import { ConsultationSummary } from '../components/consultation-summary.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { EventSummary } from '../components/event-summary.js';
import { ListSkeleton, PageSkeleton } from '../components/loading-skeleton.js';
import { useCardListStyles } from '../components/section.js';
import { PageLoadFailed } from '../components/page-load-failed.js';
import { hasItems, ListPlaceholder } from '../components/list-placeholder.js';
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
    return <PageLoadFailed title={t('home.title')} error={me.error} onRetry={me.reload} />;
  }

  return (
    <>
      <PageHeader title={t('home.welcome', { name: me.data.name })} intro={t('home.intro')} />
      {me.data.isGuest ? <p className={styles.guest}>{t('home.guestNote')}</p> : null}
      <div className={styles.sections}>
        <HomeSection id="home-feed" title={t('home.feed.title')}>
          <Feed />
        </HomeSection>
        <HomeSection id="home-consultations" title={t('home.consultations.title')}>
          <ToAnswer />
        </HomeSection>
        <HomeSection id="home-upcoming" title={t('home.upcoming.title')}>
          <Upcoming />
        </HomeSection>
        <HomeSection id="home-suggested" title={t('home.suggested.title')}>
          <Suggested />
        </HomeSection>
      </div>
    </>
  );
}

function Feed() {
  const cards = useCardListStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const feed = usePagedList((cursor, signal) => getFeed(api, { cursor, limit: 10, signal }), [api]);
  if (!hasItems(feed)) return <ListPlaceholder list={feed} lines={3} empty={<EmptyState title={t('home.feed.emptyTitle')} body={t('home.feed.emptyBody')} action={<Link href={hrefFor('/communities')}>{t('home.feed.emptyAction')}</Link>} />} />;
  return (
    <ul className={cards.list} data-testid="feed-list">
      {feed.items.map((item) => (
        <li key={item.id} className={cards.item}>
          <p className={cards.title}>{item.route ? <Link href={hrefFor(item.route)}>{item.title || t('search.untitled')}</Link> : item.title}</p>
          <p className={cards.meta}>
            {[item.actorName, item.communityName].filter(Boolean).join(' · ')}
            {item.at ? (
              <>
                {' · '}
                <time dateTime={item.at}>{i18n.formatDateTime(item.at, { dateStyle: 'medium', timeStyle: 'short' })}</time>
              </>
            ) : null}
          </p>
          {item.excerpt ? <p className={cards.body}>{item.excerpt}</p> : null}
          {item.conclusion ? (
            <p className={cards.body} data-testid="feed-conclusion">
              <strong>{t('feed.conclusion', { text: item.conclusion })}</strong>
            </p>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function Upcoming() {
  const cards = useCardListStyles();
  const { t } = useI18n();
  const api = useApi();
  const events = usePagedList((cursor, signal) => listEvents(api, { mine: true, cursor, limit: 5, signal }), [api]);
  if (!hasItems(events)) return <ListPlaceholder list={events} lines={2} empty={<EmptyState title={t('home.upcoming.emptyTitle')} body={t('home.upcoming.emptyBody')} action={<Link href={hrefFor('/events')}>{t('home.upcoming.emptyAction')}</Link>} />} />;
  return (
    <>
      <ul className={cards.list} data-testid="upcoming-list">
        {events.items.map((e) => (
          <EventSummary key={e.id} event={e} />
        ))}
      </ul>
      <Link href={hrefFor('/events?mine=true')}>{t('home.upcoming.all')}</Link>
    </>
  );
}

function ToAnswer() {
  const cards = useCardListStyles();
  const { t } = useI18n();
  const api = useApi();
  const open = usePagedList((cursor, signal) => listToAnswer(api, { cursor, limit: 5, signal }), [api]);
  if (!hasItems(open)) return <ListPlaceholder list={open} lines={2} empty={<EmptyState title={t('home.consultations.emptyTitle')} body={t('home.consultations.emptyBody')} />} />;
  return (
    <ul className={cards.list} data-testid="to-answer-list">
      {open.items.map((c) => (
        <ConsultationSummary key={c.id} consultation={c} showCommunity />
      ))}
    </ul>
  );
}

function Suggested() {
  const cards = useCardListStyles();
  const { t } = useI18n();
  const api = useApi();
  const communities = usePagedList((cursor, signal) => listCommunities(api, { cursor, limit: 30, signal }), [api]);
  if (communities.status === 'loading') return <ListSkeleton lines={2} />;
  if (communities.status === 'error') return <ErrorMessage error={communities.error} onRetry={communities.reload} />;
  const suggestions = communities.items.filter((c: Community) => !c.membership && c.permissions?.canJoin).slice(0, 3);
  if (suggestions.length === 0) {
    return <EmptyState title={t('home.suggested.emptyTitle')} body={t('home.suggested.emptyBody')} action={<Link href={hrefFor('/profile')}>{t('home.suggested.emptyAction')}</Link>} />;
  }
  return (
    <ul className={cards.list} data-testid="suggested-list">
      {suggestions.map((c) => (
        <CommunitySummary key={c.id} community={c} onChange={(next) => communities.update((items) => items.map((x) => (x.id === next.id ? next : x)))} />
      ))}
    </ul>
  );
}
