/** Search: discussions, events, communities and people I may see, grouped by kind. The query is in the route (`?q=`). */
import { Button, Link, SearchBox, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { search, type SearchHit, type SearchKind } from '../api/search-api.js';
import { useRequest } from '../api/use-request.js';
import { EmptyState } from '../components/empty-state.js';
import { ListPlaceholder } from '../components/list-placeholder.js';
import { Section, useCardListStyles } from '../components/section.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, navigate, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center', marginBottom: tokens.spacingVerticalL },
  box: { minWidth: '320px' },
});

const ORDER: readonly SearchKind[] = ['discussion', 'event', 'community', 'person'];

function routeOf(hit: SearchHit): string {
  return hit.kind === 'person' ? `/people/${hit.id}` : `/${hit.kind}/${hit.id}`;
}

export function SearchPage({ route }: { route: Route }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const i18n = useI18n();
  const { t, tp } = i18n;
  const api = useApi();
  const q = (route.query.get('q') ?? '').trim();
  const [text, setText] = useState(q);
  const box = useRef<HTMLInputElement>(null);
  const results = useRequest((signal) => (q ? search(api, q, signal) : Promise.resolve([] as SearchHit[])), [api, q]);

  useEffect(() => {
    if (results.status === 'success' && q) announce(tp('search.found', results.data.length, { q }));
  }, [results, q, t]);

  return (
    <>
      <PageHeader title={t('search.title')} intro={t('search.intro')} />
      <form
        role="search"
        className={styles.form}
        onSubmit={(e) => {
          e.preventDefault();
          navigate(`/search?q=${encodeURIComponent(text.trim())}`);
        }}
      >
        <SearchBox ref={box} className={styles.box} value={text} onChange={(_, d) => setText(d.value)} aria-label={t('search.label')} placeholder={t('search.label')} data-testid="search-box" />
        <Button type="submit" appearance="primary">
          {t('search.action')}
        </Button>
      </form>
      {!q ? (
        <EmptyState title={t('search.emptyTitle')} body={t('search.emptyBody')} />
      ) : results.status !== 'success' || results.data.length === 0 ? (
        <ListPlaceholder list={results} lines={4} empty={<EmptyState title={t('search.noneTitle', { q })} body={t('search.noneBody')} />} />
      ) : (
        <div data-testid="search-results">
          {ORDER.map((kind) => {
            const hits = results.data.filter((h) => h.kind === kind);
            if (hits.length === 0) return null;
            return (
              <Section key={kind} title={t(`search.group.${kind}`, { count: hits.length })}>
                <ul className={cards.list}>
                  {hits.map((hit) => (
                    <li key={`${hit.kind}-${hit.id}`} className={cards.item}>
                      <h3 className={cards.title}>
                        <Link href={hrefFor(routeOf(hit))}>{hit.title || t('search.untitled')}</Link>
                      </h3>
                      {hit.at ? <p className={cards.meta}>{i18n.formatDateTime(hit.at, { dateStyle: 'medium', timeStyle: 'short' })}</p> : null}
                      {hit.snippet ? <p className={cards.body}>{hit.snippet}</p> : null}
                    </li>
                  ))}
                </ul>
              </Section>
            );
          })}
        </div>
      )}
    </>
  );
}
