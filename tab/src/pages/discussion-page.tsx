/** The discussion page. Shows its empty state until the API behind it is wired in. */
import { EmptyPage } from '../components/empty-page.js';
import { useI18n } from '../i18n/i18n-provider.js';

export function DiscussionPage() {
  const { t } = useI18n();
  return <EmptyPage title={t('discussion.title')} emptyTitle={t('discussion.emptyTitle')} emptyBody={t('discussion.emptyBody')} />;
}
