import assert from 'node:assert/strict';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { ReportModel } from '../../src/moderation/report.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { SearchEntryModel } from '../../src/search-index/search-entry.model.js';
import { useTestDatabase } from '../support/database.js';
import { as, buildWorld, community, person, type TestWorld } from '../communities/communities-fixtures.js';

describe('moderation (HTTP, real database)', function () {
  this.timeout(60_000);
  useTestDatabase('moderation');
  let world: TestWorld;
  before(() => {
    world = buildWorld();
  });

  it('takes one report per person and target, tells the managers, and shows them the queue', async () => {
    const manager = await person({ userId: 'q-manager' });
    const author = await person({ userId: 'q-author' });
    const reporter = await person({ userId: 'q-reporter' });
    const other = await person({ userId: 'q-other' });
    const c = await community(world, manager, { members: [author, reporter, other] });
    const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Koop nu', body: 'spam' }).expect(201);
    const first = await as(world.app, reporter).post('/reports', { targetType: 'discussion', targetId: d.body.id, reason: 'spam' }).expect(201);
    const again = await as(world.app, reporter).post('/reports', { targetType: 'discussion', targetId: d.body.id, reason: 'abuse' }).expect(201);
    assert.equal(again.body.id, first.body.id);
    assert.equal(await ReportModel.countDocuments({ targetId: d.body.id }), 1);
    assert.ok(await NotificationModel.exists({ recipientId: 'q-manager', kind: 'contentReported' }));
    assert.ok(await AuditEntryModel.exists({ kind: 'report.created', actorId: 'q-reporter', subjectId: first.body.id }));
    await as(world.app, author).post('/reports', { targetType: 'discussion', targetId: d.body.id, reason: 'spam' }).expect(400);
    await as(world.app, reporter).post('/reports', { targetType: 'discussion', targetId: d.body.id, reason: 'other' }).expect(400);
    const queue = await as(world.app, manager).get('/reports').expect(200);
    assert.deepEqual(queue.body.items.map((r: { targetId: string; reportCount: number }) => [r.targetId, r.reportCount]), [[d.body.id, 1]]);
    await as(world.app, other).get('/reports').expect(403);
    const resolved = await as(world.app, manager).patch(`/reports/${first.body.id}`, { status: 'resolved' }).expect(200);
    assert.equal(resolved.body.status, 'resolved');
    await as(world.app, other).patch(`/reports/${first.body.id}`, { status: 'dismissed' }).expect(403);
    assert.ok(await AuditEntryModel.exists({ kind: 'report.resolved', subjectId: first.body.id }));
  });

  it('hides content automatically after the threshold of distinct reports, and unhiding starts the count again', async () => {
    const manager = await person({ userId: 'ah-manager' });
    const author = await person({ userId: 'ah-author' });
    const reporters = await Promise.all(['a', 'b', 'c', 'd'].map((x) => person({ userId: `ah-reporter-${x}` })));
    const outsider = await person({ userId: 'ah-outsider' });
    const c = await community(world, manager, { members: [author, ...reporters] });
    const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Scheldpartij', body: 'lelijk' }).expect(201);
    const [r1, r2, r3, r4] = reporters;
    assert.ok(r1 && r2 && r3 && r4);
    await as(world.app, r1).post('/reports', { targetType: 'discussion', targetId: d.body.id, reason: 'abuse' }).expect(201);
    await as(world.app, r2).post('/reports', { targetType: 'discussion', targetId: d.body.id, reason: 'abuse' }).expect(201);
    await as(world.app, outsider).get(`/discussions/${d.body.id}`).expect(200);
    const third = await as(world.app, r3).post('/reports', { targetType: 'discussion', targetId: d.body.id, reason: 'other', text: 'Beledigend' }).expect(201);
    assert.equal(third.body.targetHidden, true);
    const stored = await DiscussionModel.findById(d.body.id).lean();
    assert.equal(stored?.hiddenReason, 'reports');
    assert.ok(await AuditEntryModel.exists({ kind: 'content.auto_hidden', subjectId: d.body.id }));
    assert.ok(await NotificationModel.exists({ recipientId: 'ah-author', kind: 'contentHidden' }));
    // Hidden: gone for others (lists, reads, search), still there for the author (marked) and managers.
    await as(world.app, outsider).get(`/discussions/${d.body.id}`).expect(404);
    const list = await as(world.app, outsider).get(`/communities/${c.id}/discussions`).expect(200);
    assert.equal(list.body.items.length, 0);
    const own = await as(world.app, author).get(`/discussions/${d.body.id}`).expect(200);
    assert.equal(own.body.hidden, true);
    assert.equal((await SearchEntryModel.findOne({ itemId: d.body.id }).lean())?.hidden, true);
    // A hidden discussion is invisible to those who may not moderate it.
    await as(world.app, r1).delete(`/discussions/${d.body.id}/hidden`).expect(404);
    await as(world.app, manager).delete(`/discussions/${d.body.id}/hidden`).expect(200);
    assert.ok(await AuditEntryModel.exists({ kind: 'content.unhidden', subjectId: d.body.id }));
    assert.equal(await ReportModel.countDocuments({ targetId: d.body.id, status: 'open' }), 0);
    await as(world.app, outsider).get(`/discussions/${d.body.id}`).expect(200);
    const fourth = await as(world.app, r4).post('/reports', { targetType: 'discussion', targetId: d.body.id, reason: 'spam' }).expect(201);
    assert.equal(fourth.body.targetHidden, false);
  });

  it('follows the tenant threshold setting', async () => {
    const admin = await person({ userId: 'th-admin', isOrgAdmin: true });
    const manager = await person({ userId: 'th-manager' });
    const author = await person({ userId: 'th-author' });
    const reporter = await person({ userId: 'th-reporter' });
    const c = await community(world, manager, { members: [author, reporter] });
    await as(world.app, admin).patch('/settings/communities', { autoHideThreshold: 1 }).expect(200);
    const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 't', body: 'x' }).expect(201);
    const r = await as(world.app, author).post(`/discussions/${d.body.id}/replies`, { body: 'lelijk' }).expect(201);
    const report = await as(world.app, reporter).post('/reports', { targetType: 'reply', targetId: r.body.id, reason: 'abuse' }).expect(201);
    assert.equal(report.body.targetHidden, true);
    const thread = await as(world.app, reporter).get(`/discussions/${d.body.id}/replies`).expect(200);
    assert.equal(thread.body.items[0].hidden, true);
    assert.equal(thread.body.items[0].body, null);
    const managerView = await as(world.app, manager).get(`/discussions/${d.body.id}/replies`).expect(200);
    assert.equal(managerView.body.items[0].body.source, 'lelijk');
    await as(world.app, admin).patch('/settings/communities', { autoHideThreshold: 3 }).expect(200);
  });

  it('lets managers hide and unhide replies by hand (audited), and reports about people go to the community or the admins', async () => {
    const manager = await person({ userId: 'hh-manager' });
    const member = await person({ userId: 'hh-member' });
    const admin = await person({ userId: 'hh-admin', isOrgAdmin: true });
    const c = await community(world, manager, { members: [member] });
    const d = await as(world.app, member).post(`/communities/${c.id}/discussions`, { title: 't', body: 'x' }).expect(201);
    const r = await as(world.app, member).post(`/discussions/${d.body.id}/replies`, { body: 'y' }).expect(201);
    const hidden = await as(world.app, manager).put(`/replies/${r.body.id}/hidden`).expect(200);
    assert.deepEqual(hidden.body, { hidden: true, hiddenReason: 'moderator' });
    assert.ok(await AuditEntryModel.exists({ kind: 'content.hidden', actorId: 'hh-manager', subjectId: r.body.id }));
    await as(world.app, manager).delete(`/replies/${r.body.id}/hidden`).expect(200);
    const inCommunity = await as(world.app, member).post('/reports', { targetType: 'person', targetId: 'hh-manager', reason: 'abuse', communityId: c.id }).expect(201);
    assert.equal(inCommunity.body.communityId, c.id);
    const general = await as(world.app, manager).post('/reports', { targetType: 'person', targetId: 'hh-member', reason: 'other', text: 'Stuurt ongevraagd berichten' }).expect(201);
    assert.equal(general.body.communityId, null);
    await as(world.app, manager).patch(`/reports/${general.body.id}`, { status: 'dismissed' }).expect(404);
    const adminQueue = await as(world.app, admin).get('/reports').expect(200);
    assert.ok(adminQueue.body.items.some((x: { id: string }) => x.id === general.body.id));
    await as(world.app, admin).patch(`/reports/${general.body.id}`, { status: 'dismissed' }).expect(200);
    await as(world.app, member).post('/reports', { targetType: 'person', targetId: 'hh-member', reason: 'spam' }).expect(400);
    await as(world.app, member).post('/reports', { targetType: 'person', targetId: 'nobody-at-all', reason: 'spam' }).expect(404);
  });
});
