/**
 * The read cache (src/db/read-cache.ts) against the real store: the writer sees its write at
 * once, two app instances on one store see each other's writes within the stated bound (their
 * stamp clocks are driven by the test, never the real clock), nothing leaks through a warm cache
 * when access changes, writes that name no community still invalidate (search's events, people
 * and files included), and the memory stays
 * under its bound.
 */
import assert from 'node:assert/strict';
import express from 'express';
import { AttachmentModel } from '../../src/attachments/attachment.model.js';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { EventModel } from '../../src/events/event.model.js';
import { UserModel } from '../../src/members/user.model.js';
import { ReadCache, runWithReadCache } from '../../src/db/read-cache.js';
import { useTestDatabase } from '../support/database.js';
import { as, buildWorld, community, person, type TestWorld } from '../communities/communities-fixtures.js';

/** An app instance with a read cache of its own and a stamp clock the test moves. */
function instance(world: TestWorld) {
  let clock = 0;
  const cache = new ReadCache({ stampFreshMs: 1000, now: () => clock });
  const app = express();
  app.use((_req, _res, next) => runWithReadCache(cache, () => next()));
  app.use(world.app);
  return {
    app,
    cache,
    advance(ms: number) {
      clock += ms;
    },
  };
}

const titles = (body: { items: { title: string }[] }) => body.items.map((i) => i.title);

describe('the read cache (real store, two instances)', function () {
  this.timeout(120_000);
  useTestDatabase('read-cache');

  it('shows the writer its own writes at once: a new discussion, an edited title, a reply, a reaction', async () => {
    const world = buildWorld();
    const a = instance(world);
    const ann = await person({ userId: 'ryw-ann' });
    const c = await community(world, ann, { name: 'RYW' });
    const first = await runWithReadCache(a.cache, () => world.module.services.discussions.create(ann, c.id, { title: 'First', body: 'x', kind: 'discussion' }));
    assert.deepEqual(titles((await as(a.app, ann).get(`/communities/${c.id}/discussions`).expect(200)).body), ['First']);
    assert.deepEqual(titles((await as(a.app, ann).get(`/communities/${c.id}/discussions`).expect(200)).body), ['First']);
    const hitsBefore = a.cache.stats().hits;
    assert.ok(hitsBefore > 0, 'the second page came from the cache');

    // No clock moves: whatever the instance shows now, it shows because the write moved a stamp.
    await as(a.app, ann).post(`/communities/${c.id}/discussions`, { title: 'Second', body: 'y' }).expect(201);
    assert.deepEqual(titles((await as(a.app, ann).get(`/communities/${c.id}/discussions`).expect(200)).body), ['Second', 'First']);
    await as(a.app, ann).patch(`/discussions/${first.id}`, { title: 'First, edited' }).expect(200);
    assert.deepEqual(titles((await as(a.app, ann).get(`/communities/${c.id}/discussions`).expect(200)).body), ['Second', 'First, edited']);

    assert.equal((await as(a.app, ann).get(`/discussions/${first.id}/replies`).expect(200)).body.items.length, 0);
    const reply = await as(a.app, ann).post(`/discussions/${first.id}/replies`, { body: 'A reply' }).expect(201);
    const thread = (await as(a.app, ann).get(`/discussions/${first.id}/replies`).expect(200)).body;
    assert.deepEqual(thread.items.map((r: { id: string }) => r.id), [reply.body.id]);
    await as(a.app, ann).put(`/replies/${reply.body.id}/reactions/thanks`).expect((res) => assert.ok(res.status < 300));
    const after = (await as(a.app, ann).get(`/discussions/${first.id}/replies`).expect(200)).body;
    assert.equal(after.items[0].reactions.thanks, 1);
    assert.deepEqual(after.items[0].myReactions, ['thanks']);
  });

  it('shows another instance the write once its stamps are older than stampFreshMs, not later', async () => {
    const world = buildWorld();
    const a = instance(world);
    const b = instance(world);
    const ann = await person({ userId: 'xi-ann' });
    const bob = await person({ userId: 'xi-bob' });
    const c = await community(world, ann, { name: 'Cross', members: [bob] });
    await as(a.app, ann).post(`/communities/${c.id}/discussions`, { title: 'One', body: 'x' }).expect(201);
    // B reads (and caches) the list; A writes.
    assert.deepEqual(titles((await as(b.app, bob).get(`/communities/${c.id}/discussions`).expect(200)).body), ['One']);
    await as(a.app, ann).post(`/communities/${c.id}/discussions`, { title: 'Two', body: 'y' }).expect(201);
    // Within the bound B may still show its copy (the stated staleness), and A shows the write.
    b.advance(999);
    assert.deepEqual(titles((await as(b.app, bob).get(`/communities/${c.id}/discussions`).expect(200)).body), ['One']);
    assert.deepEqual(titles((await as(a.app, bob).get(`/communities/${c.id}/discussions`).expect(200)).body), ['Two', 'One']);
    // Past the bound B reads the stamp again and shows it.
    b.advance(1);
    assert.deepEqual(titles((await as(b.app, bob).get(`/communities/${c.id}/discussions`).expect(200)).body), ['Two', 'One']);
  });

  it('reads a stamp in use again from half its freshness on, in the background, without making the request wait', async () => {
    const world = buildWorld();
    const a = instance(world);
    const b = instance(world);
    const ann = await person({ userId: 'ra-ann' });
    const bob = await person({ userId: 'ra-bob' });
    const c = await community(world, ann, { name: 'Vooruit', members: [bob] });
    await as(a.app, ann).post(`/communities/${c.id}/discussions`, { title: 'One', body: 'x' }).expect(201);
    const list = async () => titles((await as(b.app, bob).get(`/communities/${c.id}/discussions`).expect(200)).body);
    assert.deepEqual(await list(), ['One']);
    await as(a.app, ann).post(`/communities/${c.id}/discussions`, { title: 'Two', body: 'y' }).expect(201);
    b.advance(499);
    const reads = b.cache.stats().stampReads;
    assert.deepEqual(await list(), ['One'], 'under half the freshness: the stamps are trusted');
    assert.equal(b.cache.stats().stampReads, reads, 'and not read');
    b.advance(1);
    // From half on: answered at once under the stamps it has, which are read again meanwhile.
    assert.deepEqual(await list(), ['One'], 'the request did not wait for the store');
    assert.ok(b.cache.stats().stampReads > reads, 'a read ahead started');
    // The clock stands still: only the read ahead can bring the write.
    let shown = await list();
    for (let i = 0; i < 50 && shown.length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      shown = await list();
    }
    assert.deepEqual(shown, ['Two', 'One']);
  });

  it('lets no one through a warm cache: a member who leaves a secret community, on both instances', async () => {
    const world = buildWorld();
    const a = instance(world);
    const b = instance(world);
    const ann = await person({ userId: 'lk-ann' });
    const bob = await person({ userId: 'lk-bob' });
    const eve = await person({ userId: 'lk-eve' });
    const c = await community(world, ann, { name: 'Geheim', visibility: 'secret', members: [bob] });
    const d = await as(a.app, ann).post(`/communities/${c.id}/discussions`, { title: 'Vertrouwelijk', body: 'x' }).expect(201);
    // Everything warm on both instances, read by the people who may.
    for (const i of [a, b]) {
      for (const who of [ann, bob]) {
        await as(i.app, who).get(`/communities/${c.id}/discussions`).expect(200);
        await as(i.app, who).get(`/discussions/${d.body.id}/replies`).expect(200);
        await as(i.app, who).get('/feed').expect(200);
      }
      // An outsider never gets in, however warm the shared records are.
      await as(i.app, eve).get(`/communities/${c.id}/discussions`).expect(404);
      await as(i.app, eve).get(`/discussions/${d.body.id}/replies`).expect(404);
      const feed = (await as(i.app, eve).get('/feed').expect(200)).body;
      assert.equal(feed.items.length, 0);
      const search = (await as(i.app, eve).get('/search?q=vertrouwelijk').expect(200)).body;
      assert.equal(search.items.length, 0);
    }
    assert.equal((await as(b.app, bob).get('/search?q=vertrouwelijk').expect(200)).body.items.length, 1);

    // Bob leaves through A: A refuses him at once; B within the bound, and for good after it.
    await as(a.app, bob).delete(`/communities/${c.id}/members/${bob.userId}`).expect((res) => assert.ok(res.status < 300));
    await as(a.app, bob).get(`/communities/${c.id}/discussions`).expect(404);
    await as(a.app, bob).get(`/discussions/${d.body.id}/replies`).expect(404);
    assert.equal((await as(a.app, bob).get('/search?q=vertrouwelijk').expect(200)).body.items.length, 0);
    b.advance(1000);
    await as(b.app, bob).get(`/communities/${c.id}/discussions`).expect(404);
    await as(b.app, bob).get(`/discussions/${d.body.id}/replies`).expect(404);
    assert.equal((await as(b.app, bob).get('/feed').expect(200)).body.items.length, 0);
    assert.equal((await as(b.app, bob).get('/search?q=vertrouwelijk').expect(200)).body.items.length, 0);
  });

  it('is renewed by writes that name no community (an update by author across the tenant)', async () => {
    const world = buildWorld();
    const a = instance(world);
    const ann = await person({ userId: 'wm-ann', name: 'Ann' });
    const c = await community(world, ann, { name: 'Whole' });
    await as(a.app, ann).post(`/communities/${c.id}/discussions`, { title: 'Mine', body: 'x' }).expect(201);
    const before = (await as(a.app, ann).get(`/communities/${c.id}/discussions`).expect(200)).body;
    assert.equal(before.items[0].author.displayName, 'Ann');
    // As erasure does: by author, naming no community. (A query runs when awaited: await it inside.)
    await runWithReadCache(a.cache, async () => {
      await DiscussionModel.updateMany({ tenantId: ann.tenantId, authorId: ann.userId }, { $set: { authorName: 'Ann Renamed' } });
    });
    const after = (await as(a.app, ann).get(`/communities/${c.id}/discussions`).expect(200)).body;
    assert.equal(after.items[0].author.displayName, 'Ann Renamed');
  });

  it("renews search's events, people and event files on the writer at once and on another instance within the bound", async () => {
    const world = buildWorld();
    const a = instance(world);
    const b = instance(world);
    const ann = await person({ userId: 'sx-ann', name: 'Ann Zoeker' });
    const c = await community(world, ann, { name: 'Zoekcache' });
    const ids = async (i: ReturnType<typeof instance>, q: string, type: string) => ((await as(i.app, ann).get(`/search?q=${q}&type=${type}`).expect(200)).body.items as { id: string }[]).map((h) => h.id);
    // Warm on both: nothing matches yet.
    for (const i of [a, b]) {
      assert.deepEqual(await ids(i, 'kwelscherm', 'event'), []);
      assert.deepEqual(await ids(i, 'dijkbewaking', 'person'), []);
      assert.deepEqual(await ids(i, 'peilbesluit', 'event'), []);
    }
    const cachedHits = a.cache.stats().hits;
    assert.deepEqual(await ids(a, 'kwelscherm', 'event'), []);
    assert.ok(a.cache.stats().hits > cachedHits, 'the second search came from the cache');

    // Writes through A (no clock moves): A shows each at once.
    const event = await runWithReadCache(a.cache, () =>
      EventModel.create({ tenantId: ann.tenantId, communityId: c.id, title: 'Kwelscherm bij de Lek', start: new Date(Date.UTC(2031, 0, 1)), end: new Date(Date.UTC(2031, 0, 1, 2)), uid: 'sx-ev@test', createdBy: ann.userId, organizers: [ann.userId] }),
    );
    assert.deepEqual(await ids(a, 'kwelscherm', 'event'), [String(event._id)]);
    // As a profile edit does (members/user-directory.repository.ts): by tenant and person.
    await runWithReadCache(a.cache, async () => {
      await UserModel.updateOne({ tenantId: ann.tenantId, userId: ann.userId }, { $set: { 'profile.expertise': ['dijkbewaking'] } });
    });
    assert.deepEqual(await ids(a, 'dijkbewaking', 'person'), [ann.userId]);
    await runWithReadCache(a.cache, () =>
      AttachmentModel.create({ tenantId: ann.tenantId, communityId: c.id, targetType: 'event', targetId: event._id, position: 0, authorId: ann.userId, source: 'drive', driveId: 'd1', itemId: 'i1', name: 'Peilbesluit 2031.pdf', size: 1000, webUrl: 'https://contoso.sharepoint.com/peilbesluit' }),
    );
    assert.deepEqual(await ids(a, 'peilbesluit', 'event'), [String(event._id)], "found by its file's name");

    // B may show its copy within the bound, and shows every write past it.
    b.advance(999);
    assert.deepEqual(await ids(b, 'kwelscherm', 'event'), []);
    b.advance(1);
    assert.deepEqual(await ids(b, 'kwelscherm', 'event'), [String(event._id)]);
    assert.deepEqual(await ids(b, 'dijkbewaking', 'person'), [ann.userId]);
    assert.deepEqual(await ids(b, 'peilbesluit', 'event'), [String(event._id)]);
  });

  it("spends no stamp on an event's sign-up bookkeeping, which no cached reader uses, and one on anything else", async () => {
    const cache = new ReadCache({ now: () => 0 });
    const event = await runWithReadCache(cache, () =>
      EventModel.create({ tenantId: 'stamp-tenant', title: 'Telling', start: new Date(Date.UTC(2031, 0, 1)), end: new Date(Date.UTC(2031, 0, 1, 1)), uid: 'stamp-ev@test', createdBy: 'x', organizers: ['x'] }),
    );
    const writes = () => cache.stats().stampWrites;
    const before = writes();
    await runWithReadCache(cache, async () => {
      await EventModel.updateOne({ _id: event._id }, { $set: { 'allocation.dirty': true } });
      await EventModel.updateOne({ _id: event._id }, { $set: { counts: { registered: 1, waitlisted: 0, requested: 0 }, allocation: { lastSeq: 1, dirty: false } } });
    });
    assert.equal(writes(), before, 'counts and allocation only: no stamp');
    await runWithReadCache(cache, async () => {
      await EventModel.updateOne({ _id: event._id }, { $set: { counts: { registered: 2, waitlisted: 0, requested: 0 }, title: 'Telling, herzien' } });
    });
    assert.equal(writes(), before + 1, 'a title with the counts: a stamp');
  });

  it('keeps its values under the size bound, dropping the least recently used', async () => {
    const cache = new ReadCache({ maxBytes: 50_000, now: () => 0 });
    const value = (i: number) => ({ i, text: 'x'.repeat(1000) });
    for (let i = 0; i < 200; i++) await cache.get(`k${i}`, ['c:bound'], async () => value(i));
    const stats = cache.stats();
    assert.ok(stats.bytes <= 50_000, `bytes ${stats.bytes}`);
    assert.ok(stats.entries < 200 && stats.entries > 0, `entries ${stats.entries}`);
    // The newest is still there (no load), the oldest is gone (loaded again).
    let loads = 0;
    await cache.get('k199', ['c:bound'], async () => (loads++, value(199)));
    assert.equal(loads, 0);
    await cache.get('k0', ['c:bound'], async () => (loads++, value(0)));
    assert.equal(loads, 1);
  });

  it('freezes what it keeps, so no caller can change it for the next reader', async () => {
    const cache = new ReadCache({ now: () => 0 });
    const got = await cache.get('frozen', ['c:frozen'], async () => ({ items: [{ title: 'a' }] }));
    assert.throws(() => {
      (got.items as { title: string }[]).push({ title: 'b' });
    }, TypeError);
  });
});
