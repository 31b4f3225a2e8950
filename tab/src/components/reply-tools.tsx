/**
 * Changing a reply after it was posted: editing in place (a refused save keeps the text),
 * removing with a confirmation, and the edit history in a dialog (earlier versions, newest
 * first, read when the dialog opens).
 */
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles, tokens } from '@fluentui/react-components';
import { useRef } from 'react';
import { useApi } from '../api/api-provider.js';
import { deleteReply, editReply, getReply, type Reply } from '../api/discussions-api.js';
import { useRequest } from '../api/use-request.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { ActionDialog } from './action-dialog.js';
import { ErrorMessage } from './error-message.js';
import { ListSkeleton } from './loading-skeleton.js';
import { AttachFiles, useChosenFiles } from './attach-files.js';
import { MarkdownEditor, useMentionText } from './markdown-editor.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  versions: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  version: { borderLeft: `${tokens.strokeWidthThick} solid ${tokens.colorNeutralStroke1}`, paddingLeft: tokens.spacingHorizontalM },
  when: { margin: 0, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  text: { margin: `${tokens.spacingVerticalXS} 0 0`, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
});

/** The reply's text in an editor, saved in place. */
export function ReplyEditor({ communityId, reply, onSaved, onCancel }: { communityId: string; reply: Reply; onSaved: (r: Reply) => void; onCancel: () => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const body = useMentionText(reply.body.source);
  const area = useRef<HTMLTextAreaElement>(null);
  const { busy, problem, run } = useActions();
  const files = useChosenFiles(reply.attachments);

  const save = async () => {
    if (files.uploading) {
      announce(t('attach.waitForUploads'));
      return;
    }
    if (body.text.trim() === '') {
      announce(t('discussion.composer.empty'));
      area.current?.focus();
      return;
    }
    // The files go along only when they changed: one that vanished meanwhile would otherwise refuse the edit.
    const attachments = files.changed() ? { attachments: files.refs() } : {};
    const done = await run(async () => onSaved(await editReply(api, reply.id, { body: body.text, ...body.mentions(), ...attachments })), { blocking: true });
    if (!done) {
      announce(t('replyTools.saveFailed'));
      area.current?.focus();
    }
  };

  const fieldMessage = problem?.fieldError('body');
  return (
    <form
      className={styles.form}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      data-testid="reply-editor"
    >
      {problem && !fieldMessage ? <ErrorMessage error={problem} /> : null}
      <MarkdownEditor
        label={t('replyTools.editLabel')}
        {...body.editor}
        onSubmitShortcut={() => void save()}
        field={{ validationMessage: fieldMessage, validationState: fieldMessage ? 'error' : 'none' }}
        testId="reply-edit-body"
        textareaRef={area}
      />
      {communityId ? <AttachFiles communityId={communityId} chosen={files} testId="reply-edit-attach-files" /> : null}
      <div className={styles.buttons}>
        <Button type="submit" appearance="primary" disabledFocusable={busy} data-testid="save-reply">
          {t('replyTools.save')}
        </Button>
        <Button onClick={onCancel}>{t('replyTools.cancel')}</Button>
      </div>
    </form>
  );
}

/** Asks before removing a reply; the thread then shows a placeholder in its place. */
export function DeleteReplyDialog({ reply, onClose, onDeleted }: { reply: Reply | undefined; onClose: () => void; onDeleted: (r: Reply) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const { busy, problem, run } = useActions();
  const remove = () =>
    run(
      async () => {
        if (!reply) return;
        await deleteReply(api, reply.id);
        onDeleted(reply);
        announce(t('replyTools.deleted'));
      },
      { blocking: true },
    );
  return (
    <ActionDialog
      open={reply !== undefined}
      onClose={onClose}
      title={t('replyTools.deleteTitle')}
      intro={t('replyTools.deleteBody')}
      problem={problem}
      action={t('replyTools.deleteConfirm')}
      onAction={() => void remove()}
      busy={busy}
      actionTestId="confirm-delete-reply"
    >
      {null}
    </ActionDialog>
  );
}

/** The earlier versions of a reply. */
export function ReplyHistoryDialog({ replyId, onClose }: { replyId: string | undefined; onClose: () => void }) {
  const { t } = useI18n();
  return (
    <Dialog open={replyId !== undefined} onOpenChange={(_, d) => (d.open ? undefined : onClose())}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{t('replyTools.historyTitle')}</DialogTitle>
          <DialogContent>{replyId ? <History replyId={replyId} /> : null}</DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onClose}>
              {t('replyTools.historyClose')}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function History({ replyId }: { replyId: string }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const reply = useRequest((signal) => getReply(api, replyId, signal), [api, replyId]);
  if (reply.status === 'loading') return <ListSkeleton lines={2} />;
  if (reply.status === 'error') return <ErrorMessage error={reply.error} onRetry={reply.reload} />;
  const when = (iso: string) => i18n.formatDateTime(iso, { dateStyle: 'medium', timeStyle: 'short' });
  // The current text first, then each earlier version with the moment it was replaced.
  const versions = [...reply.data.history].reverse();
  return (
    <ol className={styles.versions} data-testid="reply-history">
      <li className={styles.version}>
        <p className={styles.when}>{reply.data.editedAt ? t('replyTools.current', { when: when(reply.data.editedAt) }) : t('replyTools.currentNoDate')}</p>
        <p className={styles.text}>{reply.data.body.source}</p>
      </li>
      {versions.map((v, i) => (
        <li key={`${v.editedAt}-${i}`} className={styles.version}>
          <p className={styles.when}>{t('replyTools.replacedOn', { when: when(v.editedAt) })}</p>
          <p className={styles.text}>{v.body}</p>
        </li>
      ))}
    </ol>
  );
}
