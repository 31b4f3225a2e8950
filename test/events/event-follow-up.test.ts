/**
 * An event's follow-up discussion (issue 18, finding 6): it must be a discussion of the event's
 * own community that whoever sets it may read, checked where it is set (400, nothing stored)
 * and again where it is shown (an id stored before the check, or a discussion hidden since, is
 * not shown). Real HTTP through the events API, real store.
 */
import assert from 'node:assert/strict';
import type { Express } from 'express';
import { Types } from 'mongoose';
import request from 'supertest';
import type { Actor } from '../../src/auth/actor.js';
import { createCommunitiesServices, type CommunitiesServices } from '../../src/composition.js';
import { EventModel } from '../../src/events/event.model.js';
import { useTestDatabase } from '../support/database.js';
import { as, clearEvents, community, eventBody, eventsApp, person, services, silentLogger, syncEventIndexes, testClock, type TestClock } from './events-fixtures.js';

describe('an event\'s follow-up discussion', () => {
  useTestDatabase('event_follow_up');
  let clock: TestClock;
  let app: Express;
  let discussions: CommunitiesServices['discussions'];
  let moderation: CommunitiesServices['moderation'];
  let admin: Actor;
  let manager: Actor;
  let member: Actor;
  let secretKeeper: Actor;

  before(async () => {
    await syncEventIndexes();
    ({ discussions, moderation } = createCommunitiesServices({ logger: silentLogger }));
    admin = await person('fu-admin', { isOrgAdmin: true });
    manager = await person('fu-manager');
    member = await person('fu-member');
    secretKeeper = await person('fu-secret-keeper');
  });
  beforeEach(async () => {
    await clearEvents();
    clock = testClock();
    app = eventsApp(services(clock));
  });

  const body = (overrides: Record<string, unknown> = {}) => eventBody(clock, overrides);

  /** The manager's community with one of its discussions; another community's open one; a secret one the manager is not in. */
  async function world() {
    const cid = await community('Drainage', 'public', [{ userId: manager.userId, role: 'manager' }, { userId: member.userId, role: 'member' }]);
    const otherId = await community('Peilbeheer', 'public', [{ userId: manager.userId, role: 'manager' }]);
    const secretId = await community('Bestuursdossiers', 'secret', [{ userId: secretKeeper.userId, role: 'manager' }]);
    const own = await discussions.create(manager, cid, { title: 'Vervolg kennissessie', body: 'Vragen na afloop', kind: 'discussion' });
    const other = await discussions.create(manager, otherId, { title: 'Elders', body: 'x', kind: 'discussion' });
    const secret = await discussions.create(secretKeeper, secretId, { title: 'Geheime reorganisatie', body: 'Vertrouwelijk', kind: 'discussion' });
    return { cid, own: own.id, other: other.id, secret: secret.id };
  }

  function refused(res: request.Response): void {
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.body.code, 'invalid_follow_up_discussion');
    assert.equal(res.body.errors[0]?.path, 'body.followUpDiscussionId');
  }

  it('is set only to a discussion of the event\'s own community: another community\'s, a secret one, or none at all are refused alike, storing nothing', async () => {
    const w = await world();
    const create = (followUpDiscussionId: string) => request(app).post(`/api/v1/communities/${w.cid}/events`).set(as(manager)).send(body({ followUpDiscussionId }));
    const answers = [];
    for (const id of [w.other, w.secret, String(new Types.ObjectId())]) {
      const res = await create(id);
      refused(res);
      answers.push(res.body.detail);
    }
    assert.equal(typeof answers[0], 'string');
    assert.equal(new Set(answers).size, 1, 'a secret discussion is refused in the same words as any other');
    assert.equal(await EventModel.countDocuments(), 0);

    const created = await create(w.own);
    assert.equal(created.status, 201);
    assert.equal(created.body.followUpDiscussionId, w.own);
  });

  it('is checked on every change, can be cleared, and an organisation-wide event has none', async () => {
    const w = await world();
    const event = (await request(app).post(`/api/v1/communities/${w.cid}/events`).set(as(manager)).send(body()).expect(201)).body as { id: string };
    refused(await request(app).patch(`/api/v1/events/${event.id}`).set(as(manager)).send({ followUpDiscussionId: w.secret, title: 'Nieuwe titel' }));
    const unchanged = await EventModel.findById(event.id).lean();
    assert.deepEqual([unchanged?.followUpDiscussionId, unchanged?.title], [null, 'Kennissessie bodemvruchtbaarheid']);
    const set = await request(app).patch(`/api/v1/events/${event.id}`).set(as(manager)).send({ followUpDiscussionId: w.own });
    assert.deepEqual([set.status, set.body.followUpDiscussionId], [200, w.own]);
    const cleared = await request(app).patch(`/api/v1/events/${event.id}`).set(as(manager)).send({ followUpDiscussionId: null });
    assert.deepEqual([cleared.status, cleared.body.followUpDiscussionId], [200, null]);

    refused(await request(app).post('/api/v1/events').set(as(admin)).send(body({ followUpDiscussionId: w.own })));
    assert.equal(await EventModel.countDocuments({ communityId: null }), 0);
  });

  it('is not shown when it is not (or no longer) a discussion the event\'s people may be pointed at', async () => {
    const w = await world();
    const event = (await request(app).post(`/api/v1/communities/${w.cid}/events`).set(as(manager)).send(body({ followUpDiscussionId: w.own })).expect(201)).body as { id: string };
    const shown = async () => {
      const one = await request(app).get(`/api/v1/events/${event.id}`).set(as(member)).expect(200);
      const list = await request(app).get(`/api/v1/events?communityId=${w.cid}`).set(as(member)).expect(200);
      return [one.body.followUpDiscussionId, list.body.items[0]?.followUpDiscussionId] as const;
    };
    assert.deepEqual(await shown(), [w.own, w.own]);

    await moderation.hide(manager, 'discussion', w.own);
    assert.deepEqual(await shown(), [null, null], 'hidden since');

    // An id stored before it was checked on write.
    await EventModel.updateOne({ _id: event.id }, { $set: { followUpDiscussionId: new Types.ObjectId(w.secret) } });
    assert.deepEqual(await shown(), [null, null], 'another community\'s');
  });
});
