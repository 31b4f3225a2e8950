import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestAdapter, type Activity } from 'botbuilder';
import { createBotModule, type BotModule } from '../../bot/bot-module.js';
import type { Actor } from '../../src/auth/actor.js';
import { loadConfig } from '../../src/config/config.js';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { resolveDiscussionAccess } from '../../src/discussions/discussion-access.js';
import { FollowModel } from '../../src/discussions/follow.model.js';
import { ReadMarkerModel } from '../../src/discussions/read-marker.model.js';
import { ReplyModel } from '../../src/discussions/reply.model.js';
import { createEventsServices, type EventsServices } from '../../src/events/events.module.js';
import { createLogger } from '../../src/logging/logger.js';
import { assertValidCard } from '../support/adaptive-cards.js';
import { useTestDatabase } from '../support/database.js';
import { entraEnvironment, TEST_HOME_TENANT } from '../support/identity-app.js';
import { buildWorld, community, person, type CommunityFixture, type TestWorld } from '../communities/communities-fixtures.js';

const PUBLIC_URL = 'https://meent.example';
const BOT_ACCOUNT = { id: '28:meent-bot', name: 'Meent' };
const DAY = 24 * 3_600_000;

type Card = { type: string; body: Record<string, unknown>[]; actions?: Record<string, unknown>[]; refresh?: { action: { verb: string; data: Record<string, unknown> }; userIds: string[] } };
type Extension = { composeExtension?: { type: string; attachments?: { contentType: string; content: unknown; preview?: { content: { title: string; text?: string } } }[] } };

/**
 * The bot over the real communities services on the real store: discussions, ask, inline
 * replies, follow and search, as the people the activities name (resolved by the real
 * BotActors from Meent's people directory).
 */
describe('bot discussions and search (TestAdapter, real services)', function () {
  this.timeout(60_000);
  useTestDatabase('botdisc');
  let world: TestWorld;
  let events: EventsServices;
  let bot: BotModule;
  let adapter: TestAdapter;
  let me: Actor;
  let ann: Actor;
  let guest: Actor;
  let mine: CommunityFixture;
  let closedMine: CommunityFixture;
  let secretMine: CommunityFixture;
  let notMine: CommunityFixture;
  let secret: CommunityFixture;

  const at = (spec: { userId: string; name: string; isGuest?: boolean; expertise?: string[]; organisation?: string }) => person({ ...spec, tenantId: TEST_HOME_TENANT });

  before(async () => {
    world = buildWorld();
    const logger = createLogger('silent');
    const config = loadConfig(entraEnvironment('https://login.example', 'https://graph.microsoft.com', { PUBLIC_URL }));
    events = createEventsServices({ config: { publicUrl: PUBLIC_URL, graphBaseUrl: 'https://graph.invalid', localMode: true }, logger });
    bot = createBotModule({ config, logger, events: { events: events.events, signups: events.signups }, communities: world.module.services });
    adapter = new TestAdapter(async (context) => bot.bot.run(context));

    me = await at({ userId: randomUUID(), name: 'Sanne de Vries' });
    ann = await at({ userId: randomUUID(), name: 'Ann Jansen', expertise: ['kwelwater'], organisation: 'Waterschap Rijn en IJssel' });
    guest = await at({ userId: randomUUID(), name: 'Gijs Gast', isGuest: true });
    mine = await community(world, ann, { name: 'Waterkwaliteit', members: [me] });
    closedMine = await community(world, ann, { name: 'Droogte', visibility: 'closed', members: [me] });
    secretMine = await community(world, ann, { name: 'Crisisteam', visibility: 'secret', members: [me] });
    notMine = await community(world, ann, { name: 'Bodem' });
    secret = await community(world, ann, { name: 'Geheim overleg', visibility: 'secret' });
  });

  function activity(actor: Actor, overrides: Partial<Activity>): Partial<Activity> {
    return {
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      from: { id: `29:${actor.userId}`, aadObjectId: actor.userId, name: actor.name },
      recipient: BOT_ACCOUNT,
      conversation: { id: `a:personal-${actor.userId}`, conversationType: 'personal', tenantId: TEST_HOME_TENANT, isGroup: false, name: '' },
      channelData: { tenant: { id: TEST_HOME_TENANT } },
      locale: 'nl-NL',
      ...overrides,
    };
  }

  /** Sends an activity; answers what the bot sent back, every card checked by the Adaptive Cards parser. */
  async function send(actor: Actor, overrides: Partial<Activity>): Promise<Partial<Activity>[]> {
    adapter.activeQueue.length = 0;
    await adapter.processActivity(activity(actor, overrides) as Activity);
    const replies = adapter.activeQueue.splice(0);
    for (const reply of replies) {
      for (const a of reply.attachments ?? []) assertValidCard(a, `card answering ${overrides.text ?? overrides.name}`);
      const body = (reply.value as { body?: { type?: string; value?: unknown; composeExtension?: Extension['composeExtension'] } } | undefined)?.body;
      if (reply.type === 'invokeResponse' && body?.type === 'application/vnd.microsoft.card.adaptive') assertValidCard(body.value, `card answering ${overrides.name}`);
      for (const a of body?.composeExtension?.attachments ?? []) assertValidCard(a, `result of ${overrides.name}`);
    }
    return replies;
  }

  const say = async (actor: Actor, text: string, locale = 'nl-NL') => cardsOf(await send(actor, { type: 'message', text, locale }));
  const cardsOf = (replies: Partial<Activity>[]) => replies.flatMap((r) => (r.attachments ?? []).map((a) => a.content as Card));
  const texts = (card: unknown): string[] => JSON.stringify(card ?? {}).match(/"text":"(?:[^"\\]|\\.)*"/g)?.map((m) => JSON.parse(m.slice(7)) as string) ?? [];

  async function invoke(actor: Actor, verb: string, data: Record<string, unknown>, locale = 'nl-NL'): Promise<{ status: number; card?: Card; error?: { code: string; message: string } }> {
    const replies = await send(actor, { type: 'invoke', name: 'adaptiveCard/action', locale, value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } });
    const response = replies.find((r) => r.type === 'invokeResponse')?.value as { status: number; body: { statusCode: number; type: string; value: unknown } };
    assert.ok(response, 'an invoke response');
    return response.body.type === 'application/vnd.microsoft.error'
      ? { status: response.body.statusCode, error: response.body.value as { code: string; message: string } }
      : { status: response.body.statusCode, card: response.body.value as Card };
  }

  async function extensionQuery(actor: Actor, text: string): Promise<NonNullable<Extension['composeExtension']>> {
    const replies = await send(actor, { type: 'invoke', name: 'composeExtension/query', locale: 'en-US', value: { commandId: 'searchMeent', parameters: [{ name: 'query', value: text }] } });
    const response = replies.find((r) => r.type === 'invokeResponse')?.value as { status: number; body: Extension };
    assert.equal(response.status, 200);
    assert.ok(response.body.composeExtension);
    return response.body.composeExtension;
  }

  const start = (by: Actor, where: CommunityFixture, title: string, body = 'Wie weet hier meer van?') => world.module.services.discussions.create(by, where.id, { title, body, kind: 'discussion' });

  describe('discussions', () => {
    it('discussies: the newest discussions of my communities (secret ones I am in included), not of others or of a secret one I am not in', async () => {
      await start(ann, mine, 'Meetnet grondwater');
      await start(ann, notMine, 'Bodemleven in de stad');
      await start(ann, secret, 'Reorganisatie afdeling water');
      await start(ann, closedMine, 'Beregeningsverbod');
      await start(me, mine, 'Mijn eigen vraag over nitraat');
      const crisis = await start(ann, secretMine, 'Draaiboek hoogwater');

      for (const [text, locale, title] of [['discussies', 'nl-NL', 'Nieuwste discussies'], ['discussions', 'en-US', 'Latest discussions']] as const) {
        const [card, ...rest] = await say(me, text, locale);
        assert.equal(rest.length, 0);
        const shown = texts(card);
        assert.equal(shown[0], title);
        const titles = shown.filter((t) => ['Meetnet grondwater', 'Bodemleven in de stad', 'Reorganisatie afdeling water', 'Beregeningsverbod', 'Mijn eigen vraag over nitraat', 'Draaiboek hoogwater'].includes(t));
        assert.deepEqual(titles, ['Draaiboek hoogwater', 'Mijn eigen vraag over nitraat', 'Beregeningsverbod', 'Meetnet grondwater'], 'newest first, only my communities');
        assert.ok(!JSON.stringify(card).includes('Geheim overleg'), 'the secret community is not named');
        assert.ok(JSON.stringify(card).includes(`${PUBLIC_URL}/tab/#/discussion/${crisis.id}`));
      }
      assert.ok(texts((await say(me, 'discussies'))[0]).includes(`Crisisteam · 0 reacties`));
    });

    it('shows nothing (with a friendly line) to someone in no community', async () => {
      const loner = await at({ userId: randomUUID(), name: 'Lotte Alleen' });
      const [card] = await say(loner, 'discussions', 'en-US');
      assert.ok(texts(card).includes('There are no discussions in your communities yet.'));
    });
  });

  describe('ask', () => {
    it('vraag <question>: the form prefilled, offering only the communities where I may start a discussion', async () => {
      const [card] = await say(me, 'vraag Hoe meten jullie kwel?');
      const inputs = card?.body.filter((b) => String(b.type).startsWith('Input.')) ?? [];
      assert.deepEqual(inputs.map((i) => i.id), ['communityId', 'title', 'body']);
      assert.equal(inputs[1]?.value, 'Hoe meten jullie kwel?');
      assert.deepEqual((inputs[0]?.choices as { title: string; value: string }[]).map((c) => c.title), ['Crisisteam', 'Droogte', 'Waterkwaliteit']);
    });

    it('a guest is offered only the communities that admit guests', async () => {
      const open = await community(world, ann, { name: 'Gastvrij', guestsAllowed: true, members: [guest] });
      const closing = await community(world, ann, { name: 'Straks zonder gasten', guestsAllowed: true, members: [guest] });
      await world.module.services.communities.update(ann, closing.id, { guestsAllowed: false });
      const [card] = await say(guest, 'ask something', 'en-US');
      const choices = card?.body.find((b) => b.id === 'communityId')?.choices as { title: string; value: string }[];
      assert.deepEqual(choices.map((c) => c.value), [open.id]);
    });

    it('posting the form creates a question in the picked community, which I then follow', async () => {
      const result = await invoke(me, 'discussion.ask', { communityId: closedMine.id, title: 'Hoe meten jullie kwel?', body: 'Wij gebruiken **peilbuizen**.' });
      assert.equal(result.status, 200);
      assert.ok(texts(result.card).includes('Je vraag is geplaatst.'));
      assert.ok(texts(result.card).includes('Hoe meten jullie kwel?'));
      const created = await DiscussionModel.findOne({ title: 'Hoe meten jullie kwel?' }).lean();
      assert.ok(created);
      assert.equal(created.kind, 'question');
      assert.equal(String(created.communityId), closedMine.id);
      assert.equal(created.authorId, me.userId);
      assert.equal(created.body?.source, 'Wij gebruiken **peilbuizen**.');
      assert.equal(result.card?.refresh?.action.data.discussionId, String(created._id));
      assert.ok(result.card?.actions?.some((a) => a.verb === 'discussion.follow' && (a.data as { follow: boolean }).follow === false), 'the asker follows');
    });

    it('a question without details has the question as its text', async () => {
      const result = await invoke(me, 'discussion.ask', { communityId: mine.id, title: 'Wie heeft een drone?' }, 'en-US');
      assert.ok(texts(result.card).includes('Your question was posted.'));
      const created = await DiscussionModel.findOne({ title: 'Wie heeft een drone?' }).lean();
      assert.equal(created?.body?.source, 'Wie heeft een drone?');
    });

    it('refuses to post in a secret community I am not in, as if it did not exist', async () => {
      const result = await invoke(me, 'discussion.ask', { communityId: secret.id, title: 'Mag ik meedoen?' }, 'en-US');
      assert.equal(result.status, 400);
      assert.equal(result.error?.code, 'community_not_found');
      assert.equal(await DiscussionModel.countDocuments({ title: 'Mag ik meedoen?' }), 0);
    });
  });

  describe('inline reply and follow (Action.Execute)', () => {
    it('a reply is posted and answered with the card refreshed: my reply among the latest, the count, the notice', async () => {
      const d = await start(ann, mine, 'Blauwalg in de vijver');
      for (const text of ['Eerste', 'Tweede', 'Derde', 'Vierde']) await world.module.services.replies.create(ann, d.id, { body: `${text} reactie` });
      const result = await invoke(me, 'discussion.reply', { discussionId: d.id, reply: '  Wij meten **wekelijks**.  ' });
      assert.equal(result.status, 200);
      const shown = texts(result.card);
      assert.ok(shown.includes('Je reactie is geplaatst.'));
      assert.ok(shown.includes('Ann Jansen · 5 reacties'));
      assert.deepEqual(shown.filter((t) => t.startsWith('**')), ['**Ann Jansen**: Derde reactie', '**Ann Jansen**: Vierde reactie', '**Sanne de Vries**: Wij meten wekelijks.']);
      assert.equal(result.card?.refresh?.action.verb, 'discussion.refresh');
      assert.deepEqual(result.card?.refresh?.userIds, [`29:${me.userId}`]);
      const stored = await ReplyModel.findOne({ discussionId: d.id, authorId: me.userId }).lean();
      assert.equal(stored?.body?.source, 'Wij meten **wekelijks**.');

      // The refresh shows the same state to someone else.
      const refreshed = await invoke(ann, 'discussion.refresh', { discussionId: d.id });
      assert.ok(texts(refreshed.card).includes('**Sanne de Vries**: Wij meten wekelijks.'));
    });

    it('a reply in a nested thread shows among the latest', async () => {
      const d = await start(ann, mine, 'Maaibeleid bermen');
      const first = await world.module.services.replies.create(ann, d.id, { body: 'Wij maaien twee keer per jaar.' });
      await world.module.services.replies.create(ann, d.id, { body: 'Later meer.' });
      await world.module.services.replies.create(me, d.id, { body: 'Met afvoeren?', parentId: first.id });
      const result = await invoke(ann, 'discussion.refresh', { discussionId: d.id }, 'en-US');
      assert.deepEqual(texts(result.card).filter((t) => t.startsWith('**')), ['**Ann Jansen**: Wij maaien twee keer per jaar.', '**Ann Jansen**: Later meer.', '**Sanne de Vries**: Met afvoeren?']);
    });

    it('someone who may read but not reply gets no reply box, and a forged reply is refused', async () => {
      const d = await start(ann, notMine, 'Compost in het plantsoen');
      const refreshed = await invoke(me, 'discussion.refresh', { discussionId: d.id }, 'en-US');
      assert.equal(refreshed.status, 200);
      assert.ok(!refreshed.card?.body.some((b) => b.id === 'reply'));
      assert.ok(!refreshed.card?.actions?.some((a) => a.verb === 'discussion.reply'));
      assert.equal(await ReadMarkerModel.countDocuments({ discussionId: d.id, userId: me.userId }), 0, 'a card does not mark the discussion read');
      const forged = await invoke(me, 'discussion.reply', { discussionId: d.id, reply: 'Toch reageren' }, 'en-US');
      assert.equal(forged.status, 400);
      assert.equal(forged.error?.code, 'forbidden');
      assert.equal(await ReplyModel.countDocuments({ discussionId: d.id }), 0);
    });

    it('a discussion in a secret community I am not in does not exist for me', async () => {
      const d = await start(ann, secret, 'Vertrouwelijk');
      for (const [verb, data] of [['discussion.refresh', {}], ['discussion.reply', { reply: 'Hallo' }], ['discussion.follow', { follow: true }]] as const) {
        const result = await invoke(me, verb, { discussionId: d.id, ...data }, 'en-US');
        assert.equal(result.status, 400, verb);
        assert.equal(result.error?.code, 'discussion_not_found', verb);
        assert.ok(!JSON.stringify(result).includes('Vertrouwelijk'));
      }
      assert.equal(await FollowModel.countDocuments({ discussionId: d.id, userId: me.userId }), 0);
    });

    it('follow and unfollow toggle, and the card says which', async () => {
      const d = await start(ann, closedMine, 'Waterbesparing bij bedrijven');
      const following = async () => (await world.module.services.discussions.view(me, await resolveDiscussionAccess(me, d.id), { markRead: false })).following;
      const before = await invoke(me, 'discussion.refresh', { discussionId: d.id }, 'en-US');
      assert.ok(before.card?.actions?.some((a) => a.title === 'Follow'));
      assert.equal(await following(), false);

      const followed = await invoke(me, 'discussion.follow', { discussionId: d.id, follow: true }, 'en-US');
      assert.ok(texts(followed.card).includes('You follow this discussion.'));
      assert.ok(followed.card?.actions?.some((a) => a.title === 'Unfollow'));
      assert.equal(await following(), true);

      const unfollowed = await invoke(me, 'discussion.follow', { discussionId: d.id, follow: false });
      assert.ok(texts(unfollowed.card).includes('Je volgt deze discussie niet meer.'));
      assert.ok(unfollowed.card?.actions?.some((a) => a.title === 'Volgen'));
      assert.equal(await following(), false);
    });
  });

  describe('search', () => {
    let visible: { discussion: string; replied: string; event: string };

    before(async () => {
      const discussion = await start(ann, mine, 'Kwelwater in de polder');
      const replied = await start(ann, closedMine, 'Natte kelders');
      await world.module.services.replies.create(ann, replied.id, { body: 'Dat komt door kwelwater.' });
      await start(ann, secret, 'Kwelwater: geheime aanpak');
      const soon = new Date(Date.now() + 10 * DAY);
      const eventInput = { start: soon, end: new Date(soon.getTime() + 90 * 60_000), timeZone: 'Europe/Amsterdam', online: true };
      const event = await events.events.create(ann, { ...eventInput, title: 'Excursie kwelwater', communityId: mine.id });
      await events.events.create(ann, { ...eventInput, title: 'Kwelwater crisisoefening', communityId: secret.id });
      visible = { discussion: discussion.id, replied: replied.id, event: event.id };
    });

    it('zoek <text>: discussions (also by their replies), events and people I may see, nothing from a secret community', async () => {
      for (const [text, locale] of [['zoek kwelwater', 'nl-NL'], ['search kwelwater', 'en-US']] as const) {
        const [card] = await say(me, text, locale);
        const all = JSON.stringify(card);
        const shown = texts(card);
        for (const title of ['Kwelwater in de polder', 'Natte kelders', 'Excursie kwelwater', 'Ann Jansen']) assert.ok(shown.includes(title), `${text} shows ${title}`);
        assert.ok(!all.includes('geheime aanpak') && !all.includes('crisisoefening') && !all.includes('Geheim overleg'), 'nothing of the secret community');
        assert.ok(all.includes(`${PUBLIC_URL}/tab/#/discussion/${visible.replied}`), 'a reply links to its discussion');
        assert.ok(all.includes(`${PUBLIC_URL}/tab/#/event/${visible.event}`));
        assert.ok(all.includes(`${PUBLIC_URL}/tab/#/people/${ann.userId}`));
      }
      const [nl] = await say(me, 'zoek kwelwater');
      assert.equal(texts(nl)[0], 'Zoekresultaten voor "kwelwater"');
      assert.ok(texts(nl).some((t) => t.startsWith('Discussie · Waterkwaliteit')));
      assert.ok(texts(nl).some((t) => t.startsWith('Persoon · ')));
    });

    it('says so when nothing is found', async () => {
      const [card] = await say(me, 'search zeppelinhaven', 'en-US');
      assert.ok(texts(card).includes('Nothing found for "zeppelinhaven".'));
    });

    it('the message extension inserts a discussion with its inline reply, an event with sign-up, a person as a link', async () => {
      const result = await extensionQuery(me, 'kwelwater');
      const attachments = result.attachments ?? [];
      const titles = attachments.map((a) => a.preview?.content.title);
      for (const title of ['Kwelwater in de polder', 'Natte kelders', 'Excursie kwelwater', 'Ann Jansen']) assert.ok(titles.includes(title), `a result for ${title}`);
      assert.equal(titles.length, new Set(titles).size, 'each item once');
      assert.ok(!JSON.stringify(result).includes('geheime aanpak') && !JSON.stringify(result).includes('crisisoefening'));
      const byTitle = (title: string) => JSON.stringify(attachments.find((a) => a.preview?.content.title === title)?.content);
      assert.ok(byTitle('Kwelwater in de polder').includes('"verb":"discussion.reply"'));
      assert.ok(byTitle('Kwelwater in de polder').includes(`"discussionId":"${visible.discussion}"`));
      assert.ok(byTitle('Excursie kwelwater').includes('"verb":"event.signUp"'));
      assert.ok(byTitle('Ann Jansen').includes(`${PUBLIC_URL}/tab/#/people/${ann.userId}`));
      assert.equal(attachments.find((a) => a.preview?.content.title === 'Ann Jansen')?.preview?.content.text, 'Waterschap Rijn en IJssel · kwelwater');
    });

    it('the message extension finds nothing secret for an outsider searching for it by name', async () => {
      const result = await extensionQuery(me, 'geheime aanpak');
      assert.deepEqual(result.attachments, []);
    });
  });

  describe('message actions and links', () => {
    async function extension(actor: Actor, name: string, value: unknown): Promise<Extension & { task?: { value: { card: { content: Card } } } }> {
      const replies = await send(actor, { type: 'invoke', name, locale: 'en-US', value });
      const response = replies.find((r) => r.type === 'invokeResponse')?.value as { status: number; body: Extension & { task?: { value: { card: { content: Card } } } } };
      assert.equal(response.status, 200);
      if (response.body.task) assertValidCard(response.body.task.value.card, `${name} dialog`);
      return response.body;
    }

    it('"start a discussion from this message" offers my communities and posts a discussion (not a question) there', async () => {
      const dialog = await extension(me, 'composeExtension/fetchTask', { commandId: 'startDiscussion', commandContext: 'message', messagePayload: { body: { contentType: 'html', content: '<p>Wie kent een goede ecoloog?</p>' } } });
      const choices = dialog.task?.value.card.content.body.find((b) => b.id === 'communityId')?.choices as { value: string }[];
      assert.deepEqual(new Set(choices.map((c) => c.value)), new Set([mine.id, closedMine.id, secretMine.id]));
      const posted = await extension(me, 'composeExtension/submitAction', { commandId: 'startDiscussion', data: { communityId: secretMine.id, title: 'Wie kent een goede ecoloog?', body: 'Voor de dijkversterking.' } });
      const created = await DiscussionModel.findOne({ title: 'Wie kent een goede ecoloog?' }).lean();
      assert.equal(String(created?.communityId), secretMine.id);
      assert.equal(created?.kind, 'discussion', 'a chat message starts a discussion, not a question');
      assert.ok(JSON.stringify(posted.composeExtension?.attachments?.[0]?.content).includes(String(created?._id)));
    });

    it('a pasted link unfurls into the discussion card for those who may see it, and into nothing for others', async () => {
      const d = await start(ann, secretMine, 'Evacuatieplan');
      const url = `${PUBLIC_URL}/tab/#/discussion/${d.id}`;
      const member = await extension(me, 'composeExtension/queryLink', { url });
      assert.ok(JSON.stringify(member.composeExtension?.attachments?.[0]?.content).includes('Evacuatieplan'));
      const outsider = await at({ userId: randomUUID(), name: 'Olaf Buiten' });
      const other = await extension(outsider, 'composeExtension/queryLink', { url });
      assert.deepEqual(other.composeExtension?.attachments, []);
    });
  });
});
