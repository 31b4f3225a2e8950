/**
 * Files in discussions (issue 21) through HTTP with a real database and the local drive
 * store: resumable uploads through faults, permissions that follow the readers, search by file
 * name, export and erasure, and bad input that changes nothing.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Actor } from '../../src/auth/actor.js';
import { AttachmentModel } from '../../src/attachments/attachment.model.js';
import { AttachmentGrantModel } from '../../src/attachments/attachment-grant.model.js';
import { AttachmentUploadModel } from '../../src/attachments/attachment-upload.model.js';
import { LOCAL_LIBRARY_DRIVE_ID } from '../../src/attachments/attachments.module.js';
import { UPLOAD_FRAGMENT_UNIT } from '../../src/attachments/local-drive-store.js';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { UserModel } from '../../src/members/user.model.js';
import { FORMER_MEMBER_ID } from '../../src/personal-data/former-member.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { actorHeader } from '../support/test-actor.js';
import { as, community, person } from '../communities/communities-fixtures.js';
import { buildAttachmentsWorld, FIXED_NOW, type AttachmentsWorld } from './attachments-world.js';

describe('attachments (HTTP, real database, local drives)', function () {
  this.timeout(120_000);
  useTestDatabase('attachments');
  let world: AttachmentsWorld;
  before(() => {
    world = buildAttachmentsWorld();
  });
  after(() => world.dispose());

  const ownFile = (owner: Actor, name: string, bytes?: Buffer) => world.ownFile(owner, name, bytes);
  const sharedWith = (ref: { driveId: string; itemId: string }) => world.sharedWith(ref);

  /** Records about any of the items (one query each: the app's queries are sanitised, so no `$in` from here). */
  async function countWhereItemIn(model: typeof AttachmentModel | typeof AttachmentGrantModel, itemIds: string[]): Promise<number> {
    let total = 0;
    for (const itemId of itemIds) total += await (model as typeof AttachmentModel).countDocuments({ itemId });
    return total;
  }

  function putFragment(actor: Actor, uploadId: string, start: number, bytes: Buffer, total: number) {
    return request(world.app)
      .put(`/api/v1/uploads/${uploadId}`)
      .set('X-Test-Actor', actorHeader(actor))
      .set('Content-Type', 'application/octet-stream')
      .set('Content-Range', `bytes ${start}-${start + bytes.length - 1}/${total}`)
      .send(bytes);
  }

  it('uploads 30 MB in 320 KiB-multiple fragments through a 503 and a lost answer, resumes in the same session, and creates one file', async () => {
    const author = await person({ userId: 'up-author' });
    const c = await community(world, author, { visibility: 'closed' });
    const file = randomBytes(30 * 1024 * 1024);
    const started = await as(world.app, author).post(`/communities/${c.id}/uploads`, { name: 'Bijlage gebiedsproces.pdf', size: file.length }).expect(201);
    const { id, fragmentBytes } = started.body as { id: string; fragmentBytes: number };
    assert.equal(fragmentBytes % UPLOAD_FRAGMENT_UNIT, 0);
    // Fragment 3: its answer is lost once after the store took it (Meent asks where the session stands and goes on).
    // Fragment 6: refused twice, more than Meent retries, so the tab gets a 503 and resumes from the status.
    world.faults.push({ atStart: 3 * fragmentBytes, kind: 'answer_lost', times: 1 }, { atStart: 6 * fragmentBytes, kind: 'refused', times: 2 });
    let offset = 0;
    let unavailable = 0;
    let last: { done: boolean; item: { driveId: string; itemId: string } | null } | undefined;
    while (offset < file.length) {
      const bytes = file.subarray(offset, Math.min(offset + fragmentBytes, file.length));
      const res = await putFragment(author, id, offset, bytes, file.length);
      if (res.status === 503) {
        unavailable += 1;
        const status = await as(world.app, author).get(`/uploads/${id}`).expect(200);
        offset = status.body.nextOffset;
        continue;
      }
      assert.equal(res.status, 200, JSON.stringify(res.body));
      offset = res.body.nextOffset;
      last = res.body;
    }
    assert.equal(unavailable, 1);
    assert.ok(world.waits.length >= 2, 'Meent waited before asking the session where it stood');
    assert.ok(last?.done && last.item);
    const files = world.store.filesIn(LOCAL_LIBRARY_DRIVE_ID);
    assert.equal(files.length, 1, 'exactly one file in the library');
    assert.equal(files[0]?.size, file.length);
    const stored = world.store.content('app', last.item.driveId, last.item.itemId);
    assert.equal(createHash('sha256').update(stored).digest('hex'), createHash('sha256').update(file).digest('hex'));
    // The upload is attached to a discussion: shared with the community's members.
    const member = await person({ userId: 'up-member' });
    await as(world.app, author).post(`/communities/${c.id}/members`, { userId: member.userId }).expect(201);
    await as(world.app, member).post(`/communities/${c.id}/members`, {}).expect((r) => assert.ok(r.status < 300, JSON.stringify(r.body)));
    const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Met bijlage', body: 'x', attachments: [last.item] }).expect(201);
    assert.equal(d.body.attachments[0].name, 'Bijlage gebiedsproces.pdf');
    assert.deepEqual(sharedWith(last.item).users, ['up-author', 'up-member']);
  });

  it('shares an attached OneDrive file with exactly the readers and takes it back on leave, removal, block, hide and guests turned off', async () => {
    await permissionsFollowReaders(world, 'pm');
  });

  it('answers a thread page as JSON text that equals the page as objects, for every reader: files, hidden, removed, nested, reactions, pages', async () => {
    const manager = await person({ userId: 'tt-manager' });
    const ann = await person({ userId: 'tt-ann' });
    const bob = await person({ userId: 'tt-bob' });
    const c = await community(world, manager, { members: [ann, bob] });
    const d = await as(world.app, manager).post(`/communities/${c.id}/discussions`, { title: 'Tekst', body: 'x' }).expect(201);
    const thread = `/discussions/${d.body.id}/replies`;
    const first = await as(world.app, ann).post(thread, { body: 'Met **bijlage** "quotes" \\ en </script>', attachments: [ownFile(ann, 'Plan.docx')] }).expect(201);
    const nested = await as(world.app, bob).post(thread, { body: 'Onder', parentId: first.body.id, attachments: [ownFile(bob, 'Reactie.pdf')] }).expect(201);
    await as(world.app, bob).post(thread, { body: 'Zichtbaar', parentId: first.body.id }).expect(201);
    const second = await as(world.app, bob).post(thread, { body: 'Tweede' }).expect(201);
    const third = await as(world.app, ann).post(thread, { body: 'Weg' }).expect(201);
    await as(world.app, manager).put(`/replies/${nested.body.id}/hidden`).expect(200);
    await as(world.app, ann).delete(`/replies/${third.body.id}`).expect(204);
    await as(world.app, ann).put(`/replies/${second.body.id}/reactions/like`).expect(200);
    await as(world.app, ann).put(`/replies/${second.body.id}/reactions/thanks`).expect(200);
    const replies = world.module.services.replies;
    for (const reader of [ann, bob, manager]) {
      for (const query of [{}, { limit: 1 }, { limit: 2 }]) {
        const page = await replies.page(reader, d.body.id, query);
        const [objects, text] = [page.view(), page.json()];
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(objects)), `${reader.userId} ${JSON.stringify(query)}`);
        const next = objects.nextCursor ? await replies.page(reader, d.body.id, { ...query, cursor: objects.nextCursor }) : null;
        if (next) assert.deepEqual(JSON.parse(next.json()), JSON.parse(JSON.stringify(next.view())));
      }
      const http = await as(world.app, reader).get(thread).expect(200).expect('content-type', 'application/json; charset=utf-8');
      assert.deepEqual(http.body, JSON.parse(JSON.stringify((await replies.page(reader, d.body.id, {})).view())));
    }
    // What differs per reader is there: ann sees neither the content nor the files of bob's hidden reply; bob sees both.
    const byAnn = (await as(world.app, ann).get(thread).expect(200)).body;
    const hiddenForAnn = byAnn.items[0].replies[0];
    assert.deepEqual([hiddenForAnn.body, hiddenForAnn.mentions, 'attachments' in hiddenForAnn], [null, [], false]);
    assert.equal(byAnn.items[0].attachments[0].name, 'Plan.docx');
    assert.deepEqual(byAnn.items[1].myReactions.sort(), ['like', 'thanks']);
    assert.deepEqual([byAnn.items[2].removed, byAnn.items[2].permissions], [true, { canEdit: false, canDelete: false, canModerate: false }]);
    const byBob = (await as(world.app, bob).get(thread).expect(200)).body;
    assert.equal(byBob.items[0].replies[0].attachments[0].name, 'Reactie.pdf', 'the author still sees their hidden reply with its file');
    assert.deepEqual(byBob.items[1].myReactions, []);
  });

  it('follows replies and the community: a hidden reply, a public community made closed, a deleted discussion', async () => {
    const manager = await person({ userId: 'fo-manager' });
    const member = await person({ userId: 'fo-member' });
    const c = await community(world, manager, { members: [member] });
    const start = ownFile(manager, 'Startnotitie.docx');
    const answer = ownFile(member, 'Antwoord.xlsx');
    const d = await as(world.app, manager).post(`/communities/${c.id}/discussions`, { title: 'Start', body: 'x', attachments: [start] }).expect(201);
    const r = await as(world.app, member).post(`/discussions/${d.body.id}/replies`, { body: 'y', attachments: [answer] }).expect(201);
    assert.equal(r.body.attachments[0].name, 'Antwoord.xlsx');
    assert.deepEqual(sharedWith(answer), { users: ['fo-manager'], organization: true });
    await as(world.app, manager).put(`/replies/${r.body.id}/hidden`).expect(200);
    assert.deepEqual(sharedWith(answer), { users: [], organization: false });
    assert.deepEqual(sharedWith(start), { users: ['fo-member'], organization: true });
    await as(world.app, manager).patch(`/communities/${c.id}`, { visibility: 'closed' }).expect(200);
    assert.deepEqual(sharedWith(start), { users: ['fo-member'], organization: false });
    await as(world.app, manager).delete(`/discussions/${d.body.id}`).expect(204);
    assert.deepEqual(sharedWith(start), { users: [], organization: false });
    assert.deepEqual(sharedWith(answer), { users: [], organization: false });
    assert.equal(await countWhereItemIn(AttachmentModel, [start.itemId, answer.itemId]), 0);
    assert.equal(await countWhereItemIn(AttachmentGrantModel, [start.itemId, answer.itemId]), 0);
  });

  it('shares the files of a public community that admits guests with the tenant’s guests, who read it without joining (a new one at their first sign-in); not with a guest it blocked, and with none once guests are turned off', async () => {
    const manager = await person({ userId: 'pg-manager' });
    const author = await person({ userId: 'pg-author' });
    const guestMember = await person({ userId: 'pg-guest-member', isGuest: true });
    const visitor = await person({ userId: 'pg-visitor', isGuest: true });
    const blocked = await person({ userId: 'pg-blocked', isGuest: true });
    const c = await community(world, manager, { visibility: 'public', guestsAllowed: true, members: [author, guestMember, blocked] });
    const file = ownFile(author, 'Informatiebrief.pdf');
    const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Brief', body: 'x', attachments: [file] }).expect(201);
    // The visitor reads the post without being a member; the organisation link does not reach a guest, so Meent invites them.
    await as(world.app, visitor).get(`/discussions/${d.body.id}`).expect(200);
    const guests = (await UserModel.find({ tenantId: author.tenantId, isGuest: true }, { userId: 1 }).lean<{ userId: string }[]>()).map((g) => g.userId);
    const expected = (...except: string[]) => [...new Set(['pg-manager', ...guests])].filter((id) => !except.includes(id)).sort();
    assert.ok(guests.includes(visitor.userId));
    assert.deepEqual(sharedWith(file), { users: expected(), organization: true });
    // A guest Meent meets later gets the file at their first sign-in (guestAdmitted), not at the next reconciliation.
    const newcomer = await person({ userId: 'pg-newcomer', isGuest: true });
    assert.ok(!sharedWith(file).users.includes(newcomer.userId));
    await world.attachments.guestAdmitted(newcomer.tenantId);
    guests.push(newcomer.userId);
    assert.deepEqual(sharedWith(file), { users: expected(), organization: true });
    await as(world.app, manager).patch(`/communities/${c.id}/members/${blocked.userId}`, { status: 'blocked' }).expect(200);
    await as(world.app, blocked).get(`/discussions/${d.body.id}`).expect(403);
    assert.deepEqual(sharedWith(file), { users: expected('pg-blocked'), organization: true });
    await as(world.app, manager).patch(`/communities/${c.id}`, { guestsAllowed: false }).expect(200);
    await as(world.app, visitor).get(`/discussions/${d.body.id}`).expect(404);
    assert.deepEqual(sharedWith(file), { users: ['pg-manager'], organization: true });
  });

  it('reconciles: a permission removed behind Meent’s back is granted again, one Meent did not grant stays, a vanished file is no longer available', async () => {
    const manager = await person({ userId: 'rc-manager' });
    const member = await person({ userId: 'rc-member' });
    const c = await community(world, manager, { visibility: 'closed', members: [member] });
    const file = ownFile(manager, 'Begroting.xlsx');
    const d = await as(world.app, manager).post(`/communities/${c.id}/discussions`, { title: 'Begroting', body: 'x', attachments: [file] }).expect(201);
    const [granted] = world.store.permissionsOf('app', file.driveId, file.itemId);
    assert.ok(granted);
    // The owner takes the member's permission away and shares with someone else, both outside Meent.
    world.store.deletePermission('app', file.driveId, file.itemId, granted.id);
    world.store.invite('app', file.driveId, file.itemId, ['rc-colleague'], ['read']);
    const later = new Date(FIXED_NOW.getTime() + 60 * 60_000);
    world.setNow(later);
    try {
      await world.attachments.reconcile(1000);
      assert.deepEqual(sharedWith(file).users, ['rc-colleague', 'rc-member']);
      const grants = await AttachmentGrantModel.find({ itemId: file.itemId }).lean();
      assert.deepEqual(grants.map((g) => g.userId), ['rc-member']);
      assert.notEqual(grants[0]?.permissionId, granted.id);
      assert.ok(world.store.permissionsOf('app', file.driveId, file.itemId).some((p) => p.id === grants[0]?.permissionId));
      const card = await AttachmentModel.findOne({ itemId: file.itemId }).lean();
      assert.equal(card?.checkedAt?.toISOString(), later.toISOString());
      // The file vanishes: its card says "no longer available", without a link.
      world.store.deleteItem(file.driveId, file.itemId);
      await world.attachments.reconcile(1000);
      const view = await as(world.app, member).get(`/discussions/${d.body.id}`).expect(200);
      assert.equal(view.body.attachments[0].available, false);
      assert.equal(view.body.attachments[0].webUrl, null);
      assert.equal(await AttachmentGrantModel.countDocuments({ itemId: file.itemId }), 0);
    } finally {
      world.setNow(FIXED_NOW);
    }
  });

  it('refuses a post with a file the actor cannot read or share, writes nothing, and takes back the grants of a post that failed', async () => {
    const manager = await person({ userId: 'rf-manager' });
    const author = await person({ userId: 'rf-author' });
    const stranger = await person({ userId: 'rf-stranger' });
    const c = await community(world, manager, { visibility: 'closed', members: [author] });
    const foreign = ownFile(stranger, 'Geheim.docx');
    const before = await DiscussionModel.countDocuments({ communityId: c.id });
    const unreadable = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Niet van mij', body: 'x', attachments: [foreign] }).expect(400);
    assert.equal(unreadable.body.code, 'attachment_unreadable');
    // Read-only access: the author can open it but not share it.
    world.store.invite('app', foreign.driveId, foreign.itemId, [author.userId], ['read']);
    const mine = ownFile(author, 'Eigen notitie.docx');
    const notShareable = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Twee bestanden', body: 'x', attachments: [mine, foreign] }).expect(403);
    assert.equal(notShareable.body.code, 'attachment_not_shareable');
    assert.equal(await DiscussionModel.countDocuments({ communityId: c.id }), before);
    assert.equal(await countWhereItemIn(AttachmentModel, [mine.itemId, foreign.itemId]), 0);
    // The first file had been shared with the manager before the second failed: taken back, on the drive and in the records.
    assert.deepEqual(sharedWith(mine), { users: [], organization: false });
    assert.equal(await AttachmentGrantModel.countDocuments({ itemId: mine.itemId }), 0);
    assert.deepEqual(sharedWith(foreign).users, [author.userId]);
  });

  it('finds a discussion by the name of an attached file', async () => {
    const author = await person({ userId: 'sr-author' });
    const reader = await person({ userId: 'sr-reader' });
    const c = await community(world, author, { members: [reader] });
    const file = ownFile(author, 'Waterpeilbesluit-Zuiderveld.pdf');
    const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Peilbesluit', body: 'Graag reacties', attachments: [file] }).expect(201);
    // A public community: the organisation link, and the members invited.
    assert.deepEqual(sharedWith(file), { users: ['sr-reader'], organization: true });
    const found = await as(world.app, reader).get('/search?q=Waterpeilbesluit').expect(200);
    assert.ok(
      found.body.items.some((x: { id: string }) => x.id === d.body.id),
      JSON.stringify(found.body),
    );
  });

  it('exports a person’s attachment records, and erasure leaves their file cards under "Former member" and takes back their grants', async () => {
    const author = await person({ userId: 'pd-author' });
    const reader = await person({ userId: 'pd-reader' });
    const c = await community(world, author, { visibility: 'closed', members: [reader] });
    const file = ownFile(author, 'Verslag.docx');
    const other = ownFile(reader, 'Reactie.docx');
    const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Verslag', body: 'x', attachments: [file] }).expect(201);
    await as(world.app, reader).post(`/discussions/${d.body.id}/replies`, { body: 'y', attachments: [other] }).expect(201);
    const exported = await world.exportOf(author);
    assert.deepEqual((exported['attachments.json'] as { name: string }[]).map((a) => a.name), ['Verslag.docx']);
    assert.deepEqual((exported['attachment-permissions.json'] as { itemId: string }[]).map((g) => g.itemId), [other.itemId]);
    assert.deepEqual(sharedWith(other).users, ['pd-author']);

    await world.erase(author);
    const cards = await AttachmentModel.find({ itemId: file.itemId }).lean();
    assert.equal(cards.length, 1);
    assert.equal(cards[0]?.authorId, FORMER_MEMBER_ID);
    assert.equal(await AttachmentGrantModel.countDocuments({ userId: author.userId }), 0);
    assert.deepEqual(sharedWith(other).users, [], 'the erased person no longer has the permission Meent granted');
    assert.equal(await AttachmentUploadModel.countDocuments({ userId: author.userId }), 0);
  });

  it('refuses uploads over the size limit or of blocked types and posts with more than 10 files, and changes nothing', async () => {
    const author = await person({ userId: 'bad-author' });
    const c = await community(world, author, { visibility: 'closed' });
    const uploadsBefore = await AttachmentUploadModel.countDocuments({});
    const tooLarge = await as(world.app, author).post(`/communities/${c.id}/uploads`, { name: 'Groot.zip', size: 251 * 1024 * 1024 }).expect(400);
    assert.equal(tooLarge.body.code, 'file_too_large');
    const blocked = await as(world.app, author).post(`/communities/${c.id}/uploads`, { name: 'installeer.exe', size: 1000 }).expect(400);
    assert.equal(blocked.body.code, 'file_type_blocked');
    assert.equal(await AttachmentUploadModel.countDocuments({}), uploadsBefore);
    const blockedFile = ownFile(author, 'script.exe');
    const attachBlocked = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Exe', body: 'x', attachments: [blockedFile] }).expect(400);
    assert.equal(attachBlocked.body.code, 'file_type_blocked');
    const eleven = Array.from({ length: 11 }, (_, i) => ownFile(author, `bestand-${i}.txt`));
    const tooMany = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Veel', body: 'x', attachments: eleven }).expect(400);
    assert.match(JSON.stringify(tooMany.body), /10/);
    assert.equal(await DiscussionModel.countDocuments({ communityId: c.id }), 0);
    assert.equal(await AttachmentModel.countDocuments({ authorId: author.userId }), 0);
    assert.equal(await countWhereItemIn(AttachmentGrantModel, [blockedFile.itemId, ...eleven.map((e) => e.itemId)]), 0);
    // A fragment that is not a multiple of 320 KiB (and not the last) is refused.
    const started = await as(world.app, author).post(`/communities/${c.id}/uploads`, { name: 'Klein.pdf', size: 2 * UPLOAD_FRAGMENT_UNIT }).expect(201);
    const odd = await putFragment(author, started.body.id, 0, Buffer.alloc(1000), 2 * UPLOAD_FRAGMENT_UNIT).expect(400);
    assert.equal(odd.body.code, 'invalid_range');
    const status = await as(world.app, author).get(`/uploads/${started.body.id}`).expect(200);
    assert.equal(status.body.nextOffset, 0);
  });
});

describe('attachments (HTTP, real database, the Graph drive gateway over the Graph stand-in)', function () {
  this.timeout(120_000);
  useTestDatabase('attachments-graph');
  let graph: GraphServer;
  let world: AttachmentsWorld;
  before(async () => {
    graph = await startGraphServer({ now: () => FIXED_NOW.getTime() });
    world = buildAttachmentsWorld({ graph });
  });
  after(async () => {
    world.dispose();
    await graph.stop();
  });

  it('shares an attached OneDrive file with exactly the readers and takes it back on leave, removal, block, hide and guests turned off', async () => {
    // Graph invites only people its directory knows.
    for (const role of ['manager', 'author', 'leaver', 'removed', 'blocked', 'guest', 'outsider']) graph.addUser({ id: `gm-${role}`, displayName: role });
    await permissionsFollowReaders(world, 'gm');
    // Every Graph call went through HTTP: invitations as the author, permissions taken back by the app by id.
    assert.ok(graph.requests.some((r) => r.method === 'POST' && r.path.endsWith('/invite')));
    assert.equal(graph.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/permissions/')).length, 5);
    assert.ok(graph.requests.every((r) => !r.path.endsWith('/createLink')), 'a closed community has no organisation link');
  });
});

/** Issue 21's main scenario: a OneDrive file attached to a post in a closed community is shared with exactly its readers, and taken back as they lose access. */
async function permissionsFollowReaders(world: AttachmentsWorld, p: string) {
  const manager = await person({ userId: `${p}-manager` });
  const author = await person({ userId: `${p}-author` });
  const leaver = await person({ userId: `${p}-leaver` });
  const removed = await person({ userId: `${p}-removed` });
  const blocked = await person({ userId: `${p}-blocked` });
  const guest = await person({ userId: `${p}-guest`, isGuest: true });
  const outsider = await person({ userId: `${p}-outsider` });
  const c = await community(world, manager, { visibility: 'closed', guestsAllowed: true, members: [author, leaver, removed, blocked, guest] });
  const note = world.ownFile(author, 'Conceptnotitie gebiedsproces Baakse Beek.docx');
  const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Conceptnotitie', body: 'Reacties vóór 15 december', attachments: [note] }).expect(201);
  assert.equal(d.body.attachments.length, 1);
  assert.equal(d.body.attachments[0].available, true);
  // The author owns the file; everyone else who may read the post is invited; a closed community has no organisation link.
  assert.deepEqual(world.sharedWith(note), { users: [`${p}-blocked`, `${p}-guest`, `${p}-leaver`, `${p}-manager`, `${p}-removed`], organization: false });
  assert.ok(!world.sharedWith(note).users.includes(outsider.userId));

  await as(world.app, leaver).delete(`/communities/${c.id}/members/${leaver.userId}`).expect(204);
  assert.deepEqual(world.sharedWith(note).users, [`${p}-blocked`, `${p}-guest`, `${p}-manager`, `${p}-removed`]);
  await as(world.app, manager).delete(`/communities/${c.id}/members/${removed.userId}`).expect(204);
  assert.deepEqual(world.sharedWith(note).users, [`${p}-blocked`, `${p}-guest`, `${p}-manager`]);
  await as(world.app, manager).patch(`/communities/${c.id}/members/${blocked.userId}`, { status: 'blocked' }).expect(200);
  assert.deepEqual(world.sharedWith(note).users, [`${p}-guest`, `${p}-manager`]);
  await as(world.app, manager).patch(`/communities/${c.id}`, { guestsAllowed: false }).expect(200);
  assert.deepEqual(world.sharedWith(note).users, [`${p}-manager`]);
  await as(world.app, manager).put(`/discussions/${d.body.id}/hidden`).expect(200);
  assert.deepEqual(world.sharedWith(note).users, []);
  await as(world.app, manager).delete(`/discussions/${d.body.id}/hidden`).expect(200);
  assert.deepEqual(world.sharedWith(note).users, [`${p}-manager`]);
  // What Meent recorded matches what the drive holds.
  const grants = await AttachmentGrantModel.find({ itemId: note.itemId }).lean();
  assert.deepEqual(grants.map((g) => g.userId).sort(), [`${p}-manager`]);
}
