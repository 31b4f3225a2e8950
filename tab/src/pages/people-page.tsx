/** The people page. Shows its empty state until the API behind it is wired in. */
import { EmptyPage } from '../components/empty-page.js';
import { useI18n } from '../i18n/i18n-provider.js';

export function PeoplePage() {
  const { t } = useI18n();
  return <EmptyPage title={t('people.title')} emptyTitle={t('people.emptyTitle')} emptyBody={t('people.emptyBody')} />;
}
