/**
 * An event's organisers' tools besides the attendee list: inviting people (a seat each, the
 * way an invite-only event gets its attendees; found by name in the organisation) and the
 * co-organisers (added by name, removed; the server keeps at least one). After each change the
 * event is read again, so counts and lists stay true.
 */
import { Button, makeStyles, tokens } from '@fluentui/react-components';
import { useApi } from '../api/api-provider.js';
import { addAttendee, getEvent, updateEvent, type MeentEvent } from '../api/events-api.js';
import { getPerson, type Person } from '../api/people-api.js';
import { useRequest } from '../api/use-request.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { ErrorMessage } from './error-message.js';
import { ListSkeleton } from './loading-skeleton.js';
import { InvitePeopleSection, PersonPicker } from './person-picker.js';
import { Section, useCardListStyles } from './section.js';

const useStyles = makeStyles({
  row: { display: 'flex', flexWrap: 'wrap', justifyContent: 'space-between', alignItems: 'center', gap: tokens.spacingHorizontalS },
});

/** Invite people of the organisation: each gets a seat (or a place on the waitlist) and is told. */
export function EventInvitees({ event, onChange }: { event: MeentEvent; onChange: (e: MeentEvent) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const invite = async (person: Person) => {
    const registration = await addAttendee(api, event.id, person.id);
    onChange(await getEvent(api, event.id));
    return t(registration.status === 'waitlisted' ? 'eventTools.invitedWaitlisted' : 'eventTools.invited', { name: person.name });
  };
  return (
    <InvitePeopleSection
      title={t(event.signupMethod === 'invite' ? 'eventTools.inviteTitle' : 'eventTools.addTitle')}
      intro={t('eventTools.inviteIntro')}
      testId="event-invitees"
      pickerTestId="event-invite"
      labels={{ label: t('eventTools.inviteSearch'), action: t('eventTools.inviteAction'), actionName: (name) => t('eventTools.inviteName', { name }), doneLabel: t('eventTools.inviteDone') }}
      invite={invite}
    />
  );
}

/** The organisers, by name; add a co-organiser or take one off. */
export function CoOrganisers({ event, onChange }: { event: MeentEvent; onChange: (e: MeentEvent) => void }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const { t } = useI18n();
  const api = useApi();
  const { busy, problem, run } = useActions();
  const ids = event.organizers;
  const names = useRequest(
    (signal) => Promise.all(ids.map((id) => getPerson(api, id, signal).then((p) => p.name, () => t('eventTools.unknownPerson')))),
    [api, ids.join(','), t],
  );
  const change = (next: string[], message: string) =>
    run(
      async () => {
        onChange(await updateEvent(api, event.id, { organizers: next }));
        announce(message);
      },
      { blocking: true },
    );
  return (
    <Section title={t('eventTools.organisersTitle')} testId="event-organisers">
      {problem ? <ErrorMessage error={problem} /> : null}
      {names.status === 'loading' ? <ListSkeleton lines={2} /> : null}
      {names.status === 'error' ? <ErrorMessage error={names.error} onRetry={names.reload} /> : null}
      {names.status === 'success' ? (
        <ul className={cards.list} data-testid="organiser-list">
          {ids.map((id, i) => {
            const name = names.data[i] ?? id;
            return (
              <li key={id} className={cards.item}>
                <div className={styles.row}>
                  <span>{name}</span>
                  {ids.length > 1 ? (
                    <Button size="small" disabledFocusable={busy} onClick={() => void change(ids.filter((x) => x !== id), t('eventTools.organiserRemoved', { name }))} aria-label={t('eventTools.removeOrganiserName', { name })} data-testid={`remove-organiser-${id}`}>
                      {t('eventTools.removeOrganiser')}
                    </Button>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
      <PersonPicker
        label={t('eventTools.organiserSearch')}
        action={t('eventTools.addOrganiser')}
        actionName={(name) => t('eventTools.addOrganiserName', { name })}
        doneLabel={t('eventTools.isOrganiser')}
        done={new Set(ids)}
        busy={busy}
        onPick={(p) => void change([...ids, p.id], t('eventTools.organiserAdded', { name: p.name }))}
        testId="add-organiser"
      />
    </Section>
  );
}
