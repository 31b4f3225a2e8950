/**
 * One event: when (in the reader's time zone) and where, seats left, signing up or cancelling
 * (the outcome, e.g. a waitlist position, is announced and focus moves to it), the invitation
 * as `.ics`, the follow-up discussion, and for organisers the attendee list, requests to
 * decide, the CSV export, editing and cancelling, and for an invite-only event inviting by
 * e-mail address (issue 14).
 */
import {
  Button,
  Field,
  Link,
  MessageBar,
  MessageBarBody,
  Tab,
  TabList,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { readAttachments } from '../api/attachments-api.js';
import {
  cancelEvent,
  cancelSignUp,
  decideRegistration,
  downloadAttendees,
  downloadInvitation,
  getEvent,
  listRegistrations,
  signUp,
  type MeentEvent,
  type Registration,
  type RegistrationStatus,
} from '../api/events-api.js';
import { usePagedList } from '../api/use-paged-list.js';
import { ActionDialog } from '../components/action-dialog.js';
import { CardItem, PagedCardList } from '../components/card-list.js';
import { saveFile } from '../components/download.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { EventAttendance } from '../components/event-attendance.js';
import { EventEmailInvitations } from '../components/event-email-invitations.js';
import { CoOrganisers, EventInvitees } from '../components/event-organiser-tools.js';
import { eventWhen, eventWhere, MyRegistrationBadge, SeatsBadge } from '../components/event-summary.js';
import { FileCards } from '../components/file-cards.js';
import { RichText } from '../components/rich-text.js';
import { Section, useCardListStyles } from '../components/section.js';
import { RecordPage } from '../components/record-page.js';
import { hasItems, ListPlaceholder } from '../components/list-placeholder.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { Translator } from '../i18n/translator.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  layout: { display: 'grid', gridTemplateColumns: 'minmax(0, 2fr) minmax(260px, 1fr)', gap: tokens.spacingHorizontalXXL, '@media (max-width: 720px)': { gridTemplateColumns: '1fr' } },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalS, margin: `0 0 ${tokens.spacingVerticalL}` },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0 },
  panel: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    borderRadius: tokens.borderRadiusLarge,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
    alignSelf: 'start',
  },
  status: { margin: 0, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold, ':focus-visible': { outlineStyle: 'solid', outlineWidth: tokens.strokeWidthThick, outlineColor: tokens.colorStrokeFocus2 } },
  seats: { margin: 0 },
  panelHeading: { margin: 0, fontSize: tokens.fontSizeBase500, lineHeight: tokens.lineHeightBase500, fontWeight: tokens.fontWeightSemibold },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  organiser: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center', marginBottom: tokens.spacingVerticalL },
  attendeeRow: { display: 'flex', flexWrap: 'wrap', justifyContent: 'space-between', alignItems: 'center', gap: tokens.spacingHorizontalS },
});

/** What signing up did, said in words (announced, and shown in the panel). */
function outcomeText(registration: Registration, event: MeentEvent | undefined, { t, tp }: Translator): string {
  if (registration.status === 'registered') {
    const left = event?.seatsLeft;
    return left === null || left === undefined ? t('event.signup.done') : tp('event.signup.doneSeatsLeft', left);
  }
  if (registration.status === 'waitlisted') return registration.position ? t('event.signup.waitlistedAt', { position: registration.position }) : t('event.signup.waitlisted');
  if (registration.status === 'requested') return t('event.signup.requested');
  return t('event.signup.cancelled');
}

export function EventPage({ route }: { route: Route }) {
  return (
    <RecordPage route={route} load={getEvent} failedTitle="event.title">
      {(event, onChange) => <EventDetails event={event} onChange={onChange} />}
    </RecordPage>
  );
}

function EventDetails({ event, onChange }: { event: MeentEvent; onChange: (e: MeentEvent) => void }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const downloads = useActions();

  const download = (kind: 'ics' | 'csv') =>
    downloads.run(async () => {
      const file = kind === 'ics' ? await downloadInvitation(api, event.id) : await downloadAttendees(api, event.id);
      saveFile(file, kind === 'ics' ? 'event.ics' : 'attendees.csv');
      announce(kind === 'ics' ? t('event.calendar.downloaded') : t('event.attendees.exported'));
    });

  const address = event.location?.address ? Object.values(event.location.address).filter(Boolean).join(', ') : '';
  return (
    <>
      <PageHeader title={event.title} intro={eventWhen(event, i18n)} />
      {event.status === 'cancelled' ? (
        <MessageBar intent="warning" data-testid="event-cancelled">
          <MessageBarBody>{t('event.cancelledNotice')}</MessageBarBody>
        </MessageBar>
      ) : null}
      {event.canManage ? <OrganiserActions event={event} onChange={onChange} onExport={() => void download('csv')} /> : null}
      {downloads.problem ? <ErrorMessage error={downloads.problem} /> : null}
      <div className={styles.layout}>
        <div>
          <dl className={styles.facts}>
            <dt className={styles.term}>{t('event.facts.when')}</dt>
            <dd className={styles.value}>
              <time dateTime={event.start}>{eventWhen(event, i18n)}</time>
            </dd>
            <dt className={styles.term}>{t('event.facts.where')}</dt>
            <dd className={styles.value}>
              {eventWhere(event, i18n)}
              {address ? `, ${address}` : ''}
            </dd>
            {event.joinUrl ? (
              <>
                <dt className={styles.term}>{t('event.facts.online')}</dt>
                <dd className={styles.value}>
                  <Link href={event.joinUrl} target="_blank" rel="noopener noreferrer">
                    {t('event.join')}
                  </Link>
                </dd>
              </>
            ) : null}
            {event.signupDeadline ? (
              <>
                <dt className={styles.term}>{t('event.facts.deadline')}</dt>
                <dd className={styles.value}>{i18n.formatDateTime(event.signupDeadline)}</dd>
              </>
            ) : null}
            {event.followUpDiscussionId ? (
              <>
                <dt className={styles.term}>{t('event.facts.followUp')}</dt>
                <dd className={styles.value}>
                  <Link href={hrefFor(`/discussion/${event.followUpDiscussionId}`)} data-testid="follow-up-link">
                    {t('event.followUp')}
                  </Link>
                </dd>
              </>
            ) : null}
            {event.communityId ? (
              <>
                <dt className={styles.term}>{t('event.facts.community')}</dt>
                <dd className={styles.value}>
                  <Link href={hrefFor(`/community/${event.communityId}`)}>{t('event.openCommunity')}</Link>
                </dd>
              </>
            ) : null}
          </dl>
          {event.description.html ? (
            <Section title={t('event.about')}>
              <RichText html={event.description.html} testId="event-description" />
            </Section>
          ) : null}
          <FileCards files={readAttachments(event.attachments)} testId="event-files" />
          {!event.hideAttendees || event.canManage ? <Attendees event={event} onChange={onChange} /> : null}
          {event.canManage && event.online ? <EventAttendance eventId={event.id} /> : null}
          {event.canManage && event.status === 'scheduled' ? <EventInvitees event={event} onChange={onChange} /> : null}
          {event.canManage && event.status === 'scheduled' && event.signupMethod === 'invite' ? <EventEmailInvitations event={event} onChange={onChange} /> : null}
          {event.canManage ? <CoOrganisers event={event} onChange={onChange} /> : null}
        </div>
        <SignUpPanel event={event} onChange={onChange} onCalendar={() => void download('ics')} />
      </div>
    </>
  );
}

function SignUpPanel({ event, onChange, onCalendar }: { event: MeentEvent; onChange: (e: MeentEvent) => void; onCalendar: () => void }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t, tp } = i18n;
  const api = useApi();
  const { busy, problem, run } = useActions();
  const [message, setMessage] = useState('');
  const statusRef = useRef<HTMLParagraphElement>(null);
  const focusAfter = useRef(false);

  const mine = event.myRegistration && ['registered', 'waitlisted', 'requested'].includes(event.myRegistration.status) ? event.myRegistration : null;
  const open = event.status === 'scheduled' && (!event.signupDeadline || new Date(event.signupDeadline).getTime() > Date.now());
  const full = event.seatsLeft === 0;

  useEffect(() => {
    if (focusAfter.current) {
      focusAfter.current = false;
      statusRef.current?.focus();
    }
  }, [event]);

  const act = async (action: 'signUp' | 'cancel') => {
    const done = await run(
      async () => {
        const registration = action === 'signUp' ? await signUp(api, event.id, message.trim() || undefined) : await cancelSignUp(api, event.id);
        // The registration says what happened; the event, fetched again, has the new counts.
        const fresh = await getEvent(api, event.id).catch(() => undefined);
        const next: MeentEvent = fresh ?? { ...event, myRegistration: { status: registration.status, ...(registration.position ? { position: registration.position } : {}) } };
        const withPosition: MeentEvent =
          registration.status === 'waitlisted' && registration.position && !next.myRegistration?.position ? { ...next, myRegistration: { status: 'waitlisted', position: registration.position } } : next;
        focusAfter.current = true;
        onChange(withPosition);
        if (action === 'signUp') setMessage('');
        announce(outcomeText(registration, withPosition, i18n));
      },
      { blocking: true },
    );
    if (!done) announce(t('event.signup.failed'));
  };

  let status: string;
  if (mine?.status === 'registered') status = t('event.signup.youAreRegistered');
  else if (mine?.status === 'waitlisted') status = mine.position ? t('event.signup.waitlistedAt', { position: mine.position }) : t('event.signup.waitlisted');
  else if (mine?.status === 'requested') status = t('event.signup.requested');
  else if (event.status === 'cancelled') status = t('event.status.cancelled');
  else if (event.status === 'completed') status = t('event.status.completed');
  else if (!open) status = t('event.signup.closed');
  else if (event.signupMethod === 'invite') status = t('event.signup.inviteOnly');
  else if (full && !event.waitlist) status = t('event.full');
  else status = t('event.signup.notYet');

  const signUpLabel = event.signupMethod === 'request' ? t('event.signup.request') : full ? t('event.signup.joinWaitlist') : t('event.signup.action');
  // The server decides (policy and sign-up window); the texts above only say why not.
  const canSignUp = !mine && event.canSignUp;

  return (
    <aside className={styles.panel} aria-labelledby="signup-heading" data-testid="signup-panel">
      <h2 id="signup-heading" className={styles.panelHeading}>
        {t('event.signup.title')}
      </h2>
      <p ref={statusRef} tabIndex={-1} className={styles.status} data-testid="signup-status">
        {status}
      </p>
      <p className={styles.seats} data-testid="seats">
        {event.capacity === null
          ? t('event.seats.unlimited')
          : t('event.seats.count', { left: event.seatsLeft ?? 0, capacity: event.capacity })}
        {event.counts.waitlisted > 0 ? ` ${tp('event.seats.waiting', event.counts.waitlisted)}` : ''}
      </p>
      <div className={styles.buttons}>
        <SeatsBadge event={event} />
        <MyRegistrationBadge event={event} />
      </div>
      {problem ? <ErrorMessage error={problem} onRetry={() => void act(mine ? 'cancel' : 'signUp')} /> : null}
      {canSignUp && event.signupMethod === 'request' ? (
        <Field label={t('event.signup.message')}>
          <Textarea value={message} onChange={(_, d) => setMessage(d.value)} maxLength={1000} data-testid="signup-message" />
        </Field>
      ) : null}
      <div className={styles.buttons}>
        {canSignUp ? (
          <Button appearance="primary" disabled={busy} onClick={() => void act('signUp')} data-testid="sign-up">
            {signUpLabel}
          </Button>
        ) : null}
        {mine && event.status === 'scheduled' ? (
          <Button disabled={busy} onClick={() => void act('cancel')} data-testid="cancel-sign-up">
            {mine.status === 'registered' ? t('event.signup.cancel') : mine.status === 'waitlisted' ? t('event.signup.leaveWaitlist') : t('event.signup.withdraw')}
          </Button>
        ) : null}
        {event.status !== 'cancelled' ? (
          <Button onClick={onCalendar} data-testid="add-to-calendar">
            {t('event.calendar.add')}
          </Button>
        ) : null}
      </div>
    </aside>
  );
}

function OrganiserActions({ event, onChange, onExport }: { event: MeentEvent; onChange: (e: MeentEvent) => void; onExport: () => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const { busy, problem, run } = useActions();

  const cancel = () =>
    run(
      async () => {
        onChange(await cancelEvent(api, event.id, reason.trim() || undefined));
        setConfirming(false);
        announce(t('event.cancel.done'));
      },
      { blocking: true },
    );

  return (
    <div className={styles.organiser} data-testid="organiser-actions">
      {event.status === 'scheduled' ? <Link href={hrefFor(`/event/${event.id}/edit`)}>{t('event.edit')}</Link> : null}
      <Button onClick={onExport} data-testid="export-attendees">
        {t('event.attendees.export')}
      </Button>
      {event.status === 'scheduled' ? (
        <ActionDialog
          open={confirming}
          onClose={() => setConfirming(false)}
          trigger={<Button onClick={() => setConfirming(true)}>{t('event.cancel.action')}</Button>}
          title={t('event.cancel.title')}
          intro={t('event.cancel.body')}
          problem={problem}
          action={t('event.cancel.confirm')}
          onAction={() => void cancel()}
          busy={busy}
        >
          <Field label={t('event.cancel.reason')}>
            <Textarea value={reason} onChange={(_, d) => setReason(d.value)} maxLength={1000} />
          </Field>
        </ActionDialog>
      ) : null}
    </div>
  );
}

function Attendees({ event, onChange }: { event: MeentEvent; onChange: (e: MeentEvent) => void }) {
  const { t } = useI18n();
  const [status, setStatus] = useState<RegistrationStatus>('registered');
  const counts: Partial<Record<RegistrationStatus, number>> = { registered: event.counts.registered, waitlisted: event.counts.waitlisted, requested: event.counts.requested };
  return (
    <Section title={t('event.attendees.title')} testId="attendees">
      {event.canManage ? (
        <TabList selectedValue={status} onTabSelect={(_, d) => setStatus(d.value as RegistrationStatus)} aria-label={t('event.attendees.filter')}>
          {(['registered', 'waitlisted', 'requested'] as const).map((s) => (
            <Tab key={s} value={s}>
              {t(`event.attendees.tab.${s}`, { count: counts[s] ?? 0 })}
            </Tab>
          ))}
        </TabList>
      ) : null}
      <AttendeeList key={`${status}-${event.counts.registered}-${event.counts.waitlisted}-${event.counts.requested}`} event={event} status={event.canManage ? status : 'registered'} onChange={onChange} />
    </Section>
  );
}

function AttendeeList({ event, status, onChange }: { event: MeentEvent; status: RegistrationStatus; onChange: (e: MeentEvent) => void }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const { t } = useI18n();
  const api = useApi();
  const people = usePagedList((cursor, signal) => listRegistrations(api, event.id, { status: event.canManage ? status : undefined, cursor, limit: 50, signal }), [api, event.id, status]);
  const { problem, run } = useActions();

  const decide = (registration: Registration, action: 'approve' | 'decline') =>
    run(async () => {
      await decideRegistration(api, event.id, registration.userId, action);
      announce(t(action === 'approve' ? 'event.attendees.approved' : 'event.attendees.declined', { name: registration.displayName }));
      onChange(await getEvent(api, event.id));
    });

  if (!hasItems(people)) return <ListPlaceholder list={people} lines={2} empty={<EmptyState title={t(`event.attendees.empty.${status === 'waitlisted' || status === 'requested' ? status : 'registered'}`)} body={t('event.attendees.emptyBody')} />} />;
  return (
    <>
      {problem ? <ErrorMessage error={problem} /> : null}
      <PagedCardList list={people} testId="attendee-list">
        {(r) => (
          <CardItem key={r.id}>
            <div className={styles.attendeeRow}>
              <span>
                {status === 'waitlisted' && r.position ? `${r.position}. ` : ''}
                {r.displayName}
                {r.organisation ? <span className={cards.meta}> {r.organisation}</span> : null}
                {r.isGuest ? <span className={cards.meta}> ({t('shell.guest')})</span> : null}
              </span>
              {status === 'requested' && event.canManage ? (
                <span className={styles.buttons}>
                  <Button size="small" appearance="primary" onClick={() => void decide(r, 'approve')} aria-label={t('event.attendees.approveName', { name: r.displayName })}>
                    {t('event.attendees.approve')}
                  </Button>
                  <Button size="small" onClick={() => void decide(r, 'decline')} aria-label={t('event.attendees.declineName', { name: r.displayName })}>
                    {t('event.attendees.decline')}
                  </Button>
                </span>
              ) : null}
            </div>
            {r.message && event.canManage ? <p className={cards.body}>{r.message}</p> : null}
          </CardItem>
        )}
      </PagedCardList>
    </>
  );
}
