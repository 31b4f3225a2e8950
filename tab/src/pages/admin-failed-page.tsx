/**
 * Failed notifications (dead letters) for organisation admins: what could not be delivered
 * after every attempt, why, and "Send again", which puts it back in the outbox with a fresh
 * count of attempts. A sent-again notification leaves the list; focus moves to the list.
 */
import { Button, makeStyles, tokens } from '@fluentui/react-components';
import { useId, useState } from 'react';
import { listFailedNotifications, retryFailedNotification, type FailedNotification } from '../api/admin-api.js';
import { useApi } from '../api/api-provider.js';
import { usePagedList } from '../api/use-paged-list.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage, toProblem } from '../components/error-message.js';
import { useCardListStyles } from '../components/section.js';
import { ShrinkingList } from '../components/shrinking-list.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';
import type { Route } from '../router/hash-router.js';
import { AdminBackLink } from './admin-page.js';

const useStyles = makeStyles({
  kind: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold },
  facts: { margin: `${tokens.spacingVerticalXXS} 0 ${tokens.spacingVerticalS}`, color: tokens.colorNeutralForeground2, display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalL },
});

export function AdminFailedPage(_props: { route: Route }) {
  const { t } = useI18n();
  const api = useApi();
  const failed = usePagedList((cursor, signal) => listFailedNotifications(api, { cursor, limit: 25, signal }), [api]);
  return (
    <>
      <AdminBackLink />
      <PageHeader title={t('failed.title')} intro={t('failed.intro')} />
      <ShrinkingList list={failed} label={t('failed.listLabel')} testId="failed-list" empty={<EmptyState title={t('failed.emptyTitle')} body={t('failed.emptyBody')} />}>
        {(item, done) => <FailedItem key={item.id} item={item} onRetried={() => done(t('failed.retried'))} />}
      </ShrinkingList>
    </>
  );
}

function FailedItem({ item, onRetried }: { item: FailedNotification; onRetried: () => void }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(undefined);
  const retry = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      await retryFailedNotification(api, item.id);
      onRetried();
    } catch (err) {
      setProblem(toProblem(err));
      setBusy(false);
    }
  };
  return (
    <li className={cards.item} data-testid="failed-item" data-id={item.id}>
      <p className={styles.kind} id={`${id}-kind`}>{t('failed.kind', { kind: item.kind })}</p>
      <p className={styles.facts} id={`${id}-facts`}>
        <span>{t('failed.recipient', { person: item.recipientId })}</span>
        <span>{t('failed.subject', { type: item.subject.type, id: item.subject.id })}</span>
        <span>{t('failed.attempts', { count: item.attempts })}</span>
        <span>{t('failed.failedAt', { when: i18n.formatDateTime(item.failedAt) })}</span>
        {item.lastError ? <span>{t('failed.lastError', { error: item.lastError })}</span> : null}
      </p>
      {problem ? <ErrorMessage error={problem} /> : null}
      <Button onClick={() => void retry()} disabled={busy} aria-describedby={`${id}-kind ${id}-facts`} data-testid="failed-retry">
        {t('failed.retry')}
      </Button>
    </li>
  );
}
