/**
 * Files attached to events (issue 21) through HTTP with a real database and the local drive
 * store: attached on create and on edit, shared with exactly the event's readers (a community
 * event's community readers; an organisation-wide event's organisation, and the tenant's guests
 * only while the event admits guests), taken back on leave and when guests are turned off, kept
 * through a cancellation, refused with nothing changed for a file the organiser cannot read,
 * "no longer available" once the file vanished, found by file name, exported and erased.
 */
import assert from 'node:assert/strict';
import type { Actor } from '../../src/auth/actor.js';
import { AttachmentModel } from '../../src/attachments/attachment.model.js';
import { AttachmentGrantModel } from '../../src/attachments/attachment-grant.model.js';
import { EventModel } from '../../src/events/event.model.js';
import { UserModel } from '../../src/members/user.model.js';
import { FORMER_MEMBER_ID } from '../../src/personal-data/former-member.js';
import { useTestDatabase } from '../support/database.js';
import { TEST_TENANT } from '../support/test-actor.js';
import { as, community, person } from '../communities/communities-fixtures.js';
import { buildAttachmentsWorld, FIXED_NOW, type AttachmentsWorld } from './attachments-world.js';

const DAY = 24 * 60 * 60 * 1000;

describe('event attachments (HTTP, real database, local drives)', function () {
  this.timeout(120_000);
  useTestDatabase('event-attachments');
  let world: AttachmentsWorld;
  before(() => {
    world = buildAttachmentsWorld();
  });
  after(() => world.dispose());

  const ownFile = (owner: Actor, name: string) => world.ownFile(owner, name);
  const sharedWith = (ref: { driveId: string; itemId: string }) => world.sharedWith(ref);

  /** A session ten days after the world's clock. */
  function session(title: string, extra: Record<string, unknown> = {}) {
    const start = new Date(FIXED_NOW.getTime() + 10 * DAY);
    return { title, start: start.toISOString(), end: new Date(start.getTime() + 90 * 60_000).toISOString(), timeZone: 'Europe/Amsterdam', location: { name: 'Gemeentehuis, zaal 3' }, ...extra };
  }

  /** Every guest Meent knows in the tenant (the database is this file's own), less `except`. */
  async function guestsOfTenant(...except: string[]): Promise<string[]> {
    const guests = await UserModel.find({ tenantId: TEST_TENANT, isGuest: true }, { userId: 1 }).lean<{ userId: string }[]>();
    return guests.map((g) => g.userId).filter((id) => !except.includes(id)).sort();
  }

  it('attaches on create and on edit a community event’s files, shares them with the community’s readers, and takes them back on leave; a cancellation keeps them', async () => {
    const manager = await person({ userId: 'ce-manager' });
    const member = await person({ userId: 'ce-member' });
    const leaver = await person({ userId: 'ce-leaver' });
    const guest = await person({ userId: 'ce-guest', isGuest: true });
    const outsider = await person({ userId: 'ce-outsider' });
    const c = await community(world, manager, { visibility: 'closed', guestsAllowed: true, members: [member, leaver, guest] });
    const agenda = ownFile(manager, 'Agenda kennissessie bodem.docx');
    const created = await as(world.app, manager).post(`/communities/${c.id}/events`, session('Kennissessie bodem', { attachments: [agenda] })).expect((r) => assert.equal(r.status, 201, JSON.stringify(r.body)));
    assert.deepEqual(
      created.body.attachments.map((a: { name: string; available: boolean; author: { id: string } }) => [a.name, a.available, a.author.id]),
      [['Agenda kennissessie bodem.docx', true, 'ce-manager']],
    );
    // A closed community: its members (the guest too, while the community admits guests), no organisation link; the owner needs no grant.
    assert.deepEqual(sharedWith(agenda), { users: ['ce-guest', 'ce-leaver', 'ce-member'], organization: false });
    assert.ok(!sharedWith(agenda).users.includes(outsider.userId));
    const seen = await as(world.app, member).get(`/events/${created.body.id}`).expect(200);
    assert.equal(seen.body.attachments[0].webUrl, created.body.attachments[0].webUrl);

    // An edit adds a second file and keeps the first.
    const slides = ownFile(manager, 'Presentatie organische stof.pptx');
    const edited = await as(world.app, manager).patch(`/events/${created.body.id}`, { attachments: [agenda, slides] }).expect(200);
    assert.deepEqual(edited.body.attachments.map((a: { name: string }) => a.name), ['Agenda kennissessie bodem.docx', 'Presentatie organische stof.pptx']);
    assert.deepEqual(sharedWith(slides).users, ['ce-guest', 'ce-leaver', 'ce-member']);
    const listed = await as(world.app, member).get(`/events?communityId=${c.id}`).expect(200);
    assert.equal(listed.body.items.find((e: { id: string }) => e.id === created.body.id)?.attachments.length, 2);

    await as(world.app, leaver).delete(`/communities/${c.id}/members/${leaver.userId}`).expect(204);
    assert.deepEqual(sharedWith(agenda).users, ['ce-guest', 'ce-member']);
    assert.deepEqual(sharedWith(slides).users, ['ce-guest', 'ce-member']);
    await as(world.app, manager).patch(`/communities/${c.id}`, { guestsAllowed: false }).expect(200);
    assert.deepEqual(sharedWith(agenda).users, ['ce-member']);

    // Cancelled: the event is still read by the same people, so its files stay shared with them.
    const cancelled = await as(world.app, manager).delete(`/events/${created.body.id}`).expect(200);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal(cancelled.body.attachments.length, 2);
    assert.deepEqual(sharedWith(agenda).users, ['ce-member']);

    // Dropping a file in an edit takes its grants back (a second event, still scheduled).
    const second = await as(world.app, manager).post(`/communities/${c.id}/events`, session('Vervolgsessie', { attachments: [slides] })).expect(201);
    assert.deepEqual(sharedWith(slides).users, ['ce-member']);
    await as(world.app, manager).patch(`/events/${second.body.id}`, { attachments: [] }).expect(200);
    // Still attached to the cancelled event, so still shared through it.
    assert.deepEqual(sharedWith(slides).users, ['ce-member']);
    assert.equal(await AttachmentModel.countDocuments({ targetType: 'event', targetId: second.body.id }), 0);
  });

  it('shares an organisation-wide event’s file with the organisation, and with the tenant’s guests only while the event admits guests', async () => {
    const admin = await person({ userId: 'ow-admin', isOrgAdmin: true });
    const guest = await person({ userId: 'ow-guest', isGuest: true });
    const colleague = await person({ userId: 'ow-colleague' });
    const file = ownFile(admin, 'Programma regiodag.pdf');
    const created = await as(world.app, admin).post('/events', session('Regiodag', { guestsAllowed: true, attachments: [file] })).expect(201);
    assert.equal(created.body.scope, 'organisation');
    const guests = await guestsOfTenant();
    assert.ok(guests.includes(guest.userId));
    // The organisation through its link (colleagues are not invited one by one), the guests invited.
    assert.deepEqual(sharedWith(file), { users: guests, organization: true });
    assert.ok(!sharedWith(file).users.includes(colleague.userId));
    const asGuest = await as(world.app, guest).get(`/events/${created.body.id}`).expect(200);
    assert.equal(asGuest.body.attachments[0].name, 'Programma regiodag.pdf');

    await as(world.app, admin).patch(`/events/${created.body.id}`, { guestsAllowed: false }).expect(200);
    assert.deepEqual(sharedWith(file), { users: [], organization: true });
    await as(world.app, guest).get(`/events/${created.body.id}`).expect(404);
    const grants = await AttachmentGrantModel.find({ itemId: file.itemId }).lean();
    assert.deepEqual(grants.map((g) => g.kind), ['organizationLink']);

    // Admitted again, and a file attached in the same edit: both reach the guests.
    const extra = ownFile(admin, 'Routebeschrijving.pdf');
    await as(world.app, admin).patch(`/events/${created.body.id}`, { guestsAllowed: true, attachments: [file, extra] }).expect(200);
    assert.deepEqual(sharedWith(file), { users: await guestsOfTenant(), organization: true });
    assert.deepEqual(sharedWith(extra), { users: await guestsOfTenant(), organization: true });
  });

  /**
   * Who may open an event's file, against who may read the event (GET /events/:id), per kind of
   * event and per person: R reads and may open it, r reads but holds no permission, - neither.
   * The one r is deliberate: an organisation admin reads every event to oversee it, and Meent
   * does not spread the files of closed and secret communities to every admin for that.
   */
  it('the grant matrix: an event’s file reaches exactly its readers (guest, outsider, member, admin)', async () => {
    const manager = await person({ userId: 'mx-manager', isOrgAdmin: true });
    const subjects = {
      guest: await person({ userId: 'mx-guest', isGuest: true }),
      outsider: await person({ userId: 'mx-outsider' }),
      member: await person({ userId: 'mx-member' }),
      admin: await person({ userId: 'mx-admin', isOrgAdmin: true }),
    };
    const kinds: { name: string; expected: string; make(file: { driveId: string; itemId: string }): Promise<string> }[] = [];
    for (const visibility of ['public', 'closed', 'secret'] as const) {
      kinds.push({
        name: `${visibility} community`,
        expected: visibility === 'public' ? 'RRRR' : 'R-Rr',
        async make(file) {
          const c = await community(world, manager, { visibility, guestsAllowed: true, members: [subjects.guest, subjects.member] });
          return (await as(world.app, manager).post(`/communities/${c.id}/events`, session(`Matrix ${visibility}`, { attachments: [file] })).expect(201)).body.id;
        },
      });
    }
    for (const guestsAllowed of [true, false]) {
      kinds.push({
        name: `organisation-wide, guests ${guestsAllowed ? 'admitted' : 'not admitted'}`,
        expected: guestsAllowed ? 'RRRR' : '-RRR',
        make: async (file) => (await as(world.app, manager).post('/events', session('Matrix organisatie', { guestsAllowed, attachments: [file] })).expect(201)).body.id,
      });
    }
    for (const kind of kinds) {
      const file = ownFile(manager, `Matrix ${kind.name}.docx`);
      const eventId = await kind.make(file);
      const shared = sharedWith(file);
      let actual = '';
      for (const subject of Object.values(subjects)) {
        const reads = (await as(world.app, subject).get(`/events/${eventId}`)).status === 200;
        const opens = shared.users.includes(subject.userId) || (shared.organization && !subject.isGuest);
        assert.ok(reads || !opens, `${kind.name}: ${subject.userId} may open the file of an event they cannot read`);
        actual += reads ? (opens ? 'R' : 'r') : '-';
      }
      assert.equal(actual, kind.expected, kind.name);
    }
  });

  it('refuses a file the organiser cannot read, on create and on edit, and changes nothing', async () => {
    const manager = await person({ userId: 'rf-manager' });
    const member = await person({ userId: 'rf-member' });
    const stranger = await person({ userId: 'rf-stranger' });
    const c = await community(world, manager, { visibility: 'closed', members: [member] });
    const foreign = ownFile(stranger, 'Vertrouwelijk advies.docx');
    const mine = ownFile(manager, 'Uitnodiging.docx');
    const eventsBefore = await EventModel.countDocuments({ communityId: c.id });
    const refused = await as(world.app, manager).post(`/communities/${c.id}/events`, session('Niet te delen', { attachments: [mine, foreign] })).expect(400);
    assert.equal(refused.body.code, 'attachment_unreadable');
    assert.equal(await EventModel.countDocuments({ communityId: c.id }), eventsBefore, 'no event was written');
    // The first file had been shared before the second was refused: taken back.
    assert.deepEqual(sharedWith(mine), { users: [], organization: false });
    assert.equal(await AttachmentGrantModel.countDocuments({ itemId: mine.itemId }), 0);

    const e = await as(world.app, manager).post(`/communities/${c.id}/events`, session('Met uitnodiging', { attachments: [mine] })).expect(201);
    const before = await EventModel.findById(e.body.id).lean();
    const notShareable = await as(world.app, manager).patch(`/events/${e.body.id}`, { title: 'Andere titel', attachments: [mine, foreign] }).expect(400);
    assert.equal(notShareable.body.code, 'attachment_unreadable');
    const after = await EventModel.findById(e.body.id).lean();
    assert.equal(after?.title, before?.title);
    assert.equal(after?.sequence, before?.sequence);
    const view = await as(world.app, member).get(`/events/${e.body.id}`).expect(200);
    assert.deepEqual(view.body.attachments.map((a: { name: string }) => a.name), ['Uitnodiging.docx']);
    assert.deepEqual(sharedWith(mine).users, ['rf-member']);
    assert.deepEqual(sharedWith(foreign).users, []);

    // An edit the event refuses (it has taken place) shares nothing new.
    const later = ownFile(manager, 'Verslag.docx');
    world.setNow(new Date(FIXED_NOW.getTime() + 20 * DAY));
    try {
      const past = await as(world.app, manager).patch(`/events/${e.body.id}`, { attachments: [mine, later] }).expect(409);
      assert.equal(past.body.code, 'event_past');
    } finally {
      world.setNow(FIXED_NOW);
    }
    assert.deepEqual(sharedWith(later), { users: [], organization: false });
    assert.equal(await AttachmentModel.countDocuments({ itemId: later.itemId }), 0);
  });

  it('shows a vanished file as no longer available after the reconciliation, and takes its grants back', async () => {
    const manager = await person({ userId: 'gone-manager' });
    const member = await person({ userId: 'gone-member' });
    const c = await community(world, manager, { visibility: 'closed', members: [member] });
    const file = ownFile(manager, 'Deelnemerslijst.xlsx');
    const e = await as(world.app, manager).post(`/communities/${c.id}/events`, session('Werkatelier', { attachments: [file] })).expect(201);
    const [granted] = world.store.permissionsOf('app', file.driveId, file.itemId);
    assert.ok(granted);
    // Removed behind Meent's back: granted again by the reconciliation.
    world.store.deletePermission('app', file.driveId, file.itemId, granted.id);
    world.setNow(new Date(FIXED_NOW.getTime() + 60 * 60_000));
    try {
      await world.attachments.reconcile(1000);
      assert.deepEqual(sharedWith(file).users, ['gone-member']);
      world.store.deleteItem(file.driveId, file.itemId);
      await world.attachments.reconcile(1000);
    } finally {
      world.setNow(FIXED_NOW);
    }
    const view = await as(world.app, member).get(`/events/${e.body.id}`).expect(200);
    assert.equal(view.body.attachments[0].available, false);
    assert.equal(view.body.attachments[0].webUrl, null);
    assert.equal(view.body.attachments[0].name, 'Deelnemerslijst.xlsx');
    assert.equal(await AttachmentGrantModel.countDocuments({ itemId: file.itemId }), 0);
  });

  it('finds an event by the name of an attached file, only for those who may read it', async () => {
    const manager = await person({ userId: 'se-manager' });
    const member = await person({ userId: 'se-member' });
    const outsider = await person({ userId: 'se-outsider' });
    const c = await community(world, manager, { visibility: 'closed', members: [member] });
    const file = ownFile(manager, 'Bodemkaart-Achterhoek.pdf');
    const e = await as(world.app, manager).post(`/communities/${c.id}/events`, session('Veldbezoek', { attachments: [file] })).expect(201);
    const found = await as(world.app, member).get('/search?q=Bodemkaart').expect(200);
    assert.ok(
      found.body.items.some((x: { type: string; id: string }) => x.type === 'event' && x.id === e.body.id),
      JSON.stringify(found.body),
    );
    const hidden = await as(world.app, outsider).get('/search?q=Bodemkaart').expect(200);
    assert.ok(!hidden.body.items.some((x: { id: string }) => x.id === e.body.id));
  });

  it('exports an organiser’s event attachments, and erasure keeps the file card under "Former member" and takes back the grants to them', async () => {
    const organiser = await person({ userId: 'pe-organiser' });
    const member = await person({ userId: 'pe-member' });
    const c = await community(world, organiser, { visibility: 'closed', members: [member] });
    const file = ownFile(organiser, 'Handout.pdf');
    const theirs = ownFile(member, 'Aanvulling.pdf');
    const e = await as(world.app, organiser).post(`/communities/${c.id}/events`, session('Handout-sessie', { attachments: [file] })).expect(201);
    // A discussion by the member shares a file with the organiser: a grant the erasure takes back.
    await as(world.app, member).post(`/communities/${c.id}/discussions`, { title: 'Aanvulling', body: 'x', attachments: [theirs] }).expect(201);
    const exported = await world.exportOf(organiser);
    assert.deepEqual(exported['attachments.json'], [
      {
        post: { type: 'event', id: e.body.id },
        name: 'Handout.pdf',
        size: e.body.attachments[0].size,
        mimeType: e.body.attachments[0].mimeType,
        driveId: file.driveId,
        itemId: file.itemId,
        webUrl: e.body.attachments[0].webUrl,
        thumbnailUrl: e.body.attachments[0].thumbnailUrl,
        createdAt: (await AttachmentModel.findOne({ itemId: file.itemId }).lean())?.createdAt,
      },
    ]);
    assert.deepEqual((exported['attachment-permissions.json'] as { itemId: string }[]).map((g) => g.itemId), [theirs.itemId]);

    await world.erase(organiser);
    const view = await as(world.app, member).get(`/events/${e.body.id}`).expect(200);
    assert.equal(view.body.attachments[0].author.id, FORMER_MEMBER_ID);
    assert.equal(view.body.attachments[0].name, 'Handout.pdf');
    assert.deepEqual(sharedWith(theirs).users, []);
    assert.deepEqual(sharedWith(file).users, ['pe-member'], 'the event’s readers keep reading the file');
  });
});
