/** The search page. Shows its empty state until the API behind it is wired in. */
import { EmptyPage } from '../components/empty-page.js';
import { useI18n } from '../i18n/i18n-provider.js';

export function SearchPage() {
  const { t } = useI18n();
  return <EmptyPage title={t('search.title')} emptyTitle={t('search.emptyTitle')} emptyBody={t('search.emptyBody')} />;
}
