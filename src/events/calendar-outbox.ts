/**
 * Keeps Outlook in line with Meent's events through the `CalendarGateway` (Microsoft Graph,
 * or the local calendar in local mode), as a durable outbox:
 *
 * - Requests coalesce: any number of sign-ups for one event leave one pending job, and the
 *   worker writes the whole attendee list once (Graph replaces the list on PATCH anyway).
 * - Every step is idempotent: creates carry a stable `transactionId`, updates and attendee
 *   lists are absolute values, cancelling twice is harmless. Replaying after a crash or a
 *   lost answer never duplicates an event or an attendee.
 * - The worker syncs from the stored truth (the event and its registrations), not from the
 *   requests, and clears a job only if no request arrived while it worked: after the outbox
 *   drains, Outlook's attendees are the registered members. `reconcile` re-reads Outlook to
 *   catch changes made there.
 * - Failures stay in the outbox: 429/503/504 are retried after Graph's `Retry-After`, other
 *   failures with exponential backoff, for as long as Graph is down.
 * - One worker per organiser mailbox at a time (a lease), with at most 4 requests in flight
 *   against it, counting each sub-request of a `$batch` (Outlook's limit: 4 concurrent
 *   requests per app per mailbox,
 *   https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits).
 *   Attendee lists of several events of one mailbox go out as one JSON `$batch`.
 */
import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import { inLanes } from '../db/in-lanes.js';
import { withLease } from '../db/lease.js';
import { DomainError, NotFoundError } from '../errors/domain-errors.js';
import type { CalendarAttendee, CalendarEventInput, CalendarGateway } from '../graph/calendar-gateway.js';
import { isGraphNotFound } from '../graph/graph-errors.js';
import type { UserDirectoryRepository } from '../members/user-directory.repository.js';
import { backoffDelayMs } from '../graph/graph-retry.js';
import type { CalendarSyncRecord } from './calendar-sync.model.js';
import { countDueJobs, dueJobs, requestSyncJobs, updateSyncJob, type SyncJobRequest } from './calendar-sync.repository.js';
import type { EventRecord } from './event.model.js';
import { eventsByIds, updateEvent, upcomingWithOutlookCopy } from './event.repository.js';
import { eventWebUrl } from './event-links.js';
import { registeredOf } from './registration.repository.js';
import { clockOf, type Clock } from '../time/clock.js';

/** Outlook's concurrent requests per app and mailbox. */
export const MAILBOX_CONCURRENCY = 4;

export interface CalendarOutboxDeps {
  gateway: CalendarGateway;
  /** Addresses of people whose sign-up carried none. */
  people?: Pick<UserDirectoryRepository, 'find'>;
  /** Meent's public origin, for the link back in the invitation. */
  publicUrl: string;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
  /** Requests in flight per mailbox (default 4). */
  mailboxConcurrency?: number;
  /** Mailboxes worked on at once by one pass (default 8). */
  mailboxParallelism?: number;
  /** First retry delay without Retry-After, doubling per attempt (default 5 s) up to `maxBackoffMs` (default 15 min). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a pass may hold a mailbox (default 5 min). */
  mailboxLeaseMs?: number;
}

export interface SyncRequest {
  /** The attendee list changed. */
  attendees?: boolean;
  /** Read Outlook back and repair differences. */
  verify?: boolean;
}

/** What a request reads of an event: whose mailbox holds its Outlook copy. */
export type SyncTarget = Pick<EventRecord, '_id' | 'tenantId'> & { calendar?: { mailbox?: string | null } | null };

export interface DrainReport {
  /** Jobs brought in line (or found in line). */
  synced: number;
  /** Jobs that failed and wait for a retry. */
  retrying: number;
  /** Jobs left alone because another instance holds their mailbox. */
  skipped: number;
}

type Plan = 'create' | 'update' | 'cancel' | 'verify' | 'attendees' | 'none';

interface Work {
  job: CalendarSyncRecord;
  event: EventRecord | undefined;
  plan: Plan;
}

export class CalendarOutbox {
  private readonly now: Clock;
  private readonly concurrency: number;
  private readonly parallelism: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly leaseMs: number;

  constructor(private readonly deps: CalendarOutboxDeps) {
    this.now = clockOf(deps);
    this.concurrency = Math.min(deps.mailboxConcurrency ?? MAILBOX_CONCURRENCY, MAILBOX_CONCURRENCY);
    this.parallelism = deps.mailboxParallelism ?? 8;
    this.baseBackoffMs = deps.baseBackoffMs ?? 5_000;
    this.maxBackoffMs = deps.maxBackoffMs ?? 15 * 60_000;
    this.leaseMs = deps.mailboxLeaseMs ?? 5 * 60_000;
  }

  /** Records that the event's Outlook copy must catch up. Cheap; safe to call from anywhere, any number of times. */
  async requestSync(event: SyncTarget, request: SyncRequest = {}): Promise<void> {
    await this.requestSyncs([event], request);
  }

  /** `requestSync` for several events at once (a round of sign-ups): the same effect, fewer writes. */
  async requestSyncs(events: readonly SyncTarget[], request: SyncRequest = {}): Promise<void> {
    const requests = new Map<string, SyncJobRequest>();
    for (const event of events) {
      const set = requestFields(event, request);
      if (set) requests.set(String(event._id), { eventId: event._id, set });
    }
    await requestSyncJobs([...requests.values()], this.now());
  }

  /** Jobs that are due now (for tests and the worker's idle check). */
  async dueCount(): Promise<number> {
    return countDueJobs(this.now());
  }

  /** Works through the due jobs once. */
  async drain(options: { limit?: number } = {}): Promise<DrainReport> {
    const due = await dueJobs(this.now(), options.limit ?? 500);
    const report: DrainReport = { synced: 0, retrying: 0, skipped: 0 };
    const byMailbox = new Map<string, CalendarSyncRecord[]>();
    for (const job of due) {
      const key = `${job.tenantId}:${job.mailbox}`;
      byMailbox.set(key, [...(byMailbox.get(key) ?? []), job]);
    }
    await inLanes([...byMailbox], this.parallelism, async ([key, jobs]) => {
      const ran = await withLease(`calendar-mailbox:${key}`, this.leaseMs, async (lease) => {
        // Keep the mailbox while Graph is slow: renewed well before it would expire.
        const renewing = setInterval(() => void lease.renew().catch(() => undefined), Math.max(1_000, this.leaseMs / 3));
        try {
          await this.runMailbox(jobs, report);
        } finally {
          clearInterval(renewing);
        }
        return true;
      });
      if (!ran) report.skipped += jobs.length;
    });
    return report;
  }

  /** Drains until nothing is due (at most `maxPasses` passes). */
  async drainUntilIdle(maxPasses = 20): Promise<DrainReport> {
    const total: DrainReport = { synced: 0, retrying: 0, skipped: 0 };
    for (let pass = 0; pass < maxPasses; pass++) {
      const report = await this.drain();
      total.synced += report.synced;
      total.retrying += report.retrying;
      total.skipped += report.skipped;
      if ((await this.dueCount()) === 0) break;
    }
    return total;
  }

  /** Asks for a read-back of upcoming events that have an Outlook copy (catches edits made in Outlook). */
  async reconcile(options: { limit?: number } = {}): Promise<number> {
    const events = await upcomingWithOutlookCopy(this.now(), options.limit ?? 200);
    for (const event of events) await this.requestSync(event, { verify: true });
    return events.length;
  }

  // ---- one mailbox ----

  private async runMailbox(jobs: CalendarSyncRecord[], report: DrainReport): Promise<void> {
    const permits = new Permits(this.concurrency);
    const events = await eventsByIds(jobs.map((j) => j.eventId));
    const byId = new Map(events.map((e) => [String(e._id), e]));
    const work: Work[] = jobs.map((job) => {
      const event = byId.get(String(job.eventId));
      return { job, event, plan: planFor(job, event) };
    });
    const attendeeOnly = work.filter((w) => w.plan === 'attendees');
    const single = work.filter((w) => w.plan !== 'attendees');
    const chunks: Work[][] = [];
    for (let i = 0; i < attendeeOnly.length; i += this.concurrency) chunks.push(attendeeOnly.slice(i, i + this.concurrency));
    await Promise.all([
      ...single.map((w) => permits.run(1, () => this.runSingle(w, report))),
      ...chunks.map((chunk) => permits.run(chunk.length, () => this.runAttendeeChunk(chunk, report))),
    ]);
  }

  private async runSingle(work: Work, report: DrainReport): Promise<void> {
    const { job, event, plan } = work;
    try {
      if (event && plan !== 'none') await this.apply(plan, job, event);
      await this.finish(job);
      report.synced++;
    } catch (error) {
      if (event && isGraphNotFound(error) && plan !== 'create' && plan !== 'cancel') {
        // The organiser deleted the Outlook event: make it anew on the next pass.
        await this.forgetOutlookEvent(event);
        report.retrying++;
        return;
      }
      await this.fail(job, error);
      report.retrying++;
    }
  }

  private async apply(plan: Plan, job: CalendarSyncRecord, event: EventRecord): Promise<void> {
    const mailbox = job.mailbox;
    switch (plan) {
      case 'create': {
        const ref = await this.deps.gateway.createEvent(mailbox, {
          ...this.details(event),
          attendees: await attendeesOf(event._id, this.deps.people),
          idempotencyKey: `meent:${String(event._id)}:${event.calendar?.generation ?? 0}`,
        });
        await this.recordOutlook(event, { 'calendar.eventId': ref.id, 'calendar.iCalUId': ref.iCalUId, 'calendar.joinUrl': ref.joinUrl ?? null, 'calendar.syncedSequence': event.sequence });
        return;
      }
      case 'update': {
        const eventId = event.calendar?.eventId ?? '';
        await this.deps.gateway.updateEvent(mailbox, eventId, { ...this.details(event), location: this.details(event).location ?? { displayName: '' } });
        await this.deps.gateway.setAttendees(mailbox, eventId, await attendeesOf(event._id, this.deps.people));
        await this.recordOutlook(event, { 'calendar.syncedSequence': event.sequence });
        return;
      }
      case 'cancel':
        await this.deps.gateway.cancelEvent(mailbox, event.calendar?.eventId ?? '', event.cancelReason || 'This event has been cancelled.');
        await this.recordOutlook(event, { 'calendar.cancelled': true });
        return;
      case 'verify': {
        const eventId = event.calendar?.eventId ?? '';
        const [outlook, wanted] = await Promise.all([this.deps.gateway.getEvent(mailbox, eventId), attendeesOf(event._id, this.deps.people)]);
        // Cancelled in Outlook while still on in Meent: treated as gone, so it is made anew.
        if (outlook.isCancelled) throw new NotFoundError('The Outlook event was cancelled outside Meent.', 'graph_not_found');
        if (outlook.start.getTime() !== event.start.getTime() || outlook.end.getTime() !== event.end.getTime() || outlook.subject !== event.title) {
          await this.deps.gateway.updateEvent(mailbox, eventId, { ...this.details(event), location: this.details(event).location ?? { displayName: '' } });
        }
        if (!sameAttendees(outlook.attendees, wanted)) await this.deps.gateway.setAttendees(mailbox, eventId, wanted);
        return;
      }
      case 'attendees':
        await this.deps.gateway.setAttendees(mailbox, event.calendar?.eventId ?? '', await attendeesOf(event._id, this.deps.people));
        return;
      case 'none':
        return;
    }
  }

  /** Attendee lists of up to 4 events in one `$batch`. */
  private async runAttendeeChunk(chunk: Work[], report: DrainReport): Promise<void> {
    const mailbox = chunk[0]?.job.mailbox ?? '';
    let results: Awaited<ReturnType<CalendarGateway['setAttendeesMany']>>;
    try {
      const changes = await Promise.all(chunk.map(async (w) => ({ eventId: w.event?.calendar?.eventId ?? '', attendees: await attendeesOf(w.job.eventId, this.deps.people) })));
      results = await this.deps.gateway.setAttendeesMany(mailbox, changes);
    } catch (error) {
      for (const w of chunk) await this.fail(w.job, error);
      report.retrying += chunk.length;
      return;
    }
    for (const [i, w] of chunk.entries()) {
      const error = results[i]?.error ?? null;
      if (error === null) {
        await this.finish(w.job);
        report.synced++;
      } else if (isGraphNotFound(error) && w.event) {
        await this.forgetOutlookEvent(w.event);
        report.retrying++;
      } else {
        await this.fail(w.job, error);
        report.retrying++;
      }
    }
  }

  // ---- bookkeeping ----

  private details(event: EventRecord): Omit<CalendarEventInput, 'attendees' | 'idempotencyKey'> {
    const link = eventWebUrl(this.deps.publicUrl, event._id);
    const address = event.location?.address;
    return {
      subject: event.title,
      bodyHtml: `${event.description?.html ?? ''}<p><a href="${escapeAttribute(link)}">Open this event in Meent</a></p>`,
      start: event.start,
      end: event.end,
      timeZone: event.timeZone,
      ...(event.location?.name
        ? { location: { displayName: event.location.name, ...(address ? { address: { street: address.street ?? undefined, postalCode: address.postalCode ?? undefined, city: address.city ?? undefined, countryOrRegion: address.countryOrRegion ?? undefined } } : {}) } }
        : {}),
      isOnline: event.online,
      hideAttendees: event.hideAttendees,
    };
  }

  private async recordOutlook(event: EventRecord, set: Record<string, unknown>): Promise<void> {
    await updateEvent(event._id, {}, { $set: set });
  }

  private async forgetOutlookEvent(event: EventRecord): Promise<void> {
    await updateEvent(
      event._id,
      {},
      { $set: { 'calendar.eventId': null, 'calendar.iCalUId': null, 'calendar.joinUrl': null, 'calendar.syncedSequence': -1 }, $inc: { 'calendar.generation': 1 } },
    );
    await updateSyncJob(event._id, {}, { $set: { dueAt: this.now(), attendees: true }, $inc: { demand: 1 } });
  }

  /** Clears the job unless a request came in while we worked (then it stays pending, due now). */
  private async finish(job: CalendarSyncRecord): Promise<void> {
    const now = this.now();
    const cleared = await updateSyncJob(job.eventId, { demand: job.demand }, { $set: { pending: false, attempts: 0, lastError: null, attendees: false, verify: false, lastSyncedAt: now } });
    if (!cleared) {
      await updateSyncJob(job.eventId, {}, { $set: { attempts: 0, lastError: null, lastSyncedAt: now, dueAt: now } });
    }
  }

  private async fail(job: CalendarSyncRecord, error: unknown): Promise<void> {
    const attempts = (job.attempts ?? 0) + 1;
    const transient = !(error instanceof DomainError) || error.retryable;
    const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
    let delay = typeof retryAfterMs === 'number' && retryAfterMs > 0 ? retryAfterMs : backoffDelayMs(attempts, { baseDelayMs: this.baseBackoffMs, maxDelayMs: this.maxBackoffMs });
    // Refusals (permissions, a request Graph will not take) need a person to act: retry hourly.
    if (!transient) delay = Math.max(delay, 60 * 60_000);
    const code = error instanceof DomainError ? error.code : 'unexpected_error';
    this.deps.logger?.warn({ eventId: String(job.eventId), mailbox: job.mailbox, attempts, delayMs: delay, code, err: error instanceof DomainError ? undefined : error }, 'calendar sync failed; will retry');
    await updateSyncJob(job.eventId, {}, { $set: { dueAt: new Date(this.now().getTime() + delay), lastError: code }, $inc: { attempts: 1 } });
  }
}

function planFor(job: CalendarSyncRecord, event: EventRecord | undefined): Plan {
  if (!event) return 'none';
  const calendar = event.calendar;
  if (event.status === 'cancelled') return calendar?.eventId && !calendar.cancelled ? 'cancel' : 'none';
  if (!calendar?.eventId) return 'create';
  if ((calendar.syncedSequence ?? -1) < event.sequence) return 'update';
  if (job.verify) return 'verify';
  if (job.attendees) return 'attendees';
  return 'none';
}

/**
 * The Outlook attendees an event should have: its registered organisation members, in arrival
 * order. An address the sign-up did not carry comes from the person's record.
 */
export async function attendeesOf(eventId: Types.ObjectId, people?: PeopleLookup): Promise<CalendarAttendee[]> {
  const rows = await registeredOf(eventId, { membersOnly: true });
  const out: CalendarAttendee[] = [];
  for (const r of rows) {
    let email = r.email;
    if (!email && people) {
      const user = await people.find(r.tenantId, r.userId);
      email = user?.mail ?? user?.userPrincipalName ?? null;
    }
    if (email) out.push({ email, ...(r.displayName ? { name: r.displayName } : {}) });
  }
  return out;
}

type PeopleLookup = Pick<UserDirectoryRepository, 'find'>;

function sameAttendees(a: readonly CalendarAttendee[], b: readonly CalendarAttendee[]): boolean {
  const key = (list: readonly CalendarAttendee[]) => [...new Set(list.map((x) => x.email.trim().toLowerCase()))].sort().join('\n');
  return key(a) === key(b);
}


function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A counting semaphore where one task may take several permits (a `$batch` takes one per sub-request). */
class Permits {
  private available: number;
  private readonly waiting: { n: number; start: () => void }[] = [];

  constructor(private readonly max: number) {
    this.available = max;
  }

  async run<T>(n: number, task: () => Promise<T>): Promise<T> {
    const need = Math.min(n, this.max);
    if (this.available >= need && this.waiting.length === 0) this.available -= need;
    else await new Promise<void>((start) => this.waiting.push({ n: need, start }));
    try {
      return await task();
    } finally {
      this.available += need;
      while (this.waiting.length > 0 && (this.waiting[0]?.n ?? Infinity) <= this.available) {
        const next = this.waiting.shift();
        if (!next) break;
        this.available -= next.n;
        next.start();
      }
    }
  }
}

/** What a request sets on the event's job; none for an event without an Outlook copy to keep. */
function requestFields(event: SyncTarget, request: SyncRequest): Record<string, unknown> | undefined {
  const mailbox = event.calendar?.mailbox;
  if (!mailbox) return undefined;
  const set: Record<string, unknown> = { tenantId: event.tenantId, mailbox, pending: true };
  if (request.attendees) set.attendees = true;
  if (request.verify) set.verify = true;
  return set;
}
