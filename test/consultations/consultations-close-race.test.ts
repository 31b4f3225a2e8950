/**
 * Closing wins cleanly over answers in flight (the tallies are sealed under each shard's lock
 * before the close returns; an answer whose tally write is refused is undone and answered 409),
 * and what erasure does to tallies and to answering again.
 */
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { contributions } from '../../src/consultations/consultation-questions.js';
import { ConsultationAnswerModel, ConsultationResponderModel, type AnswerRecord } from '../../src/consultations/consultation-response.model.js';
import { sumTallies } from '../../src/consultations/consultation-results.js';
import { talliesOf } from '../../src/consultations/consultation.repository.js';
import { createConsultationSchema } from '../../src/consultations/consultation.schemas.js';
import { eraseConsultationData } from '../../src/consultations/consultations-personal-data.js';
import { useTestDatabase } from '../support/database.js';
import { testActor } from '../support/test-actor.js';
import { answersFor, clearConsultations, questionnaire, services, syncConsultationIndexes, testClock, TEST_TENANT } from './consultations-fixtures.js';

/** The tallies' q1 distribution and respondents equal what the stored answers say. */
async function assertTalliesMatchStore(consultationId: string): Promise<number> {
  const answers = await ConsultationAnswerModel.find({ consultationId }).lean<AnswerRecord[]>();
  const expected = new Map<string, number>();
  for (const a of answers) for (const [k, v] of contributions(a.answers)) expected.set(k, (expected.get(k) ?? 0) + v);
  const members = sumTallies(await talliesOf(new Types.ObjectId(consultationId))).members;
  assert.equal(members.n ?? 0, answers.length, 'respondents in the tallies = answers stored');
  for (const [k, v] of Object.entries(members.q?.q1?.v ?? {})) assert.equal(v, expected.get(`q.q1.v.${k}`) ?? 0, `q1 value ${k}`);
  return answers.length;
}

describe('consultations: closing races answers; erasure and tallies', () => {
  useTestDatabase('consultations_close_race');
  const manager = testActor({ userId: 'manager', name: 'Mark Manager' });
  const people = Array.from({ length: 60 }, (_, i) => testActor({ userId: `r${i}`, name: `Lid ${i}` }));
  let communityId: Types.ObjectId;

  before(syncConsultationIndexes);
  beforeEach(async () => {
    await clearConsultations();
    communityId = (await CommunityModel.create({ tenantId: TEST_TENANT, name: 'Burgerpanel', visibility: 'closed', createdBy: 'manager' }))._id;
    await MembershipModel.insertMany([manager, ...people].map((p) => ({ tenantId: TEST_TENANT, communityId, userId: p.userId, role: p === manager ? 'manager' : 'member', status: 'active', joinedAt: new Date() })));
  });

  for (const anonymous of [false, true]) {
    it(`after the close returns no answer is counted or kept (${anonymous ? 'anonymous' : 'named'})`, async function () {
      this.timeout(120_000);
      const s = services(testClock(Date.parse('2030-03-01T09:00:00Z')));
      const c = await s.consultations.create(manager, String(communityId), createConsultationSchema.parse(questionnaire({ anonymous })));
      await s.consultations.respond(people[0]!, c.id, { answers: answersFor(0) });
      const answering = people.slice(1).map((p, i) => s.consultations.respond(p, c.id, { answers: answersFor(i) }));
      // Named replacements race the close too.
      const replacing = anonymous ? [] : [s.consultations.respond(people[0]!, c.id, { answers: answersFor(3) })];
      await new Promise((done) => setTimeout(done, 30));
      await s.consultations.close(manager, c.id);
      const atClose = await s.consultations.results(manager, c.id);
      const settled = await Promise.allSettled([...answering, ...replacing]);
      for (const r of settled) if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'consultation_closed', String(r.reason));
      const accepted = settled.slice(0, answering.length).filter((r) => r.status === 'fulfilled').length;
      const after = await s.consultations.results(manager, c.id);
      assert.equal(after.respondents, atClose.respondents, 'nothing counted after the close returned');
      assert.equal(after.respondents, accepted + 1);
      assert.equal(await ConsultationResponderModel.countDocuments({ consultationId: c.id }), accepted + 1);
      assert.equal(await assertTalliesMatchStore(c.id), accepted + 1, 'no answer kept that is not counted');
      await assert.rejects(s.consultations.respond(people[59]!, c.id, { answers: answersFor(1) }), { code: 'consultation_closed' });
    });
  }

  it('writes audit entries when a consultation is created, opened, closed and concluded', async () => {
    await AuditEntryModel.deleteMany({});
    const s = services(testClock(Date.parse('2030-03-01T09:00:00Z')));
    const c = await s.consultations.create(manager, String(communityId), createConsultationSchema.parse(questionnaire({ status: 'draft' })));
    await s.consultations.open(manager, c.id);
    await s.consultations.close(manager, c.id);
    await s.consultations.conclude(manager, c.id, { text: 'Wat we hoorden: **bufferstroken** van 3 meter.' });
    const entries = await AuditEntryModel.find({ subjectId: c.id }).sort({ _id: 1 }).lean<{ kind: string; actorId?: string }[]>();
    assert.deepEqual(entries.map((e) => [e.kind, e.actorId]), ['created', 'opened', 'closed', 'concluded'].map((k) => [`consultation.${k}`, 'manager']));
    assert.ok(!JSON.stringify(entries).includes('bufferstroken'), 'no texts in the audit log');
  });

  /**
   * Erasure deletes the person's "has responded" record by design (AVG: it is their personal
   * data, and for anonymous consultations nothing else links them to their answer). Named
   * answers go with it and are subtracted from the tallies; an anonymous answer stays (it is
   * nobody's personal data and cannot be found per person). So the tallies always equal the
   * stored answers; someone erased while an anonymous consultation is still open could answer
   * it once more as new — erasure normally follows the end of an account, after which they
   * cannot sign in to answer.
   */
  for (const anonymous of [false, true]) {
    it(`keeps the tallies equal to the stored answers after erasure and answering again (${anonymous ? 'anonymous' : 'named'})`, async () => {
      const s = services(testClock(Date.parse('2030-03-01T09:00:00Z')));
      const c = await s.consultations.create(manager, String(communityId), createConsultationSchema.parse(questionnaire({ anonymous })));
      for (let i = 0; i < 3; i++) await s.consultations.respond(people[i]!, c.id, { answers: answersFor(i) });
      await eraseConsultationData(TEST_TENANT, people[0]!.userId);
      assert.equal(await assertTalliesMatchStore(c.id), anonymous ? 3 : 2);
      assert.equal((await s.consultations.get(people[0]!, c.id)).myResponse, 'none');
      await s.consultations.respond(people[0]!, c.id, { answers: answersFor(4) });
      assert.equal(await assertTalliesMatchStore(c.id), anonymous ? 4 : 3);
      await s.consultations.close(manager, c.id);
      // Erasure after the close still subtracts a named answer from the sealed tallies.
      await eraseConsultationData(TEST_TENANT, people[1]!.userId);
      assert.equal(await assertTalliesMatchStore(c.id), anonymous ? 4 : 2);
    });
  }
});
