/**
 * The profile page's "Your data": export my data (progress in the page and, politely, to
 * screen readers; the download when ready) and delete my account, behind a dialog that says
 * exactly what will happen. After the deletion the section says so and calls the API no more
 * (any call would sign the person in again as someone new).
 */
import { Button, ProgressBar, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { ApiProblem } from '../api/api-problem.js';
import { downloadMyExport, eraseMe, getMyExport, startMyExport, type DataExport } from '../api/privacy-api.js';
import { ActionDialog } from '../components/action-dialog.js';
import { saveFile } from '../components/download.js';
import { ErrorMessage } from '../components/error-message.js';
import { Section } from '../components/section.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';

const POLL_MS = 2_000;

const useStyles = makeStyles({
  block: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, maxWidth: '640px' },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  list: { margin: `${tokens.spacingVerticalS} 0`, paddingInlineStart: tokens.spacingHorizontalXL },
  hint: { margin: 0, color: tokens.colorNeutralForeground2 },
});

export function PrivacySection() {
  const styles = useStyles();
  const { t } = useI18n();
  const [deleted, setDeleted] = useState(false);
  return (
    <Section title={t('privacy.title')} testId="privacy-section">
      <div className={styles.block}>
        {deleted ? (
          <p role="status" tabIndex={-1} ref={(el) => el?.focus()} data-testid="account-deleted">
            {t('privacy.deleted')}
          </p>
        ) : (
          <>
            <p className={styles.hint}>{t('privacy.intro')}</p>
            <DataExportBlock />
          </>
        )}
        {/* Stays mounted after the deletion: a dialog unmounted while it closes leaves the page hidden from screen readers. */}
        <DeleteAccount deleted={deleted} onDeleted={() => setDeleted(true)} />
      </div>
    </Section>
  );
}

function DataExportBlock() {
  const styles = useStyles();
  const { t, language, formatDateTime } = useI18n();
  const api = useApi();
  const actions = useActions();
  const [current, setCurrent] = useState<DataExport | undefined>(undefined);
  const announced = useRef<string | undefined>(undefined);
  // Raised when an export starts: polling begins anew.
  const [generation, setGeneration] = useState(0);

  // What there is already (404: never asked); then, while it runs, how far it is.
  useEffect(() => {
    const controller = new AbortController();
    let timer: number | undefined;
    const poll = async () => {
      try {
        const next = await getMyExport(api, controller.signal);
        setCurrent(next);
        if (next.status === 'pending' || next.status === 'running') timer = window.setTimeout(() => void poll(), POLL_MS);
      } catch (err) {
        if (!(err instanceof ApiProblem && err.status === 404) && !controller.signal.aborted) timer = window.setTimeout(() => void poll(), POLL_MS * 5);
      }
    };
    void poll();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [api, generation]);

  useEffect(() => {
    if (!current || announced.current === current.status) return;
    if (current.status === 'ready') announce(t('privacy.exportReady'));
    if (current.status === 'failed') announce(t('privacy.exportFailed'));
    announced.current = current.status;
  }, [current, t]);

  const start = () =>
    actions.run(
      async () => {
        const started = await startMyExport(api, language);
        announced.current = started.status;
        setCurrent(started);
        setGeneration((g) => g + 1);
        announce(t('privacy.exportStarted'));
      },
      { blocking: true },
    );
  const download = (url: string) =>
    actions.run(async () => {
      saveFile(await downloadMyExport(api, url), 'meent-export.zip');
    });

  const running = current?.status === 'pending' || current?.status === 'running';
  return (
    <div className={styles.block}>
      <div className={styles.row}>
        <Button appearance="primary" onClick={() => void start()} disabled={actions.busy || running} data-testid="export-start">
          {t('privacy.export')}
        </Button>
      </div>
      <p className={styles.hint}>{t('privacy.exportHint')}</p>
      {running ? (
        <div data-testid="export-progress">
          <ProgressBar value={current.total > 0 ? current.done / current.total : undefined} thickness="large" aria-label={t('privacy.exportProgress', { done: current.done, total: current.total })} />
          <p className={styles.hint}>{t('privacy.exportProgress', { done: current.done, total: current.total })}</p>
        </div>
      ) : null}
      {current?.status === 'ready' && current.downloadUrl ? (
        <div className={styles.row}>
          <Button onClick={() => void download(current.downloadUrl!)} data-testid="export-download">
            {t('privacy.download')}
          </Button>
          {current.expiresAt ? <span className={styles.hint}>{t('privacy.downloadUntil', { time: formatDateTime(current.expiresAt) })}</span> : null}
        </div>
      ) : null}
      {current?.status === 'failed' ? <p>{t('privacy.exportFailed')}</p> : null}
      {current?.status === 'expired' ? <p>{t('privacy.exportExpired')}</p> : null}
      {actions.problem ? <ErrorMessage error={actions.problem} /> : null}
    </div>
  );
}

function DeleteAccount({ deleted, onDeleted }: { deleted: boolean; onDeleted: () => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const actions = useActions();
  const [open, setOpen] = useState(false);
  const remove = () =>
    actions.run(
      async () => {
        await eraseMe(api);
        setOpen(false);
        announce(t('privacy.deleted'));
        onDeleted();
      },
      { blocking: true },
    );
  return (
    <ActionDialog
      open={open}
      onClose={() => setOpen(false)}
      trigger={
        <Button appearance="secondary" onClick={() => setOpen(true)} disabled={deleted} data-testid="delete-account">
          {t('privacy.delete')}
        </Button>
      }
      title={t('privacy.deleteTitle')}
      intro={t('privacy.deleteIntro')}
      problem={actions.problem}
      action={t('privacy.deleteConfirm')}
      onAction={() => void remove()}
      busy={actions.busy}
      actionTestId="delete-account-confirm"
    >
      <ul className={styles.list} data-testid="delete-consequences">
        <li>{t('privacy.deleteProfile')}</li>
        <li>{t('privacy.deleteMemberships')}</li>
        <li>{t('privacy.deleteEvents')}</li>
        <li>{t('privacy.deleteContent')}</li>
        <li>{t('privacy.deleteAudit')}</li>
        <li>{t('privacy.deleteManager')}</li>
      </ul>
    </ActionDialog>
  );
}
