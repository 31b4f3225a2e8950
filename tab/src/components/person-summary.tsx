/** One person in the directory: name (a link), function and organisation, what they know about. */
import { Badge, Link, Persona } from '@fluentui/react-components';
import type { Person } from '../api/people-api.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { hrefFor } from '../router/hash-router.js';
import { CardItem } from './card-list.js';
import { useCardListStyles } from './section.js';

export function PersonSummary({ person, highlight, why }: { person: Person; highlight?: string; why?: string }) {
  const styles = useCardListStyles();
  const { t } = useI18n();
  const secondary = [person.profile.function ?? person.jobTitle, person.profile.organisation ?? person.department].filter(Boolean).join(' · ');
  return (
    <CardItem testId="person-summary">
      <Persona
        size="medium"
        name={person.name}
        primaryText={<Link href={hrefFor(`/people/${person.id}`)}>{person.name}</Link>}
        secondaryText={secondary || undefined}
        tertiaryText={person.isGuest ? t('shell.guest') : undefined}
      />
      {why ? <p className={styles.meta}>{why}</p> : null}
      {person.profile.expertise.length > 0 ? (
        <div className={styles.meta} aria-label={t('people.knowsAbout')} role="list">
          {person.profile.expertise.map((e) => (
            <Badge key={e} role="listitem" appearance={highlight && e.toLowerCase().includes(highlight.toLowerCase()) ? 'filled' : 'outline'}>
              {e}
            </Badge>
          ))}
        </div>
      ) : null}
    </CardItem>
  );
}
