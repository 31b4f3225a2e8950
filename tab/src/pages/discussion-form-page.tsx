/**
 * Starting a discussion or asking a question in a community (`#/community/<id>/new-discussion`),
 * and editing one (`#/discussion/<id>/edit`, its author or a manager): title, Markdown body
 * with preview and @mentions, tags. Field messages from the API appear under their fields;
 * nothing typed is lost on failure.
 */
import { Button, Field, Input, Link, Radio, RadioGroup, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { createDiscussion, getDiscussion, updateDiscussion, type Discussion, type DiscussionKind } from '../api/discussions-api.js';
import { AttachFiles, useChosenFiles } from '../components/attach-files.js';
import { MarkdownEditor, useMentionText } from '../components/markdown-editor.js';
import { ApiForm } from '../forms/api-form.js';
import { EditOrCreate } from '../forms/edit-or-create.js';
import { parseList, useSubmit } from '../forms/use-submit.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, navigate, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '720px' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center' },
});

const FIELDS = ['title', 'body', 'kind', 'tags', 'mentions', 'attachments'] as const;

export function DiscussionFormPage({ route }: { route: Route }) {
  // Creating, the route's id is the community's (`/community/:id/new-discussion`).
  return <EditOrCreate route={route} editRoute="discussionEdit" load={getDiscussion} failedTitle="discussionForm.editTitle" form={(existing) => <DiscussionForm communityId={existing?.communityId ?? route.params.id ?? ''} existing={existing} />} />;
}

function DiscussionForm({ communityId, existing }: { communityId: string; existing: Discussion | undefined }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const [kind, setKind] = useState<DiscussionKind>(existing?.kind ?? 'discussion');
  const [title, setTitle] = useState(existing?.title ?? '');
  const body = useMentionText(existing?.body.source ?? '');
  const [tags, setTags] = useState(existing?.tags.join(', ') ?? '');
  const files = useChosenFiles(existing?.attachments);

  const save = useSubmit(() => {
    // An edit sends the files only when they changed: one that vanished meanwhile would otherwise refuse the edit.
    const attachments = (existing ? files.changed() : files.files.length > 0) ? { attachments: files.refs() } : {};
    const fields = { title, body: body.text, tags: parseList(tags), ...body.mentions(), ...attachments };
    return existing ? updateDiscussion(api, existing.id, fields) : createDiscussion(api, communityId, { kind, ...fields });
  });

  const submit = async () => {
    if (files.uploading) {
      announce(t('attach.waitForUploads'));
      return;
    }
    const saved = await save.submit();
    if (saved) {
      announce(existing ? t('discussionForm.saved') : t('discussionForm.created'));
      navigate(`/discussion/${saved.id}`);
    }
  };

  return (
    <>
      <PageHeader title={existing ? t('discussionForm.editTitle') : t('discussionForm.title')} intro={existing ? undefined : t('discussionForm.intro')} />
      <ApiForm save={save} fields={FIELDS} testId="discussion-form" className={styles.form} onSubmit={() => void submit()}>
        {existing ? null : (
          <Field label={t('discussionForm.kind')}>
            <RadioGroup value={kind} onChange={(_, d) => setKind(d.value === 'question' ? 'question' : 'discussion')} layout="horizontal">
              <Radio value="discussion" label={t('discussionForm.kind.discussion')} />
              <Radio value="question" label={t('discussionForm.kind.question')} />
            </RadioGroup>
          </Field>
        )}
        <Field label={t('discussionForm.titleField')} required {...save.fieldProps('title')}>
          <Input value={title} maxLength={200} onChange={(_, d) => setTitle(d.value)} data-testid="discussion-title" />
        </Field>
        <MarkdownEditor label={t('discussionForm.body')} {...body.editor} onSubmitShortcut={() => void submit()} field={save.fieldProps('body')} testId="discussion-body" />
        <Field label={t('discussionForm.tags')} hint={t('communityForm.tagsHint')} {...save.fieldProps('tags')}>
          <Input value={tags} onChange={(_, d) => setTags(d.value)} />
        </Field>
        {communityId ? <AttachFiles communityId={communityId} chosen={files} error={save.problem?.fieldError('attachments')} /> : null}
        <div className={styles.actions}>
          <Button type="submit" appearance="primary" disabled={save.submitting} data-testid="discussion-save">
            {existing ? t('form.save') : kind === 'question' ? t('discussionForm.ask') : t('discussionForm.post')}
          </Button>
          <Link href={hrefFor(existing ? `/discussion/${existing.id}` : `/community/${communityId}`)}>{t('form.cancel')}</Link>
        </div>
      </ApiForm>
    </>
  );
}
