/** One person: who they are, what they know about and are interested in, communities we share. */
import { Badge, Link, Persona, makeStyles, tokens } from '@fluentui/react-components';
import { useApi } from '../api/api-provider.js';
import { getPerson } from '../api/people-api.js';
import { useRequest } from '../api/use-request.js';
import { PageSkeleton } from '../components/loading-skeleton.js';
import { Section } from '../components/section.js';
import { PageLoadFailed } from '../components/page-load-failed.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalS, margin: `${tokens.spacingVerticalL} 0` },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0 },
  tags: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, listStyleType: 'none', margin: 0, padding: 0 },
});

export function PersonPage({ route }: { route: Route }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const id = route.params.id ?? '';
  const person = useRequest((signal) => getPerson(api, id, signal), [api, id]);
  if (person.status === 'loading') return <PageSkeleton />;
  if (person.status === 'error') {
    return <PageLoadFailed title={t('person.title')} error={person.error} onRetry={person.reload} />;
  }
  const p = person.data;
  const tags = (list: string[], label: string, testId: string) =>
    list.length > 0 ? (
      <Section title={label} testId={testId}>
        <ul className={styles.tags}>
          {list.map((x) => (
            <li key={x}>
              <Link href={hrefFor(`/people?expertise=${encodeURIComponent(x)}`)}>
                <Badge appearance="outline">{x}</Badge>
              </Link>
            </li>
          ))}
        </ul>
      </Section>
    ) : null;
  return (
    <>
      <PageHeader title={p.name} />
      <Persona size="huge" name={p.name} secondaryText={p.profile.function ?? p.jobTitle ?? undefined} tertiaryText={p.isGuest ? t('shell.guest') : undefined} />
      <dl className={styles.facts}>
        {p.profile.organisation ?? p.department ? (
          <>
            <dt className={styles.term}>{t('profile.organisation')}</dt>
            <dd className={styles.value}>{p.profile.organisation ?? p.department}</dd>
          </>
        ) : null}
        {p.profile.askMeAbout ? (
          <>
            <dt className={styles.term}>{t('profile.askMeAbout')}</dt>
            <dd className={styles.value}>{p.profile.askMeAbout}</dd>
          </>
        ) : null}
        {p.profile.languages.length > 0 ? (
          <>
            <dt className={styles.term}>{t('profile.languages')}</dt>
            <dd className={styles.value}>{p.profile.languages.join(', ')}</dd>
          </>
        ) : null}
      </dl>
      {tags(p.profile.expertise, t('profile.expertise'), 'person-expertise')}
      {tags(p.profile.interests, t('profile.interests'), 'person-interests')}
      {p.communities.length > 0 ? (
        <Section title={t('person.communities')}>
          <ul>
            {p.communities.map((c) => (
              <li key={c.id}>
                <Link href={hrefFor(`/community/${c.id}`)}>{c.name}</Link>
              </li>
            ))}
          </ul>
        </Section>
      ) : null}
    </>
  );
}
