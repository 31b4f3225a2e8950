/**
 * The organisation's privacy settings, for organisation admins: how many days each kind of
 * data is kept (within its bounds, with why the default is what it is), the grace period
 * before people who left are erased, and whether erased people's texts stay. A refused save
 * marks the fields the server named and keeps everything as typed; an empty field goes back
 * to its default.
 */
import { Button, Checkbox, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { LEAVER_GRACE, RETENTION_KIND_NAMES, RETENTION_KINDS, type RetentionKind } from '../../../src/personal-data/retention-kinds.js';
import { useApi } from '../api/api-provider.js';
import { getPrivacySettings, replacePrivacySettings, type Bounds, type PrivacySettings, type PrivacySettingsInput } from '../api/privacy-settings-api.js';
import { useRequest } from '../api/use-request.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageSkeleton } from '../components/loading-skeleton.js';
import { Section } from '../components/section.js';
import { ApiForm } from '../forms/api-form.js';
import { useSubmit, type FieldProps } from '../forms/use-submit.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import type { Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '44rem' },
  days: { maxWidth: '10rem' },
  fixed: { margin: 0, color: tokens.colorNeutralForeground2 },
});

const GRACE = 'leaverGraceDays';
const kindField = (kind: RetentionKind) => `retentionDays.${kind}`;
const FIELDS = [...RETENTION_KIND_NAMES.map(kindField), GRACE, 'erasureKeepText'];

interface Draft {
  retentionDays: Record<RetentionKind, string>;
  leaverGraceDays: string;
  erasureKeepText: boolean;
}

function draftOf(s: PrivacySettings): Draft {
  return {
    retentionDays: Object.fromEntries(RETENTION_KIND_NAMES.map((kind) => [kind, String(s.retentionDays[kind])])) as Record<RetentionKind, string>,
    leaverGraceDays: String(s.leaverGraceDays),
    erasureKeepText: s.erasureKeepText,
  };
}

/** Empty means "the default" (left out); anything else goes as a number, so the server judges it (not a number → a field error). */
function daysOf(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text.trim());
}

function inputOf(d: Draft, fixed: (kind: RetentionKind) => boolean): PrivacySettingsInput {
  const retentionDays: PrivacySettingsInput['retentionDays'] = {};
  for (const kind of RETENTION_KIND_NAMES) {
    const days = fixed(kind) ? undefined : daysOf(d.retentionDays[kind]);
    if (days !== undefined) retentionDays[kind] = days;
  }
  const grace = daysOf(d.leaverGraceDays);
  return { retentionDays, ...(grace !== undefined ? { leaverGraceDays: grace } : {}), erasureKeepText: d.erasureKeepText };
}

export function PrivacySettingsPage(_props: { route: Route }) {
  const { t } = useI18n();
  const api = useApi();
  const settings = useRequest((signal) => getPrivacySettings(api, signal), [api]);
  return (
    <>
      <PageHeader title={t('privacySettings.title')} intro={t('privacySettings.intro')} />
      {settings.status === 'loading' ? <PageSkeleton /> : settings.status === 'error' ? <ErrorMessage error={settings.error} onRetry={settings.reload} /> : <SettingsForm settings={settings.data} />}
    </>
  );
}

function SettingsForm({ settings }: { settings: PrivacySettings }) {
  const styles = useStyles();
  const { t, language } = useI18n();
  const api = useApi();
  const [current, setCurrent] = useState(settings);
  const [draft, setDraft] = useState(() => draftOf(settings));
  const fixed = (kind: RetentionKind) => current.bounds.retentionDays[kind].min === current.bounds.retentionDays[kind].max;
  const save = useSubmit(() => replacePrivacySettings(api, inputOf(draft, fixed)));

  // The server's messages are English; the field's own bounds say the same in the reader's language.
  const daysProps = (field: string, bounds: Bounds): FieldProps =>
    save.problem?.fieldError(field) ? { validationMessage: t('privacySettings.daysInvalid', { min: bounds.min, max: bounds.max }), validationState: 'error' } : { validationMessage: undefined, validationState: 'none' };
  const hint = (why: string, bounds: Bounds, defaultDays: number) => `${why} ${t('privacySettings.bounds', { min: bounds.min, max: bounds.max, default: defaultDays })}`;

  return (
    <ApiForm
      save={save}
      fields={FIELDS}
      testId="privacy-settings-form"
      className={styles.form}
      onSubmit={() =>
        void save.submit().then((saved) => {
          if (!saved) return;
          setCurrent(saved);
          setDraft(draftOf(saved));
          announce(t('privacySettings.saved'));
        })
      }
    >
      <Section title={t('privacySettings.retention')}>
        {RETENTION_KIND_NAMES.map((kind) => {
          const spec = RETENTION_KINDS[kind];
          const bounds = current.bounds.retentionDays[kind];
          if (fixed(kind)) {
            return (
              <Field key={kind} label={spec.label[language]} hint={spec.justification[language]}>
                <p className={styles.fixed} data-testid={`privacy-days-${kind}`}>
                  {t('privacySettings.fixed', { days: bounds.min })}
                </p>
              </Field>
            );
          }
          return (
            <Field key={kind} label={spec.label[language]} hint={hint(spec.justification[language], bounds, current.defaults.retentionDays[kind])} {...daysProps(kindField(kind), bounds)}>
              <Input
                className={styles.days}
                type="number"
                inputMode="numeric"
                min={bounds.min}
                max={bounds.max}
                contentAfter={t('privacySettings.days')}
                value={draft.retentionDays[kind]}
                onChange={(_, d) => setDraft((x) => ({ ...x, retentionDays: { ...x.retentionDays, [kind]: d.value } }))}
                data-testid={`privacy-days-${kind}`}
              />
            </Field>
          );
        })}
      </Section>
      <Section title={t('privacySettings.erasure')}>
        <Field label={t('privacySettings.leaverGrace')} hint={hint(LEAVER_GRACE.justification[language], current.bounds.leaverGraceDays, current.defaults.leaverGraceDays)} {...daysProps(GRACE, current.bounds.leaverGraceDays)}>
          <Input
            className={styles.days}
            type="number"
            inputMode="numeric"
            min={current.bounds.leaverGraceDays.min}
            max={current.bounds.leaverGraceDays.max}
            contentAfter={t('privacySettings.days')}
            value={draft.leaverGraceDays}
            onChange={(_, d) => setDraft((x) => ({ ...x, leaverGraceDays: d.value }))}
            data-testid="privacy-leaver-grace"
          />
        </Field>
        <Field hint={t('privacySettings.keepTextHint')} {...save.fieldProps('erasureKeepText')}>
          <Checkbox label={t('privacySettings.keepText')} checked={draft.erasureKeepText} onChange={(_, d) => setDraft((x) => ({ ...x, erasureKeepText: d.checked === true }))} data-testid="privacy-keep-text" />
        </Field>
      </Section>
      <div>
        <Button type="submit" appearance="primary" disabled={save.submitting} data-testid="privacy-settings-save">
          {t('form.save')}
        </Button>
      </div>
    </ApiForm>
  );
}
