/**
 * The organisation admin area's hub: a link with a line of explanation to each admin tool,
 * including the existing figures (`#/analytics`) and privacy settings (`#/admin/privacy`).
 * The navigation shows it to organisation admins only; the server refuses the tools to anyone else.
 */
import { Link, makeStyles, tokens } from '@fluentui/react-components';
import { useMe } from '../api/me-provider.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageSkeleton } from '../components/loading-skeleton.js';
import type { PlainKey } from '../i18n/translator.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'grid', gap: tokens.spacingVerticalL, maxWidth: '48rem' },
  title: { margin: 0, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold },
  body: { margin: `${tokens.spacingVerticalXXS} 0 0`, color: tokens.colorNeutralForeground2 },
});

const TOOLS: ReadonlyArray<{ path: string; title: PlainKey; body: PlainKey; testId: string }> = [
  { path: '/admin/audit', title: 'admin.link.audit', body: 'admin.link.auditBody', testId: 'admin-link-audit' },
  { path: '/admin/notifications', title: 'admin.link.failed', body: 'admin.link.failedBody', testId: 'admin-link-failed' },
  { path: '/admin/settings', title: 'admin.link.settings', body: 'admin.link.settingsBody', testId: 'admin-link-settings' },
  { path: '/admin/moderation', title: 'admin.link.moderation', body: 'admin.link.moderationBody', testId: 'admin-link-moderation' },
  { path: '/analytics', title: 'admin.link.analytics', body: 'admin.link.analyticsBody', testId: 'admin-link-analytics' },
  { path: '/admin/privacy', title: 'admin.link.privacy', body: 'admin.link.privacyBody', testId: 'admin-link-privacy' },
];

export function AdminPage(_props: { route: Route }) {
  const styles = useStyles();
  const { t } = useI18n();
  const me = useMe();
  if (me.status === 'loading') return <PageSkeleton />;
  return (
    <>
      <PageHeader title={t('admin.title')} intro={t('admin.intro')} />
      {me.status === 'error' ? (
        <ErrorMessage error={me.error} />
      ) : !me.data.isOrgAdmin ? (
        <p data-testid="admin-not-allowed">{t('admin.notAllowed')}</p>
      ) : (
        <ul className={styles.list} data-testid="admin-tools">
          {TOOLS.map((tool) => (
            <li key={tool.path}>
              <h2 className={styles.title}>
                <Link href={hrefFor(tool.path)} data-testid={tool.testId}>
                  {t(tool.title)}
                </Link>
              </h2>
              <p className={styles.body}>{t(tool.body)}</p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** "Back to organisation admin", above each admin tool. */
export function AdminBackLink() {
  const { t } = useI18n();
  return <Link href={hrefFor('/admin')}>{t('admin.back')}</Link>;
}
