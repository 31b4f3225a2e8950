/**
 * The organisation-wide moderation queue for organisation admins: open reports about
 * discussions, replies and people in every community (and about people outside any), with a
 * link to what was reported, and resolve or dismiss. A decided report leaves the list.
 */
import { Button, Link, makeStyles, tokens } from '@fluentui/react-components';
import { useId, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { decideReport, listReports, type Report } from '../api/discussions-api.js';
import { usePagedList } from '../api/use-paged-list.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage, toProblem } from '../components/error-message.js';
import { useCardListStyles } from '../components/section.js';
import { ShrinkingList } from '../components/shrinking-list.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, type Route } from '../router/hash-router.js';
import { AdminBackLink } from './admin-page.js';

const useStyles = makeStyles({
  what: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  facts: { margin: `${tokens.spacingVerticalXXS} 0 ${tokens.spacingVerticalS}`, color: tokens.colorNeutralForeground2, display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalL },
  text: { margin: `0 0 ${tokens.spacingVerticalS}` },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS },
});

/** Where the reported thing is shown; a reply has no page of its own. */
function targetHref(report: Report): string | undefined {
  if (report.targetType === 'discussion') return `/discussion/${encodeURIComponent(report.targetId)}`;
  if (report.targetType === 'person') return `/people/${encodeURIComponent(report.targetId)}`;
  return undefined;
}

export function AdminModerationPage(_props: { route: Route }) {
  const { t } = useI18n();
  const api = useApi();
  const reports = usePagedList((cursor, signal) => listReports(api, { cursor, limit: 25, signal }), [api]);
  return (
    <>
      <AdminBackLink />
      <PageHeader title={t('moderationQueue.title')} intro={t('moderationQueue.intro')} />
      <ShrinkingList list={reports} label={t('moderationQueue.listLabel')} testId="moderation-queue" empty={<EmptyState title={t('moderationQueue.emptyTitle')} body={t('moderationQueue.emptyBody')} />}>
        {(report, done) => <ReportItem key={report.id} report={report} onDecided={(status) => done(t(status === 'resolved' ? 'moderationQueue.resolved' : 'moderationQueue.dismissed'))} />}
      </ShrinkingList>
    </>
  );
}

function ReportItem({ report, onDecided }: { report: Report; onDecided: (status: 'resolved' | 'dismissed') => void }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(undefined);
  const decide = async (status: 'resolved' | 'dismissed') => {
    setBusy(true);
    setProblem(undefined);
    try {
      await decideReport(api, report.id, status);
      onDecided(status);
    } catch (err) {
      setProblem(toProblem(err));
      setBusy(false);
    }
  };
  const what = t(report.targetType === 'person' ? 'moderationQueue.target.person' : report.targetType === 'reply' ? 'moderationQueue.target.reply' : 'moderationQueue.target.discussion');
  const href = targetHref(report);
  return (
    <li className={cards.item} data-testid="moderation-report" data-target={report.targetType}>
      <p className={styles.what} id={`${id}-what`}>
        {href ? <Link href={hrefFor(href)}>{what}</Link> : what}
      </p>
      <p className={styles.facts}>
        <span>{t('moderationQueue.reason', { reason: report.reason })}</span>
        <span>{t('moderationQueue.reports', { count: report.reportCount })}</span>
        <span>{i18n.formatDateTime(report.createdAt)}</span>
        {report.targetHidden ? <span>{t('moderationQueue.hidden')}</span> : null}
      </p>
      {report.text ? <p className={styles.text}>{report.text}</p> : null}
      {problem ? <ErrorMessage error={problem} /> : null}
      <div className={styles.actions}>
        <Button appearance="primary" disabled={busy} onClick={() => void decide('resolved')} aria-describedby={`${id}-what`} data-testid="moderation-resolve">
          {t('moderationQueue.resolve')}
        </Button>
        <Button disabled={busy} onClick={() => void decide('dismissed')} aria-describedby={`${id}-what`} data-testid="moderation-dismiss">
          {t('moderationQueue.dismiss')}
        </Button>
      </div>
    </li>
  );
}
