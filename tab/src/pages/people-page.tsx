/**
 * People: the directory of colleagues and partners who share a community with me, searchable
 * by name, and "who knows about ...": people with that expertise.
 */
import { Field, Input, Radio, RadioGroup, SearchBox, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { findExperts, listPeople, type Expert } from '../api/people-api.js';
import { useRequest } from '../api/use-request.js';
import { usePagedList } from '../api/use-paged-list.js';
import { PagedCardList } from '../components/card-list.js';
import { EmptyState } from '../components/empty-state.js';
import { hasItems, ListPlaceholder } from '../components/list-placeholder.js';
import { PersonSummary } from '../components/person-summary.js';
import { useCardListStyles } from '../components/section.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import type { Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  toolbar: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalL, marginBottom: tokens.spacingVerticalL },
  search: { minWidth: '280px' },
});

type Mode = 'name' | 'expertise';

export function PeoplePage({ route }: { route: Route }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const { t, tp } = useI18n();
  const api = useApi();
  const [mode, setMode] = useState<Mode>(route.query.get('expertise') ? 'expertise' : 'name');
  const [text, setText] = useState(route.query.get('expertise') ?? route.query.get('q') ?? '');
  const [term, setTerm] = useState(text.trim());

  useEffect(() => {
    const timer = window.setTimeout(() => setTerm(text.trim()), 300);
    return () => window.clearTimeout(timer);
  }, [text]);

  const people = usePagedList((cursor, signal) => (mode === 'name' ? listPeople(api, { q: term, cursor, limit: 25, signal }) : Promise.resolve({ items: [] })), [api, mode, term]);
  const experts = useRequest((signal) => (mode === 'expertise' && term ? findExperts(api, term, { limit: 25, signal }) : Promise.resolve([] as Expert[])), [api, mode, term]);
  useEffect(() => {
    if (mode === 'name' && people.status === 'success' && term) announce(tp('people.found', people.items.length));
    if (mode === 'expertise' && experts.status === 'success' && term) announce(tp('people.found', experts.data.length));
  }, [mode, people.status, experts.status, term, tp]);

  const why = (e: Expert) =>
    [e.declaredExpertise ? t('people.expert.declared') : '', e.acceptedAnswers > 0 ? tp('people.expert.answers', e.acceptedAnswers) : '', e.replies > 0 ? tp('people.expert.replies', e.replies) : '']
      .filter(Boolean)
      .join(' · ');

  return (
    <>
      <PageHeader title={t('people.title')} intro={t('people.intro')} />
      <div className={styles.toolbar} role="search">
        <Field label={t('people.searchBy')}>
          <RadioGroup value={mode} layout="horizontal" onChange={(_, d) => setMode(d.value === 'expertise' ? 'expertise' : 'name')}>
            <Radio value="name" label={t('people.searchBy.name')} />
            <Radio value="expertise" label={t('people.searchBy.expertise')} data-testid="people-mode-expertise" />
          </RadioGroup>
        </Field>
        {mode === 'name' ? (
          <SearchBox className={styles.search} value={text} onChange={(_, d) => setText(d.value)} aria-label={t('people.search')} placeholder={t('people.search')} data-testid="people-search" />
        ) : (
          <Field label={t('people.whoKnows')}>
            <Input className={styles.search} value={text} onChange={(_, d) => setText(d.value)} placeholder={t('people.whoKnowsPlaceholder')} data-testid="people-expertise" />
          </Field>
        )}
      </div>
      {mode === 'expertise' ? (
        !term ? (
          <EmptyState title={t('people.searchBy.expertise')} body={t('people.whoKnowsEmpty')} />
        ) : experts.status !== 'success' || experts.data.length === 0 ? (
          <ListPlaceholder list={experts} lines={4} empty={<EmptyState title={t('people.noneFound', { q: term })} body={t('people.emptyBody')} />} />
        ) : (
          <ul className={cards.list} data-testid="experts-list">
            {experts.data.map((e) => (
              <PersonSummary key={e.person.id} person={e.person} highlight={term} why={why(e)} />
            ))}
          </ul>
        )
      ) : !hasItems(people) ? (
        <ListPlaceholder list={people} lines={4} empty={<EmptyState title={term ? t('people.noneFound', { q: term }) : t('people.emptyTitle')} body={t('people.emptyBody')} />} />
      ) : (
        <PagedCardList list={people} testId="people-list">
          {(p) => <PersonSummary key={p.id} person={p} />}
        </PagedCardList>
      )}
    </>
  );
}
