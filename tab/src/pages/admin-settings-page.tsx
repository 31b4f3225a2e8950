/**
 * The organisation's settings for organisation admins: who may create communities, and after
 * how many reports content is hidden automatically. A refused save marks the field and keeps
 * what was typed.
 */
import { Button, Field, Input, Radio, RadioGroup, makeStyles, tokens } from '@fluentui/react-components';
import { ReachSettings } from './admin-reach-settings.js';
import { useState } from 'react';
import { COMMUNITY_CREATION, getCommunitySettings, updateCommunitySettings, type CommunityCreation, type CommunitySettings } from '../api/admin-api.js';
import { useApi } from '../api/api-provider.js';
import { useRequest } from '../api/use-request.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageSkeleton } from '../components/loading-skeleton.js';
import { ApiForm } from '../forms/api-form.js';
import { useSubmit } from '../forms/use-submit.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import type { Route } from '../router/hash-router.js';
import { AdminBackLink } from './admin-page.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '40rem' },
  number: { maxWidth: '8rem' },
});

export function AdminSettingsPage(_props: { route: Route }) {
  const { t } = useI18n();
  const api = useApi();
  const settings = useRequest((signal) => getCommunitySettings(api, signal), [api]);
  return (
    <>
      <AdminBackLink />
      <PageHeader title={t('orgSettings.title')} intro={t('orgSettings.intro')} />
      {settings.status === 'loading' ? <PageSkeleton /> : settings.status === 'error' ? <ErrorMessage error={settings.error} onRetry={settings.reload} /> : <SettingsForm settings={settings.data} />}
      <ReachSettings />
    </>
  );
}

function SettingsForm({ settings }: { settings: CommunitySettings }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const [creation, setCreation] = useState<CommunityCreation>(settings.communityCreation);
  const [threshold, setThreshold] = useState(String(settings.autoHideThreshold));
  const save = useSubmit(() => {
    const typed = threshold.trim();
    // Sent as typed when it is not a number, so the server names the field.
    return updateCommunitySettings(api, { communityCreation: creation, autoHideThreshold: /^-?\d+$/.test(typed) ? Number(typed) : typed });
  });
  return (
    <ApiForm
      save={save}
      fields={['communityCreation', 'autoHideThreshold']}
      testId="org-settings-form"
      className={styles.form}
      onSubmit={() =>
        void save.submit().then((saved) => {
          if (!saved) return;
          setCreation(saved.communityCreation);
          setThreshold(String(saved.autoHideThreshold));
          announce(t('orgSettings.saved'));
        })
      }
    >
      <Field label={t('orgSettings.creation')} {...save.fieldProps('communityCreation')}>
        <RadioGroup value={creation} onChange={(_, d) => setCreation(d.value === 'admins' ? 'admins' : 'members')} data-testid="org-settings-creation">
          {COMMUNITY_CREATION.map((value) => (
            <Radio key={value} value={value} label={t(value === 'admins' ? 'orgSettings.creation.admins' : 'orgSettings.creation.members')} />
          ))}
        </RadioGroup>
      </Field>
      <Field label={t('orgSettings.threshold')} hint={t('orgSettings.thresholdHint')} {...save.fieldProps('autoHideThreshold')}>
        <Input className={styles.number} type="number" inputMode="numeric" min={1} max={100} value={threshold} onChange={(_, d) => setThreshold(d.value)} data-testid="org-settings-threshold" />
      </Field>
      <div>
        <Button type="submit" appearance="primary" disabled={save.submitting} data-testid="org-settings-save">
          {t('form.save')}
        </Button>
      </div>
    </ApiForm>
  );
}
