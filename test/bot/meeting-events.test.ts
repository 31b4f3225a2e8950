/**
 * The bot's meeting events at activity level: `application/vnd.microsoft.meetingStart` and
 * `meetingEnd` activities as Teams sends them, through MeentBot (TestAdapter) with the real
 * meetings service on FerretDB.
 */
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { TestAdapter, type Activity, type TurnContext } from 'botbuilder';
import sinon from 'sinon';
import { MeentBot } from '../../bot/meent-bot.js';
import { MeetingHandler, tabDeepLinks } from '../../bot/meeting-handler.js';
import { tabLinks } from '../../bot/ports.js';
import type { Actor } from '../../src/auth/actor.js';
import { createCommunitiesServices, type CommunitiesServices } from '../../src/composition.js';
import { EventModel } from '../../src/events/event.model.js';
import { createEventsServices, type EventsServices } from '../../src/events/events.module.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import { MeetingLinkModel, type MeetingLinkRecord } from '../../src/meetings/meeting-link.model.js';
import { createMeetingsModule, type MeetingsModule } from '../../src/meetings/meetings.module.js';
import { ConversationReferences } from '../../src/notifications/conversation-references.js';
import { NotificationPreferences } from '../../src/notifications/notification-preferences.js';
import { assertValidCard } from '../support/adaptive-cards.js';
import { activityActors, FakeDiscussions, FakeEvents, FakeMessenger, FakeSearch, writeLimit } from '../support/bot-fakes.js';
import { useTestDatabase } from '../support/database.js';

const TENANT = '5e1c7a52-0d1b-4c3e-9a77-2f6d4b8c9e10';
const TEAMS_APP_ID = 'ae907ac5-e30f-4c42-865b-c6779a53898a';
const CHAT = '19:meeting_NTM3ZDJjOTUtZGRhOS00MzYxLTk5NDAtMzY4M2IzZWFjZGE1@thread.v2';
const MANAGER: Actor = { userId: 'a1b2c3d4-0000-4000-8000-000000000003', tenantId: TENANT, name: 'Chantal Bakker', isGuest: false, mfa: true, isOrgAdmin: false, roles: [] };

type Card = { body: Record<string, unknown>[]; actions?: { type: string; title: string; url: string }[] };

describe('Meent bot: meeting start and end events', function () {
  this.timeout(20_000);
  useTestDatabase('botmeet');
  const sandbox = sinon.createSandbox();
  let communities: CommunitiesServices;
  let events: EventsServices;
  let meetings: MeetingsModule;
  let adapter: TestAdapter;
  let followUpSoon: sinon.SinonSpy;
  let errors: unknown[];
  let communityId: string;
  let discussionId: string;

  beforeEach(async () => {
    await Promise.all(['users', 'communities', 'memberships', 'discussions', 'meeting_links', 'events', 'follows'].map((c) => mongoose.connection.collection(c).deleteMany({})));
    const logger = createLogger('silent');
    errors = [];
    sandbox.stub(logger, 'error').callsFake((obj: unknown) => {
      errors.push(obj);
    });
    communities = createCommunitiesServices({ logger });
    events = createEventsServices({ config: { publicUrl: 'https://meent.example', graphBaseUrl: 'https://graph.invalid', localMode: true }, logger });
    meetings = createMeetingsModule({ config: { graphBaseUrl: 'https://graph.invalid', guestsAllowed: true }, logger, communities });
    followUpSoon = sinon.spy();
    await UserModel.create({ tenantId: TENANT, userId: MANAGER.userId, displayName: MANAGER.name, isGuest: false, isOrgAdmin: false });
    const community = await communities.communities.create(MANAGER, { name: 'Waterkwaliteit', visibility: 'public', guestsAllowed: false });
    communityId = community.id;
    const discussion = await communities.discussions.create(MANAGER, communityId, { title: 'Vervolg: nitraat in de Berkel', body: 'Notities', kind: 'discussion' });
    discussionId = discussion.id;
    const bot = new MeentBot({
      actors: activityActors,
      events: new FakeEvents(),
      discussions: new FakeDiscussions(),
      search: new FakeSearch([]),
      preferences: new NotificationPreferences(),
      references: new ConversationReferences(),
      tenantAllowed: () => true,
      messenger: new FakeMessenger(), writes: writeLimit(),
      links: tabLinks('https://meent.example'),
      publicUrl: 'https://meent.example',
      logger,
      meetings: new MeetingHandler({ meetings: meetings.services.meetings, followUpSoon, links: tabDeepLinks({ teamsAppId: TEAMS_APP_ID, publicUrl: 'https://meent.example' }), logger }),
    });
    adapter = new TestAdapter(async (context) => bot.run(context));
  });
  afterEach(() => sandbox.restore());

  async function link(): Promise<void> {
    await MeetingLinkModel.create({
      tenantId: TENANT,
      chatId: CHAT,
      subject: 'Overleg nitraat',
      communityId: new mongoose.Types.ObjectId(communityId),
      discussionId: new mongoose.Types.ObjectId(discussionId),
      discussionTitle: 'Vervolg: nitraat in de Berkel',
      source: 'manual',
      linkedBy: MANAGER.userId,
    });
  }

  /** A meeting event as Teams sends it (https://learn.microsoft.com/en-us/microsoftteams/platform/apps-in-teams-meetings/meeting-apps-apis). */
  function meetingEvent(kind: 'Start' | 'End', at: string, overrides: Partial<Activity> = {}): Partial<Activity> {
    return {
      type: 'event',
      name: `application/vnd.microsoft.meeting${kind}`,
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      from: { id: '29:1a2b3c', aadObjectId: MANAGER.userId, name: '' },
      recipient: { id: '28:meent-bot', name: 'Meent' },
      conversation: { id: CHAT, isGroup: true, tenantId: TENANT, conversationType: 'groupChat', name: '' },
      channelData: { tenant: { id: TENANT }, source: null, meeting: { id: 'MCMxOTptZWV0aW5nX05UTTNaREpqT1RVdFpHUmhPUzAwTXpZeEBUaHJlYWQudjIjMA==' } },
      value: { MeetingType: 'Scheduled', Title: 'Overleg nitraat', Id: 'MCMxOTptZWV0aW5n', JoinUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0', [`${kind}Time`]: at },
      locale: 'en-US',
      ...overrides,
    };
  }

  async function deliver(activity: Partial<Activity>): Promise<Card[]> {
    adapter.activeQueue.length = 0;
    await adapter.processActivity(activity as Activity);
    const replies = adapter.activeQueue.splice(0);
    return replies.flatMap((r) =>
      (r.attachments ?? []).map((a) => {
        assertValidCard(a, `card answering ${activity.name}`);
        return a.content as Card;
      }),
    );
  }

  const text = (card: Card | undefined) => JSON.stringify(card ?? {});

  it('posts a short card with the linked discussion when the meeting starts, once', async () => {
    await link();
    const first = await deliver(meetingEvent('Start', '2026-03-10T09:00:17.4388966Z'));
    const again = await deliver(meetingEvent('Start', '2026-03-10T09:00:17.4388966Z'));

    assert.equal(first.length, 1);
    assert.ok(text(first[0]).includes('Vervolg: nitraat in de Berkel'));
    assert.ok(text(first[0]).includes('Notes and questions for this meeting'));
    assert.equal(first[0]?.actions?.[0]?.title, 'Open the discussion');
    assert.equal(again.length, 0, 'a repeated delivery posts nothing');
    const stored = await MeetingLinkModel.findOne({ chatId: CHAT }).lean<MeetingLinkRecord>();
    assert.equal(stored?.cards.start.key, '2026-03-10T09:00:17.4388966Z');
    assert.ok(stored?.cards.start.postedAt);
    assert.equal(stored?.teamsMeetingId, 'MCMxOTptZWV0aW5nX05UTTNaREpqT1RVdFpHUmhPUzAwTXpZeEBUaHJlYWQudjIjMA==', 'the meeting id comes from channelData');
  });

  it('posts one follow-up card when the meeting ends, though Teams delivers the end twice, and starts the follow-up', async () => {
    await link();
    const end = meetingEvent('End', '2026-03-10T10:02:11.330067Z');
    const [first, second] = [await deliver(end), await deliver(end)];

    assert.equal(first.length, 1);
    assert.equal(second.length, 0);
    const card = first[0];
    assert.ok(text(card).includes('The meeting has ended, the conversation has not'));
    assert.ok(text(card).includes('Vervolg: nitraat in de Berkel'));
    const continueAction = card?.actions?.find((a) => a.title === 'Continue the discussion');
    assert.ok(continueAction, 'a Continue the discussion button');
    const url = new URL(continueAction.url);
    assert.equal(`${url.origin}${url.pathname}`, `https://teams.microsoft.com/l/entity/${TEAMS_APP_ID}/home`);
    assert.deepEqual(JSON.parse(url.searchParams.get('context') ?? '{}'), { subEntityId: `discussion:${discussionId}` });
    assert.equal(card?.actions?.some((a) => a.title === 'Sign up for the next session'), false, 'no next session planned');
    assert.equal((await MeetingLinkModel.findOne({ chatId: CHAT }).lean<MeetingLinkRecord>())?.followUp.status, 'pending');
    assert.ok(followUpSoon.calledWith(TENANT, CHAT));
  });

  it('offers the next session of the community, in Dutch for a Dutch client', async () => {
    await link();
    const start = new Date(Date.now() + 7 * 24 * 3_600_000);
    const next = await events.events.create(MANAGER, { title: 'Kennissessie nitraat deel 2', start, end: new Date(start.getTime() + 3_600_000), online: true }, communityId);

    const [card] = await deliver(meetingEvent('End', '2026-03-10T10:02:11Z', { locale: 'nl-NL' }));

    assert.ok(text(card).includes('Het overleg is afgelopen, het gesprek niet'));
    assert.ok(text(card).includes('Kennissessie nitraat deel 2'));
    const signUp = card?.actions?.find((a) => a.title === 'Aanmelden voor de volgende bijeenkomst');
    assert.ok(signUp);
    assert.deepEqual(JSON.parse(new URL(signUp.url).searchParams.get('context') ?? '{}'), { subEntityId: `event:${next.id}` });
  });

  it('offers the next session that takes sign-ups: not one that is full or whose sign-up has closed, nor an invite-only one', async () => {
    await link();
    const create = async (title: string, inDays: number, extra: Record<string, unknown> = {}) => {
      const start = new Date(Date.now() + inDays * 24 * 3_600_000);
      return events.events.create(MANAGER, { title, start, end: new Date(start.getTime() + 3_600_000), online: true, ...extra }, communityId);
    };
    const closed = await create('Sessie met gesloten aanmelding', 2);
    await EventModel.updateOne({ _id: closed.id }, { $set: { signupDeadline: new Date(Date.now() - 3_600_000) } });
    const full = await create('Volle sessie', 3, { capacity: 1, waitlist: false });
    await EventModel.updateOne({ _id: full.id }, { $set: { 'counts.registered': 1 } });
    await create('Sessie op uitnodiging', 4, { signupMethod: 'invite' });
    const open = await create('Open sessie', 5);

    const [card] = await deliver(meetingEvent('End', '2026-03-10T10:02:11Z'));

    const signUp = card?.actions?.find((a) => a.title === 'Sign up for the next session');
    assert.ok(signUp, 'a next session is offered');
    assert.deepEqual(JSON.parse(new URL(signUp.url).searchParams.get('context') ?? '{}'), { subEntityId: `event:${open.id}` });
    assert.ok(text(card).includes('Open sessie'));
  });

  it('says nothing for a meeting that is not linked, or an event without its time', async () => {
    assert.deepEqual(await deliver(meetingEvent('End', '2026-03-10T10:02:11Z')), []);
    await link();
    assert.deepEqual(await deliver(meetingEvent('End', '2026-03-10T10:02:11Z', { value: { Title: 'Overleg' } })), []);
    assert.equal(errors.length, 0);
    assert.equal(followUpSoon.callCount, 0);
  });

  it('posts the card on the next delivery when posting failed the first time', async () => {
    await link();
    let failNext = true;
    adapter.use(async (context: TurnContext, next) => {
      context.onSendActivities(async (_ctx, activities, send) => {
        if (failNext && activities.some((a) => a.attachments?.length)) {
          failNext = false;
          throw Object.assign(new Error('connector down'), { statusCode: 502 });
        }
        return send();
      });
      await next();
    });
    const end = meetingEvent('End', '2026-03-10T10:02:11Z');

    assert.equal((await deliver(end)).length, 0);
    assert.equal(errors.length, 1, 'the failure is logged');
    assert.equal((await deliver(end)).length, 1, 'the redelivery posts the card');
    assert.equal((await deliver(end)).length, 0);
  });
});
