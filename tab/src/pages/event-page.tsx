/** The event page. Shows its empty state until the API behind it is wired in. */
import { EmptyPage } from '../components/empty-page.js';
import { useI18n } from '../i18n/i18n-provider.js';

export function EventPage() {
  const { t } = useI18n();
  return <EmptyPage title={t('event.title')} emptyTitle={t('event.emptyTitle')} emptyBody={t('event.emptyBody')} />;
}
