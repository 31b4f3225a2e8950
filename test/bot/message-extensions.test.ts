import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TestAdapter, type Activity } from 'botbuilder';
import sinon from 'sinon';
import { MeentBot } from '../../bot/meent-bot.js';
import { meentLink, textOf } from '../../bot/message-extensions.js';
import { tabLinks } from '../../bot/ports.js';
import { createLogger } from '../../src/logging/logger.js';
import { ConversationReferences } from '../../src/notifications/conversation-references.js';
import { NotificationPreferences } from '../../src/notifications/notification-preferences.js';
import { assertValidCard } from '../support/adaptive-cards.js';
import { activityActors, FakeDiscussions, FakeEvents, FakeMessenger, FakeSearch, writeLimit } from '../support/bot-fakes.js';
import { useTestDatabase } from '../support/database.js';

const TENANT = '5e1c7a52-0d1b-4c3e-9a77-2f6d4b8c9e10';
const PUBLIC_URL = 'https://meent.example';

type Result = { composeExtension?: { type: string; text?: string; attachments?: { contentType: string; content: unknown; preview?: { content: { title: string } } }[] }; task?: { type: string; value: { title: string; card: { content: { body: Record<string, unknown>[]; actions: Record<string, unknown>[] } } } } };

describe('message extensions (TestAdapter)', () => {
  useTestDatabase('msgext');
  const sandbox = sinon.createSandbox();
  let events: FakeEvents;
  let discussions: FakeDiscussions;
  let adapter: TestAdapter;
  const userId = randomUUID();

  beforeEach(() => {
    events = new FakeEvents();
    discussions = new FakeDiscussions();
    const search = new FakeSearch([]);
    const bot = new MeentBot({ actors: activityActors, events, discussions, search, preferences: new NotificationPreferences(), references: new ConversationReferences(), tenantAllowed: () => true, messenger: new FakeMessenger(), writes: writeLimit(), links: tabLinks(PUBLIC_URL), publicUrl: PUBLIC_URL, logger: createLogger('silent') });
    sandbox.stub(search, 'search').callsFake(async (_actor, query) => {
      const hits = [
        ...[...events.events.values()].map((e) => ({ kind: 'event' as const, id: e.id, title: e.title, subtitle: 'Bijeenkomst' })),
        ...[...discussions.discussions.values()].map((d) => ({ kind: 'discussion' as const, id: d.id, title: d.title, subtitle: 'Discussie' })),
        { kind: 'person' as const, id: 'p1', title: 'Sanne de Vries', subtitle: 'Beleidsmedewerker' },
      ];
      return hits.filter((h) => h.title.toLowerCase().includes(query.toLowerCase()));
    });
    adapter = new TestAdapter(async (context) => bot.run(context));
  });
  afterEach(() => sandbox.restore());

  async function invoke(name: string, value: unknown): Promise<Result> {
    adapter.activeQueue.length = 0;
    await adapter.processActivity({
      type: 'invoke',
      name,
      value,
      channelId: 'msteams',
      locale: 'en-US',
      from: { id: `29:${userId}`, aadObjectId: userId, name: 'Sanne de Vries' },
      recipient: { id: '28:meent', name: 'Meent' },
      conversation: { id: '19:chat@thread.v2', conversationType: 'groupChat', tenantId: TENANT, isGroup: true, name: '' },
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
    } as Activity);
    const response = adapter.activeQueue.find((a) => a.type === 'invokeResponse')?.value as { status: number; body: Result };
    assert.equal(response.status, 200);
    for (const a of response.body.composeExtension?.attachments ?? []) assertValidCard(a, `${name} result`);
    if (response.body.task?.value.card) assertValidCard(response.body.task.value.card, `${name} dialog`);
    return response.body;
  }

  it('search inserts each item as its own card: an event with its sign-up button, a person as a link', async () => {
    const e = events.add({ title: 'Kennissessie drones' });
    discussions.add({ title: 'Drones boven de dijk' });
    const result = await invoke('composeExtension/query', { commandId: 'searchMeent', parameters: [{ name: 'query', value: 'drone' }] });
    const attachments = result.composeExtension?.attachments ?? [];
    assert.equal(result.composeExtension?.type, 'result');
    assert.deepEqual(attachments.map((a) => a.preview?.content.title), ['Kennissessie drones', 'Drones boven de dijk']);
    assert.ok(JSON.stringify(attachments[0]?.content).includes(`"eventId":"${e.id}"`));
    assert.ok(JSON.stringify(attachments[1]?.content).includes('discussion.reply'));
    const people = await invoke('composeExtension/query', { commandId: 'searchMeent', parameters: [{ name: 'query', value: 'sanne' }] });
    assert.ok(JSON.stringify(people.composeExtension?.attachments?.[0]?.content).includes('https://meent.example/tab/#/people/p1'));
  });

  it('search with no text answers no results', async () => {
    const result = await invoke('composeExtension/query', { commandId: 'searchMeent', parameters: [{ name: 'query', value: '  ' }] });
    assert.deepEqual(result.composeExtension?.attachments, []);
  });

  it('"start a discussion from this message" opens a dialog prefilled with the message text and a community picker', async () => {
    const result = await invoke('composeExtension/fetchTask', {
      commandId: 'startDiscussion',
      commandContext: 'message',
      messagePayload: { body: { contentType: 'html', content: '<p>Hoe meten jullie nitraat?</p><p>Wij doen het &amp; maandelijks.</p>' } },
    });
    assert.equal(result.task?.type, 'continue');
    const body = result.task?.value.card.content.body ?? [];
    assert.equal(body.find((b) => b.id === 'title')?.value, 'Hoe meten jullie nitraat?');
    assert.equal(body.find((b) => b.id === 'body')?.value, 'Hoe meten jullie nitraat?\nWij doen het & maandelijks.');
    assert.equal((body.find((b) => b.id === 'communityId')?.choices as unknown[]).length, 2);
    assert.deepEqual(result.task?.value.card.content.actions.map((a) => a.type), ['Action.Submit']);
  });

  it('submitting the dialog posts the discussion and inserts its card', async () => {
    const result = await invoke('composeExtension/submitAction', { commandId: 'startDiscussion', data: { communityId: 'bbbbbbbbbbbbbbbbbbbbbbbb', title: 'Hoe meten jullie nitraat?', body: 'Details' } });
    const created = [...discussions.discussions.values()][0];
    assert.equal(created?.title, 'Hoe meten jullie nitraat?');
    assert.equal(result.composeExtension?.attachments?.length, 1);
    assert.ok(JSON.stringify(result.composeExtension?.attachments?.[0]?.content).includes(created?.id ?? 'x'));
  });

  it('submitting without a community shows the dialog again', async () => {
    const result = await invoke('composeExtension/submitAction', { commandId: 'startDiscussion', data: { title: 'Vraag' } });
    assert.equal(discussions.discussions.size, 0);
    assert.equal(result.task?.type, 'continue');
  });

  it('"share an event": pick one of the upcoming events, its card is inserted', async () => {
    const e = events.add({ title: 'Webinar droogte' });
    const dialog = await invoke('composeExtension/fetchTask', { commandId: 'shareEvent', commandContext: 'compose' });
    assert.ok(JSON.stringify(dialog.task?.value.card).includes('Webinar droogte'));
    const result = await invoke('composeExtension/submitAction', { commandId: 'shareEvent', data: { eventId: e.id } });
    assert.ok(JSON.stringify(result.composeExtension?.attachments?.[0]?.content).includes('event.signUp'));
  });

  it('unfurls a pasted link to an event or a discussion into its card, and leaves other links alone', async () => {
    const e = events.add({ id: 'aaaaaaaaaaaaaaaaaaaaaaa1', title: 'Kennissessie drones' });
    const d = discussions.add({ id: 'bbbbbbbbbbbbbbbbbbbbbbb2', title: 'Meetnet' });
    const eventCard = await invoke('composeExtension/queryLink', { url: `${PUBLIC_URL}/tab/#/event/${e.id}` });
    assert.ok(JSON.stringify(eventCard.composeExtension?.attachments?.[0]?.content).includes('Kennissessie drones'));
    const discussionCard = await invoke('composeExtension/queryLink', { url: `${PUBLIC_URL}/tab/#/discussion/${d.id}?tab=replies` });
    assert.ok(JSON.stringify(discussionCard.composeExtension?.attachments?.[0]?.content).includes('Meetnet'));
    const foreign = await invoke('composeExtension/queryLink', { url: `https://evil.example/tab/#/event/${e.id}` });
    assert.deepEqual(foreign.composeExtension?.attachments, []);
    const gone = await invoke('composeExtension/queryLink', { url: `${PUBLIC_URL}/tab/#/event/cccccccccccccccccccccccc` });
    assert.deepEqual(gone.composeExtension?.attachments, []);
  });

  it('recognises only Meent links with an id', () => {
    assert.deepEqual(meentLink(PUBLIC_URL, `${PUBLIC_URL}/tab/#/event/ABCDEFabcdef012345678901`), { kind: 'event', id: 'abcdefabcdef012345678901' });
    assert.equal(meentLink(PUBLIC_URL, `${PUBLIC_URL}/tab/#/event/1`), undefined);
    assert.equal(meentLink(PUBLIC_URL, 'not a url'), undefined);
    assert.equal(textOf('plain <text>', 'text'), 'plain <text>');
  });
});
