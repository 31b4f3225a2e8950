import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import sinon from 'sinon';
import { consultationTextsFor } from '../../bot/consultation-texts.js';
import { textsFor } from '../../bot/texts.js';
import type { Actor } from '../../src/auth/actor.js';
import { createConsultationsServices, type ConsultationsServices } from '../../src/consultations/consultations.module.js';
import { writeRateLimits } from '../../src/http/request-rate-limits.js';
import { createLogger } from '../../src/logging/logger.js';
import { assertValidCard, cardInputs } from '../support/adaptive-cards.js';
import type { BotConnector } from '../support/bot-connector.js';
import { startBotEndpointRig, type BotEndpointRig, type Poster } from '../support/bot-endpoint-rig.js';
import { useTestDatabase } from '../support/database.js';
import { TEST_HOME_TENANT } from '../support/identity-app.js';
import { buildWorld, community, person, type CommunityFixture, type TestWorld } from '../communities/communities-fixtures.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const CLOSES = '2026-03-09T17:00:00.000Z';
const nl = consultationTextsFor('nl');
const en = consultationTextsFor('en');

type Card = { refresh?: { action: { verb: string; data: Record<string, unknown> }; userIds?: string[] }; body: unknown[]; actions: { type: string; verb?: string; title: string; data?: Record<string, unknown> }[] };
type Invoked = { status: number; card?: Card; error?: { code: string; message: string } };

const texts = (card: unknown): string[] => JSON.stringify(card ?? {}).match(/"text":"(?:[^"\\]|\\.)*"/g)?.map((m) => JSON.parse(m.slice(7)) as string) ?? [];
const inputsOf = (card: unknown) => cardInputs(card);
const factsOf = (card: Card | undefined) => JSON.stringify(card ?? {}).match(/\{"title":"[^"]*","value":"[^"]*"\}/g)?.map((f) => JSON.parse(f) as { title: string; value: string }) ?? [];

/**
 * Consultations answered inside a card, over POST /api/messages with real Bot Framework tokens,
 * the local connector, and the real consultations and communities services on the store: the
 * card's Action.Execute reaches the service as the person who tapped it, and the card that
 * comes back is the one that person now sees.
 */
describe('consultation cards answered through the bot (Action.Execute over HTTP, real services)', function () {
  this.timeout(60_000);
  useTestDatabase('botconsult');
  const sandbox = sinon.createSandbox();
  let rig: BotEndpointRig;
  let connector: BotConnector;
  let world: TestWorld;
  let services: ConsultationsServices;
  let post: Poster;
  let ann: Actor;
  let sanne: Actor;
  let piet: Actor;
  let gijs: Actor;
  let panel: CommunityFixture;
  const chats = new Map<string, string>();

  const member = (userId: string, name: string, isGuest = false) => person({ userId, name, isGuest, tenantId: TEST_HOME_TENANT });

  before(async () => {
    rig = await startBotEndpointRig();
    connector = rig.connector;
    world = buildWorld({ now: () => NOW });
    services = createConsultationsServices({ logger: createLogger('silent'), now: () => NOW });
    ann = await member(randomUUID(), 'Ann Jansen');
    sanne = await member(randomUUID(), 'Sanne de Vries');
    piet = await member(randomUUID(), 'Piet Boer');
    gijs = await member(randomUUID(), 'Gijs Gast', true);
    panel = await community(world, ann, { name: 'Burgerpanel Waterschap', guestsAllowed: true, members: [sanne, piet, gijs] });
    for (const p of [sanne, piet, gijs]) chats.set(p.userId, rig.personalChat({ userId: p.userId, name: p.name, userRole: p.isGuest ? 'guest' : 'user' }));
    const config = rig.config();
    const writes = writeRateLimits({ windowMs: config.rateLimits.windowMs, perUser: config.rateLimits.userWrites, perIp: 0, logger: createLogger('silent'), now: () => NOW.getTime() }).perPerson;
    post = rig.endpoint(config, { communities: world.module.services, consultations: services.port, writes });
  });
  after(async () => {
    await rig.stop();
  });
  beforeEach(() => {
    connector.reset();
    sandbox.stub(console, 'error');
  });
  afterEach(() => sandbox.restore());

  const from = (actor: Actor) => rig.inChat({ userId: actor.userId, name: actor.name }, chats.get(actor.userId) ?? '');

  async function invoke(actor: Actor, verb: string, data: Record<string, unknown>, locale = 'nl-NL'): Promise<Invoked> {
    const res = await post({ ...from(actor), locale, type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: verb === 'consultation.refresh' ? 'automatic' : 'manual' } });
    const body = res.body as { statusCode: number; type: string; value: unknown };
    if (body.type === 'application/vnd.microsoft.card.adaptive') {
      assertValidCard(body.value, `card answering ${verb}`);
      return { status: body.statusCode, card: body.value as Card };
    }
    return { status: body.statusCode, error: body.value as { code: string; message: string } };
  }

  const poll = (options: { anonymous?: boolean; question?: string } = {}) =>
    services.port.createQuickPoll(ann, { communityId: panel.id, question: options.question ?? 'Hoe breed moeten bufferstroken zijn?', options: ['2 meter', '5 meter', '[10 meter](https://evil.example)'], anonymous: options.anonymous ?? false, closesAt: CLOSES });

  it('a poll answered in the card: stored through the service, and the card comes back as "you answered" with the results', async () => {
    const p = await poll();
    const first = await invoke(sanne, 'consultation.refresh', { consultationId: p.id, view: 'opened' });
    assert.equal(first.status, 200);
    const [input] = inputsOf(first.card);
    assert.equal(input?.id, `q_${p.questions[0]?.id}`);
    assert.deepEqual((input?.choices as { title: string; value: string }[]).map((c) => c.title), ['2 meter', '5 meter', '[10 meter](https://evil.example)']);
    assert.deepEqual(first.card?.refresh?.userIds, [`29:${sanne.userId}`], 'her own card keeps refreshing for her');
    assert.ok(texts(first.card).includes(nl.headingOpened), 'the notification\'s heading is kept');

    await invoke(piet, 'consultation.respond', { consultationId: p.id, view: 'opened', [`q_${p.questions[0]?.id}`]: 'o1' });
    const answered = await invoke(sanne, 'consultation.respond', { consultationId: p.id, view: 'opened', [`q_${p.questions[0]?.id}`]: 'o2' });
    assert.equal(answered.status, 200);
    const shown = texts(answered.card);
    assert.ok(shown.includes(nl.answered), shown.join(' | '));
    assert.ok(shown.includes(nl.namedNote));
    assert.deepEqual(inputsOf(answered.card), [], 'no questions once answered');
    const audience = (await services.port.get(sanne, p.id)).audienceSize;
    assert.ok(shown.includes(nl.respondents(2, audience, Math.round((2 / audience) * 100))), shown.join(' | '));
    assert.deepEqual(factsOf(answered.card).slice(0, 3), [{ title: '2 meter', value: '1 (50%)' }, { title: '5 meter', value: '1 (50%)' }, { title: '\\[10 meter\\]\\(https://evil.example\\)', value: '0 (0%)' }]);
    assert.ok(answered.card?.actions.some((a) => a.verb === 'consultation.change'), 'a named answer can be changed');

    // Stored, as Sanne, through the service.
    assert.deepEqual(await services.consultations.myResponse(sanne, p.id), { status: 'submitted', answers: [{ questionId: p.questions[0]?.id, optionId: 'o2' }] });

    // Changed in the card: the questions again, then the new answer replaces the old one.
    const change = await invoke(sanne, 'consultation.change', { consultationId: p.id, view: 'opened' });
    assert.equal(inputsOf(change.card).length, 1);
    const changed = await invoke(sanne, 'consultation.respond', { consultationId: p.id, [`q_${p.questions[0]?.id}`]: 'o1' }, 'en-US');
    assert.ok(texts(changed.card).includes(en.answeredChanged));
    assert.deepEqual(factsOf(changed.card).slice(0, 2), [{ title: '2 meter', value: '2 (100%)' }, { title: '5 meter', value: '0 (0%)' }]);
    assert.equal((await services.port.results(ann, p.id)).respondents, 2, 'still one response per person');
  });

  it('a short questionnaire: a field error comes back on the card with what was chosen kept, and nothing is stored', async () => {
    const c = await services.consultations.create(ann, panel.id, {
      title: 'Bufferstroken langs watergangen',
      introduction: 'Drie korte vragen.',
      closesAt: new Date(CLOSES),
      resultsVisibility: 'afterClose',
      questions: [
        { kind: 'scale', text: 'Hoe belangrijk vindt u bufferstroken?', required: true, scale: { min: 1, max: 5, minLabel: 'onbelangrijk', maxLabel: 'heel belangrijk' } },
        { kind: 'multipleChoice', text: 'Waar vooral?', required: false, maxChoices: 2, options: [{ label: 'Beken' }, { label: 'Sloten' }, { label: 'Vaarten' }] },
        { kind: 'shortText', text: 'Waarom?', required: false, maxLength: 100 },
      ],
    } as Parameters<ConsultationsServices['consultations']['create']>[2]);
    const [scale, where, why] = c.questions.map((q) => `q_${q.id}`) as [string, string, string];
    const refused = await invoke(piet, 'consultation.respond', { consultationId: c.id, [scale]: '', [where]: 'o1,o2,o3', [why]: 'Voor het water.' });
    assert.equal(refused.status, 200);
    const shown = texts(refused.card);
    for (const message of [nl.fixErrors, nl.required, nl.tooMany(2)]) assert.ok(shown.includes(message), `${message} in ${shown.join(' | ')}`);
    const values = Object.fromEntries(inputsOf(refused.card).map((i) => [i.id, i.value]));
    assert.deepEqual(values, { [scale]: '', [where]: 'o1,o2,o3', [why]: 'Voor het water.' });
    assert.deepEqual(await services.consultations.myResponse(piet, c.id), { status: 'none' }, 'nothing stored');

    const done = await invoke(piet, 'consultation.respond', { consultationId: c.id, [scale]: '4', [where]: 'o1,o3', [why]: 'Voor het water.' }, 'en-US');
    assert.ok(texts(done.card).includes(en.answered));
    assert.ok(texts(done.card).includes(en.thanksAfterClose), 'results only after closing: a thank-you instead');
    assert.equal(factsOf(done.card).length, 0);
    assert.deepEqual((await services.consultations.myResponse(piet, c.id)).answers, [{ questionId: c.questions[0]?.id, value: 4 }, { questionId: c.questions[1]?.id, optionIds: ['o1', 'o3'] }, { questionId: c.questions[2]?.id, text: 'Voor het water.' }]);
  });

  it('a closed consultation: the card says closed, and nothing is stored', async () => {
    const p = await poll({ question: 'Nog open?' });
    await services.consultations.close(ann, p.id);
    const result = await invoke(sanne, 'consultation.respond', { consultationId: p.id, [`q_${p.questions[0]?.id}`]: 'o1' }, 'en-US');
    assert.equal(result.status, 200);
    assert.ok(texts(result.card).includes(en.closed));
    assert.deepEqual(inputsOf(result.card), []);
    assert.ok(!result.card?.actions.some((a) => a.verb === 'consultation.respond'));
    assert.equal((await services.port.results(ann, p.id)).respondents, 0);
    assert.deepEqual(await services.consultations.myResponse(sanne, p.id), { status: 'none' });
  });

  it('anonymous: the card says an answer cannot be changed here, offers no change, and shows no response key', async () => {
    const p = await poll({ anonymous: true, question: 'Anoniem: meer bomen?' });
    const form = await invoke(sanne, 'consultation.refresh', { consultationId: p.id });
    assert.ok(texts(form.card).includes(nl.anonymousNote));
    const answered = await invoke(sanne, 'consultation.respond', { consultationId: p.id, [`q_${p.questions[0]?.id}`]: 'o3' });
    assert.ok(texts(answered.card).includes(nl.answered));
    assert.ok(texts(answered.card).includes(nl.anonymousNote));
    assert.ok(!answered.card?.actions.some((a) => a.verb === 'consultation.change'), 'no change offered');
    assert.ok(!/responseKey/i.test(JSON.stringify(answered.card)), 'no key in the card');
    const again = await invoke(sanne, 'consultation.change', { consultationId: p.id });
    assert.deepEqual(inputsOf(again.card), [], 'asking to change anyway shows no questions');
    const twice = await invoke(sanne, 'consultation.respond', { consultationId: p.id, [`q_${p.questions[0]?.id}`]: 'o1' });
    assert.ok(texts(twice.card).includes(nl.alreadyAnswered));
    assert.equal((await services.port.results(ann, p.id)).respondents, 1);
  });

  it('a guest outside the audience is refused (not_in_audience), and nothing is stored', async () => {
    const p = await poll({ question: 'Alleen leden?' });
    const form = await invoke(gijs, 'consultation.refresh', { consultationId: p.id }, 'en-US');
    assert.deepEqual(inputsOf(form.card), [], 'no questions offered to him');
    assert.ok(texts(form.card).includes(en.cannotRespond));
    const refused = await invoke(gijs, 'consultation.respond', { consultationId: p.id, [`q_${p.questions[0]?.id}`]: 'o1' }, 'en-US');
    assert.equal(refused.status, 400);
    assert.equal(refused.error?.code, 'not_in_audience');
    assert.equal((await services.port.results(ann, p.id)).respondents, 0);
  });

  it('answering takes from the person\'s write budget like other card writes; over it the answer is refused and nothing stored, a refresh still works', async () => {
    const config = rig.config({ RATE_LIMIT_USER_WRITES: '1' });
    const writes = writeRateLimits({ windowMs: config.rateLimits.windowMs, perUser: 1, perIp: 0, logger: createLogger('silent'), now: () => NOW.getTime() }).perPerson;
    const tight = rig.endpoint(config, { communities: world.module.services, consultations: services.port, writes });
    // Someone who has written nothing yet in this window (the counters are in the store, per person).
    const kees = await member(randomUUID(), 'Kees Kort');
    await world.module.services.memberships.add(kees, panel.id, {});
    chats.set(kees.userId, rig.personalChat({ userId: kees.userId, name: kees.name }));
    const p = await poll({ question: 'Budget?' });
    const respond = (option: string) => tight({ ...from(kees), type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'consultation.respond', data: { consultationId: p.id, [`q_${p.questions[0]?.id}`]: option } }, trigger: 'manual' } });
    assert.equal((await respond('o1')).body.statusCode, 200);
    const refused = await respond('o2');
    assert.deepEqual([refused.body.statusCode, refused.body.value.code], [400, 'rate_limited']);
    assert.deepEqual((await services.consultations.myResponse(kees, p.id)).answers, [{ questionId: p.questions[0]?.id, optionId: 'o1' }], 'the refused change stored nothing');
    const refresh = await tight({ ...from(kees), type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'consultation.refresh', data: { consultationId: p.id } }, trigger: 'automatic' } });
    assert.equal(refresh.body.statusCode, 200);
  });

  it('a malformed action changes nothing: an unknown consultation id, a missing one', async () => {
    const missing = await invoke(sanne, 'consultation.respond', { view: 'opened' });
    assert.ok(texts(missing.card).includes(textsFor('nl').unknownAction));
    const unknown = await invoke(sanne, 'consultation.respond', { consultationId: new mongoose.Types.ObjectId().toHexString() });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.error?.code, 'consultation_not_found');
  });

  it('"raadplegingen" lists what waits for my answer, each as a card; "consultations" in English', async () => {
    const p = await poll({ question: 'Welke dag past?' });
    await post({ ...from(piet), text: 'raadplegingen', locale: 'nl-NL' });
    const sent = connector.sentTo(chats.get(piet.userId) ?? '').at(-1)?.activity.attachments as { content: Card }[];
    for (const a of sent) assertValidCard(a);
    assert.ok(sent.some((a) => texts(a.content).includes('Welke dag past?') && a.content.actions.some((x) => x.verb === 'consultation.respond' && x.data?.consultationId === p.id)), JSON.stringify(sent).slice(0, 500));

    await invoke(piet, 'consultation.respond', { consultationId: p.id, [`q_${p.questions[0]?.id}`]: 'o1' });
    await post({ ...from(piet), text: 'consultations', locale: 'en-US' });
    const after = JSON.stringify(connector.sentTo(chats.get(piet.userId) ?? '').at(-1)?.activity ?? {});
    assert.ok(!after.includes('Welke dag past?'), 'answered ones are gone');

    await post({ ...from(piet), text: 'help', locale: 'en-US' });
    assert.ok(JSON.stringify(connector.sentTo(chats.get(piet.userId) ?? '').at(-1)?.activity ?? {}).includes(textsFor('en').commands.consultations), 'help mentions it');
  });
});
