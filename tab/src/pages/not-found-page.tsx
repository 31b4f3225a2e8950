/** Any fragment that is not a route: say so and offer the way home. */
import { Link } from '@fluentui/react-components';
import { EmptyPage } from '../components/empty-page.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { hrefFor } from '../router/hash-router.js';

export function NotFoundPage() {
  const { t } = useI18n();
  return <EmptyPage title={t('notFound.title')} emptyTitle={t('notFound.body')} emptyBody={t('notFound.hint')} action={<Link href={hrefFor('/')}>{t('notFound.action')}</Link>} />;
}
