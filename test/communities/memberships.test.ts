import assert from 'node:assert/strict';
import sinon from 'sinon';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { GraphDirectoryGateway } from '../../src/graph/directory-gateway.js';
import { createGraphClient } from '../../src/graph/graph-client.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { as, buildWorld, community, person, type TestWorld } from './communities-fixtures.js';

describe('community membership (HTTP, real database)', function () {
  this.timeout(60_000);
  useTestDatabase('members');
  const sandbox = sinon.createSandbox();
  let graph: GraphServer;
  let world: TestWorld;

  before(async () => {
    graph = await startGraphServer();
    const directory = new GraphDirectoryGateway({ graph: createGraphClient({ baseUrl: graph.baseUrl, getAccessToken: async () => 'token', retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 } }) });
    world = buildWorld({ directoryFor: () => directory });
  });
  after(async () => {
    await graph.stop();
  });
  afterEach(() => sandbox.restore());

  async function counts(id: string) {
    const c = await CommunityModel.findById(id).lean();
    return { members: c?.counts?.memberCount, managers: c?.counts?.managerCount };
  }

  it('lets an organisation member join a public community at once, and counts them', async () => {
    const manager = await person({ userId: 'pub-manager' });
    const joiner = await person({ userId: 'pub-joiner', name: 'Joris' });
    const c = await community(world, manager);
    const res = await as(world.app, joiner).post(`/communities/${c.id}/members`, {}).expect(201);
    assert.equal(res.body.outcome, 'joined');
    assert.equal(res.body.member.status, 'active');
    assert.equal(res.body.member.displayName, 'Joris');
    const again = await as(world.app, joiner).post(`/communities/${c.id}/members`, {}).expect(200);
    assert.equal(again.body.outcome, 'unchanged');
    assert.deepEqual(await counts(c.id), { members: 2, managers: 1 });
  });

  it('takes a request with a message for a closed community, tells the managers, and lets a manager approve it', async () => {
    const manager = await person({ userId: 'cl-manager' });
    const asker = await person({ userId: 'cl-asker' });
    const c = await community(world, manager, { visibility: 'closed' });
    const res = await as(world.app, asker).post(`/communities/${c.id}/members`, { message: 'Ik werk aan de KRW-opgave' }).expect(201);
    assert.equal(res.body.outcome, 'requested');
    const told = await NotificationModel.findOne({ recipientId: 'cl-manager', kind: 'membershipRequested' }).lean();
    assert.equal(told?.subject?.id, c.id);
    const pending = await as(world.app, manager).get(`/communities/${c.id}/members?status=requested`).expect(200);
    assert.deepEqual(pending.body.items.map((m: { userId: string; message: string }) => [m.userId, m.message]), [['cl-asker', 'Ik werk aan de KRW-opgave']]);
    // The asker cannot read the content yet.
    await as(world.app, asker).get(`/communities/${c.id}/discussions`).expect(403);
    const approved = await as(world.app, manager).patch(`/communities/${c.id}/members/cl-asker`, { status: 'active' }).expect(200);
    assert.equal(approved.body.status, 'active');
    assert.ok(await NotificationModel.exists({ recipientId: 'cl-asker', kind: 'membershipApproved' }));
    await as(world.app, asker).get(`/communities/${c.id}/discussions`).expect(200);
    assert.deepEqual(await counts(c.id), { members: 2, managers: 1 });
  });

  it('lets a manager decline a request, which tells the asker', async () => {
    const manager = await person({ userId: 'dec-manager' });
    const asker = await person({ userId: 'dec-asker' });
    const c = await community(world, manager, { visibility: 'closed' });
    await as(world.app, asker).post(`/communities/${c.id}/members`, {}).expect(201);
    await as(world.app, manager).delete(`/communities/${c.id}/members/dec-asker`).expect(204);
    assert.equal(await MembershipModel.countDocuments({ userId: 'dec-asker' }), 0);
    assert.ok(await NotificationModel.exists({ recipientId: 'dec-asker', kind: 'membershipDeclined' }));
  });

  it('makes secret communities invitation-only: the invitee sees it and accepts, others get 404', async () => {
    const manager = await person({ userId: 'sec-manager' });
    const invitee = await person({ userId: 'sec-invitee' });
    const outsider = await person({ userId: 'sec-outsider' });
    const c = await community(world, manager, { visibility: 'secret', name: 'Reorganisatie' });
    await as(world.app, outsider).post(`/communities/${c.id}/members`, {}).expect(404);
    const invited = await as(world.app, manager).post(`/communities/${c.id}/members`, { userId: 'sec-invitee', message: 'Doe mee' }).expect(201);
    assert.equal(invited.body.outcome, 'invited');
    assert.ok(await NotificationModel.exists({ recipientId: 'sec-invitee', kind: 'membershipInvited' }));
    const seen = await as(world.app, invitee).get(`/communities/${c.id}`).expect(200);
    assert.deepEqual(seen.body.membership, { role: 'member', status: 'invited' });
    assert.equal(seen.body.permissions.canRead, false);
    const accepted = await as(world.app, invitee).post(`/communities/${c.id}/members`, {}).expect(201);
    assert.equal(accepted.body.outcome, 'accepted');
    assert.deepEqual(await counts(c.id), { members: 2, managers: 1 });
  });

  it('invites by e-mail address through the directory (Graph), also a guest where guests are admitted', async () => {
    const manager = await person({ userId: 'mail-manager' });
    const employee = graph.addUser({ displayName: 'Anna de Vries', mail: 'anna@waterschap.nl', userPrincipalName: 'anna@waterschap.nl', userType: 'Member' });
    const partner = graph.addUser({ displayName: 'Piet', mail: 'piet@adviesbureau.nl', userPrincipalName: 'piet_adviesbureau.nl#EXT#@waterschap.onmicrosoft.com', userType: 'Guest' });
    const closedToGuests = await community(world, manager, { visibility: 'closed' });
    const res = await as(world.app, manager).post(`/communities/${closedToGuests.id}/members`, { email: 'anna@waterschap.nl' }).expect(201);
    assert.equal(res.body.member.userId, employee.id);
    assert.equal(res.body.member.displayName, 'Anna de Vries');
    const refused = await as(world.app, manager).post(`/communities/${closedToGuests.id}/members`, { email: 'piet@adviesbureau.nl' }).expect(409);
    assert.equal(refused.body.code, 'guests_not_allowed');
    const openToGuests = await community(world, manager, { visibility: 'closed', guestsAllowed: true });
    const guestInvite = await as(world.app, manager).post(`/communities/${openToGuests.id}/members`, { email: 'piet@adviesbureau.nl' }).expect(201);
    assert.equal(guestInvite.body.member.isGuest, true);
    assert.equal(guestInvite.body.member.userId, partner.id);
    const unknown = await as(world.app, manager).post(`/communities/${openToGuests.id}/members`, { email: 'nobody@elders.nl' }).expect(404);
    assert.equal(unknown.body.code, 'user_not_found');
  });

  it('keeps guests out of communities that do not admit them, and lets them join those that do', async () => {
    const manager = await person({ userId: 'g-manager' });
    const guest = await person({ userId: 'g-guest', isGuest: true });
    const closedDoor = await community(world, manager);
    await as(world.app, guest).get(`/communities/${closedDoor.id}`).expect(404);
    await as(world.app, guest).post(`/communities/${closedDoor.id}/members`, {}).expect(404);
    const open = await community(world, manager, { guestsAllowed: true });
    await as(world.app, guest).post(`/communities/${open.id}/members`, {}).expect(201);
    // When the community stops admitting guests, the guest's membership no longer counts for access.
    await as(world.app, manager).patch(`/communities/${open.id}`, { guestsAllowed: false }).expect(200);
    await as(world.app, guest).get(`/communities/${open.id}/discussions`).expect(404);
  });

  it('never lets the last manager leave or be demoted, also when two managers try at the same time', async () => {
    const first = await person({ userId: 'lm-first' });
    const second = await person({ userId: 'lm-second' });
    const c = await community(world, first, { members: [second] });
    const alone = await as(world.app, first).delete(`/communities/${c.id}/members/lm-first`).expect(409);
    assert.equal(alone.body.code, 'last_manager');
    await as(world.app, first).patch(`/communities/${c.id}/members/lm-first`, { role: 'member' }).expect(409);
    await as(world.app, first).patch(`/communities/${c.id}/members/lm-second`, { role: 'manager' }).expect(200);
    assert.deepEqual(await counts(c.id), { members: 2, managers: 2 });
    // Both leave at once: exactly one may.
    const results = await Promise.all([as(world.app, first).delete(`/communities/${c.id}/members/lm-first`), as(world.app, second).delete(`/communities/${c.id}/members/lm-second`)]);
    assert.deepEqual(results.map((r) => r.status).sort(), [204, 409]);
    assert.equal(await MembershipModel.countDocuments({ communityId: c.id, role: 'manager', status: 'active' }), 1);
    assert.deepEqual(await counts(c.id), { members: 1, managers: 1 });
  });

  it('finds members by the start of a word of their name, within the status asked for', async () => {
    const manager = await person({ userId: 'ms-manager', name: 'Marit Smit' });
    const anna = await person({ userId: 'ms-anna', name: 'Anna de Boer' });
    const annelies = await person({ userId: 'ms-annelies', name: 'Annelies Visser' });
    const bert = await person({ userId: 'ms-bert', name: 'Bert Annema' });
    const c = await community(world, manager, { visibility: 'closed', members: [anna, bert] });
    await as(world.app, annelies).post(`/communities/${c.id}/members`, {}).expect(201);
    const names = async (query: string) =>
      ((await as(world.app, manager).get(`/communities/${c.id}/members?${query}`).expect(200)).body.items as Array<{ displayName: string }>).map((m) => m.displayName).sort();
    assert.deepEqual(await names('q=ann'), ['Anna de Boer', 'Bert Annema'], 'active members only; a later word counts too');
    assert.deepEqual(await names('q=ann&status=requested'), ['Annelies Visser']);
    assert.deepEqual(await names('q=anna%20boer'), ['Anna de Boer'], 'every word must match');
    assert.deepEqual(await names('q=zz'), []);
    // Text is matched as words, never as a pattern.
    assert.deepEqual(await names('q=.*'), []);
  });

  it('counts every one of many concurrent joins exactly once', async () => {
    const manager = await person({ userId: 'cc-manager' });
    const c = await community(world, manager);
    const joiners = await Promise.all(Array.from({ length: 12 }, (_, i) => person({ userId: `cc-joiner-${i}` })));
    // Each joins twice at once as well: one membership per person (unique index), counted once.
    const results = await Promise.all(joiners.flatMap((j) => [as(world.app, j).post(`/communities/${c.id}/members`, {}), as(world.app, j).post(`/communities/${c.id}/members`, {})]));
    assert.ok(results.every((r) => r.status === 201 || r.status === 200), results.map((r) => r.status).join(','));
    assert.equal(await MembershipModel.countDocuments({ communityId: c.id }), 13);
    assert.deepEqual(await counts(c.id), { members: 13, managers: 1 });
  });

  it('blocks a member (audited): they lose access, cannot join again, and a manager can lift the block', async () => {
    const manager = await person({ userId: 'bl-manager' });
    const troll = await person({ userId: 'bl-troll' });
    const c = await community(world, manager, { members: [troll] });
    await as(world.app, troll).patch(`/communities/${c.id}/members/bl-troll`, { status: 'blocked' }).expect(403);
    const blocked = await as(world.app, manager).patch(`/communities/${c.id}/members/bl-troll`, { status: 'blocked' }).expect(200);
    assert.equal(blocked.body.status, 'blocked');
    assert.ok(await AuditEntryModel.exists({ kind: 'community.member_blocked', subjectId: 'bl-troll' }));
    await as(world.app, troll).get(`/communities/${c.id}/discussions`).expect(403);
    await as(world.app, troll).post(`/communities/${c.id}/members`, {}).expect(403);
    await as(world.app, troll).delete(`/communities/${c.id}/members/bl-troll`).expect(403);
    assert.deepEqual(await counts(c.id), { members: 1, managers: 1 });
    await as(world.app, manager).delete(`/communities/${c.id}/members/bl-troll`).expect(204);
    await as(world.app, troll).post(`/communities/${c.id}/members`, {}).expect(201);
  });

  it('removes a member (audited) and lets a member leave', async () => {
    const manager = await person({ userId: 'rm-manager' });
    const a = await person({ userId: 'rm-a' });
    const b = await person({ userId: 'rm-b' });
    const c = await community(world, manager, { members: [a, b] });
    await as(world.app, a).delete(`/communities/${c.id}/members/rm-b`).expect(403);
    await as(world.app, manager).delete(`/communities/${c.id}/members/rm-b`).expect(204);
    assert.ok(await AuditEntryModel.exists({ kind: 'community.member_removed', subjectId: 'rm-b' }));
    await as(world.app, a).delete(`/communities/${c.id}/members/rm-a`).expect(204);
    await as(world.app, a).delete(`/communities/${c.id}/members/rm-a`).expect(404);
    assert.deepEqual(await counts(c.id), { members: 1, managers: 1 });
  });

  it('lists members with roles and exports them as CSV for managers (Dutch Excel: `;`, BOM), neutralising formulas also after a separator inside a value', async () => {
    const manager = await person({ userId: 'csv-manager', name: 'Marieke', organisation: 'Waterschap Noord' });
    const sly = await person({ userId: 'csv-sly', name: '=HYPERLINK("http://evil")', mail: 'sly@example.nl', organisation: 'LTO;=1+1;' });
    const c = await community(world, manager, { members: [sly] });
    const list = await as(world.app, sly).get(`/communities/${c.id}/members`).expect(200);
    assert.deepEqual(list.body.items.map((m: { userId: string; role: string }) => [m.userId, m.role]).sort(), [['csv-manager', 'manager'], ['csv-sly', 'member']]);
    const csv = await as(world.app, manager).get(`/communities/${c.id}/members/export`).expect(200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /attachment/);
    assert.match(String(csv.headers['content-disposition']), /filename="members-[a-z0-9-]+\.csv"/);
    assert.ok(csv.text.startsWith('\uFEFF'), 'a byte order mark, so that Excel reads UTF-8');
    const lines = csv.text.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    assert.equal(lines[0], '"name";"email";"organisation";"function";"role";"guest";"joinedAt"');
    assert.ok(lines.some((l) => l.startsWith('"Marieke";"";"Waterschap Noord";"";"manager";"no";')));
    // Dutch Excel splits on `;`: the organisation stays one cell, and its formula stays text.
    assert.ok(lines.some((l) => l.startsWith(`"'=HYPERLINK(""http://evil"")";"sly@example.nl";"LTO;'=1+1;";`)), lines.join('\n'));
  });

  it('lets admins restrict community creation to admins', async () => {
    const admin = await person({ userId: 'set-admin', isOrgAdmin: true });
    const member = await person({ userId: 'set-member' });
    const guest = await person({ userId: 'set-guest', isGuest: true });
    await as(world.app, guest).post('/communities', { name: 'Van een gast' }).expect(403);
    await as(world.app, member).patch('/settings/communities', { communityCreation: 'admins' }).expect(403);
    await as(world.app, admin).patch('/settings/communities', { communityCreation: 'admins' }).expect(200);
    const refused = await as(world.app, member).post('/communities', { name: 'Mag niet' }).expect(403);
    assert.equal(refused.body.code, 'community_creation_restricted');
    await as(world.app, admin).post('/communities', { name: 'Mag wel' }).expect(201);
    const settings = await as(world.app, member).get('/settings/communities').expect(200);
    assert.deepEqual(settings.body, { communityCreation: 'admins', autoHideThreshold: 3 });
    await as(world.app, admin).patch('/settings/communities', { communityCreation: 'members' }).expect(200);
  });
});
