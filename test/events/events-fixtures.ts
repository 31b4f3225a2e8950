/** Small fixtures for the events tests: a clock, people, communities, services on the real store. */
import type { Express } from 'express';
import { pino } from 'pino';
import type { Actor } from '../../src/auth/actor.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { LeaseModel } from '../../src/db/lease.js';
import { CalendarFeedModel } from '../../src/events/calendar-feed.model.js';
import { CalendarSyncModel } from '../../src/events/calendar-sync.model.js';
import { EventModel } from '../../src/events/event.model.js';
import type { CreateEventInput } from '../../src/events/event.schemas.js';
import { calendarFeedRouter, eventsRouter } from '../../src/events/events.routes.js';
import { createEventsServices, type EventsDeps, type EventsServices } from '../../src/events/events.module.js';
import { LocalCalendarEventModel } from '../../src/events/local-calendar.gateway.js';
import { RegistrationModel, SeatClaimModel } from '../../src/events/registration.model.js';
import { UserModel } from '../../src/members/user.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { actorHeader, testActor, testAuthenticate, TEST_TENANT } from '../support/test-actor.js';

export const silentLogger = pino({ level: 'silent' });
export const PUBLIC_URL = 'https://meent.test';
const DAY = 24 * 3_600_000;

export interface TestClock {
  now: () => Date;
  advance(ms: number): void;
  set(date: Date): void;
}

/** A clock that moves only when told. */
export function testClock(start = Date.now()): TestClock {
  let t = start;
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    set: (date) => {
      t = date.getTime();
    },
  };
}

export async function syncEventIndexes(): Promise<void> {
  for (const model of [EventModel, RegistrationModel, SeatClaimModel, CalendarSyncModel, CalendarFeedModel, LocalCalendarEventModel, NotificationModel, UserModel, CommunityModel, MembershipModel, LeaseModel]) {
    await (model as { syncIndexes(): Promise<unknown> }).syncIndexes();
  }
}

export function services(clock: TestClock, overrides: Partial<EventsDeps> = {}): EventsServices {
  return createEventsServices({ config: { publicUrl: PUBLIC_URL, graphBaseUrl: 'https://graph.invalid', localMode: true }, logger: silentLogger, now: clock.now, ...overrides });
}

/** A person known to Meent (a user record) and their actor. */
export async function person(userId: string, options: Partial<Actor> & { mail?: string; organisation?: string } = {}): Promise<Actor> {
  const { mail: _mail, organisation: _organisation, ...actorFields } = options;
  const actor: Actor = { ...testActor({ userId, name: options.name ?? `Person ${userId}`, isGuest: options.isGuest ?? false, isOrgAdmin: options.isOrgAdmin ?? false }), ...actorFields };
  await UserModel.updateOne(
    { tenantId: actor.tenantId, userId },
    { $set: { displayName: actor.name, mail: options.mail ?? `${userId}@gemeente.example`, isGuest: actor.isGuest, isOrgAdmin: actor.isOrgAdmin, ...(options.organisation ? { 'profile.organisation': options.organisation } : {}) } },
    { upsert: true },
  );
  return { ...actor, email: options.mail ?? `${userId}@gemeente.example` };
}

export async function community(name: string, visibility: 'public' | 'closed' | 'secret', members: { userId: string; role: 'manager' | 'member'; isGuest?: boolean }[], guestsAllowed = false): Promise<string> {
  const created = await CommunityModel.create({ tenantId: TEST_TENANT, name, visibility, guestsAllowed, createdBy: members[0]?.userId ?? 'nobody' });
  for (const m of members) {
    await MembershipModel.create({ tenantId: TEST_TENANT, communityId: created._id, userId: m.userId, role: m.role, status: 'active', isGuest: m.isGuest ?? false, joinedAt: new Date() });
  }
  return String(created._id);
}

/** A valid event input starting `daysAhead` days after `clock`'s now, lasting 90 minutes. */
export function eventInput(clock: TestClock, overrides: Partial<CreateEventInput> = {}, daysAhead = 10): CreateEventInput {
  const start = new Date(clock.now().getTime() + daysAhead * DAY);
  return {
    title: 'Kennissessie bodemvruchtbaarheid',
    description: 'Wat doet **organische stof** voor de bodem?',
    start,
    end: new Date(start.getTime() + 90 * 60_000),
    timeZone: 'Europe/Amsterdam',
    location: { name: 'Gemeentehuis, zaal 3', address: { street: 'Markt 1', postalCode: '7001 AA', city: 'Doetinchem' } },
    online: false,
    ...overrides,
  };
}

export { TEST_TENANT, DAY };
export const TEST_ACTOR_HEADER = 'X-Test-Actor';

/** The headers that make a request act as this person. */
export function as(actor: Actor): Record<string, string> {
  return { [TEST_ACTOR_HEADER]: actorHeader(actor) };
}

/** `eventInput` as a JSON request body carries it, with `overrides`. */
export function eventBody(clock: TestClock, overrides: Record<string, unknown> = {}, daysAhead = 10): Record<string, unknown> {
  return JSON.parse(JSON.stringify({ ...eventInput(clock, {}, daysAhead), ...overrides })) as Record<string, unknown>;
}

/** The HTTP app with the events routes behind the test-only actor header. */
export function eventsApp(s: EventsServices): Express {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_URL, RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0', RATE_LIMIT_USER_READS: '0', RATE_LIMIT_IP_READS: '0' });
  return createApp({ config, logger: silentLogger, isReady: async () => true, authenticate: testAuthenticate, apiRouters: [eventsRouter(new ApiSpec(), s)], publicRouters: [calendarFeedRouter(s)] });
}

/** Empties the events' collections (people stay), for tests that compare whole lists. */
export async function clearEvents(): Promise<void> {
  for (const model of [EventModel, RegistrationModel, SeatClaimModel, CalendarSyncModel, CalendarFeedModel, LocalCalendarEventModel, NotificationModel, CommunityModel, MembershipModel]) {
    await (model as { deleteMany(filter: object): Promise<unknown> }).deleteMany({});
  }
}
