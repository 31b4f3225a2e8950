/**
 * A consultation's origin (issue 13): a discussion must be a readable, unhidden discussion of
 * the consultation's own community; a meeting (Teams meeting id and/or chat id) must be linked
 * to that community. Every other origin is refused in the same words, storing nothing.
 */
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import { createCommunitiesServices } from '../../src/composition.js';
import { ConsultationModel } from '../../src/consultations/consultation.model.js';
import { createConsultationSchema } from '../../src/consultations/consultation.schemas.js';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { MeetingLinkModel } from '../../src/meetings/meeting-link.model.js';
import { silentLogger } from '../events/events-fixtures.js';
import { useTestDatabase } from '../support/database.js';
import { clearConsultations, community, person, questionnaire, services, syncConsultationIndexes, testClock, TEST_TENANT } from './consultations-fixtures.js';

describe('consultations: the origin is checked', () => {
  useTestDatabase('consultations_origin');
  before(async () => {
    await syncConsultationIndexes();
    await (DiscussionModel as { syncIndexes(): Promise<unknown> }).syncIndexes();
    await (MeetingLinkModel as { syncIndexes(): Promise<unknown> }).syncIndexes();
  });
  beforeEach(async () => {
    await clearConsultations();
    await DiscussionModel.deleteMany({});
    await MeetingLinkModel.deleteMany({});
  });

  it('accepts a discussion or meeting of the same community and refuses every other alike', async () => {
    const s = services(testClock(Date.parse('2030-03-01T09:00:00Z')));
    const { discussions } = createCommunitiesServices({ logger: silentLogger });
    const manager = await person('o-manager');
    const keeper = await person('o-keeper');
    const cid = await community('Drainage', 'public', [{ userId: manager.userId, role: 'manager' }]);
    const otherId = await community('Peilbeheer', 'public', [{ userId: manager.userId, role: 'manager' }]);
    const secretId = await community('Bestuur', 'secret', [{ userId: keeper.userId, role: 'manager' }]);
    const own = await discussions.create(manager, cid, { title: 'Bufferstroken', body: 'Wat vindt u?', kind: 'discussion' });
    const hidden = await discussions.create(manager, cid, { title: 'Verborgen', body: 'x', kind: 'discussion' });
    await DiscussionModel.updateOne({ _id: hidden.id }, { $set: { hidden: true } });
    const other = await discussions.create(manager, otherId, { title: 'Elders', body: 'x', kind: 'discussion' });
    const secret = await discussions.create(keeper, secretId, { title: 'Geheim', body: 'x', kind: 'discussion' });
    const link = (chatId: string, communityId: string) =>
      MeetingLinkModel.create({ tenantId: TEST_TENANT, chatId, teamsMeetingId: `meeting-${chatId}`, communityId: new Types.ObjectId(communityId), discussionId: new Types.ObjectId(own.id), source: 'manual', linkedBy: manager.userId });
    await link('19:meeting_own@thread.v2', cid);
    await link('19:meeting_other@thread.v2', otherId);

    const create = (origin: Record<string, string>) => s.consultations.create(manager, cid, createConsultationSchema.parse(questionnaire({ origin })));
    assert.deepEqual((await create({ discussionId: own.id })).origin, { discussionId: own.id });
    assert.deepEqual((await create({ conversationId: '19:meeting_own@thread.v2', meetingId: 'meeting-19:meeting_own@thread.v2' })).origin, { conversationId: '19:meeting_own@thread.v2', meetingId: 'meeting-19:meeting_own@thread.v2' });
    const stored = await ConsultationModel.countDocuments();

    const refusals: Record<string, string>[] = [
      { discussionId: hidden.id },
      { discussionId: other.id },
      { discussionId: secret.id },
      { discussionId: new Types.ObjectId().toHexString() },
      { conversationId: '19:meeting_other@thread.v2' },
      { conversationId: '19:meeting_unknown@thread.v2' },
      { meetingId: 'meeting-19:meeting_other@thread.v2' },
      { conversationId: '19:meeting_own@thread.v2', meetingId: 'meeting-19:meeting_other@thread.v2' },
    ];
    const messages = new Set<string>();
    for (const origin of refusals) {
      await assert.rejects(create(origin), (err: { code?: string; message: string }) => {
        assert.equal(err.code, 'invalid_origin', JSON.stringify(origin));
        messages.add(err.message);
        return true;
      });
    }
    assert.equal(messages.size, 1, 'the same answer for every reason');
    assert.equal(await ConsultationModel.countDocuments(), stored, 'nothing stored');
  });
});
