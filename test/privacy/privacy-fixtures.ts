/**
 * The whole application with real tokens for the privacy tests, and a person with data of
 * every kind that Meent keeps: made through the API where the API makes it, written directly
 * where only a remote system does (Teams' attendance report, the bot's installation, a sent
 * notification's delivery record, the photo cache).
 */
import type { AnalyticsModule } from '../../src/analytics/analytics.module.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import type { Actor } from '../../src/auth/actor.js';
import { buildApplication, type Application } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { CalendarSyncModel } from '../../src/events/calendar-sync.model.js';
import { EventModel } from '../../src/events/event.model.js';
import { createLogger } from '../../src/logging/logger.js';
import { EventAttendanceModel } from '../../src/meetings/attendance.model.js';
import { DepartureModel } from '../../src/privacy/departure.model.js';
import { MeetingLinkModel } from '../../src/meetings/meeting-link.model.js';
import { UserPhotoModel } from '../../src/members/user-photo.model.js';
import { ConversationReferenceModel } from '../../src/notifications/conversation-reference.model.js';
import { DeliveryModel } from '../../src/notifications/delivery.model.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { TEST_APP_ID_URI, TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_HOME_TENANT, entraEnvironment } from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

export const DAY = 24 * 3_600_000;

export interface Person {
  oid: string;
  name: string;
  upn: string;
  admin?: boolean;
}

export function person(name: string, admin = false): Person {
  const oid = randomUUID();
  return { oid, name, upn: `${name.split(' ')[0]!.toLowerCase()}.${oid.slice(0, 6)}@gemeente.example`, admin };
}

export function actorOf(p: Person): Actor {
  return { userId: p.oid, tenantId: TEST_HOME_TENANT, name: p.name, isGuest: false, mfa: false, isOrgAdmin: p.admin === true, roles: [] };
}

export interface PrivacyRig {
  application: Application;
  graph: GraphServer;
  /** Moves the privacy capability's clock (the export link's 24 hours). */
  advance(ms: number): void;
  api(p: Person, method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string, body?: object): Promise<request.Response>;
  /** GET of a binary answer (the ZIP), as a Buffer. */
  download(p: Person, path: string): Promise<request.Response>;
  /** Writes what the analytics recorder holds back (write-behind), so a snapshot of the store is not raced by its timer. */
  settle(): Promise<void>;
}

/** Starts the identity provider, Graph and the application before the file's tests; stops them after. */
export function usePrivacyRig(): PrivacyRig {
  let idp: IdentityProvider;
  let dataDir: string;
  let offset = 0;
  const rig = {
    advance(ms: number) {
      offset += ms;
    },
  } as PrivacyRig;
  before(async function () {
    this.timeout(60_000);
    idp = await startIdentityProvider();
    rig.graph = await startGraphServer();
    idp.registerClient({ clientId: TEST_CLIENT_ID, appIdUri: TEST_APP_ID_URI, secret: TEST_CLIENT_SECRET });
    dataDir = await mkdtemp(join(tmpdir(), 'meent-privacy-'));
    const config = loadConfig(entraEnvironment(idp.baseUrl, rig.graph.baseUrl, { RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0', RATE_LIMIT_USER_READS: '0', RATE_LIMIT_IP_READS: '0', DATA_DIR: dataDir }));
    rig.application = await buildApplication(config, createLogger('silent'), { privacy: { now: () => new Date(Date.now() + offset) } });
  });
  after(async function () {
    this.timeout(60_000);
    await rig.application.close();
    await rig.graph.stop();
    await idp.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  const token = (p: Person) => idp.userToken({ tenantId: TEST_HOME_TENANT, oid: p.oid, name: p.name, upn: p.upn, apiClientId: TEST_CLIENT_ID, apiAppIdUri: TEST_APP_ID_URI, ...(p.admin ? { roles: ['Meent.Admin'] } : {}) });
  rig.api = async (p, method, path, body) => {
    const res = await request(rig.application.app)[method](`/api/v1${path}`).set('Authorization', `Bearer ${await token(p)}`).send(body);
    await rig.application.identity.whenIdle();
    return res;
  };
  rig.settle = async () => {
    for (const module of rig.application.modules) if ('recorder' in module) await (module as AnalyticsModule).recorder.flush();
    await rig.application.identity.whenIdle();
  };
  rig.download = async (p, path) =>
    request(rig.application.app)
      .get(path)
      .set('Authorization', `Bearer ${await token(p)}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
  return rig;
}

export function ok(res: request.Response, status: number | number[] = 200): request.Response {
  const wanted = Array.isArray(status) ? status : [status];
  assert.ok(wanted.includes(res.status), `${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

export interface Everything {
  tenantId: string;
  communityId: string;
  closedCommunityId: string;
  discussionId: string;
  othersDiscussionId: string;
  replyId: string;
  eventId: string;
  /** Consultations: one the subject created, closed and concluded; a named and an anonymous one they (and `waiting`) answered. */
  ownConsultationId: string;
  namedConsultationId: string;
  anonymousConsultationId: string;
}

/**
 * Gives `subject` data of every kind. `manager` runs the communities and the event; `waiting`
 * signs up after the subject took the event's one seat, so is first on the waitlist.
 */
/** What the leavers job keeps of a person Microsoft 365 no longer knows (an admin may erase before the grace period ends). */
export async function giveDeparture(subject: Person): Promise<void> {
  await DepartureModel.create({ tenantId: TEST_HOME_TENANT, userId: subject.oid, reason: 'deleted', leftAt: new Date(Date.UTC(2026, 0, 5)) });
}

export async function giveDataOfEveryKind(rig: PrivacyRig, subject: Person, manager: Person, waiting: Person): Promise<Everything> {
  const { api } = rig;
  rig.graph.addUser({ id: subject.oid, displayName: subject.name, mail: subject.upn, jobTitle: 'Peilbeheerder', department: 'Water', officeLocation: 'Stadhuis' });
  for (const p of [subject, manager, waiting]) ok(await api(p, 'get', '/me'));

  const communityId = ok(await api(manager, 'post', '/communities', { name: `Peilbeheer ${randomUUID().slice(0, 6)}`, visibility: 'public' }), 201).body.id as string;
  const closedCommunityId = ok(await api(manager, 'post', '/communities', { name: `Dijkbewaking ${randomUUID().slice(0, 6)}`, visibility: 'closed' }), 201).body.id as string;
  ok(await api(subject, 'post', `/communities/${communityId}/members`, {}), 201);
  ok(await api(waiting, 'post', `/communities/${communityId}/members`, {}), 201);
  ok(await api(subject, 'post', `/communities/${closedCommunityId}/members`, { message: 'Ik wil graag meedoen' }), 201);
  await profile(rig, subject);

  // Written, edited (history), replied to, reacted to, followed, read, mentioned.
  const discussionId = ok(await api(subject, 'post', `/communities/${communityId}/discussions`, { title: 'Peil in de polder', body: 'Wat is het streefpeil deze winter?' }), 201).body.id as string;
  ok(await api(subject, 'patch', `/discussions/${discussionId}`, { body: 'Wat is het streefpeil deze winter, en wie beslist?' }));
  const othersDiscussionId = ok(await api(manager, 'post', `/communities/${communityId}/discussions`, { title: 'Gemaal onderhoud', body: 'Planning van het onderhoud.', mentions: [subject.oid] }), 201).body.id as string;
  const replyId = ok(await api(subject, 'post', `/discussions/${othersDiscussionId}/replies`, { body: 'Graag in maart.' }), 201).body.id as string;
  ok(await api(subject, 'patch', `/replies/${replyId}`, { body: 'Graag in maart of april.' }));
  ok(await api(manager, 'post', `/discussions/${discussionId}/replies`, { body: 'De waterschapsraad beslist.' }), 201);
  ok(await api(subject, 'put', `/discussions/${othersDiscussionId}/reactions/like`), [200, 204]);
  ok(await api(subject, 'get', `/discussions/${othersDiscussionId}`));
  ok(await api(subject, 'post', '/reports', { targetType: 'discussion', targetId: othersDiscussionId, reason: 'other', text: 'Dubbel geplaatst' }), 201);

  // An event with one seat: the subject holds it, `waiting` is first on the waitlist.
  const start = new Date(Date.now() + 10 * DAY);
  const eventId = ok(
    await api(manager, 'post', `/communities/${communityId}/events`, { title: 'Kennissessie peilbeheer', start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString(), timeZone: 'Europe/Amsterdam', online: false, capacity: 1, location: { name: 'Gemeentehuis' } }),
    201,
  ).body.id as string;
  assert.equal(ok(await api(subject, 'post', `/events/${eventId}/registrations`, {}), 201).body.status, 'registered');
  assert.equal(ok(await api(waiting, 'post', `/events/${eventId}/registrations`, {}), 201).body.status, 'waitlisted');
  ok(await api(subject, 'post', '/me/calendar-feed', {}), 201);
  // The subject also organises the event: its Outlook copy is in their mailbox, with a sync job queued.
  await EventModel.updateOne({ _id: eventId }, { $set: { 'calendar.mailbox': subject.oid, 'calendar.eventId': `AAMk-${subject.oid}`, 'calendar.iCalUId': `ical-${subject.oid}` }, $addToSet: { organizers: subject.oid } });
  await CalendarSyncModel.updateOne({ eventId: new Types.ObjectId(eventId) }, { $set: { tenantId: TEST_HOME_TENANT, mailbox: subject.oid, dueAt: new Date(start.getTime() + DAY) } }, { upsert: true });

  const consultations = await consultationData(rig, subject, manager, waiting, communityId);

  ok(await api(subject, 'patch', '/me/notification-preferences', { channel: 'chat', digestHour: 8 }));
  ok(await api(subject, 'put', `/me/notification-mutes/discussion/${othersDiscussionId}`, { title: 'Gemaal onderhoud' }), [200, 201, 204]);

  // What only Teams, Graph or the bot write.
  const tenantId = TEST_HOME_TENANT;
  await UserPhotoModel.create({ tenantId, userId: subject.oid, hasPhoto: true, contentType: 'image/png', data: Buffer.from([137, 80, 78, 71]), fetchedAt: new Date() });
  await EventAttendanceModel.create({ tenantId, eventId: new Types.ObjectId(eventId), key: subject.oid, userId: subject.oid, displayName: subject.name, email: subject.upn, role: 'Attendee', attendedSeconds: 3000, reportId: 'report-1' });
  await MeetingLinkModel.create({
    tenantId,
    chatId: `19:meeting_${randomUUID()}@thread.v2`,
    communityId: new Types.ObjectId(communityId),
    discussionId: new Types.ObjectId(discussionId),
    discussionTitle: 'Peil in de polder',
    source: 'manual',
    linkedBy: subject.oid,
    subject: 'Overleg peil',
    followUp: { people: [{ userId: subject.oid, displayName: subject.name, outcome: 'member' }] },
  });
  await ConversationReferenceModel.create({
    tenantId,
    key: `user:${subject.oid}`,
    scope: 'personal',
    userId: subject.oid,
    reference: { channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: `a:${randomUUID()}`, tenantId }, bot: { id: '28:bot', name: 'Meent' }, user: { id: `29:${randomUUID()}`, name: subject.name, aadObjectId: subject.oid } },
    installedAt: new Date(),
  });
  await DeliveryModel.create({ key: `d:${tenantId}:${subject.oid}:2026-W01`, tenantId, recipientId: subject.oid, route: 'chat', state: 'sent', owner: 'worker:test', leaseUntil: new Date(), sentAt: new Date() });
  return { tenantId, communityId, closedCommunityId, discussionId, othersDiscussionId, replyId, eventId, ...consultations };
}

/**
 * The subject, made a co-manager (so never the last one), creates a poll, closes and concludes
 * it; they and `waiting` answer the manager's named and anonymous consultations.
 */
async function consultationData(rig: PrivacyRig, subject: Person, manager: Person, waiting: Person, communityId: string): Promise<Pick<Everything, 'ownConsultationId' | 'namedConsultationId' | 'anonymousConsultationId'>> {
  const { api } = rig;
  ok(await api(manager, 'patch', `/communities/${communityId}/members/${subject.oid}`, { role: 'manager' }));
  const poll = (title: string, anonymous: boolean) => ({ title, anonymous, questions: [{ id: 'q1', kind: 'yesNo', text: 'Moet het peil omhoog?', required: true }, { id: 'q2', kind: 'shortText', text: 'Waarom?' }] });
  const ownConsultationId = ok(await api(subject, 'post', `/communities/${communityId}/consultations`, poll('Maaibeleid bermen', false)), 201).body.id as string;
  ok(await api(subject, 'post', `/consultations/${ownConsultationId}/close`));
  ok(await api(subject, 'post', `/consultations/${ownConsultationId}/conclusion`, { text: 'We maaien later in het seizoen.' }));
  const namedConsultationId = ok(await api(manager, 'post', `/communities/${communityId}/consultations`, poll('Streefpeil winter', false)), 201).body.id as string;
  const anonymousConsultationId = ok(await api(manager, 'post', `/communities/${communityId}/consultations`, poll('Streefpeil zomer', true)), 201).body.id as string;
  ok(await api(subject, 'put', `/consultations/${namedConsultationId}/responses/me`, { answers: [{ questionId: 'q1', yes: true }, { questionId: 'q2', text: 'Droge zomers' }] }));
  ok(await api(subject, 'put', `/consultations/${anonymousConsultationId}/responses/me`, { answers: [{ questionId: 'q1', yes: true }, { questionId: 'q2', text: 'Anoniem antwoord' }] }));
  for (const id of [namedConsultationId, anonymousConsultationId]) ok(await api(waiting, 'put', `/consultations/${id}/responses/me`, { answers: [{ questionId: 'q1', yes: false }] }));
  return { ownConsultationId, namedConsultationId, anonymousConsultationId };
}

async function profile(rig: PrivacyRig, p: Person): Promise<void> {
  ok(await rig.api(p, 'patch', '/me/profile', { organisation: 'Waterschap Rivierenland', expertise: ['peilbeheer'], askMeAbout: 'Gemalen' }));
}

/** Every document of every collection that holds the person's id, name or address (case-insensitive). */
export async function traces(p: Person): Promise<string[]> {
  const db = mongoose.connection.db!;
  const needles = [p.oid, p.name, p.upn].map((n) => n.toLowerCase());
  const found: string[] = [];
  for (const { name } of await db.listCollections().toArray()) {
    for (const doc of await db.collection(name).find({}).toArray()) {
      const text = JSON.stringify(doc).toLowerCase();
      for (const needle of needles) if (text.includes(needle)) found.push(`${name} ${String(doc._id)}: ${needle}`);
    }
  }
  return found;
}
