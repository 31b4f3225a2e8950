/** The person page. Shows its empty state until the API behind it is wired in. */
import { EmptyPage } from '../components/empty-page.js';
import { useI18n } from '../i18n/i18n-provider.js';

export function PersonPage() {
  const { t } = useI18n();
  return <EmptyPage title={t('person.title')} emptyTitle={t('person.emptyTitle')} emptyBody={t('person.emptyBody')} />;
}
