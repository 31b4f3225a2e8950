/**
 * What the author or a manager does with a whole discussion: close it with a conclusion (a
 * dialog that keeps the text when the server refuses it) or reopen it, pin or unpin it. And
 * what every reader sees of that: the conclusion at the top of a closed discussion, and the
 * accepted answer at the top of a question (read on its own, so it is there even when the
 * answer is on a later page of replies).
 */
import { Button, Field, Link, Textarea, ToggleButton, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { getReply, setClosed, setPinned, type Discussion } from '../api/discussions-api.js';
import { useRequest } from '../api/use-request.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { ActionDialog } from './action-dialog.js';
import { authorName } from './author-name.js';
import { ErrorMessage } from './error-message.js';
import { ListSkeleton } from './loading-skeleton.js';
import { RichText } from './rich-text.js';

const useStyles = makeStyles({
  highlight: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    marginBottom: tokens.spacingVerticalL,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderLeft: `${tokens.strokeWidthThickest} solid ${tokens.colorBrandStroke1}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  answer: { borderLeft: `${tokens.strokeWidthThickest} solid ${tokens.colorPaletteGreenBorder2}` },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400, lineHeight: tokens.lineHeightBase400, fontWeight: tokens.fontWeightSemibold },
  meta: { margin: 0, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
});

/** The conclusion of a closed discussion, at the top of the thread. */
export function ConclusionPanel({ discussion }: { discussion: Discussion }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  if (discussion.status !== 'closed') return null;
  return (
    <section className={styles.highlight} aria-labelledby="conclusion-heading" data-testid="conclusion">
      <h2 id="conclusion-heading" className={styles.heading}>
        {t('discussionTools.conclusion')}
      </h2>
      {discussion.closedAt ? <p className={styles.meta}>{t('discussionTools.closedOn', { date: i18n.formatDateTime(discussion.closedAt, { dateStyle: 'medium', timeStyle: 'short' }) })}</p> : null}
      {discussion.conclusion?.html ? <RichText html={discussion.conclusion.html} testId="conclusion-body" /> : <p className={styles.meta}>{t('discussionTools.noConclusion')}</p>}
    </section>
  );
}

/** The accepted answer of a question, at the top of the thread, with a way to its place among the replies. */
export function AcceptedAnswerPanel({ discussion, onGoTo }: { discussion: Discussion; onGoTo: (replyId: string) => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const id = discussion.kind === 'question' ? discussion.acceptedReplyId : null;
  const answer = useRequest((signal) => (id ? getReply(api, id, signal) : Promise.resolve(undefined)), [api, id]);
  if (!id) return null;
  return (
    <section className={`${styles.highlight} ${styles.answer}`} aria-labelledby="accepted-heading" data-testid="accepted-answer">
      <h2 id="accepted-heading" className={styles.heading}>
        {t('discussion.answer')}
      </h2>
      {answer.status === 'loading' ? <ListSkeleton lines={1} /> : null}
      {answer.status === 'error' ? <ErrorMessage error={answer.error} onRetry={answer.reload} /> : null}
      {answer.status === 'success' && answer.data ? (
        <>
          <p className={styles.meta} data-testid="accepted-answer-note">
            {t('discussion.answeredBy', { name: authorName(t, answer.data.author) })}
          </p>
          {answer.data.body.html ? <RichText html={answer.data.body.html} testId="accepted-answer-body" /> : null}
          <p className={styles.meta}>
            <Link
              href={`#reply-${id}`}
              onClick={(e) => {
                e.preventDefault();
                onGoTo(id);
              }}
            >
              {t('discussion.goToAnswer')}
            </Link>
          </p>
        </>
      ) : null}
    </section>
  );
}

/** Close with a conclusion, reopen, pin and unpin: shown only to those the server allows. */
export function DiscussionTools({ discussion, onChange }: { discussion: Discussion; onChange: (d: Discussion) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [closing, setClosing] = useState(false);
  const [conclusion, setConclusion] = useState(discussion.conclusion?.source ?? '');
  const dialog = useActions();
  const quick = useActions();

  const close = () =>
    dialog.run(
      async () => {
        onChange(await setClosed(api, discussion.id, { closed: true, conclusion: conclusion.trim() }));
        setClosing(false);
        announce(t('discussionTools.closedDone'));
      },
      { blocking: true },
    );
  const reopen = () =>
    quick.run(
      async () => {
        onChange(await setClosed(api, discussion.id, { closed: false }));
        announce(t('discussionTools.reopenedDone'));
      },
      { blocking: true },
    );
  const pin = () =>
    quick.run(
      async () => {
        const pinned = !discussion.pinned;
        onChange(await setPinned(api, discussion.id, pinned));
        announce(t(pinned ? 'discussionTools.pinnedDone' : 'discussionTools.unpinnedDone'));
      },
      { blocking: true },
    );

  const fieldMessage = dialog.problem?.fieldError('conclusion');
  return (
    <>
      {discussion.permissions.canPin ? (
        <ToggleButton checked={discussion.pinned} disabled={quick.busy} onClick={() => void pin()} data-testid="pin-discussion">
          {discussion.pinned ? t('discussionTools.unpin') : t('discussionTools.pin')}
        </ToggleButton>
      ) : null}
      {discussion.permissions.canClose && discussion.status === 'closed' ? (
        <Button disabled={quick.busy} onClick={() => void reopen()} data-testid="reopen-discussion">
          {t('discussionTools.reopen')}
        </Button>
      ) : null}
      {discussion.permissions.canClose && discussion.status === 'open' ? (
        <ActionDialog
          open={closing}
          onClose={() => setClosing(false)}
          trigger={
            <Button onClick={() => setClosing(true)} data-testid="close-discussion">
              {t('discussionTools.close')}
            </Button>
          }
          title={t('discussionTools.closeTitle')}
          intro={t('discussionTools.closeBody')}
          problem={fieldMessage ? undefined : dialog.problem}
          action={t('discussionTools.closeConfirm')}
          onAction={() => void close()}
          busy={dialog.busy}
          actionTestId="confirm-close"
        >
          <Field label={t('discussionTools.conclusionLabel')} hint={t('discussionTools.conclusionHint')} validationMessage={fieldMessage} validationState={fieldMessage ? 'error' : 'none'}>
            <Textarea value={conclusion} onChange={(_, d) => setConclusion(d.value)} maxLength={20_000} rows={5} data-testid="conclusion-input" />
          </Field>
        </ActionDialog>
      ) : null}
      {quick.problem ? <ErrorMessage error={quick.problem} /> : null}
    </>
  );
}
