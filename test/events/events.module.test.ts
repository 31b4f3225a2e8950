/** The wiring: the module mounts its routes, the worker drains the outbox and writes reminders, then stops. */
import assert from 'node:assert/strict';
import request from 'supertest';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { CalendarSyncModel } from '../../src/events/calendar-sync.model.js';
import { createEventsModule, startEventsWorker } from '../../src/events/events.module.js';
import { EventModel } from '../../src/events/event.model.js';
import { startWorker } from '../../src/composition.js';
import { LocalCalendarEventModel } from '../../src/events/local-calendar.gateway.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { useTestDatabase } from '../support/database.js';
import { actorHeader, testAuthenticate } from '../support/test-actor.js';
import { clearEvents, eventInput, person, PUBLIC_URL, silentLogger, syncEventIndexes, TEST_ACTOR_HEADER, testClock } from './events-fixtures.js';

describe('events module and worker', () => {
  useTestDatabase('events_module');
  before(async () => {
    await syncEventIndexes();
    await clearEvents();
  });

  it('describes its operations in the OpenAPI document', () => {
    const spec = new ApiSpec();
    createEventsModule({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_URL }), logger: silentLogger, spec });
    const doc = spec.document({ title: 'Meent API', version: '1' }) as { paths: Record<string, Record<string, { operationId: string }>> };
    assert.equal(doc.paths['/events/{id}/registrations']?.post?.operationId, 'signUp');
    assert.equal(doc.paths['/events/{id}/registrations/{userId}']?.patch?.operationId, 'decideRegistration');
    assert.equal(doc.paths['/communities/{communityId}/events']?.post?.operationId, 'createCommunityEvent');
    assert.equal(doc.paths['/events/{id}/calendar.ics']?.get?.operationId, 'getEventCalendar');
    assert.equal(Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0), 19);
  });

  it('serves the API and the feed, and in local mode keeps the local calendar through the worker', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_URL });
    const module = createEventsModule({ config, logger: silentLogger });
    const app = createApp({ config, logger: silentLogger, isReady: async () => true, authenticate: testAuthenticate, apiRouters: module.apiRouters, publicRouters: module.publicRouters });
    const admin = await person('admin', { isOrgAdmin: true });
    const member = await person('member');
    const start = new Date(Date.now() + 20 * 3_600_000);
    const created = await request(app)
      .post('/api/v1/events')
      .set({ [TEST_ACTOR_HEADER]: actorHeader(admin) })
      .send(JSON.parse(JSON.stringify(eventInput(testClock(), { start, end: new Date(start.getTime() + 3_600_000) }))));
    assert.equal(created.status, 201);
    await request(app).post(`/api/v1/events/${created.body.id}/registrations`).set({ [TEST_ACTOR_HEADER]: actorHeader(member) }).send({}).expect(201);
    await module.close?.();
    assert.equal(await CalendarSyncModel.countDocuments({ pending: true }), 1);

    const worker = startEventsWorker({ config, logger: silentLogger, intervalMs: 50, remindersEveryMs: 0 });
    for (let i = 0; i < 200 && ((await CalendarSyncModel.countDocuments({ pending: true })) > 0 || (await NotificationModel.countDocuments({ kind: 'reminder' })) === 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await worker.stop();
    const local = await LocalCalendarEventModel.findOne({ mailbox: 'admin' }).lean();
    assert.deepEqual(local?.attendees.map((a) => a.email), ['member@gemeente.example']);
    const reminder = await NotificationModel.findOne({ kind: 'reminder' }).lean();
    assert.deepEqual([reminder?.recipientId, reminder?.data.minutesBefore], ['member', 1440]);
  });

  it('runs in the application’s worker (npm start, npm run worker): the local calendar is kept and past events complete', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_URL });
    const module = createEventsModule({ config, logger: silentLogger });
    const app = createApp({ config, logger: silentLogger, isReady: async () => true, authenticate: testAuthenticate, apiRouters: module.apiRouters, publicRouters: module.publicRouters });
    const admin = await person('admin-worker', { isOrgAdmin: true });
    const member = await person('member-worker');
    const start = new Date(Date.now() + 30 * 3_600_000);
    const created = await request(app)
      .post('/api/v1/events')
      .set({ [TEST_ACTOR_HEADER]: actorHeader(admin) })
      .send(JSON.parse(JSON.stringify(eventInput(testClock(), { start, end: new Date(start.getTime() + 3_600_000) }))));
    assert.equal(created.status, 201);
    await request(app).post(`/api/v1/events/${created.body.id}/registrations`).set({ [TEST_ACTOR_HEADER]: actorHeader(member) }).send({}).expect(201);
    await module.close?.();
    // An event that ended an hour ago, still scheduled: the worker's first pass completes it.
    const ended = await EventModel.findByIdAndUpdate(created.body.id, { $set: { end: new Date(Date.now() - 3_600_000), start: new Date(Date.now() - 7_200_000) } }, { new: true }).lean();
    assert.equal(ended?.status, 'scheduled');

    const worker = await startWorker({ config, logger: silentLogger });
    try {
      for (let i = 0; i < 200 && ((await CalendarSyncModel.countDocuments({ pending: true })) > 0 || (await EventModel.findById(created.body.id).lean())?.status !== 'completed'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await worker.stop();
    }
    assert.equal(await CalendarSyncModel.countDocuments({ pending: true }), 0, 'the calendar outbox drained');
    assert.ok(await LocalCalendarEventModel.exists({ mailbox: 'admin-worker' }), 'the organiser has the event in the local calendar');
    assert.equal((await EventModel.findById(created.body.id).lean())?.status, 'completed');
  });
});
