/**
 * The audience size (the response rate's denominator) is counted at most every 15 s per
 * community and never used when older than 60 s (consultation-audience.ts): joins and leaves
 * show within that bound, respondents are exact at all times, and the rate never passes 1.
 */
import assert from 'node:assert/strict';
import mongoose, { type Types } from 'mongoose';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { AUDIENCE_FRESH_MS, AUDIENCE_MAX_STALE_MS } from '../../src/consultations/consultation-audience.js';
import { createConsultationSchema } from '../../src/consultations/consultation.schemas.js';
import type { ConsultationsServices } from '../../src/consultations/consultations.module.js';
import { useTestDatabase } from '../support/database.js';
import { testActor } from '../support/test-actor.js';
import { answersFor, clearConsultations, questionnaire, services, syncConsultationIndexes, testClock, TEST_TENANT, type TestClock } from './consultations-fixtures.js';

describe('consultations: the audience size follows joins and leaves', () => {
  useTestDatabase('consultations_audience');
  let clock: TestClock;
  let s: ConsultationsServices;
  let communityId: Types.ObjectId;
  const manager = testActor({ userId: 'manager', name: 'Mark Manager' });
  const member = (i: number) => testActor({ userId: `m${i}`, name: `Lid ${i}` });
  const join = (userId: string, isGuest = false) => MembershipModel.create({ tenantId: TEST_TENANT, communityId, userId, role: 'member', status: 'active', isGuest, joinedAt: new Date() });

  before(syncConsultationIndexes);
  beforeEach(async () => {
    await clearConsultations();
    clock = testClock(Date.parse('2030-03-01T09:00:00Z'));
    s = services(clock);
    communityId = (await CommunityModel.create({ tenantId: TEST_TENANT, name: 'Burgerpanel', visibility: 'closed', guestsAllowed: true, createdBy: 'manager' }))._id;
    await MembershipModel.create({ tenantId: TEST_TENANT, communityId, userId: 'manager', role: 'manager', status: 'active', joinedAt: new Date() });
    for (let i = 0; i < 3; i++) await join(`m${i}`);
  });

  it('shows a join and a leave in the response rate within the stated bound, with exact respondents', async () => {
    const c = await s.consultations.create(manager, String(communityId), createConsultationSchema.parse(questionnaire()));
    await s.consultations.respond(member(0), c.id, { answers: answersFor(0) });
    let r = await s.consultations.results(manager, c.id);
    assert.deepEqual([r.respondents, r.audienceSize, r.responseRate], [1, 4, 0.25]);

    await join('m3');
    await join('m4');
    clock.advance(AUDIENCE_FRESH_MS - 1_000);
    assert.equal((await s.consultations.results(manager, c.id)).audienceSize, 4, 'within 15 s the counted size is used');
    clock.advance(AUDIENCE_MAX_STALE_MS);
    r = await s.consultations.results(manager, c.id);
    assert.deepEqual([r.respondents, r.audienceSize, r.responseRate], [1, 6, Math.round((1 / 6) * 1000) / 1000]);
    assert.equal((await s.consultations.get(manager, c.id)).audienceSize, 6, 'the view shares the size');

    // Between fresh and the bound: the old size is answered once, the recount follows.
    await MembershipModel.deleteMany({ communityId, userId: mongoose.trusted({ $in: ['m1', 'm2', 'm3', 'm4'] }) });
    clock.advance(AUDIENCE_FRESH_MS + 1_000);
    assert.equal((await s.consultations.results(manager, c.id)).audienceSize, 6);
    let size = 6;
    for (let i = 0; i < 100 && size !== 2; i++) {
      await new Promise((done) => setTimeout(done, 20));
      size = (await s.consultations.results(manager, c.id)).audienceSize;
    }
    assert.equal(size, 2, 'the background recount lands');

    // The only respondent leaves: respondents stay exact, the rate does not pass 1.
    await MembershipModel.deleteMany({ communityId, userId: 'm0' });
    await s.consultations.respond(member(0), c.id, { answers: answersFor(1) }).catch(() => undefined);
    clock.advance(AUDIENCE_MAX_STALE_MS + 1_000);
    r = await s.consultations.results(manager, c.id);
    assert.deepEqual([r.respondents, r.audienceSize, r.responseRate], [1, 1, 1]);
  });

  it('counts guests only for a members-and-guests consultation', async () => {
    await join('g1', true);
    const members = await s.consultations.create(manager, String(communityId), createConsultationSchema.parse(questionnaire()));
    const all = await s.consultations.create(manager, String(communityId), createConsultationSchema.parse(questionnaire({ audience: 'membersAndGuests' })));
    assert.equal((await s.consultations.get(manager, members.id)).audienceSize, 4);
    assert.equal((await s.consultations.get(manager, all.id)).audienceSize, 5);
  });
});
