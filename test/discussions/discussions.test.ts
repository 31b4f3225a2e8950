import assert from 'node:assert/strict';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { ReactionModel } from '../../src/discussions/reaction.model.js';
import { ReplyModel } from '../../src/discussions/reply.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { useTestDatabase } from '../support/database.js';
import { as, buildWorld, community, person, type TestWorld } from '../communities/communities-fixtures.js';
import { bulkDiscussions, bulkReplies } from '../support/bulk-discussions.js';

describe('discussions and replies (HTTP, real database)', function () {
  this.timeout(60_000);
  useTestDatabase('discussions');
  let world: TestWorld;
  before(() => {
    world = buildWorld();
  });

  it('renders Markdown to sanitized HTML: no scripts, no raw HTML, safe links only', async () => {
    const author = await person({ userId: 'md-author' });
    const c = await community(world, author);
    const body = [
      '**Vet** en _schuin_, [link](https://www.rijksoverheid.nl) en [kwaad](javascript:alert(1))',
      '<script>alert(1)</script><img src=x onerror=alert(1)>',
      '> citaat',
      '- een\n- twee',
      '`code`',
    ].join('\n\n');
    const res = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: '<b>Titel</b>', body }).expect(201);
    const html: string = res.body.body.html;
    assert.ok(!/<script|<img|<[^>]*\sonerror|javascript:/i.test(html), html);
    assert.match(html, /<strong>Vet<\/strong>/);
    assert.match(html, /<a href="https:\/\/www\.rijksoverheid\.nl" rel="noopener noreferrer nofollow">link<\/a>/);
    assert.match(html, /<blockquote>/);
    assert.match(html, /<li>een<\/li>/);
    assert.match(html, /&lt;script&gt;/);
    // The title is plain text: kept as typed, the client escapes it.
    assert.equal(res.body.title, '<b>Titel</b>');
    assert.equal(res.body.body.source, body);
  });

  it('keeps the edit history and marks the discussion edited', async () => {
    const author = await person({ userId: 'ed-author' });
    const c = await community(world, author);
    const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Eerste versie', body: 'Oud' }).expect(201);
    assert.equal(d.body.editedAt, null);
    const edited = await as(world.app, author).patch(`/discussions/${d.body.id}`, { title: 'Tweede versie', body: 'Nieuw' }).expect(200);
    assert.notEqual(edited.body.editedAt, null);
    assert.equal(edited.body.title, 'Tweede versie');
    assert.deepEqual(edited.body.history.map((h: { title: string; body: string }) => [h.title, h.body]), [['Eerste versie', 'Oud']]);
  });

  it('nests replies one level: a reply to a nested reply is attached to its parent', async () => {
    const author = await person({ userId: 'nest-author' });
    const other = await person({ userId: 'nest-other' });
    const c = await community(world, author, { members: [other] });
    const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Draad', body: 'Start' }).expect(201);
    const top = await as(world.app, other).post(`/discussions/${d.body.id}/replies`, { body: 'Top' }).expect(201);
    const child = await as(world.app, author).post(`/discussions/${d.body.id}/replies`, { body: 'Kind', parentId: top.body.id }).expect(201);
    const grandchild = await as(world.app, other).post(`/discussions/${d.body.id}/replies`, { body: 'Kleinkind', parentId: child.body.id }).expect(201);
    assert.equal(child.body.parentId, top.body.id);
    assert.equal(grandchild.body.parentId, top.body.id);
    const thread = await as(world.app, author).get(`/discussions/${d.body.id}/replies`).expect(200);
    assert.equal(thread.body.items.length, 1);
    assert.deepEqual(thread.body.items[0].replies.map((r: { body: { source: string } }) => r.body.source), ['Kind', 'Kleinkind']);
    const foreign = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Andere', body: 'x' }).expect(201);
    const wrong = await as(world.app, other).post(`/discussions/${foreign.body.id}/replies`, { body: 'x', parentId: top.body.id }).expect(400);
    assert.equal(wrong.body.code, 'parent_not_in_discussion');
  });

  it('edits replies with history, and deleting one leaves a removed placeholder that keeps the thread', async () => {
    const manager = await person({ userId: 'rep-manager' });
    const author = await person({ userId: 'rep-author' });
    const c = await community(world, manager, { members: [author] });
    const d = await as(world.app, manager).post(`/communities/${c.id}/discussions`, { title: 'Vraag', body: 'x' }).expect(201);
    const top = await as(world.app, author).post(`/discussions/${d.body.id}/replies`, { body: 'Eerst' }).expect(201);
    await as(world.app, manager).post(`/discussions/${d.body.id}/replies`, { body: 'Onder', parentId: top.body.id }).expect(201);
    const edited = await as(world.app, author).patch(`/replies/${top.body.id}`, { body: 'Daarna' }).expect(200);
    assert.notEqual(edited.body.editedAt, null);
    assert.deepEqual(edited.body.history.map((h: { body: string }) => h.body), ['Eerst']);
    await as(world.app, manager).delete(`/replies/${top.body.id}`).expect(204);
    assert.ok(await AuditEntryModel.exists({ kind: 'reply.removed', subjectId: top.body.id }));
    const thread = await as(world.app, author).get(`/discussions/${d.body.id}/replies`).expect(200);
    assert.equal(thread.body.items[0].removed, true);
    assert.equal(thread.body.items[0].body, null);
    assert.equal(thread.body.items[0].replies.length, 1);
    const stored = await ReplyModel.findById(top.body.id).lean();
    assert.equal(stored?.body?.source, '');
    assert.deepEqual(stored?.history, []);
    await as(world.app, author).patch(`/replies/${top.body.id}`, { body: 'Terug' }).expect(409);
    const fresh = await as(world.app, author).get(`/discussions/${d.body.id}`).expect(200);
    assert.equal(fresh.body.replyCount, 1);
  });

  it('gives each reader of a thread page their own permissions per reply author, the same for every reply by one author', async () => {
    const manager = await person({ userId: 'perm-manager' });
    const ann = await person({ userId: 'perm-ann' });
    const bob = await person({ userId: 'perm-bob' });
    const c = await community(world, manager, { members: [ann, bob] });
    const d = await as(world.app, manager).post(`/communities/${c.id}/discussions`, { title: 'Wie mag wat', body: 'x' }).expect(201);
    const byAnn = await as(world.app, ann).post(`/discussions/${d.body.id}/replies`, { body: 'Ann 1' }).expect(201);
    await as(world.app, bob).post(`/discussions/${d.body.id}/replies`, { body: 'Bob 1', parentId: byAnn.body.id }).expect(201);
    await as(world.app, ann).post(`/discussions/${d.body.id}/replies`, { body: 'Ann 2' }).expect(201);
    const removed = await as(world.app, ann).post(`/discussions/${d.body.id}/replies`, { body: 'Ann 3' }).expect(201);
    await as(world.app, ann).delete(`/replies/${removed.body.id}`).expect(204);
    type Item = { author: { id: string }; removed: boolean; permissions: { canEdit: boolean; canDelete: boolean; canModerate: boolean }; replies: Item[] };
    const seen = async (reader: typeof ann) => {
      const page = await as(world.app, reader).get(`/discussions/${d.body.id}/replies`).expect(200);
      return (page.body.items as Item[]).flatMap((i) => [i, ...i.replies]).map((i) => [i.author.id, i.removed, i.permissions.canEdit, i.permissions.canDelete, i.permissions.canModerate]);
    };
    assert.deepEqual(await seen(ann), [
      ['perm-ann', false, true, true, false],
      ['perm-bob', false, false, false, false],
      ['perm-ann', false, true, true, false],
      ['perm-ann', true, false, false, false],
    ]);
    assert.deepEqual(await seen(bob), [
      ['perm-ann', false, false, false, false],
      ['perm-bob', false, true, true, false],
      ['perm-ann', false, false, false, false],
      ['perm-ann', true, false, false, false],
    ]);
    const byManager = await seen(manager);
    assert.deepEqual(byManager.map(([, removedOne, , canDelete, canModerate]) => [removedOne, canDelete, canModerate]), [
      [false, true, true],
      [false, true, true],
      [false, true, true],
      [true, false, true],
    ]);
  });

  it('keeps one reaction of each kind per person, with exact counts under concurrency', async () => {
    const author = await person({ userId: 'rx-author' });
    const fans = await Promise.all(Array.from({ length: 8 }, (_, i) => person({ userId: `rx-fan-${i}` })));
    const c = await community(world, author, { members: fans });
    const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Mooi', body: 'x' }).expect(201);
    // Every fan likes it twice at once, and thanks once.
    await Promise.all(fans.flatMap((f) => [as(world.app, f).put(`/discussions/${d.body.id}/reactions/like`), as(world.app, f).put(`/discussions/${d.body.id}/reactions/like`), as(world.app, f).put(`/discussions/${d.body.id}/reactions/thanks`)]));
    const after = await as(world.app, author).get(`/discussions/${d.body.id}`).expect(200);
    assert.equal(after.body.reactions.like, 8);
    assert.equal(after.body.reactions.thanks, 8);
    assert.equal(await ReactionModel.countDocuments({ targetId: d.body.id }), 16);
    const fan = fans[0];
    assert.ok(fan);
    const undone = await as(world.app, fan).delete(`/discussions/${d.body.id}/reactions/like`).expect(200);
    assert.equal(undone.body.reactions.like, 7);
    assert.deepEqual(undone.body.mine, ['thanks']);
    const twice = await as(world.app, fan).delete(`/discussions/${d.body.id}/reactions/like`).expect(200);
    assert.equal(twice.body.reactions.like, 7);
    await as(world.app, fan).put(`/discussions/${d.body.id}/reactions/shrug`).expect(400);
  });

  it('follows automatically, notifies followers of replies (idempotently) and mentions, and tracks unread replies', async () => {
    const asker = await person({ userId: 'fl-asker' });
    const helper = await person({ userId: 'fl-helper' });
    const reader = await person({ userId: 'fl-reader' });
    const c = await community(world, asker, { members: [helper, reader] });
    const d = await as(world.app, asker).post(`/communities/${c.id}/discussions`, { title: 'Hulp', body: 'x', kind: 'question' }).expect(201);
    assert.equal(d.body.following, true);
    assert.ok(await NotificationModel.exists({ recipientId: 'fl-reader', kind: 'newDiscussion', 'subject.id': d.body.id }));
    await as(world.app, reader).put(`/discussions/${d.body.id}/follow`).expect(200);
    const r = await as(world.app, helper).post(`/discussions/${d.body.id}/replies`, { body: 'Zo @fl-reader', mentions: ['fl-reader'] }).expect(201);
    assert.ok(await NotificationModel.exists({ recipientId: 'fl-asker', kind: 'reply', 'subject.id': r.body.id }));
    // Mentioned followers get the mention, not also the reply.
    assert.ok(await NotificationModel.exists({ recipientId: 'fl-reader', kind: 'mention', 'subject.id': r.body.id }));
    assert.equal(await NotificationModel.exists({ recipientId: 'fl-reader', kind: 'reply', 'subject.id': r.body.id }), null);
    assert.equal(await NotificationModel.exists({ recipientId: 'fl-helper', 'subject.id': r.body.id }), null);
    const list = await as(world.app, asker).get(`/communities/${c.id}/discussions`).expect(200);
    assert.equal(list.body.items[0].unreadCount, 1);
    await as(world.app, asker).get(`/discussions/${d.body.id}`).expect(200);
    const read = await as(world.app, asker).get(`/communities/${c.id}/discussions`).expect(200);
    assert.equal(read.body.items[0].unreadCount, 0);
    // The helper now follows (replied), the reader stops following.
    await as(world.app, reader).delete(`/discussions/${d.body.id}/follow`).expect(200);
    const r2 = await as(world.app, asker).post(`/discussions/${d.body.id}/replies`, { body: 'Dank!' }).expect(201);
    assert.ok(await NotificationModel.exists({ recipientId: 'fl-helper', kind: 'reply', 'subject.id': r2.body.id }));
    assert.equal(await NotificationModel.exists({ recipientId: 'fl-reader', 'subject.id': r2.body.id }), null);
  });

  it('lets the asker accept one reply as the answer, and tells its author', async () => {
    const asker = await person({ userId: 'ans-asker' });
    const a = await person({ userId: 'ans-a' });
    const b = await person({ userId: 'ans-b' });
    const c = await community(world, asker, { members: [a, b] });
    const q = await as(world.app, asker).post(`/communities/${c.id}/discussions`, { title: 'Wie weet het?', body: 'x', kind: 'question' }).expect(201);
    const ra = await as(world.app, a).post(`/discussions/${q.body.id}/replies`, { body: 'A' }).expect(201);
    const rb = await as(world.app, b).post(`/discussions/${q.body.id}/replies`, { body: 'B' }).expect(201);
    await as(world.app, a).put(`/discussions/${q.body.id}/answer`, { replyId: ra.body.id }).expect(403);
    await as(world.app, asker).put(`/discussions/${q.body.id}/answer`, { replyId: ra.body.id }).expect(200);
    const switched = await as(world.app, asker).put(`/discussions/${q.body.id}/answer`, { replyId: rb.body.id }).expect(200);
    assert.equal(switched.body.acceptedReplyId, rb.body.id);
    assert.equal(switched.body.answered, true);
    assert.equal(await ReplyModel.countDocuments({ discussionId: q.body.id, accepted: true }), 1);
    assert.ok(await NotificationModel.exists({ recipientId: 'ans-b', kind: 'answerAccepted' }));
    const d = await as(world.app, asker).post(`/communities/${c.id}/discussions`, { title: 'Geen vraag', body: 'x' }).expect(201);
    const r = await as(world.app, a).post(`/discussions/${d.body.id}/replies`, { body: 'A' }).expect(201);
    const notQuestion = await as(world.app, asker).put(`/discussions/${d.body.id}/answer`, { replyId: r.body.id }).expect(409);
    assert.equal(notQuestion.body.code, 'not_a_question');
    const cleared = await as(world.app, asker).delete(`/discussions/${q.body.id}/answer`).expect(200);
    assert.equal(cleared.body.acceptedReplyId, null);
  });

  it('closes a discussion with a conclusion (no more replies, followers told) and reopens it', async () => {
    const manager = await person({ userId: 'cls-manager' });
    const member = await person({ userId: 'cls-member' });
    const c = await community(world, manager, { members: [member] });
    const d = await as(world.app, member).post(`/communities/${c.id}/discussions`, { title: 'Consultatie', body: 'Wat vindt u?' }).expect(201);
    await as(world.app, manager).post(`/discussions/${d.body.id}/replies`, { body: 'Goed plan' }).expect(201);
    const closed = await as(world.app, manager).patch(`/discussions/${d.body.id}`, { status: 'closed', conclusion: 'We gaan **door**.' }).expect(200);
    assert.equal(closed.body.status, 'closed');
    assert.equal(closed.body.conclusion.html, '<p>We gaan <strong>door</strong>.</p>');
    assert.equal(closed.body.closedBy, 'cls-manager');
    assert.ok(await NotificationModel.exists({ recipientId: 'cls-member', kind: 'discussionClosed' }));
    const refused = await as(world.app, member).post(`/discussions/${d.body.id}/replies`, { body: 'Nog iets' }).expect(409);
    assert.equal(refused.body.code, 'discussion_closed');
    await as(world.app, member).patch(`/discussions/${d.body.id}`, { status: 'open', conclusion: 'x' }).expect(400);
    await as(world.app, member).patch(`/discussions/${d.body.id}`, { status: 'open' }).expect(200);
    await as(world.app, member).post(`/discussions/${d.body.id}/replies`, { body: 'Nog iets' }).expect(201);
  });

  it('tells only the followers who may still read a closed community\'s discussion that it was closed', async () => {
    const manager = await person({ userId: 'cl2-manager' });
    const stays = await person({ userId: 'cl2-stays' });
    const leaves = await person({ userId: 'cl2-leaves' });
    const c = await community(world, manager, { visibility: 'closed', members: [stays, leaves] });
    const d = await as(world.app, stays).post(`/communities/${c.id}/discussions`, { title: 'Peilbesluit', body: 'Reacties?' }).expect(201);
    await as(world.app, leaves).post(`/discussions/${d.body.id}/replies`, { body: 'Ik volg dit' }).expect(201);
    assert.equal((await as(world.app, leaves).get(`/discussions/${d.body.id}`).expect(200)).body.following, true, 'replying made them a follower');
    await as(world.app, leaves).delete(`/communities/${c.id}/members/cl2-leaves`).expect(204);
    await as(world.app, manager).patch(`/discussions/${d.body.id}`, { status: 'closed' }).expect(200);
    assert.ok(await NotificationModel.exists({ recipientId: 'cl2-stays', kind: 'discussionClosed' }));
    assert.equal(await NotificationModel.exists({ recipientId: 'cl2-leaves', kind: 'discussionClosed' }), null, 'the one who left the closed community hears nothing');
  });

  it('never lets a reply into a discussion that is being closed at the same moment', async () => {
    const manager = await person({ userId: 'race-manager' });
    const members = await Promise.all(Array.from({ length: 6 }, (_, i) => person({ userId: `race-member-${i}` })));
    const c = await community(world, manager, { members });
    const d = await as(world.app, manager).post(`/communities/${c.id}/discussions`, { title: 'Race', body: 'x' }).expect(201);
    const results = await Promise.all([
      ...members.map((m) => as(world.app, m).post(`/discussions/${d.body.id}/replies`, { body: 'Snel' })),
      as(world.app, manager).patch(`/discussions/${d.body.id}`, { status: 'closed', conclusion: 'Klaar' }),
    ]);
    const accepted = results.slice(0, -1).filter((r) => r.status === 201).length;
    const stored = await DiscussionModel.findById(d.body.id).lean();
    assert.equal(stored?.status, 'closed');
    assert.equal(await ReplyModel.countDocuments({ discussionId: d.body.id }), accepted);
    assert.equal(stored?.counts?.replies, accepted);
    // Nothing gets in afterwards either.
    await as(world.app, members[0] ?? manager).post(`/discussions/${d.body.id}/replies`, { body: 'Te laat' }).expect(409);
  });

  it('lists newest first with pinned ones on top, and pages across buckets without skipping or repeating while new ones arrive', async () => {
    const manager = await person({ userId: 'pg-manager' });
    const c = await community(world, manager);
    const { discussions } = world.module.services;
    await bulkDiscussions(c.id, [manager], Array.from({ length: 118 }, (_, i) => ({ title: `D${i + 1}`, body: 'x' })), Date.now() - 60_000);
    const pinned = await discussions.create(manager, c.id, { title: 'Pinned', body: 'x', kind: 'discussion' });
    await as(world.app, manager).patch(`/discussions/${pinned.id}`, { pinned: true }).expect(200);
    const seen: string[] = [];
    let cursor: string | undefined;
    let page = 0;
    do {
      const res = await as(world.app, manager).get(`/communities/${c.id}/discussions?limit=20${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      seen.push(...res.body.items.map((d: { title: string }) => d.title));
      cursor = res.body.nextCursor;
      // New discussions arrive between pages.
      if (page++ === 1) for (let i = 0; i < 3; i++) await discussions.create(manager, c.id, { title: `Late${i}`, body: 'x', kind: 'discussion' });
    } while (cursor);
    assert.equal(seen[0], 'Pinned');
    assert.deepEqual(seen.slice(1), Array.from({ length: 118 }, (_, i) => `D${118 - i}`));
    const fresh = await as(world.app, manager).get(`/communities/${c.id}/discussions?limit=3`).expect(200);
    assert.deepEqual(fresh.body.items.map((d: { title: string }) => d.title), ['Pinned', 'Late2', 'Late1', 'Late0']);
    await as(world.app, manager).patch(`/discussions/${pinned.id}`, { pinned: false }).expect(200);
    const unpinned = await as(world.app, manager).get(`/communities/${c.id}/discussions?limit=5`).expect(200);
    assert.deepEqual(unpinned.body.items.map((d: { title: string }) => d.title), ['Late2', 'Late1', 'Late0', 'Pinned', 'D118']);
    const questions = await as(world.app, manager).get(`/communities/${c.id}/discussions?kind=question`).expect(200);
    assert.deepEqual(questions.body.items, []);
    await as(world.app, manager).get(`/communities/${c.id}/discussions?cursor=bm9wZQ`).expect(400);
  });

  it('pages a long thread in order across buckets, top-level replies with their nested ones, also after new replies', async () => {
    const author = await person({ userId: 'th-author' });
    const c = await community(world, author);
    const { discussions, replies } = world.module.services;
    const d = await discussions.create(author, c.id, { title: 'Lang', body: 'x', kind: 'discussion' });
    const expected = await bulkReplies(d.id, [author], Array.from({ length: 130 }, (_, i) => `R${i + 1}`), { nestedEvery: 10 });
    // Written by the service after the bulk: they continue the numbering.
    const last = await replies.create(author, d.id, { body: 'Last' });
    await replies.create(author, d.id, { body: 'Under last', parentId: last.id });
    expected.push('Last', 'Under last');
    const bodies: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await as(world.app, author).get(`/discussions/${d.id}/replies?limit=50${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      for (const r of res.body.items) {
        bodies.push(r.body.source);
        for (const n of r.replies) bodies.push(n.body.source);
      }
      cursor = res.body.nextCursor;
    } while (cursor);
    assert.deepEqual(bodies, expected);
  });

  it('deletes a discussion with everything in it; a manager deleting someone else’s is audited', async () => {
    const manager = await person({ userId: 'del-manager' });
    const author = await person({ userId: 'del-author' });
    const c = await community(world, manager, { members: [author] });
    const d = await as(world.app, author).post(`/communities/${c.id}/discussions`, { title: 'Weg', body: 'x' }).expect(201);
    await as(world.app, manager).post(`/discussions/${d.body.id}/replies`, { body: 'y' }).expect(201);
    await as(world.app, manager).delete(`/discussions/${d.body.id}`).expect(204);
    await as(world.app, author).get(`/discussions/${d.body.id}`).expect(404);
    assert.equal(await ReplyModel.countDocuments({ discussionId: d.body.id }), 0);
    assert.ok(await AuditEntryModel.exists({ kind: 'discussion.deleted', subjectId: d.body.id }));
    const community2 = await as(world.app, author).get(`/communities/${c.id}`).expect(200);
    assert.equal(community2.body.discussionCount, 0);
  });
});
