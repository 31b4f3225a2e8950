/** Communities: the ones I belong to and the ones I may find, searchable; join or ask to join from the list. */
import { Checkbox, Link, SearchBox, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { listCommunities } from '../api/communities-api.js';
import { useMe } from '../api/me-provider.js';
import { usePagedList } from '../api/use-paged-list.js';
import { PagedCardList } from '../components/card-list.js';
import { CommunitySummary } from '../components/community-summary.js';
import { EmptyState } from '../components/empty-state.js';
import { hasItems, ListPlaceholder } from '../components/list-placeholder.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor } from '../router/hash-router.js';

const useStyles = makeStyles({
  toolbar: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalL, marginBottom: tokens.spacingVerticalL },
  search: { minWidth: '280px' },
});

export function CommunitiesPage() {
  const styles = useStyles();
  const { t, tp } = useI18n();
  const api = useApi();
  const me = useMe();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [mine, setMine] = useState(false);

  // Search as the user types, a moment after they stop.
  useEffect(() => {
    const timer = window.setTimeout(() => setQ(text.trim()), 300);
    return () => window.clearTimeout(timer);
  }, [text]);

  const communities = usePagedList((cursor, signal) => listCommunities(api, { q, mine, cursor, limit: 20, signal }), [api, q, mine]);
  useEffect(() => {
    if (communities.status === 'success' && q) announce(tp('communities.found', communities.items.length));
  }, [communities.status, q, t]);

  const canCreate = me.status === 'success' && !me.data.isGuest;
  return (
    <>
      <PageHeader title={t('communities.title')} intro={t('communities.intro')} />
      <div className={styles.toolbar} role="search">
        <SearchBox className={styles.search} value={text} onChange={(_, d) => setText(d.value)} aria-label={t('communities.search')} placeholder={t('communities.search')} data-testid="communities-search" />
        <Checkbox label={t('communities.mine')} checked={mine} onChange={(_, d) => setMine(d.checked === true)} />
        {canCreate ? (
          <Link href={hrefFor('/communities/new')} data-testid="new-community">
            {t('communities.new')}
          </Link>
        ) : null}
      </div>
      {!hasItems(communities) ? (
        <ListPlaceholder list={communities} lines={4} empty={<EmptyState title={q ? t('communities.noneFound', { q }) : t('communities.emptyTitle')} body={t('communities.emptyBody')} />} />
      ) : (
        <PagedCardList list={communities} testId="communities-list">
          {(c) => <CommunitySummary key={c.id} level={2} community={c} onChange={(next) => communities.update((items) => items.map((x) => (x.id === next.id ? next : x)))} />}
        </PagedCardList>
      )}
    </>
  );
}
