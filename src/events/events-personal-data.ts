/**
 * The events capability's part of "export my data" and "erase me": event registrations (with
 * the name and address copied at sign-up) and the private calendar feed. Erasure cancels the
 * person's sign-ups through the seat allocator, as their own cancellation would: a freed seat
 * goes to the first person on the waitlist, who is told (`eventPromoted`).
 */
import mongoose, { type Types } from 'mongoose';
import { pagedLean } from '../db/paged-reads.js';
import { FORMER_MEMBER_ID } from '../personal-data/former-member.js';
import type { DataSubject, PersonalDataContributor } from '../personal-data/personal-data.js';
import { CalendarFeedModel } from './calendar-feed.model.js';
import { CalendarSyncModel } from './calendar-sync.model.js';
import { EventModel, type EventRecord } from './event.model.js';
import { ACTIVE_STATUSES, RegistrationModel, type RegistrationRecord } from './registration.model.js';
import type { SeatAllocator } from './seat-allocator.js';

const INACTIVE: RegistrationRecord['status'][] = ['cancelled', 'declined', 'removed'];

export function eventsPersonalData(deps: { allocator: Pick<SeatAllocator, 'apply' | 'idle'> }): PersonalDataContributor {
  const own = (s: DataSubject) => ({ tenantId: s.tenantId, userId: s.userId });
  return {
    name: 'events',
    files: [
      {
        name: 'event-registrations.json',
        describe: {
          nl: 'Je aanmeldingen voor bijeenkomsten: status (aangemeld, wachtlijst, aangevraagd, afgemeld), de naam, het e-mailadres en de organisatie die bij de aanmelding bewaard zijn, en de data.',
          en: 'Your event sign-ups: status (registered, waitlisted, requested, cancelled), the name, e-mail address and organisation kept with the sign-up, and the dates.',
        },
        count: (s) => RegistrationModel.countDocuments(own(s)),
        async *records(s) {
          for await (const r of pagedLean(RegistrationModel, own(s))) {
            const event = await EventModel.findById(r.eventId).select({ title: 1, start: 1 }).lean<Pick<EventRecord, 'title' | 'start'>>();
            yield { eventId: String(r.eventId), event: event?.title ?? null, start: event?.start ?? null, status: r.status, displayName: r.displayName, email: r.email, organisation: r.organisation, message: r.message ?? null, registeredAt: r.registeredAt, statusChangedAt: r.statusChangedAt, createdAt: (r as RegistrationRecord).createdAt };
          }
        },
      },
      {
        name: 'calendar-feeds.json',
        describe: {
          nl: 'Je persoonlijke agenda-abonnement (alleen wanneer het gemaakt en laatst gebruikt is; de geheime link zelf bewaart Meent niet).',
          en: 'Your personal calendar feed (only when it was made and last used; Meent does not keep the secret link itself).',
        },
        count: (s) => CalendarFeedModel.countDocuments(own(s)),
        async *records(s) {
          for await (const f of pagedLean(CalendarFeedModel, own(s))) yield { issuedAt: f.issuedAt, lastUsedAt: f.lastUsedAt ?? null };
        },
      },
    ],
    async erase(s) {
      // The Outlook copy of an event they organised lives in their mailbox (their user id). It is
      // unset rather than handed to another organiser: the Outlook event id belongs to that
      // mailbox, and another mailbox would need a new Outlook event sent to every attendee. With
      // no mailbox the calendar outbox asks nothing more of Outlook (`requestSync` returns early);
      // the event, its registrations and its Teams join link keep working, and the calendar feed
      // names the remaining organiser (or Meent) as organiser. Unset before the cancellations
      // below, so their seat changes queue no outbox job for that mailbox.
      await EventModel.updateMany({ tenantId: s.tenantId, 'calendar.mailbox': s.userId }, { $set: { 'calendar.mailbox': null, 'calendar.eventId': null, 'calendar.iCalUId': null } });
      for await (const r of pagedLean(RegistrationModel, { ...own(s) })) {
        const eventExists = (await EventModel.countDocuments({ _id: r.eventId })) > 0;
        if (eventExists && ACTIVE_STATUSES.includes(r.status as RegistrationRecord['status'])) {
          await deps.allocator.apply(s.tenantId, r.eventId as Types.ObjectId, { kind: 'cancel', userId: s.userId });
        }
        // The cancelled registration still holds the name and address copied at sign-up; an
        // active one (the cancel lost a race with a new sign-up of theirs) waits for the rerun.
        await RegistrationModel.deleteOne({ _id: r._id, status: mongoose.trusted({ $in: INACTIVE }) });
      }
      if ((await RegistrationModel.countDocuments(own(s))) > 0) throw new Error('a registration of the person is still active; the erasure is rerun');
      await CalendarFeedModel.deleteMany(own(s));
      // A seat change committed before the mailbox was unset may still be queueing its outbox job
      // (after-commit work runs after `apply` resolves): wait for it, then drop the jobs.
      await deps.allocator.idle();
      await CalendarSyncModel.deleteMany({ tenantId: s.tenantId, mailbox: s.userId });
      for (const field of ['addedBy', 'decidedBy'] as const) await RegistrationModel.updateMany({ tenantId: s.tenantId, [field]: s.userId }, { $set: { [field]: FORMER_MEMBER_ID } });
      await EventModel.updateMany({ tenantId: s.tenantId, organizers: s.userId }, { $pull: { organizers: s.userId } });
      await EventModel.updateMany({ tenantId: s.tenantId, createdBy: s.userId }, { $set: { createdBy: FORMER_MEMBER_ID } });
    },
  };
}
