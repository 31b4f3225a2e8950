/**
 * A community's settings for its managers (`#/communities/:id/settings`): who can find and
 * join it, whether guests from partner organisations may join, and the Teams channel it is
 * pinned to (pin it to the channel the tab is open in, or unpin it). A refused save keeps
 * what was chosen and says why; the server decides who may change anything.
 */
import { Button, Checkbox, Field, Link, Radio, RadioGroup, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { getCommunity, updateCommunity, type Community, type CommunityVisibility } from '../api/communities-api.js';
import { ErrorMessage } from '../components/error-message.js';
import { RecordPage } from '../components/record-page.js';
import { Section } from '../components/section.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, type Route } from '../router/hash-router.js';
import { useHost } from '../teams/host-context.js';

const VISIBILITIES: readonly CommunityVisibility[] = ['public', 'closed', 'secret'];

const useStyles = makeStyles({
  back: { display: 'inline-block', marginBottom: tokens.spacingVerticalM },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '640px' },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  meta: { margin: 0, color: tokens.colorNeutralForeground2 },
});

export function CommunitySettingsPage({ route }: { route: Route }) {
  return (
    <RecordPage route={route} load={getCommunity} failedTitle="communitySettings.title">
      {(community, onChange) => <SettingsView community={community} onChange={onChange} />}
    </RecordPage>
  );
}

function SettingsView({ community, onChange }: { community: Community; onChange: (c: Community) => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const host = useHost();
  const [visibility, setVisibility] = useState<CommunityVisibility>(community.visibility);
  const [guestsAllowed, setGuestsAllowed] = useState(community.guestsAllowed);
  const save = useActions();
  const pin = useActions();

  const submit = () =>
    save.run(
      async () => {
        onChange(await updateCommunity(api, community.id, { visibility, guestsAllowed }));
        announce(t('communitySettings.saved'));
      },
      { blocking: true },
    );

  const here = { teamId: host.context?.team?.groupId, channelId: host.context?.channel?.id };
  const pinnedHere = Boolean(here.teamId && here.channelId && community.teamId === here.teamId && community.channelId === here.channelId);
  const setPin = (on: boolean) =>
    pin.run(
      async () => {
        const changes = on && here.teamId && here.channelId ? { teamId: here.teamId, channelId: here.channelId } : { teamId: null, channelId: null };
        onChange(await updateCommunity(api, community.id, changes));
        announce(t(on ? 'communitySettings.pinnedDone' : 'communitySettings.unpinnedDone'));
      },
      { blocking: true },
    );

  const field = (name: string) => {
    const message = save.problem?.fieldError(name);
    return { validationMessage: message, validationState: message ? ('error' as const) : ('none' as const) };
  };
  const formProblem = save.problem && !save.problem.fieldError('visibility') && !save.problem.fieldError('guestsAllowed') ? save.problem : undefined;

  return (
    <>
      <PageHeader title={t('communitySettings.title')} intro={t('communitySettings.intro', { name: community.name })} />
      <Link className={styles.back} href={hrefFor(`/community/${community.id}`)}>
        {t('members.back', { name: community.name })}
      </Link>
      {!community.permissions.canManage ? <p>{t('communitySettings.managersOnly')}</p> : null}
      <Section title={t('communitySettings.access')} testId="settings-access">
        <form
          className={styles.form}
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          {formProblem ? <ErrorMessage error={formProblem} /> : null}
          <Field label={t('config.create.visibility')} {...field('visibility')}>
            <RadioGroup value={visibility} onChange={(_, d) => setVisibility(VISIBILITIES.find((v) => v === d.value) ?? visibility)} data-testid="settings-visibility">
              {VISIBILITIES.map((v) => (
                <Radio key={v} value={v} label={t(`config.visibility.${v}`)} />
              ))}
            </RadioGroup>
          </Field>
          <Field {...field('guestsAllowed')}>
            <Checkbox label={t('communityForm.guestsAllowed')} checked={guestsAllowed} onChange={(_, d) => setGuestsAllowed(d.checked === true)} data-testid="settings-guests" />
          </Field>
          <div className={styles.buttons}>
            <Button type="submit" appearance="primary" disabledFocusable={save.busy || !community.permissions.canManage} data-testid="settings-save">
              {t('communitySettings.save')}
            </Button>
          </div>
        </form>
      </Section>
      <Section title={t('communitySettings.channel')} testId="settings-channel">
        <p className={styles.meta} data-testid="pinned-channel">
          {community.channelId ? (pinnedHere ? t('communitySettings.pinnedHere') : t('communitySettings.pinnedElsewhere')) : t('communitySettings.notPinned')}
        </p>
        {pin.problem ? <ErrorMessage error={pin.problem} /> : null}
        <div className={styles.buttons}>
          {here.teamId && here.channelId && !pinnedHere ? (
            <Button disabledFocusable={pin.busy || !community.permissions.canManage} onClick={() => void setPin(true)} data-testid="pin-here">
              {t('communitySettings.pinHere')}
            </Button>
          ) : null}
          {community.channelId ? (
            <Button disabledFocusable={pin.busy || !community.permissions.canManage} onClick={() => void setPin(false)} data-testid="unpin-channel">
              {t('communitySettings.unpin')}
            </Button>
          ) : null}
        </div>
      </Section>
      <Section title={t('communitySettings.moderation')}>
        <p className={styles.meta}>{t('communitySettings.moderationIntro')}</p>
        <Link href={hrefFor(`/community/${community.id}?tab=reports`)}>{t('communitySettings.moderationLink')}</Link>
      </Section>
    </>
  );
}
