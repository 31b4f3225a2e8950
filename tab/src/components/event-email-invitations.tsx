/**
 * An invite-only event's invitations by e-mail (issue 14), on the event page for its
 * organisers: the same form and list as a community's (email-invitations.tsx), to this event.
 * After a send the event is read again, so its seats and attendee list show who was registered.
 */
import { useMemo } from 'react';
import { useApi } from '../api/api-provider.js';
import { getEvent, type MeentEvent } from '../api/events-api.js';
import { inviteToEventByEmail, listEventInvitations, resendEventInvitation, withdrawEventInvitation } from '../api/invitations-api.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { EmailInvitations, type EmailInvitationsClient } from './email-invitations.js';
import { Section } from './section.js';

export function EventEmailInvitations({ event, onChange }: { event: MeentEvent; onChange: (e: MeentEvent) => void }) {
  const { t } = useI18n();
  const api = useApi();
  const client = useMemo<EmailInvitationsClient>(
    () => ({
      key: event.id,
      invite: async (addresses, language) => {
        const outcomes = await inviteToEventByEmail(api, event.id, addresses, language);
        // The invitations went out either way; fresh seats are a nicety.
        const fresh = await getEvent(api, event.id).catch(() => undefined);
        if (fresh) onChange(fresh);
        return outcomes;
      },
      list: (signal) => listEventInvitations(api, event.id, signal),
      withdraw: (id) => withdrawEventInvitation(api, event.id, id),
      resend: (id, language) => resendEventInvitation(api, event.id, id, language),
    }),
    [api, event.id, onChange],
  );
  return (
    <Section title={t('invitations.eventTitle')} testId="event-email-invitations">
      <p>{t('invitations.eventIntro')}</p>
      <EmailInvitations client={client} headingLevel={3} />
    </Section>
  );
}
