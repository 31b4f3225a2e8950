/**
 * The configuration page Teams shows when Meent is added as a tab to a channel, group chat or
 * meeting: pick a community (or create one), and on Teams' Save button tell Teams what the
 * tab shows (`pages.config.setConfig`). Save stays disabled until the choice is complete
 * (`setValidityState`). A failed save keeps everything typed and shows why, next to the field.
 * https://learn.microsoft.com/en-us/microsoftteams/platform/tabs/how-to/create-tab-pages/configuration-page
 */
import { Field, Input, MessageBar, MessageBarBody, Radio, RadioGroup, Select, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { pages, type app } from '@microsoft/teams-js';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import type { ApiProblem } from '../api/api-problem.js';
import { createCommunity, listCommunities, updateCommunity, type CommunitySummary, type CommunityVisibility } from '../api/communities-api.js';
import { CommunityOptions } from '../components/community-options.js';
import { useRequest } from '../api/use-request.js';
import { ErrorMessage, toProblem } from '../components/error-message.js';
import { ListSkeleton } from '../components/loading-skeleton.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { Translator } from '../i18n/translator.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { useHost } from '../teams/host-context.js';

type Mode = 'existing' | 'create';

interface Draft {
  name: string;
  description: string;
  visibility: CommunityVisibility;
}

const VISIBILITIES: readonly CommunityVisibility[] = ['public', 'closed', 'secret'];

/**
 * What Teams stores for the tab: it loads `contentUrl` (our community page) from then on. In
 * a meeting the tab shows the meeting page instead (link the meeting to a discussion of the
 * chosen community); outside Teams its website is the community page.
 */
export function tabConfigFor(community: Pick<CommunitySummary, 'id' | 'name'>, origin: string, inMeeting = false): pages.InstanceConfig {
  const url = `${origin}/tab/index.html#/community/${encodeURIComponent(community.id)}`;
  if (inMeeting) {
    const meetingUrl = `${origin}/tab/index.html#/meeting?community=${encodeURIComponent(community.id)}`;
    return { entityId: `meeting-community-${community.id}`, contentUrl: meetingUrl, websiteUrl: url, suggestedDisplayName: community.name };
  }
  return { entityId: `community-${community.id}`, contentUrl: url, websiteUrl: url, suggestedDisplayName: community.name };
}

function placeName(context: app.Context | undefined, { t }: Translator): string {
  if (context?.meeting?.id) return t('config.place.meeting');
  if (context?.channel?.id) return t('config.place.channel');
  if (context?.chat?.id) return t('config.place.chat');
  return t('config.place.other');
}

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '560px' },
});

export function ConfigPage() {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const host = useHost();
  const api = useApi();
  const inSettings = host.inTeams && host.frameContext === 'settings';

  const communities = useRequest((signal) => listCommunities(api, { mine: true, limit: 100, signal }), [api]);
  const [modeChoice, setModeChoice] = useState<Mode | undefined>(undefined);
  const [selectedId, setSelectedId] = useState('');
  const [draft, setDraft] = useState<Draft>({ name: '', description: '', visibility: 'closed' });
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const created = useRef<CommunitySummary | undefined>(undefined);
  const nameInput = useRef<HTMLInputElement>(null);

  const items = communities.status === 'success' ? communities.data.items : [];
  const mode: Mode = modeChoice ?? (communities.status === 'success' && items.length === 0 ? 'create' : 'existing');
  const valid = mode === 'existing' ? items.some((c) => c.id === selectedId) : draft.name.trim().length > 0;

  // Teams calls the save handler later; it must see the form as it is then, not as it was.
  const current = useRef({ mode, selectedId, draft, items });
  current.current = { mode, selectedId, draft, items };

  useEffect(() => {
    if (!inSettings) return;
    pages.config.setValidityState(valid);
    if (valid) announce(t('config.ready'));
  }, [inSettings, valid, t]);

  useEffect(() => {
    if (!inSettings) return;
    const chosenCommunity = async (): Promise<CommunitySummary> => {
      const form = current.current;
      if (form.mode === 'existing') {
        const found = form.items.find((c) => c.id === form.selectedId);
        if (!found) throw new Error('no community selected');
        // Added to a channel, the community is pinned to it, as a new one is: the community
        // page then offers the channel's conversations (only managers' communities are offered).
        const teamId = host.context?.team?.groupId;
        const channelId = host.context?.channel?.id;
        if (teamId && channelId && (found.teamId !== teamId || found.channelId !== channelId)) return updateCommunity(api, found.id, { teamId, channelId });
        return found;
      }
      const name = form.draft.name.trim();
      // A community created by an earlier attempt whose setConfig failed is not created twice.
      if (created.current && created.current.name === name) return created.current;
      const community = await createCommunity(api, {
        name,
        visibility: form.draft.visibility,
        ...(form.draft.description.trim() ? { description: form.draft.description.trim() } : {}),
        ...(host.context?.team?.groupId ? { teamId: host.context.team.groupId } : {}),
        ...(host.context?.channel?.id ? { channelId: host.context.channel.id } : {}),
      });
      created.current = community;
      return community;
    };

    pages.config.registerOnSaveHandler((saveEvent) => {
      setProblem(undefined);
      chosenCommunity()
        .then((community) => pages.config.setConfig(tabConfigFor(community, window.location.origin, Boolean(host.context?.meeting?.id))))
        .then(
          () => saveEvent.notifySuccess(),
          (err: unknown) => {
            const failure = toProblem(err);
            setProblem(failure);
            if (failure.errors.length > 0) {
              announce(t('config.fixFields'));
              nameInput.current?.focus();
            }
            saveEvent.notifyFailure(t('config.saveFailed'));
          },
        );
    });
  }, [inSettings, api, host.context, t]);

  const header = <PageHeader title={t('config.title')} intro={t('config.intro', { place: placeName(host.context, i18n) })} />;
  if (!inSettings) {
    return (
      <>
        {header}
        <MessageBar intent="info">
          <MessageBarBody>{t('config.outsideTeams')}</MessageBarBody>
        </MessageBar>
      </>
    );
  }

  const fieldMessage = (field: string) => problem?.fieldError(field);
  const unplacedProblem = problem && !['name', 'description', 'visibility'].some((f) => fieldMessage(f)) ? problem : undefined;

  return (
    <>
      {header}
      {unplacedProblem ? <ErrorMessage error={unplacedProblem} /> : null}
      <form className={styles.form} onSubmit={(event) => event.preventDefault()} data-testid="config-form">
        <Field label={t('config.mode.label')}>
          <RadioGroup value={mode} onChange={(_, data) => setModeChoice(data.value === 'create' ? 'create' : 'existing')}>
            <Radio value="existing" label={t('config.mode.existing')} disabled={communities.status === 'success' && items.length === 0} />
            <Radio value="create" label={t('config.mode.create')} />
          </RadioGroup>
        </Field>

        {mode === 'existing' ? (
          communities.status === 'loading' ? (
            <ListSkeleton lines={2} />
          ) : communities.status === 'error' ? (
            <ErrorMessage error={communities.error} onRetry={communities.reload} />
          ) : items.length === 0 ? (
            <p>{t('config.community.none')}</p>
          ) : (
            <Field label={t('config.community.label')}>
              <Select value={selectedId} onChange={(_, data) => setSelectedId(data.value)} data-testid="community-select">
                <CommunityOptions placeholder={t('config.community.placeholder')} communities={items} />
              </Select>
            </Field>
          )
        ) : (
          <>
            <Field label={t('config.create.name')} required validationMessage={fieldMessage('name')} validationState={fieldMessage('name') ? 'error' : 'none'}>
              <Input ref={nameInput} value={draft.name} maxLength={120} onChange={(_, data) => setDraft((d) => ({ ...d, name: data.value }))} data-testid="community-name" />
            </Field>
            <Field label={t('config.create.description')} validationMessage={fieldMessage('description')} validationState={fieldMessage('description') ? 'error' : 'none'}>
              <Textarea value={draft.description} maxLength={2000} onChange={(_, data) => setDraft((d) => ({ ...d, description: data.value }))} data-testid="community-description" />
            </Field>
            <Field label={t('config.create.visibility')} validationMessage={fieldMessage('visibility')} validationState={fieldMessage('visibility') ? 'error' : 'none'}>
              <RadioGroup value={draft.visibility} onChange={(_, data) => setDraft((d) => ({ ...d, visibility: VISIBILITIES.find((v) => v === data.value) ?? d.visibility }))}>
                {VISIBILITIES.map((v) => (
                  <Radio key={v} value={v} label={t(`config.visibility.${v}`)} />
                ))}
              </RadioGroup>
            </Field>
          </>
        )}
      </form>
    </>
  );
}
