import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { TestAdapter, type Activity } from 'botbuilder';
import sinon from 'sinon';
import { MeentBot } from '../../bot/meent-bot.js';
import { tabLinks } from '../../bot/ports.js';
import { ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, RateLimitedError, UnauthorizedError, UnavailableError, ValidationError } from '../../src/errors/domain-errors.js';
import { createLogger } from '../../src/logging/logger.js';
import { ConversationReferences, personalKey } from '../../src/notifications/conversation-references.js';
import { NotificationPreferences } from '../../src/notifications/notification-preferences.js';
import { assertValidCard } from '../support/adaptive-cards.js';
import { activityActors, FakeDiscussions, FakeEvents, FakeMessenger, FakeSearch, writeLimit } from '../support/bot-fakes.js';
import { useTestDatabase } from '../support/database.js';

const TENANT = '5e1c7a52-0d1b-4c3e-9a77-2f6d4b8c9e10';
const BOT_ACCOUNT = { id: '28:meent-bot', name: 'Meent' };

type Card = { type: string; body: Record<string, unknown>[]; actions?: Record<string, unknown>[]; refresh?: { action: { verb: string }; userIds: string[] } };

describe('Meent bot (TestAdapter)', () => {
  useTestDatabase('bot');
  const sandbox = sinon.createSandbox();
  let events: FakeEvents;
  let discussions: FakeDiscussions;
  let search: FakeSearch;
  let preferences: NotificationPreferences;
  let references: ConversationReferences;
  let messenger: FakeMessenger;
  let bot: MeentBot;
  let adapter: TestAdapter;
  let logged: unknown[];
  const userId = randomUUID();

  beforeEach(async () => {
    await Promise.all(['conversation_references', 'notification_preferences', 'notification_mutes'].map((c) => mongoose.connection.collection(c).deleteMany({})));
    events = new FakeEvents();
    discussions = new FakeDiscussions();
    search = new FakeSearch([
      { kind: 'discussion', id: 'd1', title: 'Nitraat meten', subtitle: 'Waterkwaliteit' },
      { kind: 'person', id: 'p1', title: 'Sanne de Vries', subtitle: 'Beleidsmedewerker nitraat' },
    ]);
    preferences = new NotificationPreferences();
    references = new ConversationReferences();
    messenger = new FakeMessenger();
    logged = [];
    const logger = createLogger('silent');
    sandbox.stub(logger, 'error').callsFake((obj: unknown) => {
      logged.push(obj);
    });
    bot = new MeentBot({ actors: activityActors, events, discussions, search, preferences, references, tenantAllowed: (t) => t === TENANT, messenger, writes: writeLimit(), links: tabLinks('https://meent.example'), publicUrl: 'https://meent.example', logger });
    adapter = new TestAdapter(async (context) => bot.run(context));
  });
  afterEach(() => sandbox.restore());

  function activity(overrides: Partial<Activity> = {}): Partial<Activity> {
    return {
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      from: { id: `29:${userId}`, aadObjectId: userId, name: 'Sanne de Vries' },
      recipient: BOT_ACCOUNT,
      conversation: { id: 'a:personal-1', conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' },
      channelData: { tenant: { id: TENANT } },
      locale: 'nl-NL',
      ...overrides,
    };
  }

  /** Sends an activity; answers what the bot sent back, every card checked by the Adaptive Cards parser. */
  async function send(overrides: Partial<Activity>): Promise<Partial<Activity>[]> {
    adapter.activeQueue.length = 0;
    await adapter.processActivity(activity(overrides) as Activity);
    const replies = adapter.activeQueue.splice(0);
    for (const reply of replies) {
      for (const a of reply.attachments ?? []) assertValidCard(a, `card answering ${overrides.text ?? overrides.name ?? overrides.type}`);
      const value = (reply.value as { body?: { type?: string; value?: unknown } } | undefined)?.body;
      if (reply.type === 'invokeResponse' && value?.type === 'application/vnd.microsoft.card.adaptive') assertValidCard(value.value, `card answering ${overrides.name}`);
    }
    return replies;
  }

  const say = (text: string, locale = 'nl-NL') => send({ type: 'message', text, locale });
  const cardsOf = (replies: Partial<Activity>[]) => replies.flatMap((r) => (r.attachments ?? []).map((a) => a.content as Card));
  const shows = (card: Card | undefined, text: string) => JSON.stringify(card ?? {}).includes(JSON.stringify(text));
  const texts = (card: Card | undefined): string[] => JSON.stringify(card ?? {}).match(/"text":"[^"]*"/g)?.map((m) => m.slice(8, -1)) ?? [];

  async function invoke(verb: string, data: Record<string, unknown>, locale = 'nl-NL'): Promise<{ status: number; card?: Card; error?: { code: string; message: string } }> {
    const replies = await send({ type: 'invoke', name: 'adaptiveCard/action', locale, value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } });
    const response = replies.find((r) => r.type === 'invokeResponse')?.value as { status: number; body: { statusCode: number; type: string; value: unknown } };
    assert.ok(response, 'an invoke response');
    assert.equal(response.status, response.body.statusCode);
    return response.body.type === 'application/vnd.microsoft.error'
      ? { status: response.body.statusCode, error: response.body.value as { code: string; message: string } }
      : { status: response.body.statusCode, card: response.body.value as Card };
  }

  describe('install and uninstall', () => {
    it('stores the conversation reference on install and greets once with a welcome card', async () => {
      const first = await send({ type: 'installationUpdate', action: 'add' });
      const second = await send({ type: 'conversationUpdate', membersAdded: [BOT_ACCOUNT, { id: `29:${userId}`, name: 'Sanne' }] });

      assert.equal(cardsOf(first).length, 1);
      assert.ok(texts(cardsOf(first)[0]).includes('Welkom bij Meent'));
      assert.equal(second.length, 0, 'no second welcome for the same install');
      const stored = await references.find(TENANT, personalKey(userId));
      assert.equal(stored?.state, 'active');
      assert.equal(stored?.reference.serviceUrl, 'https://smba.trafficmanager.net/emea/');
      assert.equal(stored?.reference.conversation.id, 'a:personal-1');
    });

    it('remembers no conversation of an organisation that may not use Meent (install or message)', async () => {
      const other = '0b8a3c1e-7d2f-4e6a-9c5b-1a2b3c4d5e6f';
      const elsewhere = { id: 'a:personal-other', conversationType: 'personal', tenantId: other, isGroup: false, name: '' } as Activity['conversation'];
      await send({ type: 'installationUpdate', action: 'add', conversation: elsewhere });
      await send({ type: 'message', text: 'help', conversation: elsewhere });
      assert.equal(await mongoose.connection.collection('conversation_references').countDocuments({}), 0);
      await send({ type: 'message', text: 'help' });
      assert.equal(await mongoose.connection.collection('conversation_references').countDocuments({}), 1, 'the allowed tenant\'s chat is remembered');
    });

    it('greets once when Teams delivers installationUpdate and conversationUpdate at the same moment', async () => {
      adapter.activeQueue.length = 0;
      await Promise.all([
        adapter.processActivity(activity({ type: 'installationUpdate', action: 'add' }) as Activity),
        adapter.processActivity(activity({ type: 'conversationUpdate', membersAdded: [BOT_ACCOUNT, { id: `29:${userId}`, name: 'Sanne' }] }) as Activity),
      ]);
      const welcomes = cardsOf(adapter.activeQueue.splice(0)).filter((c) => texts(c).includes('Welkom bij Meent'));
      assert.equal(welcomes.length, 1);
      assert.equal((await references.find(TENANT, personalKey(userId)))?.state, 'active');
    });

    it('marks the reference gone on uninstall, and active again (with a welcome) on reinstall', async () => {
      await send({ type: 'installationUpdate', action: 'add' });
      await send({ type: 'installationUpdate', action: 'remove' });
      assert.equal((await references.find(TENANT, personalKey(userId)))?.state, 'gone');
      const again = await send({ type: 'installationUpdate', action: 'add' });
      assert.equal(cardsOf(again).length, 1);
      assert.equal((await references.find(TENANT, personalKey(userId)))?.state, 'active');
    });

    it('files a team install under the team and channel', async () => {
      await send({
        type: 'conversationUpdate',
        membersAdded: [BOT_ACCOUNT],
        conversation: { id: '19:general@thread.tacv2', conversationType: 'channel', tenantId: TENANT, isGroup: true, name: '' },
        channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' }, channel: { id: '19:general@thread.tacv2' } },
      });
      const stored = await references.find(TENANT, 'channel:19:team@thread.tacv2:19:general@thread.tacv2');
      assert.equal(stored?.scope, 'channel');
      assert.equal(stored?.reference.user, undefined, 'a channel reference names no user');
    });
  });

  describe('commands', () => {
    it('help (and hulp) lists every command, in the client language', async () => {
      const nl = cardsOf(await say('hulp'));
      const en = cardsOf(await say('help', 'en-US'));
      assert.ok(texts(nl[0]).includes('Wat kan ik voor je doen?'));
      assert.ok(texts(en[0]).includes('What can I do for you?'));
      const facts = (en[0]?.body.find((b) => b.type === 'FactSet') as { facts: { title: string }[] }).facts.map((f) => f.title);
      assert.deepEqual(facts, ['help', 'events', 'my events', 'discussions', 'ask <your question>', 'search <text>', 'consultations', 'settings']);
    });

    it('answers unknown text with help, never an error', async () => {
      const cards = cardsOf(await say('wat is het weer morgen?'));
      assert.equal(cards.length, 1);
      assert.ok(texts(cards[0]).includes('Wat kan ik voor je doen?'));
    });

    it('understands a command after an @mention in a channel', async () => {
      events.add({ title: 'Kennissessie drones' });
      const cards = cardsOf(await say('<at>Meent</at> events'));
      assert.ok(texts(cards[0]).includes('Kennissessie drones'));
    });

    it('events (bijeenkomsten): one card per upcoming event, each with a sign-up button and refresh', async () => {
      events.add({ title: 'Kennissessie drones', capacity: 20 });
      events.add({ title: 'Webinar nitraat', capacity: null });
      const replies = await say('bijeenkomsten');
      const cards = cardsOf(replies);
      assert.equal(cards.length, 2);
      assert.equal(replies[0]?.attachmentLayout, 'carousel');
      for (const card of cards) {
        assert.ok(card.actions?.some((a) => a.type === 'Action.Execute' && a.verb === 'event.signUp'));
        assert.equal(card.refresh?.action.verb, 'event.refresh');
        assert.deepEqual(card.refresh?.userIds, [`29:${userId}`]);
      }
      assert.ok(shows(cards[0], 'nog 20 plaatsen vrij'));
    });

    it('shows a title that holds Markdown as typed: no link or bold text in a card from the bot', async () => {
      const e = events.add({ title: '[Click](https://evil.example) **x**', communityName: '**Crisisteam**' });
      const [card] = cardsOf(await say('events', 'en-GB'));
      assert.ok(shows(card, String.raw`\[Click\]\(https://evil.example\) \*\*x\*\*`), JSON.stringify(card));
      assert.ok(shows(card, String.raw`\*\*Crisisteam\*\*`));
      assert.ok(!JSON.stringify(card).includes('](https://evil.example)'));
      // The card's own link is Meent's, and its action still names the event.
      assert.ok(card?.actions?.some((a) => a.type === 'Action.Execute' && JSON.stringify(a.data) === JSON.stringify({ eventId: e.id })));
    });

    it('events says so when there are none', async () => {
      const cards = cardsOf(await say('events', 'en-GB'));
      assert.ok(texts(cards[0]).includes('There are no upcoming events you can sign up for.'));
    });

    it('my events (mijn bijeenkomsten) lists only mine', async () => {
      events.add({ title: 'Niet de mijne' });
      events.add({ title: 'De mijne', registered: [userId] });
      const cards = cardsOf(await say('mijn bijeenkomsten'));
      assert.ok(texts(cards[0]).includes('De mijne'));
      assert.ok(!texts(cards[0]).includes('Niet de mijne'));
    });

    it('discussions (discussies) lists the latest with links into the tab', async () => {
      const d = discussions.add({ title: 'Meetnet grondwater' });
      const cards = cardsOf(await say('discussies'));
      assert.ok(texts(cards[0]).includes('Meetnet grondwater'));
      assert.ok(JSON.stringify(cards[0]).includes(`https://meent.example/tab/#/discussion/${d.id}`));
    });

    it('ask <question> (vraag) opens the form prefilled, with a community picker', async () => {
      const cards = cardsOf(await say('vraag Hoe meten jullie stikstof?'));
      const inputs = cards[0]?.body.filter((b) => String(b.type).startsWith('Input.')) ?? [];
      assert.deepEqual(inputs.map((i) => i.id), ['communityId', 'title', 'body']);
      assert.equal(inputs[1]?.value, 'Hoe meten jullie stikstof?');
      assert.deepEqual((inputs[0]?.choices as { title: string }[]).map((c) => c.title), ['Waterkwaliteit', 'Droogte']);
    });

    it('search <text> (zoek) shows what the search finds', async () => {
      const cards = cardsOf(await say('zoek nitraat'));
      assert.deepEqual(search.queries, ['nitraat']);
      assert.ok(texts(cards[0]).includes('Nitraat meten'));
      assert.ok(texts(cards[0]).includes('Sanne de Vries'));
    });

    it('search without text explains how to search', async () => {
      const cards = cardsOf(await say('search', 'en-US'));
      assert.equal(search.queries.length, 0);
      assert.ok(texts(cards[0]).some((t) => t.startsWith('Type what you are looking for')));
    });

    it('settings (instellingen) shows the current preferences', async () => {
      const cards = cardsOf(await say('instellingen'));
      const choice = cards[0]?.body.find((b) => b.type === 'Container') as { items: { id: string; value: string }[] } | undefined;
      assert.equal(choice?.items[0]?.id, 'group.conversations');
      assert.equal(choice?.items[0]?.value, 'immediately');
    });

    it('a failing command answers with a friendly error card and a reference that is in the log', async () => {
      sandbox.stub(events, 'upcoming').rejects(new Error('database on fire at 10.0.0.7'));
      const cards = cardsOf(await say('events', 'en-US'));
      const shown = texts(cards[0]);
      assert.ok(shown.includes('That did not work'));
      const reference = shown.find((t) => t.startsWith('Reference: '))?.slice('Reference: '.length);
      assert.ok(reference);
      assert.ok(!JSON.stringify(cards).includes('database on fire'), 'no internal message reaches the user');
      assert.equal((logged[0] as { reference?: string }).reference, reference);
    });

    it('a refused command (domain error) says why, without a reference', async () => {
      sandbox.stub(events, 'mine').rejects(new ForbiddenError('Guests may not.', 'guests_not_allowed'));
      const cards = cardsOf(await say('my events', 'en-US'));
      assert.ok(texts(cards[0]).includes('You may not do that here.'));
      assert.equal(logged.length, 0);
    });

    const kinds: Array<[string, Error, string, boolean]> = [
      ['invalid', new ValidationError('No.'), 'That is not quite right.', false],
      ['unauthenticated', new UnauthorizedError(), 'You may not do that here.', false],
      ['forbidden', new ForbiddenError(), 'You may not do that here.', false],
      ['not_found', new NotFoundError(), 'This does not exist (any more), or you have no access to it.', false],
      ['conflict', new ConflictError('Full.'), 'That is not possible right now.', false],
      ['too_large', new PayloadTooLargeError(), 'Meent cannot be reached right now. Please try again shortly.', false],
      ['rate_limited', new RateLimitedError(5), 'You made many changes in a short time. Wait a moment and try again.', false],
      ['unavailable', new UnavailableError(), 'Meent cannot be reached right now. Please try again shortly.', true],
    ];
    for (const [kind, error, text, reported] of kinds) {
      it(`a ${kind} domain error says "${text}"${reported ? ', with a reference that is in the log' : ', without a reference'}`, async () => {
        sandbox.stub(events, 'mine').rejects(error);
        const shown = texts(cardsOf(await say('my events', 'en-US'))[0]);
        assert.ok(shown.includes(text), shown.join(' | '));
        assert.equal(shown.some((t) => t.startsWith('Reference: ')), reported);
        assert.equal(logged.length, reported ? 1 : 0);
      });
    }
  });

  describe('commands in a channel or group chat: the answer goes to the sender alone', () => {
    const GROUP = { id: '19:group@thread.v2', conversationType: 'groupChat', tenantId: TENANT, isGroup: true, name: '' };
    const CHANNEL = { id: '19:general@thread.tacv2;messageid=1700000000000', conversationType: 'channel', tenantId: TENANT, isGroup: true, name: '' };
    const CHANNEL_DATA = { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' }, channel: { id: '19:general@thread.tacv2' } };
    const inGroup = (text: string, locale = 'en-GB') => send({ type: 'message', text: `<at>Meent</at> ${text}`, locale, conversation: GROUP });
    /** Everything the shared chat received, as one string. */
    const seenInChat = (replies: Partial<Activity>[]) => JSON.stringify(replies);
    const privately = () => messenger.sent.map((m) => ({ conversation: m.ref.conversation.id, content: JSON.stringify(m.message.attachments) }));

    beforeEach(async () => {
      // The person has a 1:1 chat with Meent (installed personally).
      await send({ type: 'installationUpdate', action: 'add' });
    });

    const commands: Array<[string, () => void, string]> = [
      ['discussions', () => void discussions.add({ title: 'Draaiboek hoogwater in de gesloten community' }), 'Draaiboek hoogwater in de gesloten community'],
      ['search nitraat', () => undefined, 'Nitraat meten'],
      ['ask Hoe meten jullie stikstof?', () => undefined, 'Hoe meten jullie stikstof?'],
      ['my events', () => void events.add({ title: 'Crisisoefening dijkdoorbraak', registered: [userId] }), 'Crisisoefening dijkdoorbraak'],
      ['events', () => void events.add({ title: 'Crisisoefening dijkdoorbraak', registered: [userId] }), 'Crisisoefening dijkdoorbraak'],
      ['settings', () => void 0, 'group.conversations'],
    ];
    for (const [text, arrange, secret] of commands) {
      it(`${text}: the cards go to the sender's personal chat, the group only reads that they did`, async () => {
        arrange();
        const replies = await inGroup(text);

        assert.ok(!seenInChat(replies).includes(secret), 'nothing private in the group');
        assert.deepEqual(replies.map((r) => [r.type, r.text, r.attachments?.length ?? 0]), [['message', 'I sent you the answer in a personal chat: it may hold things only you may see.', 0]]);
        assert.deepEqual(privately().map((m) => m.conversation), ['a:personal-1']);
        assert.ok(privately()[0]?.content.includes(secret), 'the answer itself reached the personal chat');
        for (const a of messenger.sent[0]?.message.attachments ?? []) assertValidCard(a, `private answer to ${text}`);
      });
    }

    it('in Dutch too, and in a channel (replying in the thread)', async () => {
      discussions.add({ title: 'Reorganisatie afdeling water' });
      const replies = await send({ type: 'message', text: '<at>Meent</at> discussies', locale: 'nl-NL', conversation: CHANNEL, channelData: CHANNEL_DATA });
      assert.ok(!seenInChat(replies).includes('Reorganisatie'));
      assert.deepEqual(replies.map((r) => r.text), ['Ik heb je het antwoord in een persoonlijke chat gestuurd: het kan dingen bevatten die alleen jij mag zien.']);
      assert.ok(privately()[0]?.content.includes('Reorganisatie afdeling water'));
    });

    it('help is the same for everyone and stays in the group', async () => {
      const replies = await inGroup('help');
      assert.ok(texts(cardsOf(replies)[0]).includes('What can I do for you?'));
      assert.equal(messenger.sent.length, 0);
    });

    it('without a stored personal chat, Teams opens one from the group chat and Meent keeps it', async () => {
      await mongoose.connection.collection('conversation_references').deleteMany({});
      discussions.add({ title: 'Draaiboek hoogwater' });
      const replies = await inGroup('discussions');

      assert.ok(!seenInChat(replies).includes('Draaiboek'));
      assert.deepEqual(messenger.opened.map((o) => [o.via.conversation.id, o.person.userId, o.person.tenantId]), [[GROUP.id, userId, TENANT]]);
      assert.deepEqual(privately().map((m) => m.conversation), [`a:personal-${userId}`]);
      const stored = await references.find(TENANT, personalKey(userId));
      assert.equal(stored?.reference.conversation.id, `a:personal-${userId}`);
      assert.equal(stored?.state, 'active');
    });

    for (const refusal of ['blocked', 'gone', 'permanent'] as const) {
      it(`when Teams will not open a personal chat (${refusal}), the group is asked to use one and sees nothing private`, async () => {
        await mongoose.connection.collection('conversation_references').deleteMany({});
        discussions.add({ title: 'Draaiboek hoogwater' });
        messenger.refuse.open = refusal;
        const replies = await inGroup('discussions');
        assert.deepEqual(replies.map((r) => r.text), ['Your answer may hold things only you may see, so I do not post it in this chat. Ask me in a personal chat with Meent.']);
        assert.ok(!seenInChat(replies).includes('Draaiboek'));
        assert.equal(messenger.sent.length, 0);
        assert.equal(await references.find(TENANT, personalKey(userId)), null, 'no personal chat recorded');
      });
    }

    it('when the person blocked Meent in their personal chat, the chat is marked blocked and the group asked to use a personal chat', async () => {
      discussions.add({ title: 'Draaiboek hoogwater' });
      messenger.refuse.send = 'blocked';
      const replies = await inGroup('discussions');
      assert.deepEqual(replies.map((r) => r.text), ['Your answer may hold things only you may see, so I do not post it in this chat. Ask me in a personal chat with Meent.']);
      assert.equal((await references.find(TENANT, personalKey(userId)))?.state, 'blocked');
    });

    it('when sending fails for now (throttled), the group gets an apology with a reference, nothing private', async () => {
      discussions.add({ title: 'Draaiboek hoogwater' });
      messenger.refuse.send = 'throttled';
      const replies = await inGroup('discussions');
      const shown = texts(cardsOf(replies)[0]);
      assert.ok(shown.includes('That did not work'), shown.join(' | '));
      assert.ok(shown.some((t) => t.startsWith('Reference: ')));
      assert.ok(!seenInChat(replies).includes('Draaiboek'));
    });

    it('a sender Meent refuses is told so in the group, and no personal chat is opened', async () => {
      await mongoose.connection.collection('conversation_references').deleteMany({});
      sandbox.stub(activityActors, 'resolve').rejects(new ForbiddenError('Meent is not available to this organisation.', 'tenant_not_allowed'));
      const replies = await inGroup('discussions');
      assert.ok(texts(cardsOf(replies)[0]).includes('You may not do that here.'));
      assert.equal(messenger.opened.length, 0);
      assert.equal(messenger.sent.length, 0);
    });

    it('a conversation that says it is a group is never taken for a personal chat, whatever its type', async () => {
      await mongoose.connection.collection('conversation_references').deleteMany({});
      discussions.add({ title: 'Draaiboek hoogwater' });
      const replies = await send({ type: 'message', text: 'discussions', locale: 'en-GB', conversation: { id: '19:untyped@thread.v2', isGroup: true, tenantId: TENANT, name: '' } as Activity['conversation'] });
      assert.ok(!seenInChat(replies).includes('Draaiboek'));
      assert.equal((await references.find(TENANT, 'chat:19:untyped@thread.v2'))?.scope, 'groupChat');
      assert.notEqual((await references.find(TENANT, personalKey(userId)))?.reference.conversation.id, '19:untyped@thread.v2');
    });
  });

  describe('Universal Actions', () => {
    it('sign up answers with the card refreshed for that person: their status and the seats left', async () => {
      const e = events.add({ title: 'Kennissessie drones', capacity: 2, registered: ['someone'] });
      const result = await invoke('event.signUp', { eventId: e.id });
      assert.equal(result.status, 200);
      assert.ok(texts(result.card).includes('Je bent aangemeld.'));
      assert.ok(shows(result.card, 'vol'));
      assert.ok(result.card?.actions?.some((a) => a.verb === 'event.cancel'));
      assert.ok(!result.card?.actions?.some((a) => a.verb === 'event.signUp'));
    });

    it('sign up on a full event puts you on the waitlist with your position; cancelling promotes the next', async () => {
      const e = events.add({ title: 'Vol', capacity: 1, registered: ['first'], waitlist: ['second'] });
      const result = await invoke('event.signUp', { eventId: e.id }, 'en-US');
      assert.ok(texts(result.card).includes('You are on the waitlist (position 2).'));
      const cancelled = await invoke('event.cancel', { eventId: e.id }, 'en-US');
      assert.ok(!texts(cancelled.card).some((t) => t.startsWith('You are')));
      assert.ok(cancelled.card?.actions?.some((a) => a.verb === 'event.signUp'));
    });

    it('refresh shows the current state to whoever looks', async () => {
      const e = events.add({ title: 'Kennissessie', capacity: 5 });
      await events.signUp({ userId: 'other', tenantId: TENANT, name: 'x', isGuest: false, mfa: false, isOrgAdmin: false, roles: [] }, e.id);
      const result = await invoke('event.refresh', { eventId: e.id });
      assert.ok(shows(result.card, 'nog 4 plaatsen vrij'));
    });

    it('an action that is refused keeps the card and says why', async () => {
      const e = events.add({ title: 'Afgelast', status: 'cancelled' });
      const result = await invoke('event.signUp', { eventId: e.id }, 'en-US');
      assert.ok(texts(result.card).includes('That is not possible right now.'));
      assert.ok(texts(result.card).includes('This event has been cancelled.'));
    });

    it('an action on something that does not exist answers an error message, not a stack trace', async () => {
      const result = await invoke('event.signUp', { eventId: 'nope' }, 'en-US');
      assert.equal(result.status, 400);
      assert.equal(result.error?.code, 'event_not_found');
      assert.equal(result.error?.message, 'This does not exist (any more), or you have no access to it.');
    });

    it('reply inline posts the reply and shows it on the refreshed card', async () => {
      const d = discussions.add({ title: 'Meetnet' });
      const result = await invoke('discussion.reply', { discussionId: d.id, reply: '  Wij meten maandelijks.  ' });
      assert.deepEqual(d.replies, [{ author: 'Sanne de Vries', text: 'Wij meten maandelijks.' }]);
      assert.ok(texts(result.card).includes('Je reactie is geplaatst.'));
      assert.ok(texts(result.card).includes('**Sanne de Vries**: Wij meten maandelijks.'));
    });

    it('an empty reply is not posted', async () => {
      const d = discussions.add({ title: 'Meetnet' });
      const result = await invoke('discussion.reply', { discussionId: d.id, reply: '   ' });
      assert.equal(d.replies.length, 0);
      assert.ok(texts(result.card).includes('Schrijf eerst een reactie.'));
    });

    it('follow and unfollow', async () => {
      const d = discussions.add({ title: 'Meetnet' });
      const followed = await invoke('discussion.follow', { discussionId: d.id, follow: true }, 'en-US');
      assert.ok(d.followers.has(userId));
      assert.ok(followed.card?.actions?.some((a) => a.title === 'Unfollow'));
      await invoke('discussion.follow', { discussionId: d.id, follow: false }, 'en-US');
      assert.ok(!d.followers.has(userId));
    });

    it('ask posts the question in the chosen community', async () => {
      const result = await invoke('discussion.ask', { communityId: 'bbbbbbbbbbbbbbbbbbbbbbbb', title: 'Hoe meten jullie stikstof?', body: 'Details' });
      const created = [...discussions.discussions.values()][0];
      assert.equal(created?.title, 'Hoe meten jullie stikstof?');
      assert.equal(created?.communityId, 'bbbbbbbbbbbbbbbbbbbbbbbb');
      assert.ok(texts(result.card).includes('Je vraag is geplaatst.'));
    });

    it('ask without a community shows the form again with the question kept', async () => {
      const result = await invoke('discussion.ask', { title: 'Mijn vraag' });
      assert.equal(discussions.discussions.size, 0);
      assert.ok(texts(result.card).includes('Kies een community en schrijf je vraag.'));
      assert.equal(result.card?.body.find((b) => b.id === 'title')?.value, 'Mijn vraag');
    });

    it('settings.save stores cadences per group and the channel', async () => {
      const result = await invoke('settings.save', { 'group.newDiscussions': 'weekly', 'group.events': 'off', channel: 'activityFeed' });
      const prefs = await preferences.get(TENANT, userId);
      assert.equal(prefs.kinds.newDiscussion, 'weekly');
      assert.equal(prefs.kinds.discussionClosed, 'weekly');
      assert.equal(prefs.kinds.reminder, 'off');
      assert.equal(prefs.kinds.reply, 'immediately');
      assert.equal(prefs.channel, 'activityFeed');
      assert.ok(texts(result.card).includes('Je instellingen zijn opgeslagen.'));
    });

    it('mute from a notification, then unmute from settings', async () => {
      const communityId = new mongoose.Types.ObjectId().toHexString();
      const muted = await invoke('notifications.mute', { target: 'community', targetId: communityId, title: 'Droogte' });
      assert.ok(texts(muted.card).some((t) => t.startsWith('Gedempt')));
      const actor = { userId, tenantId: TENANT, name: 'x', isGuest: false, mfa: false, isOrgAdmin: false, roles: [] };
      assert.deepEqual((await preferences.listMutes(actor)).map((m) => m.targetId), [communityId]);
      const settings = cardsOf(await say('settings', 'en-US'));
      assert.ok(texts(settings[0]).includes('Droogte'));
      await invoke('notifications.unmute', { target: 'community', targetId: communityId });
      assert.deepEqual(await preferences.listMutes(actor), []);
    });

    it('a mute with a forged target is refused politely', async () => {
      const result = await invoke('notifications.mute', { target: 'everything', targetId: '{"$ne":null}' }, 'en-US');
      assert.ok(texts(result.card).includes('This card is out of date. Ask for a new one.'));
    });

    it('an unknown verb answers that the card is out of date', async () => {
      const result = await invoke('something.else', {}, 'en-US');
      assert.ok(texts(result.card).includes('This card is out of date. Ask for a new one.'));
    });
  });
});
