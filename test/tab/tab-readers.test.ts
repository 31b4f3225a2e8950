/**
 * The tab's readers of API answers and its @mention helpers, without a browser: the pages
 * rely on these to turn the API's shapes (the zod views in src/) into theirs, with safe defaults.
 */
import assert from 'node:assert/strict';
import { readCommunity } from '../../tab/src/api/communities-api.js';
import { readDiscussion, readReactionState, readReply } from '../../tab/src/api/discussions-api.js';
import { readFeedItem } from '../../tab/src/api/feed-api.js';
import { readPerson } from '../../tab/src/api/people-api.js';
import { readSearchResults } from '../../tab/src/api/search-api.js';
import { mentionQueryAt, mentionsIn } from '../../tab/src/content/mentions.js';

const reactions = { like: 2, thanks: 0, insightful: 1, agree: 0, celebrate: 0 };

describe('tab readers of API answers', () => {
  it('reads a discussion as the API shows it, and a summary without the detail fields', () => {
    const d = readDiscussion({
      id: 'd1',
      communityId: 'c1',
      author: { id: 'u1', displayName: 'Bram Jansen' },
      kind: 'question',
      title: 'Welke pomp?',
      excerpt: 'Wie heeft een aanrader',
      tags: ['drainage'],
      status: 'open',
      pinned: false,
      answered: true,
      replyCount: 3,
      reactions,
      createdAt: '2030-01-01T10:00:00.000Z',
      lastActivityAt: '2030-01-02T10:00:00.000Z',
      body: { source: 'Wie?', html: '<p>Wie?</p>' },
      acceptedReplyId: 'r9',
      myReactions: ['like', 'nonsense'],
      following: true,
      editedAt: null,
      permissions: { canEdit: true, canReply: true, canAcceptAnswer: true, canModerate: false },
    });
    assert.deepEqual(d.author, { id: 'u1', name: 'Bram Jansen', isGuest: false });
    assert.equal(d.kind, 'question');
    assert.equal(d.replyCount, 3);
    assert.deepEqual(d.reactions, reactions);
    assert.deepEqual(d.myReactions, ['like'], 'unknown kinds are dropped');
    assert.equal(d.acceptedReplyId, 'r9');
    assert.deepEqual(d.permissions, { canReply: true, canEdit: true, canAccept: true, canModerate: false, canClose: false, canPin: false, canDelete: false });
    assert.equal(d.conclusion, null, 'an open discussion has no conclusion');

    const closed = readDiscussion({ id: 'd3', status: 'closed', closedAt: '2030-01-03T10:00:00.000Z', conclusion: { source: 'Ja', html: '<p>Ja</p>' }, permissions: { canClose: true, canPin: true, canDelete: true } });
    assert.deepEqual([closed.status, closed.closedAt, closed.conclusion], ['closed', '2030-01-03T10:00:00.000Z', { source: 'Ja', html: '<p>Ja</p>' }]);
    assert.deepEqual([closed.permissions.canClose, closed.permissions.canPin, closed.permissions.canDelete], [true, true, true]);

    const summary = readDiscussion({ id: 'd2', communityId: 'c1', author: { id: 'u2', displayName: 'Anouk' }, kind: 'discussion', title: 'T', answered: false, replyCount: 0, reactions, createdAt: 'x', lastActivityAt: 'y' });
    assert.equal(summary.following, false);
    assert.equal(summary.acceptedReplyId, null);
    assert.deepEqual(summary.body, { source: '', html: '' });
  });

  it('reads replies with their nested replies, and a removed reply without a body', () => {
    const r = readReply({
      id: 'r1',
      discussionId: 'd1',
      parentId: null,
      author: { id: 'u1', displayName: 'Anouk' },
      body: { source: 'x', html: '<p>x</p>' },
      removed: false,
      hidden: false,
      reactions,
      myReactions: [],
      createdAt: '2030-01-01T10:00:00.000Z',
      editedAt: null,
      replies: [{ id: 'r2', discussionId: 'd1', parentId: 'r1', author: { id: 'u2', displayName: 'Dirk' }, body: null, removed: true, reactions, myReactions: [], createdAt: 'z' }],
    });
    assert.equal(r.children.length, 1);
    assert.equal(r.children[0]?.parentId, 'r1');
    assert.equal(r.children[0]?.removed, true);
    assert.deepEqual([r.permissions, r.history], [{ canEdit: false, canDelete: false }, []], 'nothing allowed unless the API says so');
    const edited = readReply({ id: 'r3', editedAt: '2030-01-02T00:00:00.000Z', permissions: { canEdit: true, canDelete: true }, history: [{ body: 'eerst', editedAt: '2030-01-02T00:00:00.000Z', editedBy: 'u1' }] });
    assert.deepEqual([edited.permissions, edited.history], [{ canEdit: true, canDelete: true }, [{ body: 'eerst', editedAt: '2030-01-02T00:00:00.000Z' }]]);
    assert.deepEqual(r.children[0]?.body, { source: '', html: '' });
  });

  it('takes the server’s reaction state when it sends one, and nothing otherwise', () => {
    assert.deepEqual(readReactionState({ reactions, mine: ['insightful'] }), { reactions, mine: ['insightful'] });
    assert.equal(readReactionState(undefined), undefined);
    assert.equal(readReactionState({ following: true }), undefined);
  });

  it('reads a community with safe defaults for what a partial answer leaves out', () => {
    const c = readCommunity({ id: 'c1', name: 'Bodem', visibility: 'weird' });
    assert.equal(c.visibility, 'public');
    assert.equal(c.memberCount, 0);
    assert.equal(c.membership, null);
    assert.deepEqual(c.permissions, { canRead: true, canJoin: false, canPost: false, canManage: false });
    const full = readCommunity({ id: 'c2', name: 'Geheim', visibility: 'secret', memberCount: 4, membership: { role: 'manager', status: 'active' }, permissions: { canRead: true, canJoin: false, canPost: true, canManage: true } });
    assert.deepEqual(full.membership, { role: 'manager', status: 'active' });
    assert.equal(full.permissions.canManage, true);
  });

  it('reads a person from the flat profile view', () => {
    const p = readPerson({ id: 'u1', displayName: 'Dirk', jobTitle: null, organisation: 'Gemeente Zutphen', function: 'Adviseur', expertise: ['drainage'], interests: [], askMeAbout: null, languages: ['nl'], isGuest: false });
    assert.equal(p.name, 'Dirk');
    assert.deepEqual(p.profile, { organisation: 'Gemeente Zutphen', function: 'Adviseur', expertise: ['drainage'], interests: [], askMeAbout: null, languages: ['nl'] });
  });

  it('reads search hits, sending a reply to its discussion', () => {
    const hits = readSearchResults({
      items: [
        { type: 'community', id: 'c1', title: 'Bodem', snippet: 's', at: null },
        { type: 'reply', id: 'r1', discussionId: 'd1', title: 'Welke pomp?', snippet: 'zonnepomp', at: '2030-01-01T00:00:00Z' },
        { type: 'unknown', id: 'x' },
      ],
    });
    assert.deepEqual(
      hits.map((h) => [h.kind, h.id]),
      [
        ['community', 'c1'],
        ['discussion', 'd1'],
      ],
    );
  });

  it('reads feed items into routes of the tab, never a route from an odd id', () => {
    const item = readFeedItem({ type: 'reply', id: 'f1', discussionId: '6650a1b2c3d4e5f601234570', communityName: 'Bodem', title: 'T', excerpt: 'e', author: { id: 'u', displayName: 'Anouk' }, at: '2030-01-01T00:00:00Z' });
    assert.equal(item.route, '/discussion/6650a1b2c3d4e5f601234570');
    assert.equal(item.actorName, 'Anouk');
    assert.equal(readFeedItem({ discussionId: '../admin' }).route, undefined);
    assert.equal(readFeedItem({ type: 'discussion', discussionId: 'd1', conclusion: 'We meet in May.' }).conclusion, 'We meet in May.');
    assert.equal(readFeedItem({ type: 'discussion', discussionId: 'd1', conclusion: null }).conclusion, undefined);
  });
});

describe('tab @mentions', () => {
  it('finds the name being typed after an @ at the start or after a space', () => {
    assert.deepEqual(mentionQueryAt('Goed punt @Dir', 14), { start: 10, query: 'Dir' });
    assert.deepEqual(mentionQueryAt('@Anouk de', 9), { start: 0, query: 'Anouk de' });
    assert.equal(mentionQueryAt('mail me at a@b', 14), undefined, 'not inside an e-mail address');
    assert.equal(mentionQueryAt('@Anouk  ', 8), undefined, 'two spaces end a mention');
    assert.equal(mentionQueryAt('@', 1), undefined);
  });

  it('keeps only the picked people still named in the text, once each', () => {
    const picked = [
      { id: 'u1', name: 'Dirk Visser' },
      { id: 'u2', name: 'Anouk de Vries' },
      { id: 'u1', name: 'Dirk Visser' },
    ];
    assert.deepEqual(mentionsIn('Vraag het @Dirk Visser', picked), [{ id: 'u1', name: 'Dirk Visser' }]);
    assert.deepEqual(mentionsIn('Niemand meer', picked), []);
  });
});
