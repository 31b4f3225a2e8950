/**
 * Reminders before events (24 hours and 1 hour by default, per event configurable), written
 * as notification intents for everyone registered. Nothing is planned ahead: each pass
 * writes the reminders that are due now, computed from the event's current start time, and
 * remembers which offsets it wrote for that start time. So a rescheduled event never sends
 * a reminder for its old time; the few that may be waiting in the outbox at the moment of a
 * reschedule or cancellation are withdrawn (`withdrawStale`). When several reminders are
 * due at once (the worker was down), only the nearest is sent. Idempotency keys hold the
 * start time and offset, so a repeated pass never sends twice.
 */
import type { Logger } from 'pino';
import { withdrawReminders } from '../notifications/notifications.port.js';
import type { NotificationIntent, NotificationOutbox } from '../notifications/notification-outbox.js';
import type { EventRecord } from './event.model.js';
import { findEvent, scheduledEndedBefore, scheduledStartingBetween, updateEvent } from './event.repository.js';
import { userIdsOf } from './registration.repository.js';
import { clockOf, type Clock } from '../time/clock.js';

export interface EventRemindersDeps {
  notifications: NotificationOutbox;
  now?: () => Date;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

/** The longest reminder offset an event may have (a week), which bounds the scan. */
export const MAX_REMINDER_MINUTES = 10_080;

export class EventReminders {
  private readonly now: Clock;

  constructor(private readonly deps: EventRemindersDeps) {
    this.now = clockOf(deps);
  }

  /** Writes the reminders due now. Returns how many intents were written. */
  async run(): Promise<{ events: number; intents: number }> {
    const now = this.now();
    const events = await scheduledStartingBetween(now, new Date(now.getTime() + MAX_REMINDER_MINUTES * 60_000));
    let intents = 0;
    let touched = 0;
    for (const event of events) {
      const start = event.start;
      const sentForThisStart = event.reminders?.startsAt?.getTime() === start.getTime() ? (event.reminders.sent ?? []) : [];
      const due = (event.reminderMinutes ?? []).filter((m) => start.getTime() - m * 60_000 <= now.getTime() && !sentForThisStart.includes(m));
      if (due.length === 0) continue;
      touched++;
      // The nearest one only: a 24-hour reminder an hour before the start would be stale.
      const minutes = Math.min(...due);
      const registered = await userIdsOf(event._id, ['registered']);
      const batch: NotificationIntent[] = registered.map((userId) => ({
        tenantId: event.tenantId,
        recipientId: userId,
        kind: 'reminder',
        subject: { type: 'event', id: String(event._id) },
        data: { eventTitle: event.title, startsAt: start.toISOString(), timeZone: event.timeZone, minutesBefore: minutes },
        idempotencyKey: `reminder:${String(event._id)}:${start.toISOString()}:${minutes}:${userId}`,
      }));
      for (let i = 0; i < batch.length; i += 500) intents += await this.deps.notifications.enqueue(batch.slice(i, i + 500));
      // Guarded by the start time: a reschedule in the meantime wins, and its reminders start afresh.
      const recorded = await updateEvent(event._id, { start, status: 'scheduled' }, { $set: { reminders: { startsAt: start, sent: [...new Set([...sentForThisStart, ...due])] } } });
      if (!recorded) {
        const current = await findEvent(event._id);
        if (current) await this.withdrawStale(current);
      }
    }
    return { events: touched, intents };
  }

  /**
   * Withdraws reminders still waiting in the outbox that no longer fit the event (another
   * start time, or the event was cancelled). Each is moved from `pending` to `skipped` with
   * a guarded `atomicUpdate`, so one the delivery worker already took is left alone.
   */
  async withdrawStale(event: Pick<EventRecord, '_id' | 'tenantId' | 'start' | 'status'>): Promise<number> {
    const current = event.start.toISOString();
    return withdrawReminders(event.tenantId, String(event._id), (startsAt) => event.status === 'scheduled' && startsAt === current, 'event rescheduled or cancelled');
  }

  /** Marks events that have ended as completed (status is also derived on read; this keeps queries simple). */
  async completePast(limit = 200): Promise<number> {
    const ended = await scheduledEndedBefore(this.now(), limit);
    let n = 0;
    for (const id of ended) if (await updateEvent(id, { status: 'scheduled' }, { $set: { status: 'completed' } })) n++;
    return n;
  }
}
