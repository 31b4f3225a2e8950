import assert from 'node:assert/strict';
import sinon from 'sinon';
import { ActivityModel } from '../../src/discussions/activity.model.js';
import { FeedService } from '../../src/feed/feed.service.js';
import { useTestDatabase } from '../support/database.js';
import { as, buildWorld, community, person, type TestWorld } from '../communities/communities-fixtures.js';
import { bulkDiscussions } from '../support/bulk-discussions.js';

describe('the home feed (HTTP, real database)', function () {
  this.timeout(60_000);
  useTestDatabase('feed');
  let world: TestWorld;
  before(() => {
    world = buildWorld();
  });

  it('shows new discussions of my communities and replies in what I follow, newest first, nothing of others', async () => {
    const me = await person({ userId: 'f-me' });
    const ann = await person({ userId: 'f-ann' });
    const a = await community(world, ann, { name: 'A', members: [me] });
    const b = await community(world, ann, { name: 'B', members: [me] });
    const notMine = await community(world, ann, { name: 'C' });
    const secret = await community(world, ann, { name: 'S', visibility: 'secret' });
    const { discussions, replies } = world.module.services;
    const d1 = await discussions.create(ann, a.id, { title: 'A1', body: 'x', kind: 'discussion' });
    await discussions.create(ann, notMine.id, { title: 'C1', body: 'x', kind: 'discussion' });
    await discussions.create(ann, secret.id, { title: 'S1', body: 'x', kind: 'discussion' });
    const d2 = await discussions.create(ann, b.id, { title: 'B1', body: 'x', kind: 'discussion' });
    await replies.create(ann, d1.id, { body: 'reply in a discussion I do not follow' });
    await world.module.services.discussions.follow(me, d2.id);
    await replies.create(ann, d2.id, { body: 'reply I follow' });
    // Following a discussion in a public community I am not a member of brings its replies, not its new discussions.
    const c1 = await discussions.create(ann, notMine.id, { title: 'C2', body: 'x', kind: 'discussion' });
    await world.module.services.discussions.follow(me, c1.id);
    await replies.create(ann, c1.id, { body: 'reply in C2' });
    await discussions.create(me, a.id, { title: 'Mine', body: 'x', kind: 'discussion' });
    const res = await as(world.app, me).get('/feed').expect(200);
    const shown = res.body.items.map((i: { type: string; title: string; excerpt: string }) => `${i.type}:${i.type === 'reply' ? i.excerpt : i.title}`);
    assert.deepEqual(shown, ['reply:reply in C2', 'reply:reply I follow', 'discussion:B1', 'discussion:A1']);
    assert.equal(res.body.nextCursor, undefined);
  });

  it('shows the conclusion with a discussion closed since, in its current state, and none once reopened', async () => {
    const me = await person({ userId: 'fc-me' });
    const ann = await person({ userId: 'fc-ann' });
    const a = await community(world, ann, { name: 'Concluded', members: [me] });
    const { discussions, replies } = world.module.services;
    const open = await discussions.create(ann, a.id, { title: 'Still open', body: 'x', kind: 'discussion' });
    const closed = await discussions.create(ann, a.id, { title: 'Decided', body: 'x', kind: 'discussion' });
    await world.module.services.discussions.follow(me, closed.id);
    await replies.create(ann, closed.id, { body: 'a reply before closing' });
    await discussions.update(ann, closed.id, { status: 'closed', conclusion: 'We **meet** in May.' });
    const conclusions = async () =>
      ((await as(world.app, me).get('/feed').expect(200)).body.items as Array<{ type: string; discussionId: string; conclusion: string | null }>).map((i) => [i.type, i.discussionId, i.conclusion]);
    assert.deepEqual(await conclusions(), [
      ['reply', closed.id, null],
      ['discussion', closed.id, 'We meet in May.'],
      ['discussion', open.id, null],
    ]);
    await discussions.update(ann, closed.id, { status: 'closed', conclusion: 'We meet in June.' });
    assert.equal((await conclusions())[1]?.[2], 'We meet in June.', 'a changed conclusion is shown as it is now');
    await discussions.update(ann, closed.id, { status: 'open' });
    assert.deepEqual((await conclusions()).map((c) => c[2]), [null, null, null]);
  });

  it('pages across communities and buckets without skipping or repeating while new items arrive', async () => {
    const me = await person({ userId: 'fp-me' });
    const ann = await person({ userId: 'fp-ann' });
    const cs = [await community(world, ann, { members: [me] }), await community(world, ann, { members: [me] }), await community(world, ann, { members: [me] })];
    const { discussions } = world.module.services;
    // Streams of different length and speed, interleaved in time: 80, 45 and 12 items.
    const now = Date.now() - 120_000;
    const all: Array<{ title: string; at: number }> = [];
    for (const [k, count] of [80, 45, 12].entries()) {
      const c = cs[k];
      assert.ok(c);
      const end = now - k * 20_000;
      const titles = Array.from({ length: count }, (_, i) => `C${k}-${i}`);
      await bulkDiscussions(c.id, [ann], titles.map((title) => ({ title, body: 'x' })), end);
      titles.forEach((title, i) => all.push({ title, at: end - (count - 1 - i) * 60_000 }));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let page = 0;
    do {
      const res = await as(world.app, me).get(`/feed?limit=15${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).expect(200);
      seen.push(...res.body.items.map((i: { title: string }) => i.title));
      cursor = res.body.nextCursor;
      if (page++ === 1) {
        const c0 = cs[0];
        assert.ok(c0);
        for (let i = 0; i < 3; i++) await discussions.create(ann, c0.id, { title: `New${i}`, body: 'x', kind: 'discussion' });
      }
    } while (cursor);
    assert.deepEqual(seen, all.sort((a, b) => b.at - a.at).map((x) => x.title));
    const fresh = await as(world.app, me).get('/feed?limit=3').expect(200);
    assert.deepEqual(fresh.body.items.map((i: { title: string }) => i.title), ['New2', 'New1', 'New0']);
    await as(world.app, me).get('/feed?cursor=e30').expect(400);
  });

  it('reads the activity of a quiet community only when the page reaches its time', async () => {
    const me = await person({ userId: 'fq-me' });
    const ann = await person({ userId: 'fq-ann' });
    const busy = await community(world, ann, { name: 'Busy', members: [me] });
    const quiet = await community(world, ann, { name: 'Quiet', members: [me] });
    const hour = 3_600_000;
    // Quiet: 5 discussions a day ago; busy: 53 in the last hour, so its newest bucket holds only 3.
    await bulkDiscussions(quiet.id, [ann], Array.from({ length: 5 }, (_, i) => ({ title: `Q${i}`, body: 'x' })), Date.now() - 24 * hour);
    await bulkDiscussions(busy.id, [ann], Array.from({ length: 53 }, (_, i) => ({ title: `B${i}`, body: 'x' })), Date.now() - 60_000);
    const feed = new FeedService();
    const spy = sinon.spy(ActivityModel, 'find');
    const readOf = () => spy.getCalls().map((c) => String((c.args[0] as { communityId?: unknown }).communityId));
    try {
      const first = await feed.home(me, { limit: 10 });
      assert.deepEqual(first.items.map((i) => i.title), Array.from({ length: 10 }, (_, i) => `B${52 - i}`));
      // Both of the busy community's buckets, none of the quiet one.
      assert.deepEqual(readOf(), [busy.id, busy.id]);
      spy.resetHistory();
      const rest = await feed.home(me, { limit: 60, ...(first.nextCursor ? { cursor: first.nextCursor } : {}) });
      // Past the busy community's last item, the quiet one is read and follows in time order.
      assert.deepEqual(rest.items.map((i) => i.title), [...Array.from({ length: 43 }, (_, i) => `B${42 - i}`), 'Q4', 'Q3', 'Q2', 'Q1', 'Q0']);
      assert.ok(readOf().includes(quiet.id));
      assert.equal(rest.nextCursor, undefined);
    } finally {
      spy.restore();
    }
  });

  it('adds the upcoming events of my communities on the first page when events are wired', async () => {
    const me = await person({ userId: 'fe-me' });
    const feed = new FeedService({ upcomingEvents: async (actor, limit) => [{ id: 'e1', title: `for ${actor.userId}`, limit }] });
    const page = await feed.home(me, {});
    assert.deepEqual(page.upcomingEvents, [{ id: 'e1', title: 'for fe-me', limit: 5 }]);
  });
});
