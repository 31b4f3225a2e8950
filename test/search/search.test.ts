import assert from 'node:assert/strict';
import { EventModel } from '../../src/events/event.model.js';
import { rank } from '../../src/search/ranking.js';
import sinon from 'sinon';
import { SearchBucketModel } from '../../src/search-index/search-bucket.model.js';
import { SearchEntryModel } from '../../src/search-index/search-entry.model.js';
import { searchEntryWeeks } from '../../src/search-index/search-index-migrations.js';
import { bucketOfTime, searchIndex, WEEKS_PER_ERA } from '../../src/search-index/search-index.js';
import { analyseQuery } from '../../src/search-index/text-analysis.js';
import { bulkDiscussions } from '../support/bulk-discussions.js';
import { useTestDatabase } from '../support/database.js';
import { TEST_FERRETDB_POOL_SIZE } from '../support/postgres.js';
import { as, buildWorld, community, person, TEST_TENANT, type TestWorld } from '../communities/communities-fixtures.js';

interface Hit {
  type: string;
  id: string;
  title: string;
  score: number;
}

describe('search (HTTP, real database)', function () {
  this.timeout(60_000);
  useTestDatabase('search');
  let world: TestWorld;
  before(() => {
    world = buildWorld();
  });

  it('finds Dutch and English inflections, accent-insensitively, across communities, discussions, replies, events and people', async () => {
    const me = await person({ userId: 'sr-me', name: 'Marloes Mestdagh' });
    const c = await community(world, me, { name: 'Bodem en bemesting', tags: ['landbouw'] });
    const { discussions, replies } = world.module.services;
    const d = await discussions.create(me, c.id, { title: 'Regels voor bemesten van weilanden', body: 'Wat mag er in het voorjaar?', kind: 'question' });
    await replies.create(me, d.id, { body: 'Zie de meststoffenwet; ook in het Café van Fryslân besproken.' });
    await discussions.create(me, c.id, { title: 'Flooding meetings', body: 'Notes of the meeting about floods', kind: 'discussion' });
    await EventModel.create({ tenantId: TEST_TENANT, communityId: c.id, title: 'Kennissessie bemestingsnormen en bemesting', start: new Date(Date.now() + 86_400_000), end: new Date(Date.now() + 90_000_000), uid: 'ev-1@test', createdBy: 'sr-me', organizers: ['sr-me'] });
    const dutch = await as(world.app, me).get('/search?q=bemesting').expect(200);
    const types = new Set(dutch.body.items.map((h: Hit) => h.type));
    for (const t of ['community', 'discussion', 'event']) assert.ok(types.has(t), `${t} in ${JSON.stringify(dutch.body.items)}`);
    const accents = await as(world.app, me).get('/search?q=cafe%20fryslan').expect(200);
    assert.equal(accents.body.items[0]?.type, 'reply');
    assert.equal(accents.body.items[0]?.discussionId, d.id);
    const english = await as(world.app, me).get('/search?q=meeting').expect(200);
    assert.equal(english.body.items[0]?.title, 'Flooding meetings');
    const people = await as(world.app, me).get('/search?q=marloes&type=person').expect(200);
    assert.deepEqual(people.body.items.map((h: Hit) => h.id), ['sr-me']);
    const none = await as(world.app, me).get('/search?q=de%20het%20een').expect(200);
    assert.deepEqual(none.body, { items: [], words: [] });
  });

  it('reads at most the asked number of entries for one key, the newest first (a common word does not read the whole tenant)', async () => {
    for (let i = 0; i < 12; i++) {
      await searchIndex.index({ tenantId: 'bounded-tenant', type: 'discussion', itemId: `bounded-${i}`, title: `Gemaal onderhoud ${i}`, at: new Date(Date.UTC(2026, 0, 1 + i)) });
    }
    const newest = await searchIndex.entriesWithKey('bounded-tenant', analyseQuery('gemaal')[0]?.keys[0] ?? '', 5);
    assert.deepEqual(newest.map((e) => e.itemId), ['bounded-11', 'bounded-10', 'bounded-9', 'bounded-8', 'bounded-7']);
  });

  it('finds exactly the newest entries of a key across weeks, eras and the future, for any limit', async () => {
    const tenantId = 'walk-tenant';
    const DAY_MS = 86_400_000;
    const base = Date.UTC(2026, 5, 1);
    // Dense recent weeks, a sparse past over three years, ties on the same instant, and an event two years ahead.
    const offsets = [...Array.from({ length: 30 }, (_, i) => -i * DAY_MS / 3), ...Array.from({ length: 25 }, (_, i) => -(40 + i * 45) * DAY_MS), 0, 0, 730 * DAY_MS];
    const entries = offsets.map((offset, i) => searchIndex.entryFor({ tenantId, type: 'discussion', itemId: `walk-${i}`, title: i % 3 === 0 ? 'Gemaal bij de sluis' : 'Gemaal', at: new Date(base + offset) }));
    await searchIndex.insertEntries(entries);
    await searchIndex.index({ tenantId: 'other-tenant', type: 'discussion', itemId: 'walk-other', title: 'Gemaal', at: new Date(base + 800 * DAY_MS) });
    const key = analyseQuery('gemaal')[0]?.keys[0] ?? '';
    const stored = await SearchEntryModel.find({ tenantId, terms: key }).lean();
    const reference = stored.sort((a, b) => b.at.getTime() - a.at.getTime() || (String(b._id) < String(a._id) ? -1 : 1)).map((e) => e.itemId);
    assert.equal(reference.length, offsets.length);
    for (const limit of [1, 2, 3, 5, 17, 31, 40, 55, 58, 1000]) {
      const found = await searchIndex.entriesWithKey(tenantId, key, limit);
      assert.deepEqual(found.map((e) => e.itemId), reference.slice(0, limit), `limit ${limit}`);
    }
    const weeks = await SearchBucketModel.find({ tenantId }).lean();
    assert.deepEqual(new Set(weeks.map((w) => w.bucket)), new Set(entries.map((e) => e.bucket)), 'one marker per week that holds entries');
  });

  it('reads only the newest weeks for a common word: no older era, no week beyond the first that fill the limit', async () => {
    const tenantId = 'common-tenant';
    const now = Date.UTC(2026, 8, 1);
    const WEEK = 7 * 86_400_000;
    const docs = [
      // Ten matches in each of the newest three weeks, and many in two older eras.
      ...Array.from({ length: 30 }, (_, i) => ({ i, at: now - Math.floor(i / 10) * WEEK - i * 1000 })),
      ...Array.from({ length: 80 }, (_, i) => ({ i: 100 + i, at: now - (WEEKS_PER_ERA * 2 + (i % 20)) * WEEK })),
    ];
    await searchIndex.insertEntries(docs.map(({ i, at }) => searchIndex.entryFor({ tenantId, type: 'reply', itemId: `common-${i}`, title: 'Peilbeheer', at: new Date(at) })));
    const key = analyseQuery('peilbeheer')[0]?.keys[0] ?? '';
    const find = sinon.spy(SearchEntryModel, 'find');
    try {
      const found = await searchIndex.entriesWithKey(tenantId, key, 8);
      assert.deepEqual(found.map((e) => e.itemId), Array.from({ length: 8 }, (_, i) => `common-${i}`));
      const filters = find.getCalls().map((c) => c.args[0] as unknown as Record<string, unknown>).filter((f) => f.tenantId === tenantId);
      assert.ok(filters.length > 0 && filters.length <= 4, `${filters.length} lookups`);
      assert.ok(filters.every((f) => f.era === undefined && typeof f.bucket === 'number' && f.bucket >= bucketOfTime(new Date(now - 3 * WEEK))), JSON.stringify(filters));
    } finally {
      find.restore();
    }
  });

  it('gives entries written before the weeks existed their week and era at upgrade, once', async () => {
    const tenantId = 'upgrade-tenant';
    const key = analyseQuery('kwelwater')[0]?.keys[0] ?? '';
    const old = [Date.UTC(2024, 1, 3), Date.UTC(2026, 10, 20), Date.UTC(2026, 10, 21)].map((at, i) => {
      const { bucket: _bucket, era: _era, ...previous } = searchIndex.entryFor({ tenantId, type: 'discussion', itemId: `upgrade-${i}`, title: 'Kwelwater', at: new Date(at) });
      return previous;
    });
    await SearchEntryModel.collection.insertMany(old.map((e) => ({ ...e })));
    assert.deepEqual(await searchIndex.entriesWithKey(tenantId, key, 10), [], 'without weeks the walk cannot see them');
    assert.equal(await searchEntryWeeks.up(), 3);
    assert.deepEqual((await searchIndex.entriesWithKey(tenantId, key, 10)).map((e) => e.itemId), ['upgrade-2', 'upgrade-1', 'upgrade-0']);
    assert.equal(await searchEntryWeeks.up(), 0, 'running again changes nothing');
  });

  it('finds an event by its description after the description was edited (parsed text is kept per version of the event)', async () => {
    const me = await person({ userId: 'sr-ed', name: 'Edo Editor' });
    const c = await community(world, me, { name: 'Dijken' });
    const event = await EventModel.create({ tenantId: TEST_TENANT, communityId: c.id, title: 'Dijkinspectie', description: { source: 'Over **kwelwater** bij de dijk', html: '' }, start: new Date(Date.now() + 86_400_000), end: new Date(Date.now() + 90_000_000), uid: 'ev-edit@test', createdBy: 'sr-ed', organizers: ['sr-ed'] });
    const before = await as(world.app, me).get('/search?q=kwelwater&type=event').expect(200);
    assert.deepEqual(before.body.items.map((h: Hit) => h.id), [String(event._id)]);
    await EventModel.updateOne({ _id: event._id }, { $set: { 'description.source': 'Over *zandmeevoerende wellen* bij de dijk' } });
    const stale = await as(world.app, me).get('/search?q=kwelwater&type=event').expect(200);
    assert.deepEqual(stale.body.items, [], 'the old description no longer matches');
    const fresh = await as(world.app, me).get('/search?q=wellen&type=event').expect(200);
    assert.deepEqual(fresh.body.items.map((h: Hit) => h.id), [String(event._id)]);
  });

  it('keeps the replies of a hidden discussion out of search, and shows replies under their discussion\'s current title', async () => {
    const manager = await person({ userId: 'sr-mod', name: 'Mo Derator' });
    const c = await community(world, manager, { name: 'Polders' });
    const { discussions, replies } = world.module.services;
    const d = await discussions.create(manager, c.id, { title: 'Oude titel', body: 'Begin', kind: 'discussion' });
    await replies.create(manager, d.id, { body: 'Over de wipwatermolen bij de polder' });
    const replyHits = async () => (await as(world.app, manager).get('/search?q=wipwatermolen&type=reply').expect(200)).body.items as Hit[];
    assert.equal((await replyHits())[0]?.title, 'Oude titel');
    await as(world.app, manager).patch(`/discussions/${d.id}`, { title: 'Nieuwe titel' }).expect(200);
    assert.equal((await replyHits())[0]?.title, 'Nieuwe titel', 'the reply follows its discussion\'s title');
    await as(world.app, manager).put(`/discussions/${d.id}/hidden`, {}).expect(200);
    assert.deepEqual(await replyHits(), [], 'a hidden discussion\'s replies are hidden too');
    await as(world.app, manager).delete(`/discussions/${d.id}/hidden`).expect(200);
    assert.equal((await replyHits()).length, 1);
  });

  it('finds no event for someone only listed as its organiser, outside its secret community', async () => {
    const owner = await person({ userId: 'so-owner' });
    const former = await person({ userId: 'so-former' });
    const c = await community(world, owner, { name: 'Dossiers', visibility: 'secret' });
    const start = new Date(Date.now() + 86_400_000);
    await EventModel.create({ tenantId: TEST_TENANT, communityId: c.id, title: 'Vertrouwelijk overleg waterschapsbelasting', start, end: new Date(start.getTime() + 3_600_000), uid: 'ev-so@test', createdBy: 'so-owner', organizers: ['so-owner', 'so-former'] });
    const own = await as(world.app, owner).get('/search?q=waterschapsbelasting&type=event').expect(200);
    assert.equal(own.body.items.length, 1);
    const listed = await as(world.app, former).get('/search?q=waterschapsbelasting&type=event').expect(200);
    assert.deepEqual(listed.body.items, []);
  });

  it('ranks title matches above body matches, all words above some, and rare words above common ones', async () => {
    const me = await person({ userId: 'rk-me' });
    const c = await community(world, me, { name: 'Ranking' });
    const { discussions } = world.module.services;
    const inBody = await discussions.create(me, c.id, { title: 'Algemeen overleg', body: 'Ook over grondwaterpeil gesproken', kind: 'discussion' });
    const inTitle = await discussions.create(me, c.id, { title: 'Grondwaterpeil in de zomer', body: 'Verslag', kind: 'discussion' });
    const both = await discussions.create(me, c.id, { title: 'Grondwaterpeil en verzilting', body: 'Verslag', kind: 'discussion' });
    for (let i = 0; i < 4; i++) await discussions.create(me, c.id, { title: `Verzilting ${i}`, body: 'Verslag', kind: 'discussion' });
    const res = await as(world.app, me).get('/search?q=grondwaterpeil%20verzilting&type=discussion').expect(200);
    const ids = res.body.items.map((h: Hit) => h.id);
    assert.equal(ids[0], both.id, 'both words, in the title');
    assert.ok(ids.indexOf(inTitle.id) < ids.indexOf(inBody.id), 'title before body');
    // "grondwaterpeil" is rarer than "verzilting" here, so the title match on it beats one on "verzilting".
    assert.ok(ids.indexOf(inTitle.id) < ids.findIndex((id: string, i: number) => res.body.items[i].title.startsWith('Verzilting ')));
    const page1 = await as(world.app, me).get('/search?q=verslag&type=discussion&limit=3').expect(200);
    const page2 = await as(world.app, me).get(`/search?q=verslag&type=discussion&limit=3&cursor=${page1.body.nextCursor}`).expect(200);
    const all = [...page1.body.items, ...page2.body.items].map((h: Hit) => h.id);
    assert.equal(new Set(all).size, all.length);
    await as(world.app, me).get('/search?q=verslag&cursor=broken').expect(400);
  });

  it('ranks by the documented formula: rarity, coverage, then recency', () => {
    const now = new Date('2026-05-01T00:00:00Z');
    const words = analyseQuery('grondwater verzilting');
    const day = 86_400_000;
    const candidates = [
      { type: 'discussion', id: 'common-only', weights: [0, 3], at: now },
      { type: 'discussion', id: 'rare-only', weights: [3, 0], at: now },
      { type: 'discussion', id: 'both-old', weights: [1, 1], at: new Date(now.getTime() - 300 * day) },
      { type: 'discussion', id: 'both-new', weights: [1, 1], at: now },
      { type: 'discussion', id: 'common-2', weights: [0, 1], at: now },
      { type: 'discussion', id: 'common-3', weights: [0, 1], at: new Date(now.getTime() - 60 * day) },
    ];
    const ranked = rank(candidates, words, now);
    // N = 6, df(grondwater) = 3, df(verzilting) = 5, so idf = ln 3 = 1.099 and ln 2.2 = 0.788:
    // rare-only 3(1.099)(0.75) + 1 = 3.472; both-new (1.099 + 0.788)(1) + 1 = 2.887 (all words, in the body,
    // beat the common word in the title: 3(0.788)(0.75) + 1 = 2.774); both-old 1.887 + 1/11 = 1.978;
    // common-2 0.591 + 1 = 1.591; common-3 is 60 days old: 0.591 + 1/3 = 0.925.
    assert.deepEqual(ranked.map((r) => r.c.id), ['rare-only', 'both-new', 'common-only', 'both-old', 'common-2', 'common-3']);
    assert.equal(ranked[0]?.score.toFixed(4), (3 * Math.log(3) * 0.75 + 1).toFixed(4));
    assert.equal(ranked[5]?.score.toFixed(4), (Math.log(2.2) * 0.75 + 1 / 3).toFixed(4));
  });

  it('never shows what the actor may not see: secret and closed content, hidden content, invisible events', async () => {
    const owner = await person({ userId: 'lk-owner' });
    const outsider = await person({ userId: 'lk-outsider' });
    const guest = await person({ userId: 'lk-guest', isGuest: true });
    const secret = await community(world, owner, { visibility: 'secret', name: 'Geheime fusie waterschappen' });
    const closed = await community(world, owner, { visibility: 'closed', name: 'Besloten fusie overleg' });
    const { discussions } = world.module.services;
    await discussions.create(owner, secret.id, { title: 'Fusie tijdlijn', body: 'Vertrouwelijk', kind: 'discussion' });
    await discussions.create(owner, closed.id, { title: 'Fusie notulen', body: 'Besloten', kind: 'discussion' });
    await EventModel.create({ tenantId: TEST_TENANT, communityId: secret.id, title: 'Fusie bijeenkomst', start: new Date(Date.now() + 86_400_000), end: new Date(Date.now() + 90_000_000), uid: 'ev-secret@test', createdBy: 'lk-owner' });
    await EventModel.create({ tenantId: TEST_TENANT, communityId: null, title: 'Fusie informatieavond', start: new Date(Date.now() + 86_400_000), end: new Date(Date.now() + 90_000_000), uid: 'ev-org@test', createdBy: 'lk-owner', guestsAllowed: false });
    const forOwner = await as(world.app, owner).get('/search?q=fusie').expect(200);
    assert.equal(forOwner.body.items.length, 6);
    const forOutsider = await as(world.app, outsider).get('/search?q=fusie').expect(200);
    assert.deepEqual(forOutsider.body.items.map((h: Hit) => `${h.type}:${h.title}`).sort(), ['community:Besloten fusie overleg', 'event:Fusie informatieavond']);
    const forGuest = await as(world.app, guest).get('/search?q=fusie').expect(200);
    assert.deepEqual(forGuest.body.items, []);
    const vertrouwelijk = await as(world.app, outsider).get('/search?q=vertrouwelijk').expect(200);
    assert.deepEqual(vertrouwelijk.body.items, []);
  });

  // Each search reads 100+ entries per key here; FerretDB 1.24 used to keep a PostgreSQL
  // connection per such read until its getMore, and 50 searches at once never answered.
  it(`answers ${TEST_FERRETDB_POOL_SIZE * 3} searches at once that each match more than a first batch of entries`, async function () {
    this.timeout(120_000);
    const me = await person({ userId: 'cc-me' });
    const c = await community(world, me, { name: 'Druk' });
    await bulkDiscussions(c.id, [me], Array.from({ length: 150 }, (_, i) => ({ title: `Kroosbestrijding ${i}`, body: `Over kroosbestrijding, deel ${i}` })));
    const answers = await Promise.all(Array.from({ length: TEST_FERRETDB_POOL_SIZE * 3 }, () => as(world.app, me).get('/search?q=kroosbestrijding&type=discussion&limit=5')));
    for (const res of answers) {
      assert.equal(res.status, 200);
      assert.equal(res.body.items.length, 5);
      assert.ok(res.body.nextCursor);
    }
  });
});
