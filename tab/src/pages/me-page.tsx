/**
 * My Meent: how each kind of notification reaches me (the same service and rules as the bot's
 * settings card: PATCH /me/notification-preferences), what I muted, my private calendar feed
 * (make, copy, replace, revoke; the address is shown once), and my communities and events.
 */
import { Button, Field, Input, Select, makeStyles, tokens } from '@fluentui/react-components';
import { useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { listCommunities } from '../api/communities-api.js';
import { listEvents } from '../api/events-api.js';
import { CADENCES, createCalendarFeed, getCalendarFeed, getNotificationSettings, revokeCalendarFeed, unmute, updateNotificationSettings, type Cadence, type Mute, type NotificationSettings } from '../api/my-settings-api.js';
import { usePagedList } from '../api/use-paged-list.js';
import { useRequest } from '../api/use-request.js';
import { PagedCardList } from '../components/card-list.js';
import { CommunitySummary } from '../components/community-summary.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage, toProblem } from '../components/error-message.js';
import { EventSummary } from '../components/event-summary.js';
import { hasItems, ListPlaceholder } from '../components/list-placeholder.js';
import { ListSkeleton } from '../components/loading-skeleton.js';
import { Section } from '../components/section.js';
import { ApiForm } from '../forms/api-form.js';
import { useSubmit } from '../forms/use-submit.js';
import { en } from '../i18n/en.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { PlainKey } from '../i18n/translator.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import type { Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '44rem' },
  group: { border: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  legend: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, padding: 0, marginBottom: tokens.spacingVerticalXS },
  row: { display: 'grid', gridTemplateColumns: 'minmax(12rem, 1fr) 12rem', alignItems: 'center', gap: tokens.spacingHorizontalM },
  small: { maxWidth: '12rem' },
  mutes: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  mute: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'flex-end' },
  note: { margin: `0 0 ${tokens.spacingVerticalS}`, color: tokens.colorNeutralForeground2 },
  url: { flexGrow: 1, minWidth: '16rem' },
});

/** The label of a kind or group the server names; one this tab does not know yet shows its name. */
function label(t: (key: PlainKey) => string, key: string, fallback: string): string {
  return Object.hasOwn(en, key) ? t(key as PlainKey) : fallback;
}

export function MePage(_props: { route: Route }) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t('me.title')} intro={t('me.intro')} />
      <NotificationsSection />
      <CalendarFeedSection />
      <MyCommunities />
      <MyEvents />
    </>
  );
}

function NotificationsSection() {
  const { t } = useI18n();
  const api = useApi();
  const settings = useRequest((signal) => getNotificationSettings(api, signal), [api]);
  return (
    <Section title={t('me.notifications.title')} testId="me-notifications">
      {settings.status === 'loading' ? <ListSkeleton lines={4} /> : settings.status === 'error' ? <ErrorMessage error={settings.error} onRetry={settings.reload} /> : <NotificationsForm settings={settings.data} />}
    </Section>
  );
}

function NotificationsForm({ settings }: { settings: NotificationSettings }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const [kinds, setKinds] = useState(settings.kinds);
  const [channel, setChannel] = useState(settings.channel);
  const [digestHour, setDigestHour] = useState(String(settings.digestHour));
  const [mutes, setMutes] = useState<Mute[]>(settings.mutes);
  const [muteProblem, setMuteProblem] = useState<unknown>(undefined);
  const save = useSubmit(() => {
    const hour = digestHour.trim();
    return updateNotificationSettings(api, { kinds, channel, digestHour: /^\d+$/.test(hour) ? Number(hour) : hour });
  });

  const removeMute = async (mute: Mute) => {
    setMuteProblem(undefined);
    try {
      await unmute(api, mute);
      setMutes((list) => list.filter((m) => m !== mute));
      announce(t('me.mutes.unmuted', { title: mute.title ?? t('me.mutes.untitled') }));
    } catch (err) {
      setMuteProblem(toProblem(err));
    }
  };

  return (
    <>
      <p className={styles.note}>{t('me.notifications.intro')}</p>
      <ApiForm
        save={save}
        fields={['kinds', 'channel', 'digestHour']}
        testId="me-notifications-form"
        className={styles.form}
        onSubmit={() =>
          void save.submit().then((saved) => {
            if (!saved) return;
            setKinds(saved.kinds);
            setChannel(saved.channel);
            setDigestHour(String(saved.digestHour));
            announce(t('me.notifications.saved'));
          })
        }
      >
        {settings.groups.map(({ group, kinds: inGroup }) => (
          <fieldset key={group} className={styles.group}>
            <legend className={styles.legend}>{label(t, `me.group.${group}`, group)}</legend>
            {inGroup.map((kind) => (
              <div key={kind} className={styles.row}>
                <label htmlFor={`cadence-${kind}`}>{label(t, `me.kind.${kind}`, kind)}</label>
                <Select id={`cadence-${kind}`} value={kinds[kind]} onChange={(_, d) => setKinds((x) => ({ ...x, [kind]: d.value as Cadence }))} data-testid={`cadence-${kind}`}>
                  {CADENCES.map((c) => (
                    <option key={c} value={c}>
                      {t(`me.cadence.${c}`)}
                    </option>
                  ))}
                </Select>
              </div>
            ))}
          </fieldset>
        ))}
        <Field label={t('me.notifications.channel')} {...save.fieldProps('channel')}>
          <Select className={styles.small} value={channel} onChange={(_, d) => setChannel(d.value === 'activityFeed' ? 'activityFeed' : 'chat')} data-testid="me-channel">
            <option value="chat">{t('me.notifications.channel.chat')}</option>
            <option value="activityFeed">{t('me.notifications.channel.activityFeed')}</option>
          </Select>
        </Field>
        <Field label={t('me.notifications.digestHour')} {...save.fieldProps('digestHour')}>
          <Input className={styles.small} type="number" inputMode="numeric" min={0} max={23} value={digestHour} onChange={(_, d) => setDigestHour(d.value)} data-testid="me-digest-hour" />
        </Field>
        <div>
          <Button type="submit" appearance="primary" disabled={save.submitting} data-testid="me-notifications-save">
            {t('form.save')}
          </Button>
        </div>
      </ApiForm>
      <Section title={t('me.mutes.title')} level={3} testId="me-mutes">
        {muteProblem ? <ErrorMessage error={muteProblem} /> : null}
        {mutes.length === 0 ? (
          <p className={styles.note}>{t('me.mutes.empty')}</p>
        ) : (
          <ul className={styles.mutes}>
            {mutes.map((mute) => {
              const title = mute.title ?? t('me.mutes.untitled');
              return (
                <li key={`${mute.target}:${mute.targetId}`} className={styles.mute}>
                  <span>{t(mute.target === 'discussion' ? 'me.mutes.discussion' : 'me.mutes.community', { title })}</span>
                  <Button size="small" onClick={() => void removeMute(mute)} aria-label={t('me.mutes.unmute', { title })}>
                    {t('me.mutes.unmute', { title })}
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
      </Section>
    </>
  );
}

function CalendarFeedSection() {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const state = useRequest((signal) => getCalendarFeed(api, signal), [api]);
  const [url, setUrl] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(undefined);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await action();
    } catch (err) {
      setProblem(toProblem(err));
    } finally {
      setBusy(false);
    }
  };
  const create = () =>
    act(async () => {
      const made = await createCalendarFeed(api);
      setUrl(made.url);
      state.reload();
    });
  const revoke = () =>
    act(async () => {
      await revokeCalendarFeed(api);
      setUrl(undefined);
      state.reload();
      announce(t('me.feed.revoked'));
    });
  const copy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      announce(t('me.feed.copied'));
    } catch {
      announce(t('me.feed.copyFailed'));
    }
  };

  return (
    <Section title={t('me.feed.title')} testId="me-calendar-feed">
      <p className={styles.note}>{t('me.feed.intro')}</p>
      {problem ? <ErrorMessage error={problem} /> : null}
      {state.status === 'loading' ? (
        <ListSkeleton lines={1} />
      ) : state.status === 'error' ? (
        <ErrorMessage error={state.error} onRetry={state.reload} />
      ) : (
        <>
          <p data-testid="me-feed-state">
            {state.data.active && state.data.createdAt ? t('me.feed.active', { created: i18n.formatDateTime(state.data.createdAt) }) : t('me.feed.none')}{' '}
            {state.data.active ? (state.data.lastUsedAt ? t('me.feed.lastUsed', { when: i18n.formatDateTime(state.data.lastUsedAt) }) : t('me.feed.neverUsed')) : null}
          </p>
          {url ? (
            <div className={styles.actions}>
              <Field label={t('me.feed.url')} className={styles.url}>
                <Input readOnly value={url} onFocus={(e) => e.currentTarget.select()} data-testid="me-feed-url" />
              </Field>
              <Button onClick={() => void copy()} data-testid="me-feed-copy">
                {t('me.feed.copy')}
              </Button>
            </div>
          ) : null}
          <div className={styles.actions}>
            <Button appearance={state.data.active ? 'secondary' : 'primary'} disabled={busy} onClick={() => void create()} data-testid="me-feed-create" aria-describedby={state.data.active ? 'me-feed-replace-hint' : undefined}>
              {state.data.active ? t('me.feed.replace') : t('me.feed.create')}
            </Button>
            {state.data.active ? (
              <Button disabled={busy} onClick={() => void revoke()} data-testid="me-feed-revoke">
                {t('me.feed.revoke')}
              </Button>
            ) : null}
          </div>
          {state.data.active ? (
            <p id="me-feed-replace-hint" className={styles.note}>
              {t('me.feed.replaceHint')}
            </p>
          ) : null}
        </>
      )}
    </Section>
  );
}

function MyCommunities() {
  const { t } = useI18n();
  const api = useApi();
  const communities = usePagedList((cursor, signal) => listCommunities(api, { mine: true, cursor, limit: 10, signal }), [api]);
  return (
    <Section title={t('me.communities.title')} testId="me-communities">
      {hasItems(communities) ? (
        <PagedCardList list={communities}>{(community) => <CommunitySummary key={community.id} community={community} onChange={(c) => communities.update((items) => items.map((x) => (x.id === c.id ? c : x)))} />}</PagedCardList>
      ) : (
        <ListPlaceholder list={communities} lines={2} empty={<EmptyState title={t('me.communities.emptyTitle')} body={t('me.communities.emptyBody')} />} />
      )}
    </Section>
  );
}

function MyEvents() {
  const { t } = useI18n();
  const api = useApi();
  const events = usePagedList((cursor, signal) => listEvents(api, { mine: true, cursor, limit: 10, signal }), [api]);
  return (
    <Section title={t('me.events.title')} testId="me-events">
      {hasItems(events) ? (
        <PagedCardList list={events}>{(event) => <EventSummary key={event.id} event={event} />}</PagedCardList>
      ) : (
        <ListPlaceholder list={events} lines={2} empty={<EmptyState title={t('me.events.emptyTitle')} body={t('me.events.emptyBody')} />} />
      )}
    </Section>
  );
}
