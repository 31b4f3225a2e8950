import assert from 'node:assert/strict';
import { PeopleRepository } from '../../src/members/people.repository.js';
import { useTestDatabase } from '../support/database.js';
import { as, buildWorld, community, person, TEST_TENANT, type TestWorld } from '../communities/communities-fixtures.js';

describe('people directory, profiles and "who knows about X" (HTTP, real database)', function () {
  this.timeout(60_000);
  useTestDatabase('people');
  let world: TestWorld;
  before(() => {
    world = buildWorld();
  });

  it('shows the organisation its own people and the guests of shared communities; guests only their co-members', async () => {
    const anna = await person({ userId: 'p-anna', name: 'Anna de Vries', organisation: 'Waterschap Noord', expertise: ['Waterkwaliteit'] });
    const bram = await person({ userId: 'p-bram', name: 'Bram Bakker', organisation: 'Gemeente Zuid', jobTitle: 'Beleidsmedewerker mest' });
    const guest = await person({ userId: 'p-guest', name: 'Gerda Gast', isGuest: true, organisation: 'Adviesbureau' });
    const otherGuest = await person({ userId: 'p-guest2', name: 'Gijs Gast', isGuest: true });
    await community(world, anna, { guestsAllowed: true, members: [guest] });
    const byAnna = await as(world.app, anna).get('/people?limit=100').expect(200);
    const annaSees = byAnna.body.items.map((p: { id: string }) => p.id);
    assert.ok(annaSees.includes('p-bram') && annaSees.includes('p-guest'));
    assert.ok(!annaSees.includes('p-guest2'));
    const byGuest = await as(world.app, guest).get('/people?limit=100').expect(200);
    assert.deepEqual(byGuest.body.items.map((p: { id: string }) => p.id).sort(), ['p-anna', 'p-guest']);
    await as(world.app, guest).get('/people/p-bram').expect(404);
    await as(world.app, otherGuest).get('/people/p-anna').expect(404);
    const profile = await as(world.app, bram).get('/people/p-anna').expect(200);
    assert.equal(profile.body.organisation, 'Waterschap Noord');
  });

  it('searches by name prefix, organisation and expertise, accent-insensitively', async () => {
    const me = await person({ userId: 's-me', name: 'Søren Müller' });
    await person({ userId: 's-eva', name: 'Éva Jansen', organisation: 'Provincie Fryslân', expertise: ['Bemesting', 'Bodem'] });
    await person({ userId: 's-jan', name: 'Jan Janssen', organisation: 'Rijkswaterstaat' });
    const byName = await as(world.app, me).get('/people?q=eva').expect(200);
    assert.deepEqual(byName.body.items.map((p: { id: string }) => p.id), ['s-eva']);
    const byOrg = await as(world.app, me).get('/people?q=fryslan').expect(200);
    assert.deepEqual(byOrg.body.items.map((p: { id: string }) => p.id), ['s-eva']);
    const byExpertise = await as(world.app, me).get('/people?expertise=bemesten').expect(200);
    assert.deepEqual(byExpertise.body.items.map((p: { id: string }) => p.id), ['s-eva']);
    const prefix = await as(world.app, me).get('/people?q=jans').expect(200);
    assert.deepEqual(prefix.body.items.map((p: { id: string }) => p.id).sort(), ['s-eva', 's-jan']);
    const self = await as(world.app, me).get('/people?q=muller').expect(200);
    assert.deepEqual(self.body.items.map((p: { id: string }) => p.id), ['s-me']);
  });

  it('pages the directory by name without repeats', async () => {
    const me = await person({ userId: 'pg-me', name: 'Aaa Pager' });
    for (const n of ['Zed', 'Yan', 'Xia', 'Wim']) await person({ userId: `pg-${n}`, name: `Pg ${n}` });
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await as(world.app, me).get(`/people?q=pg&limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      names.push(...res.body.items.map((p: { displayName: string }) => p.displayName));
      cursor = res.body.nextCursor;
    } while (cursor);
    assert.deepEqual(names, ['Pg Wim', 'Pg Xia', 'Pg Yan', 'Pg Zed']);
  });

  it('edits my profile with validation', async () => {
    const me = await person({ userId: 'pr-me', name: 'Piet' });
    const res = await as(world.app, me)
      .patch('/me/profile', { organisation: 'Waterschap Zuid', function: 'Hydroloog', expertise: [' Grondwater ', 'grondwater', 'Droogte'], interests: ['Klimaat'], askMeAbout: 'Peilbeheer', languages: ['nl', 'en', 'fy'] })
      .expect(200);
    assert.deepEqual(res.body.expertise, ['grondwater', 'droogte']);
    assert.equal(res.body.function, 'Hydroloog');
    const cleared = await as(world.app, me).patch('/me/profile', { organisation: null }).expect(200);
    assert.equal(cleared.body.organisation, null);
    await as(world.app, me).patch('/me/profile', { languages: ['Nederlands'] }).expect(400);
    await as(world.app, me).patch('/me/profile', { organisation: '<script>' }).expect(400);
    await as(world.app, me).patch('/me/profile', { expertise: Array.from({ length: 30 }, (_, i) => `tag${i}`) }).expect(400);
    await as(world.app, me).patch('/me/profile', { isOrgAdmin: true }).expect(400);
    await as(world.app, me).patch('/me/profile', {}).expect(400);
  });

  it('ranks who knows about a topic by declared expertise, accepted answers and replies, counting only what I may see', async () => {
    const asker = await person({ userId: 'k-asker', name: 'Asker' });
    const declared = await person({ userId: 'k-declared', name: 'Declared', expertise: ['Mestbeleid'] });
    const answerer = await person({ userId: 'k-answerer', name: 'Answerer' });
    const chatty = await person({ userId: 'k-chatty', name: 'Chatty' });
    const secretExpert = await person({ userId: 'k-secret', name: 'Secret' });
    const c = await community(world, asker, { members: [answerer, chatty] });
    const hidden = await community(world, secretExpert, { visibility: 'secret' });
    const { discussions, replies } = world.module.services;
    const q = await discussions.create(asker, c.id, { title: 'Mest?', body: 'x', kind: 'question', tags: ['Mestbeleid'] });
    const a = await replies.create(answerer, q.id, { body: 'Antwoord' });
    await discussions.acceptAnswer(asker, q.id, a.id);
    await replies.create(chatty, q.id, { body: 'Ik ook' });
    await replies.create(chatty, q.id, { body: 'En nog iets' });
    const s = await discussions.create(secretExpert, hidden.id, { title: 'Geheim', body: 'x', kind: 'discussion', tags: ['mestbeleid'] });
    for (let i = 0; i < 3; i++) await replies.create(secretExpert, s.id, { body: `geheim ${i}` });
    const res = await as(world.app, asker).get('/people/experts?topic=mestbeleid').expect(200);
    const ranking = res.body.items.map((e: { person: { id: string }; score: number }) => [e.person.id, e.score]);
    assert.deepEqual(ranking, [
      ['k-declared', 5],
      ['k-answerer', 4],
      ['k-chatty', 2],
    ]);
    assert.ok(declared);
    await as(world.app, asker).get('/people/experts').expect(400);
  });

  it('reads a bounded directory, by name, in the store (not every record of the tenant)', async () => {
    for (const name of ['Zoë Zwart', 'Aart Aalbers', 'Mila Mol', 'Bert Bos']) await person({ userId: `p-bound-${name.split(' ')[0]}`, name });
    const repository = new PeopleRepository();
    const everyone = await repository.allInTenant(TEST_TENANT);
    const firstTwo = await repository.allInTenant(TEST_TENANT, 2);
    assert.ok(everyone.length >= 4);
    assert.deepEqual(firstTwo.map((u) => u.userId), everyone.slice(0, 2).map((u) => u.userId));
  });

  it('stops counting a guest\'s membership once the community no longer admits guests: neither side finds the other any more', async () => {
    const host = await person({ userId: 'p-host', name: 'Hanna Host' });
    const visitor = await person({ userId: 'p-visitor', name: 'Vera Visitor', isGuest: true });
    const c = await community(world, host, { guestsAllowed: true, members: [visitor] });
    const seen = async (who: typeof host) => (await as(world.app, who).get('/people?limit=100').expect(200)).body.items.map((p: { id: string }) => p.id);
    assert.ok((await seen(visitor)).includes('p-host'));
    assert.ok((await seen(host)).includes('p-visitor'));
    await world.module.services.communities.update(host, c.id, { guestsAllowed: false });
    assert.deepEqual(await seen(visitor), ['p-visitor']);
    assert.ok(!(await seen(host)).includes('p-visitor'));
    await as(world.app, visitor).get('/people/p-host').expect(404);
  });
});
