import assert from 'node:assert/strict';
import { AUDIENCE_MAX_STALE_MS } from '../../src/consultations/consultation-audience.js';
import type { Express } from 'express';
import mongoose from 'mongoose';
import request from 'supertest';
import { ConsultationModel } from '../../src/consultations/consultation.model.js';
import { ConsultationAnswerModel, ConsultationResponderModel, ConsultationTallyModel } from '../../src/consultations/consultation-response.model.js';
import type { ConsultationsServices } from '../../src/consultations/consultations.module.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { useTestDatabase } from '../support/database.js';
import { answersFor, as, clearConsultations, community, consultationsApp, DAY, person, questionnaire, services, syncConsultationIndexes, testClock, TEST_TENANT, type Actor, type TestClock } from './consultations-fixtures.js';

describe('consultations API', () => {
  useTestDatabase('consultations_api');
  let clock: TestClock;
  let s: ConsultationsServices;
  let app: Express;
  let admin: Actor;
  let manager: Actor;
  let member: Actor;
  let outsider: Actor;
  let guest: Actor;
  let communityId: string;

  before(async () => {
    await syncConsultationIndexes();
    admin = await person('admin', { isOrgAdmin: true, name: 'Ada Admin' });
    manager = await person('manager', { name: 'Mark Manager' });
    member = await person('member', { name: 'Mia Member' });
    outsider = await person('outsider', { name: 'Otto Outsider' });
    guest = await person('guest', { name: 'Gerrit Gast', isGuest: true });
  });
  beforeEach(async () => {
    await clearConsultations();
    clock = testClock(Date.parse('2030-03-01T09:00:00Z'));
    s = services(clock);
    app = consultationsApp(s);
    communityId = await community('Burgerpanel waterschap', 'closed', [{ userId: 'manager', role: 'manager' }, { userId: 'member', role: 'member' }, { userId: 'guest', role: 'member', isGuest: true }], true);
  });

  async function create(body: Record<string, unknown> = questionnaire(), by: Actor = manager, cid = communityId): Promise<{ id: string } & Record<string, unknown>> {
    const res = await request(app).post(`/api/v1/communities/${cid}/consultations`).set(as(by)).send(body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string } & Record<string, unknown>;
  }
  const put = (id: string, by: Actor, body: Record<string, unknown>) => request(app).put(`/api/v1/consultations/${id}/responses/me`).set(as(by)).send(body);
  const storedCounts = async () => [await ConsultationResponderModel.countDocuments({}), await ConsultationAnswerModel.countDocuments({}), JSON.stringify(await ConsultationTallyModel.find({}).sort({ _id: 1 }).lean())];

  it('lets managers start a consultation, members answer and change it, and shows exact results', async () => {
    assert.equal((await request(app).post(`/api/v1/communities/${communityId}/consultations`).set(as(member)).send(questionnaire())).status, 403);
    const c = await create();
    assert.equal(c.status, 'open');
    assert.equal(c.canManage, true);
    assert.equal(c.audienceSize, 2, 'members only: the guest is not in the audience');
    assert.match(String(c.introductionHtml), /<strong>bufferstroken<\/strong>/);
    assert.deepEqual((c.questions as { id: string }[]).map((q) => q.id), ['q1', 'q2', 'q3']);

    const first = await put(c.id, member, { answers: answersFor(0) });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.status, 'submitted');
    assert.equal(first.body.responseKey, undefined);
    const changed = await put(c.id, member, { answers: answersFor(1) });
    assert.equal(changed.status, 200);
    const mine = await request(app).get(`/api/v1/consultations/${c.id}/responses/me`).set(as(member));
    assert.deepEqual(mine.body, { status: 'submitted', answers: answersFor(1) });

    const results = await request(app).get(`/api/v1/consultations/${c.id}/results`).set(as(member));
    assert.equal(results.status, 200, JSON.stringify(results.body));
    assert.equal(results.body.respondents, 1);
    assert.equal(results.body.responseRate, 0.5);
    const [q1, q2, q3] = results.body.questions;
    assert.equal(q1.mean, 2);
    assert.deepEqual(q1.distribution.map((d: { count: number }) => d.count), [0, 1, 0, 0, 0]);
    assert.deepEqual(q2.options.map((o: { count: number }) => o.count), [0, 1, 1]);
    assert.equal(q3.answered, 0);

    const view = await request(app).get(`/api/v1/consultations/${c.id}`).set(as(member));
    assert.equal(view.body.myResponse, 'submitted');
    assert.equal(view.body.respondents, 1);
    assert.equal(view.body.canRespond, true);

    assert.equal((await put(c.id, guest, { answers: answersFor(2) })).body.code, 'not_in_audience');
    // As for events: a closed community's content is for its members; its consultations stay unseen.
    assert.equal((await request(app).get(`/api/v1/consultations/${c.id}`).set(as(outsider))).status, 404);
  });

  it('keeps anonymous answers changeable only with the response key', async () => {
    const c = await create(questionnaire({ anonymous: true, audience: 'membersAndGuests' }));
    const first = await put(c.id, guest, { answers: answersFor(0) });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const key = first.body.responseKey as string;
    assert.ok(key && key.length >= 32);
    const again = await put(c.id, guest, { answers: answersFor(1) });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'already_responded');
    assert.equal((await put(c.id, guest, { answers: answersFor(1), responseKey: 'not-the-key' })).body.code, 'already_responded');
    assert.equal((await put(c.id, guest, { answers: answersFor(1), responseKey: key })).status, 200);
    const withoutKey = await request(app).get(`/api/v1/consultations/${c.id}/responses/me`).set(as(guest));
    assert.deepEqual(withoutKey.body, { status: 'submitted' });
    const withKey = await request(app).get(`/api/v1/consultations/${c.id}/responses/me`).query({ responseKey: key }).set(as(guest));
    assert.deepEqual(withKey.body.answers, answersFor(1));
    const results = await request(app).get(`/api/v1/consultations/${c.id}/results`).set(as(manager));
    assert.equal(results.body.respondents, 1);
    assert.equal(results.body.questions[0].mean, 2);
    const view = await request(app).get(`/api/v1/consultations/${c.id}`).set(as(guest));
    assert.equal(view.body.canRespond, false, 'the card cannot change an anonymous answer');
  });

  it('refuses each bad answer with a field error and stores nothing', async () => {
    const c = await create(questionnaire({ questions: [...(questionnaire().questions as object[]), { id: 'q4', kind: 'ranking', text: 'Rangschik', options: [{ id: 'a', label: 'A' }, { id: 'b', label: 'B' }, { id: 'c', label: 'C' }] }, { id: 'q5', kind: 'singleChoice', text: 'Kies', options: [{ id: 'x', label: 'X' }, { id: 'y', label: 'Y' }] }] }));
    const before = await storedCounts();
    const ok = { questionId: 'q1', value: 3 };
    const cases: [unknown[], string][] = [
      [[ok, { questionId: 'q9', value: 1 }], 'answers[1]'],
      [[ok, { questionId: 'q5', optionId: 'z' }], 'answers[1]'],
      [[ok, { questionId: 'q2', optionIds: ['o1', 'o2', 'o3'] }], 'answers[1]'],
      [[{ questionId: 'q1', value: 6 }], 'answers[0]'],
      [[{ questionId: 'q1', value: 2.5 }], 'answers[0]'],
      [[ok, { questionId: 'q3', text: 'x'.repeat(5001) }], 'answers[1]'],
      [[ok, { questionId: 'q4', ranking: ['a', 'a', 'b'] }], 'answers[1]'],
      [[ok, { questionId: 'q4', ranking: ['a', 'b'] }], 'answers[1]'],
      [[ok, { questionId: 'q2', optionIds: ['o1', 'o1'] }], 'answers[1]'],
      [[ok, { questionId: 'q5', optionIds: ['x'] }], 'answers[1]'],
      [[ok, ok], 'answers[1]'],
      [[{ questionId: 'q2', optionIds: ['o1'] }], 'answers.q1'],
      [['just text'], 'answers[0]'],
    ];
    for (const [answers, path] of cases) {
      const res = await put(c.id, member, { answers });
      assert.equal(res.status, 400, `${JSON.stringify(answers).slice(0, 80)} -> ${res.status}`);
      assert.equal(res.body.code, 'invalid_answers');
      assert.ok((res.body.errors as { path: string }[]).some((e) => e.path === path), `${JSON.stringify(answers).slice(0, 80)}: ${JSON.stringify(res.body.errors)}`);
    }
    assert.equal((await put(c.id, member, { answers: 'nope' })).status, 400);
    assert.equal((await put(c.id, member, { answers: [ok], extra: 1 })).status, 400);
    assert.deepEqual(await storedCounts(), before);
  });

  it('refuses bad consultations with field errors and stores nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [questionnaire({ title: '' }), 'body.title'],
      [questionnaire({ questions: [] }), 'body.questions'],
      [questionnaire({ questions: [{ kind: 'singleChoice', text: 'Kies', options: [{ label: 'één' }] }] }), 'body.questions.0.options'],
      [questionnaire({ questions: [{ kind: 'scale', text: 'Hoe', scale: { min: 2, max: 5 } }] }), 'body.questions.0.scale'],
      [questionnaire({ questions: [{ kind: 'scale', text: 'Hoe', scale: { min: 1, max: 11 } }] }), 'body.questions.0.scale'],
      [questionnaire({ questions: [{ kind: 'shortText', text: 'Wat', maxLength: 501 }] }), 'body.questions.0.maxLength'],
      [questionnaire({ closesAt: '2030-02-01T09:00:00Z' }), 'body.closesAt'],
      [questionnaire({ timeZone: 'Mars/Olympus' }), 'body.timeZone'],
      [questionnaire({ audience: 'everyone' }), 'body.audience'],
    ];
    for (const [body, path] of cases) {
      const res = await request(app).post(`/api/v1/communities/${communityId}/consultations`).set(as(manager)).send(body);
      assert.equal(res.status, 400, `${path} -> ${res.status}`);
      assert.ok((res.body.errors as { path: string }[]).some((e) => e.path.startsWith(path)), `${path}: ${JSON.stringify(res.body.errors)}`);
    }
    assert.equal(await ConsultationModel.countDocuments({}), 0);
  });

  it('refuses answers to a draft and a closed consultation, and changes nothing', async () => {
    const draft = await create(questionnaire({ status: 'draft' }));
    assert.equal((await put(draft.id, member, { answers: answersFor(0) })).status, 404, 'members do not see drafts');
    assert.equal((await put(draft.id, manager, { answers: answersFor(0) })).body.code, 'consultation_not_open');
    const opened = await request(app).post(`/api/v1/consultations/${draft.id}/open`).set(as(manager));
    assert.equal(opened.body.status, 'open');
    assert.equal((await put(draft.id, member, { answers: answersFor(0) })).status, 200);
    const closed = await request(app).post(`/api/v1/consultations/${draft.id}/close`).set(as(manager));
    assert.equal(closed.body.status, 'closed');
    const before = await storedCounts();
    const refused = await put(draft.id, member, { answers: answersFor(1) });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'consultation_closed');
    assert.equal((await put(draft.id, manager, { answers: answersFor(1) })).body.code, 'consultation_closed');
    assert.deepEqual(await storedCounts(), before);

    const timed = await create(questionnaire({ closesAt: new Date(clock.now().getTime() + DAY).toISOString() }));
    clock.advance(DAY);
    const late = await put(timed.id, member, { answers: answersFor(1) });
    assert.equal(late.body.code, 'consultation_closed');
    assert.equal((await request(app).get(`/api/v1/consultations/${timed.id}`).set(as(member))).body.status, 'closed');
  });

  it('freezes questions once someone answered; conclusion only after closing, to the channel and each respondent', async () => {
    const c = await create();
    assert.equal((await request(app).patch(`/api/v1/consultations/${c.id}`).set(as(manager)).send({ questions: [{ kind: 'yesNo', text: 'Ja?' }] })).status, 200);
    assert.equal((await put(c.id, member, { answers: [{ questionId: 'q1', yes: true }] })).status, 200);
    const frozen = await request(app).patch(`/api/v1/consultations/${c.id}`).set(as(manager)).send({ questions: [{ kind: 'yesNo', text: 'Nee?' }] });
    assert.equal(frozen.status, 409);
    assert.equal(frozen.body.code, 'questions_frozen');
    assert.equal((await request(app).patch(`/api/v1/consultations/${c.id}`).set(as(manager)).send({ title: 'Nieuwe titel' })).body.title, 'Nieuwe titel');
    const early = await request(app).post(`/api/v1/consultations/${c.id}/conclusion`).set(as(manager)).send({ text: 'Wat we hoorden' });
    assert.equal(early.body.code, 'conclusion_requires_closed');
    await request(app).post(`/api/v1/consultations/${c.id}/close`).set(as(manager));
    assert.equal((await request(app).post(`/api/v1/consultations/${c.id}/conclusion`).set(as(member)).send({ text: 'x' })).status, 403);
    const concluded = await request(app).post(`/api/v1/consultations/${c.id}/conclusion`).set(as(manager)).send({ text: 'Wat we **hoorden**' });
    assert.equal(concluded.status, 200, JSON.stringify(concluded.body));
    assert.equal(concluded.body.conclusion.authorName, 'Mark Manager');
    const kinds = (await NotificationModel.find({ kind: mongoose.trusted({ $in: ['consultationConclusion', 'consultationConcluded'] }) }).lean()).map((n) => `${n.kind}:${n.recipientId}`).sort();
    assert.deepEqual(kinds, [`consultationConcluded:community:${communityId}`, 'consultationConclusion:member']);
  });

  it('shows results as resultsVisibility says, and 404s a secret community\'s consultation to outsiders', async () => {
    const c = await create(questionnaire({ resultsVisibility: 'afterClose' }));
    await put(c.id, member, { answers: answersFor(0) });
    const hidden = await request(app).get(`/api/v1/consultations/${c.id}/results`).set(as(member));
    assert.equal(hidden.status, 403);
    assert.equal(hidden.body.code, 'results_not_visible');
    assert.equal((await request(app).get(`/api/v1/consultations/${c.id}/results`).set(as(admin))).status, 200);
    await request(app).post(`/api/v1/consultations/${c.id}/close`).set(as(admin));
    assert.equal((await request(app).get(`/api/v1/consultations/${c.id}/results`).set(as(member))).status, 200);

    const secret = await community('Geheim panel', 'secret', [{ userId: 'manager', role: 'manager' }, { userId: 'member', role: 'member' }]);
    const s2 = await create(questionnaire(), manager, secret);
    for (const path of ['', '/results', '/results.csv', '/responses/me']) {
      const res = await request(app).get(`/api/v1/consultations/${s2.id}${path}`).set(as(outsider));
      assert.equal(res.status, 404, path);
      assert.equal(res.body.code, 'consultation_not_found');
    }
    assert.equal((await put(s2.id, outsider, { answers: answersFor(0) })).status, 404);
    assert.equal((await request(app).get(`/api/v1/communities/${secret}/consultations`).set(as(outsider))).status, 404);
    assert.equal((await request(app).get(`/api/v1/consultations/${'0'.repeat(24)}`).set(as(member))).body.code, 'consultation_not_found');
  });

  it('breaks results down by group only where every group has enough respondents', async () => {
    const panel = await community('Groot panel', 'public', [{ userId: 'manager', role: 'manager' }], true);
    const people: Actor[] = [];
    for (let i = 0; i < 9; i++) {
      const isGuest = i >= 5;
      const p = await person(`p${i}`, { isGuest });
      await MembershipModel.create({ tenantId: TEST_TENANT, communityId: panel, userId: p.userId, role: 'member', status: 'active', isGuest, joinedAt: new Date() });
      people.push(p);
    }
    const c = await create(questionnaire({ audience: 'membersAndGuests' }), manager, panel);
    for (let i = 0; i < 9; i++) assert.equal((await put(c.id, people[i]!, { answers: answersFor(i) })).status, 200);
    let results = (await request(app).get(`/api/v1/consultations/${c.id}/results`).set(as(manager))).body;
    assert.equal(results.respondents, 9);
    assert.deepEqual(results.groups.map((g: { group: string; respondents: unknown; questions?: unknown }) => [g.group, g.respondents, g.questions !== undefined]), [['members', 5, false], ['guests', '< 5', false]]);
    const last = await person('p9', { isGuest: true });
    await MembershipModel.create({ tenantId: TEST_TENANT, communityId: panel, userId: 'p9', role: 'member', status: 'active', isGuest: true, joinedAt: new Date() });
    await put(c.id, last, { answers: answersFor(9) });
    // The audience size may be up to a minute old (consultation-audience.ts).
    clock.advance(AUDIENCE_MAX_STALE_MS);
    results = (await request(app).get(`/api/v1/consultations/${c.id}/results`).set(as(manager))).body;
    assert.deepEqual(results.groups.map((g: { group: string; respondents: unknown; questions?: unknown }) => [g.group, g.respondents, g.questions !== undefined]), [['members', 5, true], ['guests', 5, true]]);
    assert.equal(results.audienceSize, 11);
  });

  it('pages open texts without authors for anonymous consultations, and exports one CSV row per response', async () => {
    const c = await create(questionnaire({ anonymous: true }));
    await put(c.id, member, { answers: [{ questionId: 'q1', value: 4 }, { questionId: 'q3', text: '=SOM(A1) gevaarlijk' }] });
    await put(c.id, manager, { answers: [{ questionId: 'q1', value: 2 }, { questionId: 'q3', text: 'Tweede' }] });
    const page1 = await request(app).get(`/api/v1/consultations/${c.id}/results/texts`).query({ questionId: 'q3', limit: 1 }).set(as(manager));
    assert.equal(page1.status, 200, JSON.stringify(page1.body));
    assert.equal(page1.body.items.length, 1);
    assert.equal(page1.body.items[0].authorName, undefined);
    const page2 = await request(app).get(`/api/v1/consultations/${c.id}/results/texts`).query({ questionId: 'q3', limit: 1, cursor: page1.body.nextCursor }).set(as(manager));
    assert.deepEqual([...page1.body.items, ...page2.body.items].map((i: { text: string }) => i.text).sort(), ['=SOM(A1) gevaarlijk', 'Tweede']);
    assert.equal(page2.body.nextCursor, undefined);
    assert.equal((await request(app).get(`/api/v1/consultations/${c.id}/results/texts`).query({ questionId: 'q1' }).set(as(manager))).status, 400);
    const csv = await request(app).get(`/api/v1/consultations/${c.id}/results.csv`).set(as(manager));
    assert.equal(csv.status, 200);
    const lines = csv.text.trim().split('\r\n');
    assert.equal(lines.length, 3);
    assert.ok(!csv.text.includes('Mia') && !csv.text.includes('Mark') && !csv.text.includes('member'), csv.text);
    assert.ok(csv.text.includes("'=SOM"), 'formulas are neutralised');
    assert.equal((await request(app).get(`/api/v1/consultations/${c.id}/results.csv`).set(as(member))).status, 403);
  });

  it('lists a community\'s consultations and the ones I still have to answer', async () => {
    const a = await create(questionnaire({ title: 'A' }));
    const b = await create(questionnaire({ title: 'B' }));
    await create(questionnaire({ title: 'C', status: 'draft' }));
    await put(a.id, member, { answers: answersFor(0) });
    const listed = await request(app).get(`/api/v1/communities/${communityId}/consultations`).set(as(member));
    assert.deepEqual(listed.body.items.map((c: { title: string }) => c.title), ['B', 'A']);
    const asManager = await request(app).get(`/api/v1/communities/${communityId}/consultations`).set(as(manager));
    assert.deepEqual(asManager.body.items.map((c: { title: string }) => c.title), ['C', 'B', 'A']);
    const toAnswer = await request(app).get('/api/v1/consultations').query({ toAnswer: 'true' }).set(as(member));
    assert.deepEqual(toAnswer.body.items.map((c: { id: string }) => c.id), [b.id]);
    const inCommunity = await request(app).get(`/api/v1/communities/${communityId}/consultations`).query({ toAnswer: 'true' }).set(as(member));
    assert.deepEqual(inCommunity.body.items.map((c: { id: string }) => c.id), [b.id]);
    const paged = await request(app).get(`/api/v1/communities/${communityId}/consultations`).query({ limit: 1 }).set(as(member));
    assert.equal(paged.body.items.length, 1);
    const next = await request(app).get(`/api/v1/communities/${communityId}/consultations`).query({ limit: 1, cursor: paged.body.nextCursor }).set(as(member));
    assert.deepEqual(next.body.items.map((c: { title: string }) => c.title), ['A']);
  });
});
