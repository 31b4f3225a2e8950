/**
 * What must hold under load and over time: one response per person and exact tallies when
 * hundreds answer and change answers at once, anonymity that survives reading the whole
 * store, reminders to exactly those who have not answered, and the personal-data functions.
 */
import assert from 'node:assert/strict';
import mongoose, { Types } from 'mongoose';
import { ConsultationAnswerModel, ConsultationResponderModel, type AnswerRecord, type StoredAnswer } from '../../src/consultations/consultation-response.model.js';
import { contributions } from '../../src/consultations/consultation-questions.js';
import { sumTallies } from '../../src/consultations/consultation-results.js';
import { talliesOf } from '../../src/consultations/consultation.repository.js';
import { eraseConsultationData, exportConsultationData, purgeClosedRawResponses } from '../../src/consultations/consultations-personal-data.js';
import type { ConsultationsServices } from '../../src/consultations/consultations.module.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { UserModel } from '../../src/members/user.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { useTestDatabase } from '../support/database.js';
import { testActor } from '../support/test-actor.js';
import { answersFor, clearConsultations, DAY, questionnaire, services, syncConsultationIndexes, testClock, TEST_TENANT, type Actor, type TestClock } from './consultations-fixtures.js';
import type { CreateConsultationInput } from '../../src/consultations/consultation.schemas.js';
import { createConsultationSchema } from '../../src/consultations/consultation.schemas.js';

describe('consultations: concurrency, anonymity, reminders, personal data', () => {
  useTestDatabase('consultations_integrity');
  let clock: TestClock;
  let s: ConsultationsServices;
  let communityId: Types.ObjectId;
  const manager = testActor({ userId: 'manager', name: 'Mark Manager' });
  const people: Actor[] = [];

  before(async function () {
    this.timeout(60_000);
    await syncConsultationIndexes();
    for (let i = 0; i < 200; i++) people.push(testActor({ userId: `panel-${i}`, name: `Panellid Nummer${i}` }));
    await UserModel.insertMany([manager, ...people].map((p) => ({ tenantId: TEST_TENANT, userId: p.userId, displayName: p.name, mail: `${p.userId}@example.nl` })));
  });
  beforeEach(async () => {
    await clearConsultations();
    clock = testClock(Date.parse('2030-03-01T09:00:00Z'));
    s = services(clock);
    const c = await CommunityModel.create({ tenantId: TEST_TENANT, name: 'Burgerpanel', visibility: 'closed', createdBy: 'manager' });
    communityId = c._id;
    await MembershipModel.insertMany([
      { tenantId: TEST_TENANT, communityId, userId: 'manager', role: 'manager', status: 'active', joinedAt: new Date() },
      ...people.map((p) => ({ tenantId: TEST_TENANT, communityId, userId: p.userId, role: 'member', status: 'active', joinedAt: new Date() })),
    ]);
  });

  const input = (overrides: Record<string, unknown> = {}): CreateConsultationInput => createConsultationSchema.parse(questionnaire(overrides));

  /** The tallies recomputed from the stored answers must equal the incremental ones. */
  async function assertTalliesExact(consultationId: string): Promise<void> {
    const answers = await ConsultationAnswerModel.find({ consultationId }).lean<AnswerRecord[]>();
    const expected = new Map<string, number>();
    for (const a of answers) for (const [k, v] of contributions(a.answers)) expected.set(`${a.group}.${k}`, (expected.get(`${a.group}.${k}`) ?? 0) + v);
    const summed = sumTallies(await talliesOf(new Types.ObjectId(consultationId)));
    const actual = new Map<string, number>();
    const walk = (prefix: string, o: unknown) => {
      if (typeof o === 'number') {
        if (o !== 0) actual.set(prefix, o);
        return;
      }
      for (const [k, v] of Object.entries(o as object)) walk(prefix ? `${prefix}.${k}` : k, v);
    };
    walk('', summed);
    for (const [k, v] of [...actual]) if (k.endsWith('.s') && v === 0) actual.delete(k);
    assert.deepEqual(Object.fromEntries([...actual].sort()), Object.fromEntries([...expected].sort()));
  }

  it('200 people answering at once give exact counts', async function () {
    this.timeout(120_000);
    const c = await s.consultations.create(manager, String(communityId), input());
    const results = await Promise.allSettled(people.map((p, i) => s.consultations.respond(p, c.id, { answers: answersFor(i) })));
    assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), []);
    const view = await s.consultations.results(manager, c.id);
    assert.equal(view.respondents, 200);
    assert.equal(view.responseRate, Math.round((200 / 201) * 1000) / 1000);
    assert.equal(await ConsultationResponderModel.countDocuments({ consultationId: c.id }), 200);
    assert.equal(await ConsultationAnswerModel.countDocuments({ consultationId: c.id }), 200);
    const q1 = view.questions[0] as { distribution: { count: number }[] };
    assert.deepEqual(q1.distribution.map((d) => d.count), [40, 40, 40, 40, 40]);
    await assertTalliesExact(c.id);
  });

  for (const anonymous of [false, true]) {
    it(`changing answers concurrently leaves one response per person and exact tallies (${anonymous ? 'anonymous' : 'named'})`, async function () {
      this.timeout(120_000);
      const c = await s.consultations.create(manager, String(communityId), input({ anonymous }));
      const some = people.slice(0, 40);
      // Racing first responses: three at once per person.
      const firsts = await Promise.allSettled(some.flatMap((p, i) => [0, 1, 2].map((k) => s.consultations.respond(p, c.id, { answers: answersFor(i + k) }))));
      const keys = new Map<string, string>();
      firsts.forEach((r, j) => {
        if (r.status === 'fulfilled' && r.value.responseKey) keys.set(some[Math.floor(j / 3)]!.userId, r.value.responseKey);
        if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'already_responded', String(r.reason));
      });
      if (anonymous) assert.equal(keys.size, 40, 'each person got exactly one key');
      assert.equal(firsts.filter((r) => r.status === 'fulfilled').length, anonymous ? 40 : 120);
      // Concurrent replacements: four at once per person.
      const changes = await Promise.allSettled(some.flatMap((p, i) => [3, 4, 5, 6].map((k) => s.consultations.respond(p, c.id, { answers: answersFor(i * 7 + k), ...(anonymous ? { responseKey: keys.get(p.userId)! } : {}) }))));
      assert.deepEqual(changes.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), []);
      assert.equal(await ConsultationResponderModel.countDocuments({ consultationId: c.id }), 40);
      assert.equal(await ConsultationAnswerModel.countDocuments({ consultationId: c.id }), 40);
      assert.equal((await s.consultations.results(manager, c.id)).respondents, 40);
      await assertTalliesExact(c.id);
    });
  }

  it('keeps anonymous answers unlinkable: no document in the store pairs a person with an answer', async function () {
    this.timeout(60_000);
    const c = await s.consultations.create(manager, String(communityId), input({ anonymous: true }));
    const respondents = people.slice(0, 12);
    const keys: string[] = [];
    for (const [i, p] of respondents.entries()) keys.push((await s.consultations.respond(p, c.id, { answers: answersFor(i) })).responseKey!);
    await s.consultations.respond(respondents[0]!, c.id, { answers: answersFor(5), responseKey: keys[0]! });
    clock.advance(DAY);
    await s.consultations.close(manager, c.id);
    await s.consultations.conclude(manager, c.id, { text: 'Wat we hoorden' });

    const db = mongoose.connection.db!;
    const answers = await ConsultationAnswerModel.find({ consultationId: c.id }).lean<AnswerRecord[]>();
    assert.equal(answers.length, 12);
    const identities = respondents.flatMap((p) => [p.userId, p.name]);
    const answerMarks = answers.flatMap((a) => [a._id, a.order, a.keyHash!]);
    const allowed = new Set(['_id', 'tenantId', 'consultationId', 'group', 'answers', 'textQuestions', 'order', 'keyHash', 'rev']);
    for (const a of answers) {
      assert.equal(typeof a._id, 'string', 'no ObjectId (it encodes a time and a counter)');
      assert.deepEqual(Object.keys(a).filter((k) => !allowed.has(k)), [], 'no other fields (user id, name, timestamps)');
      const text = JSON.stringify(a);
      for (const id of identities) assert.ok(!text.includes(id), `answer holds ${id}`);
      assert.ok(!/\d{4}-\d\d-\d\dT/.test(text), 'no dates');
      assert.equal(a.rev <= 1, true);
    }
    let read = 0;
    for (const { name } of await db.listCollections().toArray()) {
      for (const doc of await db.collection(name).find({}).toArray()) {
        read++;
        const text = JSON.stringify(doc);
        const holdsPerson = identities.some((id) => text.includes(id));
        const holdsAnswer = answerMarks.some((m) => text.includes(m));
        assert.ok(!(holdsPerson && holdsAnswer), `${name} pairs a person with an answer: ${text.slice(0, 200)}`);
        if (name === 'consultationresponders') {
          assert.deepEqual(Object.keys(doc).sort(), ['_id', 'consultationId', 'group', 'tenantId', 'userId']);
          assert.equal(typeof doc._id, 'string');
        }
      }
    }
    assert.ok(read > 30, `read ${read} documents`);
    // The conclusion still reaches every respondent (the "has responded" record), not what they said.
    const told = await NotificationModel.find({ kind: 'consultationConclusion' }).lean();
    assert.deepEqual(told.map((n) => n.recipientId).sort(), respondents.map((p) => p.userId).sort());
  });

  it('reminds exactly the audience members who have not answered, once per closing time', async () => {
    const closesAt = new Date(clock.now().getTime() + 5 * DAY);
    const c = await s.consultations.create(manager, String(communityId), input({ anonymous: true, closesAt: closesAt.toISOString(), reminderDaysBeforeClose: 2 }));
    const answered = new Set(people.slice(0, 150).map((p) => p.userId));
    for (const p of people.slice(0, 150)) await s.consultations.respond(p, c.id, { answers: answersFor(1) });
    assert.deepEqual(await s.reminders.run(), { announced: 0, reminded: 0, closed: 0 });
    clock.advance(3 * DAY + 3_600_000);
    const report = await s.reminders.run();
    assert.equal(report.reminded, 51);
    const reminded = (await NotificationModel.find({ kind: 'consultationReminder' }).lean()).map((n) => n.recipientId);
    assert.equal(reminded.length, 51);
    assert.ok(reminded.every((id) => !answered.has(id)));
    assert.ok(reminded.includes('manager'));
    assert.equal((await s.reminders.run()).reminded, 0, 'never twice');
    clock.advance(2 * DAY);
    assert.equal((await s.reminders.run()).closed, 1);
    assert.equal((await s.consultations.get(manager, c.id)).status, 'closed');
  });

  it('exports, erases (idempotently, from the tallies too) and purges raw answers', async () => {
    const named = await s.consultations.create(manager, String(communityId), input());
    const anon = await s.consultations.create(manager, String(communityId), input({ anonymous: true }));
    const [p0, p1] = people;
    await s.consultations.respond(p0!, named.id, { answers: answersFor(0) });
    await s.consultations.respond(p1!, named.id, { answers: answersFor(1) });
    await s.consultations.respond(p0!, anon.id, { answers: answersFor(2) });
    const exported = await exportConsultationData(TEST_TENANT, p0!.userId);
    assert.equal(exported.responded.length, 2);
    assert.deepEqual(exported.namedAnswers.map((a) => a.consultationId), [named.id]);
    assert.deepEqual(exported.namedAnswers[0]!.answers, answersFor(0) as StoredAnswer[]);
    assert.deepEqual((await exportConsultationData(TEST_TENANT, 'manager')).created.length, 2);

    assert.deepEqual(await eraseConsultationData(TEST_TENANT, p0!.userId), { responders: 2, answers: 1 });
    assert.deepEqual(await eraseConsultationData(TEST_TENANT, p0!.userId), { responders: 0, answers: 0 });
    assert.equal((await s.consultations.results(manager, named.id)).respondents, 1);
    await assertTalliesExact(named.id);

    await s.consultations.close(manager, named.id);
    clock.advance(DAY);
    assert.deepEqual(await purgeClosedRawResponses(TEST_TENANT, clock.now(), 10), { consultations: 1, answers: 1 });
    assert.equal(await ConsultationAnswerModel.countDocuments({ consultationId: named.id }), 0);
    assert.equal((await s.consultations.results(manager, named.id)).respondents, 1, 'the tallies stay');
  });
});
