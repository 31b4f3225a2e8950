/** Secret communities never leak: not in lists, counts, search, mentions, feeds, the directory or error messages. */
import assert from 'node:assert/strict';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { useTestDatabase } from '../support/database.js';
import { as, buildWorld, community, person, type TestWorld } from './communities-fixtures.js';

describe('secret communities never leak (HTTP, real database)', function () {
  this.timeout(60_000);
  useTestDatabase('secret');
  let world: TestWorld;
  before(() => {
    world = buildWorld();
  });

  it('hides them from lists, counts, feeds and mentions of outsiders', async () => {
    const insider = await person({ userId: 'sc-insider' });
    const outsider = await person({ userId: 'sc-outsider' });
    const admin = await person({ userId: 'sc-admin', isOrgAdmin: true });
    const open = await community(world, insider, { name: 'Openbaar', members: [outsider] });
    const secret = await community(world, insider, { visibility: 'secret', name: 'Geheim' });
    const { discussions, replies } = world.module.services;
    // The insider mentions the outsider in the secret community: no notification may reach them.
    const d = await discussions.create(insider, secret.id, { title: 'Geheim plan', body: 'x', kind: 'discussion', mentions: ['sc-outsider'] });
    assert.deepEqual(d.mentions, []);
    await replies.create(insider, d.id, { body: 'y', mentions: ['sc-outsider'] });
    assert.equal(await NotificationModel.countDocuments({ recipientId: 'sc-outsider' }), 0);
    const listed = await as(world.app, outsider).get('/communities').expect(200);
    assert.deepEqual(listed.body.items.map((c: { name: string }) => c.name), ['Openbaar']);
    const mine = await as(world.app, insider).get('/communities?mine=true').expect(200);
    assert.deepEqual(mine.body.items.map((c: { name: string }) => c.name).sort(), ['Geheim', 'Openbaar']);
    const byAdmin = await as(world.app, admin).get('/communities?q=geheim').expect(200);
    assert.deepEqual(byAdmin.body.items.map((c: { name: string }) => c.name), ['Geheim']);
    const feed = await as(world.app, outsider).get('/feed').expect(200);
    assert.ok(feed.body.items.every((i: { communityId: string }) => i.communityId !== secret.id));
    assert.ok(open.id);
  });

  it('answers 404 with the same body as for an id that does not exist', async () => {
    const insider = await person({ userId: 'sc2-insider' });
    const outsider = await person({ userId: 'sc2-outsider' });
    const secret = await community(world, insider, { visibility: 'secret' });
    const d = await world.module.services.discussions.create(insider, secret.id, { title: 'x', body: 'x', kind: 'discussion' });
    const unknownCommunity = '0123456789abcdef01234567';
    const pairs: Array<[string, string]> = [
      [`/communities/${secret.id}`, `/communities/${unknownCommunity}`],
      [`/communities/${secret.id}/members`, `/communities/${unknownCommunity}/members`],
      [`/communities/${secret.id}/discussions`, `/communities/${unknownCommunity}/discussions`],
      [`/discussions/${d.id}`, `/discussions/${unknownCommunity}`],
      [`/discussions/${d.id}/replies`, `/discussions/${unknownCommunity}/replies`],
    ];
    const strip = (body: Record<string, unknown>) => ({ ...body, instance: undefined, requestId: undefined });
    for (const [secretPath, unknownPath] of pairs) {
      const a = await as(world.app, outsider).get(secretPath).expect(404);
      const b = await as(world.app, outsider).get(unknownPath).expect(404);
      assert.deepEqual(strip(a.body), strip(b.body), secretPath);
      assert.match(String(a.headers['content-type']), /^application\/problem\+json/);
    }
    // Writes too.
    const w1 = await as(world.app, outsider).post(`/communities/${secret.id}/discussions`, { title: 't', body: 'b' }).expect(404);
    const w2 = await as(world.app, outsider).post(`/communities/${unknownCommunity}/discussions`, { title: 't', body: 'b' }).expect(404);
    assert.deepEqual(strip(w1.body), strip(w2.body));
    const r1 = await as(world.app, outsider).post('/reports', { targetType: 'discussion', targetId: d.id, reason: 'spam' }).expect(404);
    assert.equal(r1.body.code, 'discussion_not_found');
  });

  it('keeps secret co-members out of an outside guest’s directory, and members’ counts exact', async () => {
    const insider = await person({ userId: 'sc3-insider' });
    const guest = await person({ userId: 'sc3-guest', isGuest: true });
    const secret = await community(world, insider, { visibility: 'secret', guestsAllowed: true });
    const people = await as(world.app, guest).get('/people').expect(200);
    assert.deepEqual(people.body.items.map((p: { id: string }) => p.id), ['sc3-guest']);
    await world.module.services.memberships.add(insider, secret.id, { userId: 'sc3-guest' });
    await world.module.services.memberships.add(guest, secret.id, {});
    const after = await as(world.app, guest).get('/people').expect(200);
    assert.deepEqual(after.body.items.map((p: { id: string }) => p.id).sort(), ['sc3-guest', 'sc3-insider']);
    const seen = await as(world.app, guest).get(`/communities/${secret.id}`).expect(200);
    assert.equal(seen.body.memberCount, 2);
  });
});
