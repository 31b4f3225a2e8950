/**
 * The dashboard's consultation response rate from the consultations capability's port
 * (`consultationResponseFigures`, wired in src/composition.ts): people who answered over people
 * asked, summed over the consultations open at some moment of the period, in the scope asked for.
 * Drafts, consultations closed before the period or opened after it, and other communities'
 * ones do not count; without any consultation in the period the rate is "not measured".
 */
import assert from 'node:assert/strict';
import request from 'supertest';
import { consultationResponseFigures } from '../../src/consultations/consultations.port.js';
import { createConsultationSchema } from '../../src/consultations/consultation.schemas.js';
import { useTestDatabase } from '../support/database.js';
import { answersFor, as, clearConsultations, community, person, questionnaire, services, syncConsultationIndexes, testClock, TEST_TENANT } from '../consultations/consultations-fixtures.js';
import { analyticsApp, clearAnalytics, recorderAt, syncAnalyticsIndexes } from './analytics-fixtures.js';

describe('analytics: the consultation response rate', function () {
  this.timeout(60_000);
  useTestDatabase('analytics_consultations');
  before(async () => {
    await syncAnalyticsIndexes();
    await syncConsultationIndexes();
  });
  beforeEach(async () => {
    await clearAnalytics();
    await clearConsultations();
  });

  it('is respondents over audience of the consultations open in the period, per scope', async () => {
    const clock = testClock(Date.parse('2030-04-01T09:00:00Z'));
    const s = services(clock);
    const admin = await person('rate-admin', { isOrgAdmin: true });
    const manager = await person('rate-manager');
    const members = await Promise.all(Array.from({ length: 9 }, (_, i) => person(`rate-member-${i}`)));
    const panel = await community('Burgerpanel', 'closed', [{ userId: manager.userId, role: 'manager' }, ...members.map((m) => ({ userId: m.userId, role: 'member' as const }))]);
    const other = await community('Ander panel', 'closed', [{ userId: manager.userId, role: 'manager' }, { userId: members[0]!.userId, role: 'member' }]);
    const create = async (communityId: string, extra: Record<string, unknown> = {}) => (await s.consultations.create(manager, communityId, createConsultationSchema.parse(questionnaire(extra)))).id;
    const answer = async (id: string, count: number) => {
      for (let i = 0; i < count; i++) await s.consultations.respond(members[i]!, id, { answers: answersFor(i) });
    };

    // Closed before the period (April): not counted.
    const early = await create(panel);
    await answer(early, 9);
    await s.consultations.close(manager, early);
    clock.set(new Date('2030-05-02T09:00:00Z'));
    // Open in May: 6 of 10, closed during May; 2 of 10, still open; a draft; another community's, 1 of 2.
    const first = await create(panel);
    await answer(first, 6);
    const second = await create(panel);
    await answer(second, 2);
    await create(panel, { status: 'draft' });
    const elsewhere = await create(other);
    await answer(elsewhere, 1);
    clock.set(new Date('2030-05-20T09:00:00Z'));
    await s.consultations.close(manager, first);
    // Opens after the period (its audience would show in `invited`).
    await create(panel, { opensAt: '2030-06-03T09:00:00+02:00' });

    const may = { from: new Date('2030-05-01T00:00:00Z'), to: new Date('2030-06-01T00:00:00Z') };
    assert.deepEqual(await consultationResponseFigures(TEST_TENANT, [panel], may.from, may.to), { invited: 20, responded: 8 });
    assert.deepEqual(await consultationResponseFigures(TEST_TENANT, null, may.from, may.to), { invited: 22, responded: 9 });
    assert.deepEqual(await consultationResponseFigures('another-tenant', null, may.from, may.to), { invited: 0, responded: 0 });

    const app = analyticsApp(clock, recorderAt(clock), undefined, { consultationFigures: consultationResponseFigures });
    const rate = async (query: Record<string, string>) => {
      const res = await request(app).get('/api/v1/analytics/summary').query(query).set(as(admin));
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.figures.find((f: { key: string }) => f.key === 'consultationResponseRate') as { value: number | null; available: boolean; suppressed: boolean };
    };
    const inPanel = await rate({ communityId: panel, from: '2030-05-01', to: '2030-05-31' });
    assert.deepEqual([inPanel.value, inPanel.available, inPanel.suppressed], [40, true, false], '8 of 20');
    const everywhere = await rate({ from: '2030-05-01', to: '2030-05-31' });
    assert.equal(everywhere.value, 40.9, '9 of 22');
    // Fewer than 5 respondents: withheld (the other panel's 1 of 2).
    const small = await rate({ communityId: other, from: '2030-05-01', to: '2030-05-31' });
    assert.deepEqual([small.value, small.suppressed], [null, true]);
    // No consultation in the scope: not measured ("—"), not 0 %.
    const quiet = await community('Stil panel', 'closed', [{ userId: manager.userId, role: 'manager' }, ...members.map((m) => ({ userId: m.userId, role: 'member' as const }))]);
    const none = await rate({ communityId: quiet, from: '2030-05-01', to: '2030-05-31' });
    assert.deepEqual([none.value, none.available, none.suppressed], [null, false, false]);
  });
});
