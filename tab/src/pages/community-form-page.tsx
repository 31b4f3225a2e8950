/**
 * Creating a community (`#/communities/new`) and editing one (`#/community/<id>/edit`,
 * managers): name, description (Markdown), tags, who can find it, whether guests may join.
 * The API's field messages appear under their fields; nothing typed is lost on failure.
 */
import { Button, Checkbox, Field, Input, Link, Radio, RadioGroup, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { createCommunity, getCommunity, updateCommunity, type Community, type CommunityVisibility } from '../api/communities-api.js';
import { MarkdownEditor } from '../components/markdown-editor.js';
import { ApiForm } from '../forms/api-form.js';
import { EditOrCreate } from '../forms/edit-or-create.js';
import { parseList, useSubmit } from '../forms/use-submit.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, navigate, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '640px' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center' },
});

const VISIBILITIES: readonly CommunityVisibility[] = ['public', 'closed', 'secret'];
const FIELDS = ['name', 'description', 'tags', 'visibility', 'guestsAllowed'] as const;

export function CommunityFormPage({ route }: { route: Route }) {
  return <EditOrCreate route={route} editRoute="communityEdit" load={getCommunity} failedTitle="communityForm.editTitle" form={(existing) => <CommunityForm existing={existing} />} />;
}

function CommunityForm({ existing }: { existing: Community | undefined }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description.source ?? '');
  const [tags, setTags] = useState(existing?.tags.join(', ') ?? '');
  const [visibility, setVisibility] = useState<CommunityVisibility>(existing?.visibility ?? 'public');
  const [guestsAllowed, setGuestsAllowed] = useState(existing?.guestsAllowed ?? false);

  const save = useSubmit(() => {
    const input = { name, description, tags: parseList(tags), visibility, guestsAllowed };
    return existing ? updateCommunity(api, existing.id, input) : createCommunity(api, input);
  });

  const submit = async () => {
    const saved = await save.submit();
    if (saved) {
      announce(existing ? t('communityForm.saved') : t('communityForm.created', { name: saved.name }));
      navigate(`/community/${saved.id}`);
    }
  };

  return (
    <>
      <PageHeader title={existing ? t('communityForm.editTitle') : t('communityForm.newTitle')} intro={t('communityForm.intro')} />
      <ApiForm save={save} fields={FIELDS} testId="community-form" className={styles.form} onSubmit={() => void submit()}>
        <Field label={t('communityForm.name')} required {...save.fieldProps('name')}>
          <Input value={name} maxLength={120} onChange={(_, d) => setName(d.value)} data-testid="community-form-name" />
        </Field>
        <MarkdownEditor label={t('communityForm.description')} value={description} onChange={setDescription} picked={[]} onPick={() => undefined} field={save.fieldProps('description')} testId="community-form-description" />
        <Field label={t('communityForm.tags')} hint={t('communityForm.tagsHint')} {...save.fieldProps('tags')}>
          <Input value={tags} onChange={(_, d) => setTags(d.value)} />
        </Field>
        <Field label={t('config.create.visibility')} {...save.fieldProps('visibility')}>
          <RadioGroup value={visibility} onChange={(_, d) => setVisibility(VISIBILITIES.find((v) => v === d.value) ?? visibility)}>
            {VISIBILITIES.map((v) => (
              <Radio key={v} value={v} label={t(`config.visibility.${v}`)} />
            ))}
          </RadioGroup>
        </Field>
        <Checkbox label={t('communityForm.guestsAllowed')} checked={guestsAllowed} onChange={(_, d) => setGuestsAllowed(d.checked === true)} />
        <div className={styles.actions}>
          <Button type="submit" appearance="primary" disabled={save.submitting} data-testid="community-save">
            {existing ? t('form.save') : t('communityForm.create')}
          </Button>
          <Link href={hrefFor(existing ? `/community/${existing.id}` : '/communities')}>{t('form.cancel')}</Link>
        </div>
      </ApiForm>
    </>
  );
}
