/**
 * The meeting view (`#/meeting`, the tab in a meeting's chat; compact in the side panel):
 * which discussion the meeting is linked to, and for the organiser (or a manager of a
 * community) the form to link it, to an existing discussion or a new one prefilled with the
 * meeting's subject and date, in a community of their choice, optionally to the Meent event
 * the meeting is a session of; once linked, a quick poll in its community (the poll's origin
 * names the meeting). After the meeting, its organiser sees who was let into the community and
 * who was not (and why). The meeting comes from the Teams context (chat id);
 * its subject, times and organiser come from the server (Graph), never from the client.
 */
import { Button, Field, Input, Link, MessageBar, MessageBarBody, Radio, RadioGroup, Select, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import { useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { listCommunities } from '../api/communities-api.js';
import { CommunityOptions } from '../components/community-options.js';
import { listCommunityDiscussions } from '../api/discussions-api.js';
import { listEvents } from '../api/events-api.js';
import { getMeeting, linkMeeting, unlinkMeeting, type ListedPerson, type Meeting } from '../api/meetings-api.js';
import { useRequest } from '../api/use-request.js';
import { EmptyState } from '../components/empty-state.js';
import { QuickPollButton } from '../components/quick-poll.js';
import { ErrorMessage } from '../components/error-message.js';
import { ListSkeleton } from '../components/loading-skeleton.js';
import { Section, useCardListStyles } from '../components/section.js';
import { useFocusOnFieldErrors, useSubmit } from '../forms/use-submit.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { Translator } from '../i18n/translator.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, type Route } from '../router/hash-router.js';
import { useHost } from '../teams/host-context.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  compact: { maxWidth: '320px' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '640px' },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  reason: { color: tokens.colorNeutralForeground2 },
});

export function MeetingPage({ route }: { route: Route }) {
  return <MeetingPanel preferredCommunityId={route.query.get('community') ?? undefined} />;
}

/** The meeting's link and follow-up; `compact` for the side panel (320 px). */
export function MeetingPanel({ compact = false, preferredCommunityId }: { compact?: boolean; preferredCommunityId?: string }) {
  const styles = useStyles();
  const { t } = useI18n();
  const host = useHost();
  const api = useApi();
  const chatId = host.context?.chat?.id;
  const meetingId = host.context?.meeting?.id;
  const meeting = useRequest((signal) => (chatId ? getMeeting(api, chatId, meetingId, signal) : Promise.resolve(undefined)), [api, chatId, meetingId]);
  const header = compact ? null : <PageHeader title={t('meeting.title')} intro={t('meeting.intro')} />;

  if (!chatId) {
    return (
      <div className={styles.root} data-testid="meeting-page">
        {header}
        <EmptyState title={t('meeting.notInMeeting.title')} body={t('meeting.notInMeeting.body')} />
      </div>
    );
  }
  return (
    <div className={compact ? `${styles.root} ${styles.compact}` : styles.root} data-testid="meeting-page">
      {header}
      {meeting.status === 'loading' ? <ListSkeleton lines={3} /> : null}
      {meeting.status === 'error' ? <ErrorMessage error={meeting.error} onRetry={meeting.reload} /> : null}
      {meeting.status === 'success' && meeting.data ? <MeetingView meeting={meeting.data} meetingId={meetingId} compact={compact} preferredCommunityId={preferredCommunityId} onChange={meeting.reload} /> : null}
    </div>
  );
}

function MeetingView({ meeting, meetingId, compact, preferredCommunityId, onChange }: { meeting: Meeting; meetingId: string | undefined; compact: boolean; preferredCommunityId: string | undefined; onChange: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const cards = useCardListStyles();
  const when = meeting.start ? i18n.formatDateTime(meeting.start, { dateStyle: 'full', timeStyle: 'short' }) : '';
  const unlink = useSubmit(() => unlinkMeeting(api, meeting.chatId));

  return (
    <>
      <Section title={meeting.subject || t('meeting.untitled')} testId="meeting-facts">
        {when ? <p className={cards.meta}>{when}</p> : null}
      </Section>
      {meeting.link ? (
        <Section title={t('meeting.linked.title')} testId="meeting-linked">
          <div className={cards.item}>
            <p className={cards.title}>
              {compact ? (
                // The side panel shows one view only: a link into the tab's pages would go nowhere there.
                <span data-testid="meeting-discussion-link">{meeting.link.discussionTitle}</span>
              ) : (
                <Link href={hrefFor(`/discussion/${meeting.link.discussionId}`)} data-testid="meeting-discussion-link">
                  {meeting.link.discussionTitle}
                </Link>
              )}
            </p>
            <p className={cards.meta}>{t('meeting.linked.community', { name: meeting.link.communityName })}</p>
            {meeting.link.eventId && meeting.link.eventTitle ? (
              <p className={cards.meta}>
                {t('meeting.linked.event')} {compact ? meeting.link.eventTitle : <Link href={hrefFor(`/event/${meeting.link.eventId}`)}>{meeting.link.eventTitle}</Link>}
              </p>
            ) : null}
            {meeting.link.source === 'event' ? <p className={cards.meta}>{t('meeting.linked.automatic')}</p> : null}
            {meeting.permissions.canUnlink || meeting.isOrganizer ? (
              <div className={cards.actions}>
                <QuickPollButton size="small" communityId={meeting.link.communityId} origin={{ discussionId: meeting.link.discussionId, conversationId: meeting.chatId, ...(meetingId ? { meetingId } : {}) }} />
              </div>
            ) : null}
            {meeting.permissions.canUnlink ? (
              <div className={cards.actions}>
                <Button
                  size="small"
                  disabled={unlink.submitting}
                  data-testid="meeting-unlink"
                  onClick={() =>
                    void unlink.submit().then(() => {
                      announce(t('meeting.unlinked'));
                      onChange();
                    })
                  }
                >
                  {t('meeting.unlink')}
                </Button>
              </div>
            ) : null}
          </div>
          {unlink.problem ? <ErrorMessage error={unlink.problem} /> : null}
        </Section>
      ) : meeting.permissions.canLink ? (
        <LinkForm meeting={meeting} meetingId={meetingId} preferredCommunityId={preferredCommunityId} onLinked={onChange} />
      ) : (
        <MessageBar intent="info">
          <MessageBarBody>{t('meeting.notLinked.onlyOrganiser')}</MessageBarBody>
        </MessageBar>
      )}
      {meeting.followUp ? <FollowUp meeting={meeting} /> : null}
    </>
  );
}

function FollowUp({ meeting }: { meeting: Meeting }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const cards = useCardListStyles();
  const followUp = meeting.followUp!;
  const status = followUp.status === 'done' ? t('meeting.followUp.done') : t('meeting.followUp.pending');
  return (
    <Section title={t('meeting.followUp.title')} testId="meeting-follow-up">
      <p className={cards.meta}>{status}</p>
      {followUp.admitted ? <p className={cards.meta}>{i18n.tp('meeting.followUp.following', followUp.people.length)}</p> : null}
      {followUp.notAdmitted.length > 0 ? (
        <>
          <p className={cards.meta}>{t('meeting.followUp.notAdmittedIntro')}</p>
          <ul className={cards.list} data-testid="meeting-not-admitted">
            {followUp.notAdmitted.map((p, i) => (
              <li key={`${p.userId ?? p.displayName}-${i}`} className={cards.item}>
                <p className={cards.title}>{p.displayName || t('meeting.followUp.anonymous')}</p>
                <p className={`${cards.meta} ${styles.reason}`}>{reasonText(p, i18n)}</p>
              </li>
            ))}
          </ul>
        </>
      ) : followUp.admitted ? (
        <p className={cards.meta}>{t('meeting.followUp.everyoneIn')}</p>
      ) : null}
    </Section>
  );
}

function reasonText(person: ListedPerson, { t }: Translator): string {
  switch (person.reason) {
    case 'blocked':
      return t('meeting.reason.blocked');
    case 'guests_not_allowed':
      return t('meeting.reason.guestsNotAllowed');
    case 'guests_disabled':
      return t('meeting.reason.guestsDisabled');
    case 'approval_required':
      return t('meeting.reason.approvalRequired');
    case 'external_account':
      return t('meeting.reason.externalAccount');
    default:
      return t('meeting.reason.unknownPerson');
  }
}

type Mode = 'new' | 'existing';
const FIELDS = ['communityId', 'discussionId', 'discussion', 'discussion.title', 'discussion.body', 'eventId'] as const;

function LinkForm({ meeting, meetingId, preferredCommunityId, onLinked }: { meeting: Meeting; meetingId: string | undefined; preferredCommunityId: string | undefined; onLinked: () => void }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const form = useRef<HTMLFormElement>(null);
  const communities = useRequest((signal) => listCommunities(api, { mine: true, limit: 100, signal }), [api]);
  const items = communities.status === 'success' ? communities.data.items : [];
  const [communityId, setCommunityId] = useState('');
  const chosen = communityId || (preferredCommunityId && items.some((c) => c.id === preferredCommunityId) ? preferredCommunityId : '');
  const [mode, setMode] = useState<Mode>('new');
  const date = meeting.start ? i18n.formatDateTime(meeting.start, { dateStyle: 'long' }) : '';
  const subject = meeting.subject || t('meeting.untitled');
  const [title, setTitle] = useState(date ? t('meeting.form.titlePrefill', { subject, date }) : subject);
  const [body, setBody] = useState(t('meeting.form.bodyPrefill', { subject, date: date || '–' }));
  const [discussionId, setDiscussionId] = useState('');
  const [eventId, setEventId] = useState('');

  const discussions = useRequest((signal) => (chosen ? listCommunityDiscussions(api, chosen, { limit: 50, signal }) : Promise.resolve(undefined)), [api, chosen]);
  const events = useRequest((signal) => (chosen ? listEvents(api, { communityId: chosen, limit: 20, signal }) : Promise.resolve(undefined)), [api, chosen]);

  const link = useSubmit(() =>
    linkMeeting(api, {
      chatId: meeting.chatId,
      ...(meetingId ? { meetingId } : {}),
      communityId: chosen,
      ...(mode === 'existing' ? { discussionId } : { discussion: { title, body } }),
      ...(eventId ? { eventId } : {}),
    }),
  );

  useFocusOnFieldErrors(link.problem, form, t('form.fixFields'));

  const submit = async () => {
    const linked = await link.submit();
    if (linked) {
      announce(t('meeting.linkedNow'));
      onLinked();
    }
  };

  const unplaced = link.unplaced(FIELDS);
  const ready = chosen !== '' && (mode === 'new' ? title.trim() !== '' && body.trim() !== '' : discussionId !== '');
  return (
    <Section title={t('meeting.form.title')} testId="meeting-link-form">
      <p>{t('meeting.form.intro')}</p>
      {unplaced ? <ErrorMessage error={unplaced} /> : null}
      <form
        ref={form}
        className={styles.form}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        {communities.status === 'loading' ? <ListSkeleton lines={2} /> : null}
        {communities.status === 'error' ? <ErrorMessage error={communities.error} onRetry={communities.reload} /> : null}
        {communities.status === 'success' && items.length === 0 ? <p>{t('meeting.form.noCommunities')}</p> : null}
        {items.length > 0 ? (
          <Field label={t('meeting.form.community')} required {...link.fieldProps('communityId')}>
            <Select
              value={chosen}
              onChange={(_, d) => {
                setCommunityId(d.value);
                setDiscussionId('');
                setEventId('');
              }}
              data-testid="meeting-community-select"
            >
              <CommunityOptions placeholder={t('meeting.form.communityPlaceholder')} communities={items} />
            </Select>
          </Field>
        ) : null}
        <Field label={t('meeting.form.mode')}>
          <RadioGroup value={mode} onChange={(_, d) => setMode(d.value === 'existing' ? 'existing' : 'new')}>
            <Radio value="new" label={t('meeting.form.mode.new')} />
            <Radio value="existing" label={t('meeting.form.mode.existing')} />
          </RadioGroup>
        </Field>
        {mode === 'new' ? (
          <>
            <Field label={t('meeting.form.discussionTitle')} required {...link.fieldProps('discussion.title')}>
              <Input value={title} maxLength={200} onChange={(_, d) => setTitle(d.value)} data-testid="meeting-discussion-title" />
            </Field>
            <Field label={t('meeting.form.discussionBody')} required {...link.fieldProps('discussion.body')}>
              <Textarea value={body} resize="vertical" onChange={(_, d) => setBody(d.value)} data-testid="meeting-discussion-body" />
            </Field>
          </>
        ) : (
          <Field label={t('meeting.form.discussion')} required {...link.fieldProps('discussionId')}>
            <Select value={discussionId} onChange={(_, d) => setDiscussionId(d.value)} disabled={!chosen} data-testid="meeting-discussion-select">
              <option value="">{chosen ? t('meeting.form.discussionPlaceholder') : t('meeting.form.communityFirst')}</option>
              {(discussions.status === 'success' && discussions.data ? discussions.data.items : []).map((d) => (
                <option key={d.id} value={d.id}>
                  {d.title}
                </option>
              ))}
            </Select>
          </Field>
        )}
        <Field label={t('meeting.form.event')} hint={t('meeting.form.eventHint')} {...link.fieldProps('eventId')}>
          <Select value={eventId} onChange={(_, d) => setEventId(d.value)} disabled={!chosen} data-testid="meeting-event-select">
            <option value="">{t('meeting.form.noEvent')}</option>
            {(events.status === 'success' && events.data ? events.data.items : [])
              .filter((e) => e.canManage)
              .map((e) => (
                <option key={e.id} value={e.id}>
                  {`${e.title} (${i18n.formatDateTime(e.start, { dateStyle: 'medium', timeStyle: 'short' })})`}
                </option>
              ))}
          </Select>
        </Field>
        <div className={styles.actions}>
          <Button type="submit" appearance="primary" disabled={!ready || link.submitting} data-testid="meeting-link-submit">
            {t('meeting.form.submit')}
          </Button>
        </div>
      </form>
    </Section>
  );
}
