/**
 * The compact view Teams shows in a meeting's side panel (320 px wide): no navigation, one
 * column, what matters during the meeting.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/apps-in-teams-meetings/build-tabs-for-meeting
 */
import { makeStyles, tokens } from '@fluentui/react-components';
import { EmptyState } from '../components/empty-state.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';

const useStyles = makeStyles({
  root: { maxWidth: '320px', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

export function SidePanelPage() {
  const styles = useStyles();
  const { t } = useI18n();
  return (
    <div className={styles.root} data-testid="side-panel">
      <PageHeader title={t('sidePanel.title')} />
      <EmptyState title={t('sidePanel.emptyTitle')} body={t('sidePanel.emptyBody')} />
    </div>
  );
}
