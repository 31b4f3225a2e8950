/**
 * My profile: who Meent knows me as, and what I tell others: organisation, function,
 * expertise, interests, "ask me about", languages (PATCH /me/profile). Saving keeps what I
 * typed when it fails and shows the API's messages under the fields. Below: "Your data"
 * (export my data, delete my account; profile-privacy.tsx).
 */
import { Button, Field, Input, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { useMe } from '../api/me-provider.js';
import { getPerson, updateMyProfile, type Person } from '../api/people-api.js';
import { useRequest } from '../api/use-request.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageSkeleton } from '../components/loading-skeleton.js';
import { Section } from '../components/section.js';
import { ApiForm } from '../forms/api-form.js';
import { parseList, useSubmit } from '../forms/use-submit.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { PrivacySection } from './profile-privacy.js';

const useStyles = makeStyles({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
    margin: `0 0 ${tokens.spacingVerticalL}`,
  },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0 },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '640px' },
});

const FIELDS = ['organisation', 'function', 'expertise', 'interests', 'askMeAbout', 'languages'] as const;

export function ProfilePage() {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const myId = me.status === 'success' ? me.data.id : undefined;
  const person = useRequest((signal) => (myId ? getPerson(api, myId, signal) : new Promise<Person>(() => undefined)), [api, myId]);

  if (me.status === 'loading') return <PageSkeleton />;
  return (
    <>
      <PageHeader title={t('profile.title')} intro={t('profile.intro')} />
      {me.status === 'error' ? (
        <ErrorMessage error={me.error} onRetry={me.reload} />
      ) : (
        <>
          <dl className={styles.facts}>
            <dt className={styles.term}>{t('profile.name')}</dt>
            <dd className={styles.value}>{me.data.name}</dd>
            <dt className={styles.term}>{t('profile.account')}</dt>
            <dd className={styles.value}>{me.data.isGuest ? t('profile.accountGuest') : t('profile.accountMember')}</dd>
          </dl>
          {person.status === 'loading' ? <PageSkeleton /> : person.status === 'error' ? <ErrorMessage error={person.error} onRetry={person.reload} /> : <ProfileForm person={person.data} />}
          <PrivacySection />
        </>
      )}
    </>
  );
}

function ProfileForm({ person }: { person: Person }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const [draft, setDraft] = useState(() => ({
    organisation: person.profile.organisation ?? '',
    function: person.profile.function ?? '',
    expertise: person.profile.expertise.join(', '),
    interests: person.profile.interests.join(', '),
    askMeAbout: person.profile.askMeAbout ?? '',
    languages: person.profile.languages.join(', '),
  }));
  const set = (key: keyof typeof draft, value: string) => setDraft((d) => ({ ...d, [key]: value }));

  const save = useSubmit(() =>
    updateMyProfile(api, {
      organisation: draft.organisation.trim() || null,
      function: draft.function.trim() || null,
      expertise: parseList(draft.expertise),
      interests: parseList(draft.interests),
      askMeAbout: draft.askMeAbout.trim() || null,
      languages: parseList(draft.languages),
    }),
  );

  return (
    <Section title={t('profile.editTitle')}>
      <ApiForm
        save={save}
        fields={FIELDS}
        testId="profile-form"
        className={styles.form}
        onSubmit={() =>
          void save.submit().then((saved) => {
            if (saved) announce(t('profile.saved'));
          })
        }
      >
        <Field label={t('profile.organisation')} {...save.fieldProps('organisation')}>
          <Input value={draft.organisation} maxLength={200} onChange={(_, d) => set('organisation', d.value)} />
        </Field>
        <Field label={t('profile.function')} {...save.fieldProps('function')}>
          <Input value={draft.function} maxLength={200} onChange={(_, d) => set('function', d.value)} />
        </Field>
        <Field label={t('profile.expertise')} hint={t('profile.expertiseHint')} {...save.fieldProps('expertise')}>
          <Input value={draft.expertise} onChange={(_, d) => set('expertise', d.value)} data-testid="profile-expertise" />
        </Field>
        <Field label={t('profile.interests')} hint={t('communityForm.tagsHint')} {...save.fieldProps('interests')}>
          <Input value={draft.interests} onChange={(_, d) => set('interests', d.value)} />
        </Field>
        <Field label={t('profile.askMeAbout')} {...save.fieldProps('askMeAbout')}>
          <Textarea value={draft.askMeAbout} maxLength={1000} onChange={(_, d) => set('askMeAbout', d.value)} />
        </Field>
        <Field label={t('profile.languages')} hint={t('communityForm.tagsHint')} {...save.fieldProps('languages')}>
          <Input value={draft.languages} onChange={(_, d) => set('languages', d.value)} />
        </Field>
        <div>
          <Button type="submit" appearance="primary" disabled={save.submitting} data-testid="profile-save">
            {t('form.save')}
          </Button>
        </div>
      </ApiForm>
    </Section>
  );
}
