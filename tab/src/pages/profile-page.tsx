/** My profile: who Meent knows me as; expertise and interests come with the people API. */
import { makeStyles, tokens } from '@fluentui/react-components';
import { useMe } from '../api/me-provider.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageSkeleton } from '../components/loading-skeleton.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';

const useStyles = makeStyles({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
    margin: `0 0 ${tokens.spacingVerticalL}`,
  },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0 },
});

export function ProfilePage() {
  const styles = useStyles();
  const { t } = useI18n();
  const me = useMe();

  if (me.status === 'loading') return <PageSkeleton />;
  return (
    <>
      <PageHeader title={t('profile.title')} />
      {me.status === 'error' ? (
        <ErrorMessage error={me.error} onRetry={me.reload} />
      ) : (
        <>
          <dl className={styles.facts}>
            <dt className={styles.term}>{t('profile.name')}</dt>
            <dd className={styles.value}>{me.data.name}</dd>
            <dt className={styles.term}>{t('profile.account')}</dt>
            <dd className={styles.value}>{me.data.isGuest ? t('profile.accountGuest') : t('profile.accountMember')}</dd>
          </dl>
          <EmptyState title={t('profile.emptyTitle')} body={t('profile.emptyBody')} />
        </>
      )}
    </>
  );
}
