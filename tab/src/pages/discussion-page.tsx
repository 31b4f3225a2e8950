/**
 * A discussion: the opening post, reactions and following (both optimistic: shown at once,
 * put back with a message if the server refuses), the replies (one level of nesting, the
 * accepted answer marked), and the composer with Markdown preview and @mentions. After
 * posting, focus moves to the new reply; after accepting an answer, to that reply. A failed
 * post keeps the text.
 */
import { authorName } from '../components/author-name.js';
import {
  Badge,
  Button,
  Field,
  Link,
  Radio,
  RadioGroup,
  Textarea,
  ToggleButton,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import type { ApiProblem } from '../api/api-problem.js';
import {
  acceptAnswer,
  createReport,
  getDiscussion,
  listReplies,
  postReply,
  REPORT_REASONS,
  setFollowing,
  setReaction,
  type Discussion,
  type ReportReason,
  type ReactionKind,
  type Reply,
} from '../api/discussions-api.js';
import { useMe } from '../api/me-provider.js';
import { usePagedList } from '../api/use-paged-list.js';
import { ActionDialog } from '../components/action-dialog.js';
import { AttachFiles, useChosenFiles } from '../components/attach-files.js';
import { ErrorMessage, toProblem } from '../components/error-message.js';
import { FileCards } from '../components/file-cards.js';
import { LoadMore } from '../components/load-more.js';
import { ListSkeleton } from '../components/loading-skeleton.js';
import { MarkdownEditor, useMentionText } from '../components/markdown-editor.js';
import { ReactionBar, toggled } from '../components/reaction-bar.js';
import { RichText } from '../components/rich-text.js';
import { Section, useCardListStyles } from '../components/section.js';
import { loadDraft, saveDraft } from '../forms/draft-store.js';
import { QuickPollButton } from '../components/quick-poll.js';
import { AcceptedAnswerPanel, ConclusionPanel, DiscussionTools } from '../components/discussion-tools.js';
import { DeleteReplyDialog, ReplyEditor, ReplyHistoryDialog } from '../components/reply-tools.js';
import { RecordPage } from '../components/record-page.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, type Route } from '../router/hash-router.js';

const REPLIES_PER_PAGE = 50;

const useStyles = makeStyles({
  meta: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center', color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200, margin: `0 0 ${tokens.spacingVerticalM}` },
  opening: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, marginBottom: tokens.spacingVerticalXL },
  toolbar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  replies: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  children: { listStyleType: 'none', margin: `${tokens.spacingVerticalM} 0 0 ${tokens.spacingHorizontalXXL}`, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  // A reply is a card (useCardListStyles().item) that stacks its parts.
  reply: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  answer: { border: `${tokens.strokeWidthThick} solid ${tokens.colorPaletteGreenBorder2}` },
  replyHead: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center', fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground2 },
  author: { fontWeight: tokens.fontWeightSemibold, color: tokens.colorNeutralForeground1 },
  replyActions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  composer: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, maxWidth: '760px' },
  replyingTo: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', margin: 0 },
  removed: { fontStyle: 'italic', color: tokens.colorNeutralForeground2, margin: 0 },
});

export function DiscussionPage({ route }: { route: Route }) {
  return (
    <RecordPage route={route} load={getDiscussion} failedTitle="discussion.title">
      {(discussion, onChange) => <Thread discussion={discussion} onChange={onChange} />}
    </RecordPage>
  );
}

function Thread({ discussion, onChange }: { discussion: Discussion; onChange: (d: Discussion) => void }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t, tp } = i18n;
  const api = useApi();
  const me = useMe();
  const { problem, run } = useActions();
  const [replyTo, setReplyTo] = useState<Reply | undefined>(undefined);
  const [reporting, setReporting] = useState<{ type: 'discussion' | 'reply'; id: string } | undefined>(undefined);
  const [deleting, setDeleting] = useState<Reply | undefined>(undefined);
  const [historyOf, setHistoryOf] = useState<string | undefined>(undefined);
  const list = useRef<HTMLOListElement>(null);
  const composer = useRef<HTMLTextAreaElement>(null);
  const latest = useRef(discussion);
  latest.current = discussion;
  const replies = usePagedList((cursor, signal) => listReplies(api, discussion.id, { cursor, limit: REPLIES_PER_PAGE, signal }), [api, discussion.id]);

  const meId = me.status === 'success' ? me.data.id : undefined;
  const canAccept = discussion.kind === 'question' && (discussion.permissions.canAccept || (meId !== undefined && meId === discussion.author.id));

  // Focus moves to a reply after the commit that renders it. (An animation frame could run
  // before React had rendered a just-posted reply, and focus then fell to the page.)
  const [focusReplyId, setFocusReplyId] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (focusReplyId === undefined) return;
    document.getElementById(`reply-${focusReplyId}`)?.focus();
    setFocusReplyId(undefined);
  }, [focusReplyId]);
  const focusReply = (replyId: string) => setFocusReplyId(replyId);

  const reactToDiscussion = async (kind: ReactionKind) => {
    const before = latest.current;
    const on = !before.myReactions.includes(kind);
    const next = toggled(before.reactions, before.myReactions, kind);
    onChange({ ...before, reactions: next.counts, myReactions: next.mine });
    const done = await run(async () => {
      const server = await setReaction(api, { type: 'discussion', id: before.id }, kind, on);
      if (server) onChange({ ...latest.current, reactions: server.reactions, myReactions: server.mine });
    });
    if (!done) {
      // Put back the state the server still has.
      onChange({ ...latest.current, reactions: before.reactions, myReactions: before.myReactions });
      announce(t('discussion.reactionFailed'));
    }
  };

  const reactToReply = useCallback(
    async (reply: Reply, kind: ReactionKind) => {
      const on = !reply.myReactions.includes(kind);
      const next = toggled(reply.reactions, reply.myReactions, kind);
      const put = (reactions: Reply['reactions'], myReactions: ReactionKind[]) => replies.update((items) => changeReply(items, reply.id, (r) => ({ ...r, reactions, myReactions })));
      put(next.counts, next.mine);
      const done = await run(async () => {
        const server = await setReaction(api, { type: 'reply', id: reply.id }, kind, on);
        if (server) put(server.reactions, server.mine);
      });
      if (!done) {
        put(reply.reactions, reply.myReactions);
        announce(t('discussion.reactionFailed'));
      }
    },
    [api, replies.update, run, t],
  );

  const toggleFollow = async () => {
    const before = latest.current;
    const on = !before.following;
    onChange({ ...before, following: on });
    announce(on ? t('discussion.follow.on') : t('discussion.follow.off'));
    const done = await run(() => setFollowing(api, before.id, on));
    if (!done) {
      onChange({ ...latest.current, following: before.following });
      announce(t('discussion.follow.failed'));
    }
  };

  const accept = async (reply: Reply) => {
    await run(async () => {
      const updated = await acceptAnswer(api, discussion.id, reply.id);
      onChange(updated ?? { ...latest.current, acceptedReplyId: reply.id });
      announce(t('discussion.accepted', { name: authorName(t, reply.author) }));
      focusReply(reply.id);
    });
  };

  const posted = (reply: Reply) => {
    replies.update((items) => (reply.parentId && items.some((r) => r.id === reply.parentId) ? changeReply(items, reply.parentId, (p) => ({ ...p, children: [...p.children, reply] })) : [...items, reply]));
    onChange({ ...latest.current, replyCount: latest.current.replyCount + 1 });
    setReplyTo(undefined);
    announce(t('discussion.replyPosted'));
    focusReply(reply.id);
  };

  const startReplyTo = (reply: Reply) => {
    setReplyTo(reply.parentId ? undefined : reply);
    announce(t('discussion.replyingTo', { name: authorName(t, reply.author) }));
    window.requestAnimationFrame(() => composer.current?.focus());
  };

  const edited = (reply: Reply) => {
    replies.update((items) => changeReply(items, reply.id, (r) => ({ ...r, body: reply.body, editedAt: reply.editedAt, permissions: reply.permissions, attachments: reply.attachments })));
    announce(t('replyTools.saved'));
    focusReply(reply.id);
  };

  const deleted = (reply: Reply) => {
    replies.update((items) => changeReply(items, reply.id, (r) => ({ ...r, removed: true, body: { source: '', html: '' }, permissions: { canEdit: false, canDelete: false }, attachments: [] })));
    if (latest.current.acceptedReplyId === reply.id) onChange({ ...latest.current, acceptedReplyId: null });
    setDeleting(undefined);
    focusReply(reply.id);
  };

  const replyProps = { communityId: discussion.communityId, canAccept, onReact: reactToReply, onAccept: accept, onReply: startReplyTo, onReport: (r: Reply) => setReporting({ type: 'reply', id: r.id }), onEdited: edited, onDelete: setDeleting, onHistory: (r: Reply) => setHistoryOf(r.id) };

  return (
    <>
      <PageHeader title={discussion.title} />
      <ConclusionPanel discussion={discussion} />
      <div className={styles.opening}>
        <p className={styles.meta}>
          {discussion.kind === 'question' ? <Badge appearance="outline">{t('discussion.question')}</Badge> : null}
          {discussion.status === 'closed' ? <Badge appearance="tint">{t('discussion.closed')}</Badge> : null}
          {discussion.pinned ? <Badge appearance="tint">{t('discussion.pinned')}</Badge> : null}
          <span>{t('discussion.byline', { name: authorName(t, discussion.author) })}</span>
          <span aria-hidden="true">·</span>
          <time dateTime={discussion.createdAt}>{i18n.formatDateTime(discussion.createdAt, { dateStyle: 'medium', timeStyle: 'short' })}</time>
          {discussion.communityId ? (
            <>
              <span aria-hidden="true">·</span>
              <Link href={hrefFor(`/community/${discussion.communityId}`)}>{discussion.communityName ?? t('discussion.openCommunity')}</Link>
            </>
          ) : null}
        </p>
        {discussion.body.html ? <RichText html={discussion.body.html} testId="discussion-body" /> : null}
        <FileCards files={discussion.attachments} testId="discussion-files" />
        <div className={styles.toolbar}>
          <ReactionBar counts={discussion.reactions} mine={discussion.myReactions} onToggle={(k) => void reactToDiscussion(k)} label={t('discussion.reactions')} />
          <ToggleButton checked={discussion.following} onClick={() => void toggleFollow()} data-testid="follow">
            {discussion.following ? t('discussion.follow.following') : t('discussion.follow.action')}
          </ToggleButton>
          {discussion.permissions.canEdit ? <Link href={hrefFor(`/discussion/${discussion.id}/edit`)}>{t('discussion.edit')}</Link> : null}
          {discussion.permissions.canModerate && discussion.communityId ? <QuickPollButton communityId={discussion.communityId} origin={{ discussionId: discussion.id }} /> : null}
          <DiscussionTools discussion={discussion} onChange={onChange} />
          <Button appearance="subtle" onClick={() => setReporting({ type: 'discussion', id: discussion.id })}>
            {t('report.action')}
          </Button>
        </div>
        {problem ? <ErrorMessage error={problem} /> : null}
        <AcceptedAnswerPanel key={discussion.acceptedReplyId ?? 'none'} discussion={discussion} onGoTo={focusReply} />
      </div>

      <Section title={tp('discussion.repliesTitle', discussion.replyCount)} testId="replies">
        {replies.status === 'loading' ? (
          <ListSkeleton lines={3} />
        ) : replies.status === 'error' ? (
          <ErrorMessage error={replies.error} onRetry={replies.reload} />
        ) : replies.items.length === 0 ? (
          <p>{t('discussion.noReplies')}</p>
        ) : (
          <>
            <ol className={styles.replies} ref={list} data-testid="reply-list">
              {replies.items.map((reply) => (
                <li key={reply.id}>
                  <ReplyView reply={reply} isAnswer={reply.id === discussion.acceptedReplyId} {...replyProps} />
                  {reply.children.length > 0 ? (
                    <ol className={styles.children} aria-label={t('discussion.answersTo', { name: authorName(t, reply.author) })}>
                      {reply.children.map((child) => (
                        <li key={child.id}>
                          <ReplyView reply={child} isAnswer={child.id === discussion.acceptedReplyId} {...replyProps} />
                        </li>
                      ))}
                    </ol>
                  ) : null}
                </li>
              ))}
            </ol>
            <LoadMore hasMore={Boolean(replies.nextCursor)} loading={replies.loadingMore} error={replies.moreError} onMore={replies.more} list={list} />
          </>
        )}
      </Section>

      {discussion.status === 'open' && discussion.permissions.canReply ? (
        <Composer discussion={discussion} replyTo={replyTo} onCancelReplyTo={() => setReplyTo(undefined)} onPosted={posted} textareaRef={composer} />
      ) : (
        <p>{discussion.status === 'closed' ? t('discussion.closedNote') : t('discussion.cannotReply')}</p>
      )}
      <ReportDialog subject={reporting} onClose={() => setReporting(undefined)} />
      <DeleteReplyDialog reply={deleting} onClose={() => setDeleting(undefined)} onDeleted={deleted} />
      <ReplyHistoryDialog replyId={historyOf} onClose={() => setHistoryOf(undefined)} />
    </>
  );
}

function ReplyView({
  communityId,
  reply,
  isAnswer,
  canAccept,
  onReact,
  onAccept,
  onReply,
  onReport,
  onEdited,
  onDelete,
  onHistory,
}: {
  communityId: string;
  reply: Reply;
  isAnswer: boolean;
  canAccept: boolean;
  onReact: (reply: Reply, kind: ReactionKind) => Promise<void>;
  onAccept: (reply: Reply) => Promise<void>;
  onReply: (reply: Reply) => void;
  onReport: (reply: Reply) => void;
  onEdited: (reply: Reply) => void;
  onDelete: (reply: Reply) => void;
  onHistory: (reply: Reply) => void;
}) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const gone = reply.removed || reply.hidden;
  const [editing, setEditing] = useState(false);
  const name = authorName(t, reply.author);
  return (
    <article id={`reply-${reply.id}`} tabIndex={-1} data-list-item className={mergeClasses(cards.item, styles.reply, isAnswer && styles.answer)} aria-labelledby={`reply-${reply.id}-author`} data-testid="reply">
      <div className={styles.replyHead}>
        <span id={`reply-${reply.id}-author`} className={styles.author}>
          {authorName(t, reply.author)}
        </span>
        <time dateTime={reply.createdAt}>{i18n.formatDateTime(reply.createdAt, { dateStyle: 'medium', timeStyle: 'short' })}</time>
        {reply.editedAt && !gone ? (
          <Button size="small" appearance="transparent" onClick={() => onHistory(reply)} aria-label={t('replyTools.historyName', { name })} data-testid="edited-marker">
            {t('discussion.edited')}
          </Button>
        ) : null}
        {isAnswer ? (
          <Badge appearance="filled" color="success" data-testid="answer-badge">
            {t('discussion.answer')}
          </Badge>
        ) : null}
      </div>
      {gone ? (
        <p className={styles.removed}>{reply.removed ? t('discussion.replyRemoved') : t('discussion.replyHidden')}</p>
      ) : editing ? (
        <ReplyEditor
          communityId={communityId}
          reply={reply}
          onCancel={() => setEditing(false)}
          onSaved={(r) => {
            setEditing(false);
            onEdited(r);
          }}
        />
      ) : (
        <>
          <RichText html={reply.body.html} />
          <FileCards files={reply.attachments} testId="reply-files" />
        </>
      )}
      {!gone && !editing ? (
        <div className={styles.replyActions}>
          <ReactionBar counts={reply.reactions} mine={reply.myReactions} onToggle={(k) => void onReact(reply, k)} label={t('discussion.replyReactions', { name: authorName(t, reply.author) })} />
          <Button size="small" appearance="subtle" onClick={() => onReply(reply)} aria-label={t('discussion.replyToName', { name: authorName(t, reply.author) })}>
            {t('discussion.replyTo')}
          </Button>
          {canAccept && !isAnswer ? (
            <Button size="small" onClick={() => void onAccept(reply)} aria-label={t('discussion.acceptName', { name: authorName(t, reply.author) })} data-testid="accept-answer">
              {t('discussion.accept')}
            </Button>
          ) : null}
          {reply.permissions.canEdit ? (
            <Button size="small" appearance="subtle" onClick={() => setEditing(true)} aria-label={t('replyTools.editName', { name })} data-testid="edit-reply">
              {t('replyTools.edit')}
            </Button>
          ) : null}
          {reply.permissions.canDelete ? (
            <Button size="small" appearance="subtle" onClick={() => onDelete(reply)} aria-label={t('replyTools.deleteName', { name })} data-testid="delete-reply">
              {t('replyTools.delete')}
            </Button>
          ) : null}
          <Button size="small" appearance="subtle" onClick={() => onReport(reply)} aria-label={t('report.actionName', { name: authorName(t, reply.author) })}>
            {t('report.action')}
          </Button>
        </div>
      ) : null}
    </article>
  );
}

function Composer({ discussion, replyTo, onCancelReplyTo, onPosted, textareaRef }: { discussion: Discussion; replyTo: Reply | undefined; onCancelReplyTo: () => void; onPosted: (r: Reply) => void; textareaRef: React.RefObject<HTMLTextAreaElement | null> }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  // Kept per discussion for this visit: a failed post or a wander to another tab loses nothing.
  const body = useMentionText(() => loadDraft(draftKey(discussion.id)));
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const [posting, setPosting] = useState(false);
  const files = useChosenFiles();

  useEffect(() => saveDraft(draftKey(discussion.id), body.text), [body.text, discussion.id]);

  const post = async () => {
    if (posting) return;
    if (files.uploading) {
      announce(t('attach.waitForUploads'));
      return;
    }
    if (body.text.trim() === '') {
      setProblem(undefined);
      announce(t('discussion.composer.empty'));
      textareaRef.current?.focus();
      return;
    }
    setPosting(true);
    setProblem(undefined);
    try {
      const reply = await postReply(api, discussion.id, { body: body.text, ...(replyTo ? { parentId: replyTo.id } : {}), ...body.mentions(), ...(files.files.length > 0 ? { attachments: files.refs() } : {}) });
      body.clear();
      files.clear();
      onPosted(reply);
    } catch (err) {
      const failure = toProblem(err);
      setProblem(failure);
      announce(t('discussion.composer.failed'));
      textareaRef.current?.focus();
    } finally {
      setPosting(false);
    }
  };

  const fieldMessage = problem?.fieldError('body');
  return (
    <Section title={t('discussion.composer.title')} testId="composer">
      <form
        className={styles.composer}
        onSubmit={(e) => {
          e.preventDefault();
          void post();
        }}
      >
        {replyTo ? (
          <p className={styles.replyingTo} data-testid="replying-to">
            {t('discussion.replyingTo', { name: replyTo.author.name })}
            <Button size="small" appearance="subtle" onClick={onCancelReplyTo}>
              {t('discussion.replyingToCancel')}
            </Button>
          </p>
        ) : null}
        {problem && !fieldMessage ? <ErrorMessage error={problem} onRetry={() => void post()} /> : null}
        <MarkdownEditor
          label={t('discussion.composer.label')}
          {...body.editor}
          onSubmitShortcut={() => void post()}
          field={{ validationMessage: fieldMessage, validationState: fieldMessage ? 'error' : 'none' }}
          testId="reply-body"
          textareaRef={textareaRef}
        />
        {discussion.communityId ? <AttachFiles communityId={discussion.communityId} chosen={files} testId="reply-attach-files" /> : null}
        <div>
          <Button type="submit" appearance="primary" disabled={posting} data-testid="post-reply">
            {t('discussion.composer.post')}
          </Button>
        </div>
      </form>
    </Section>
  );
}

/** The replies with one (top-level or nested) reply changed. */
function changeReply(items: Reply[], id: string, change: (r: Reply) => Reply): Reply[] {
  return items.map((r) => (r.id === id ? change(r) : r.children.some((c) => c.id === id) ? { ...r, children: r.children.map((c) => (c.id === id ? change(c) : c)) } : r));
}

function draftKey(discussionId: string): string {
  return `meent.draft.reply.${discussionId}`;
}

function ReportDialog({ subject, onClose }: { subject: { type: 'discussion' | 'reply'; id: string } | undefined; onClose: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [reason, setReason] = useState<ReportReason>('spam');
  const [text, setText] = useState('');
  const { busy, problem, run } = useActions();

  const send = async () => {
    if (!subject) return;
    await run(
      async () => {
        await createReport(api, { targetType: subject.type, targetId: subject.id, reason, ...(text.trim() ? { text: text.trim() } : {}) });
        setText('');
        onClose();
        announce(t('report.sent'));
      },
      { blocking: true },
    );
  };

  const message = problem?.fieldError('text');
  return (
    <ActionDialog
      open={subject !== undefined}
      onClose={onClose}
      title={t('report.title')}
      intro={t('report.body')}
      problem={message ? undefined : problem}
      action={t('report.send')}
      onAction={() => void send()}
      busy={busy}
      actionTestId="send-report"
    >
      <Field label={t('report.reason')}>
        <RadioGroup value={reason} onChange={(_, d) => setReason(REPORT_REASONS.find((r) => r === d.value) ?? 'other')}>
          {REPORT_REASONS.map((r) => (
            <Radio key={r} value={r} label={t(`report.reason.${r}`)} />
          ))}
        </RadioGroup>
      </Field>
      <Field label={t('report.text')} hint={t('report.textHint')} required={reason === 'other'} validationMessage={message} validationState={message ? 'error' : 'none'}>
        <Textarea value={text} onChange={(_, d) => setText(d.value)} maxLength={1000} />
      </Field>
    </ActionDialog>
  );
}
