import assert from 'node:assert/strict';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { loadConfig } from '../../src/config/config.js';
import { DiscussionModel } from '../../src/discussions/discussion.model.js';
import { ReplyModel } from '../../src/discussions/reply.model.js';
import { ConsultationModel } from '../../src/consultations/consultation.model.js';
import { ConsultationResponderModel } from '../../src/consultations/consultation-response.model.js';
import { EventModel } from '../../src/events/event.model.js';
import { RegistrationModel } from '../../src/events/registration.model.js';
import { seedDemoOrganisation } from '../../src/composition.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import { useTestDatabase } from '../support/database.js';

describe('the demo organisation (npm run seed)', () => {
  useTestDatabase('seed');
  const deps = { logger: createLogger('silent'), config: loadConfig({}) };

  async function counts() {
    return {
      users: await UserModel.countDocuments({}),
      communities: await CommunityModel.countDocuments({}),
      memberships: await MembershipModel.countDocuments({}),
      discussions: await DiscussionModel.countDocuments({}),
      replies: await ReplyModel.countDocuments({}),
      events: await EventModel.countDocuments({}),
      registrations: await RegistrationModel.countDocuments({}),
      consultations: await ConsultationModel.countDocuments({}),
      responders: await ConsultationResponderModel.countDocuments({}),
    };
  }

  it('seeds people, a public and a closed community, discussions with replies and sessions with a waitlist', async function () {
    this.timeout(60_000);
    const result = await seedDemoOrganisation(deps);
    assert.equal(result.created, true);
    const c = await counts();
    assert.equal(c.users, 5);
    assert.equal(c.communities, 2);
    assert.equal(c.discussions, 3);
    assert.equal(c.replies, 5);
    assert.equal(c.events, 3);

    const farmers = await CommunityModel.findOne({ visibility: 'public' }).lean();
    assert.ok(farmers?.guestsAllowed, 'the farmers community admits the partner guests');
    assert.equal(await MembershipModel.countDocuments({ communityId: farmers?._id, status: 'active' }), 4);
    const guests = await UserModel.countDocuments({ isGuest: true });
    assert.equal(guests, 2, 'two guests from partner organisations');
    assert.equal(await CommunityModel.countDocuments({ visibility: 'closed' }), 1, 'a closed community for the water board');

    const question = await DiscussionModel.findOne({ kind: 'question' }).lean();
    assert.ok(question);
    assert.equal(await ReplyModel.countDocuments({ discussionId: question._id, accepted: true }), 1, 'the question has an accepted answer');
    assert.match(question.body?.html ?? '', /<strong>bemesten<\/strong>/, 'bodies are rendered Markdown');

    const online = await EventModel.findOne({ online: true }).lean();
    assert.ok(online, 'one online session');
    const full = await EventModel.findOne({ capacity: 2 }).lean();
    assert.ok(full);
    assert.equal(await RegistrationModel.countDocuments({ eventId: full._id, status: 'registered' }), 2, 'the small session is full');
    assert.equal(await RegistrationModel.countDocuments({ eventId: full._id, status: 'waitlisted' }), 1, 'and has a waitlist');
    assert.ok((await EventModel.findOne({ online: false, 'location.name': /Marke/ }).lean()) !== null, 'one on location');

    // The panel's consultation, open and partly answered; a quick poll closed with a conclusion.
    const panel = await ConsultationModel.findOne({ title: 'Bufferstroken langs watergangen' }).lean();
    assert.ok(panel);
    assert.equal(panel.status, 'open');
    assert.deepEqual(panel.questions.map((q: { kind: string }) => q.kind), ['scale', 'multipleChoice', 'longText']);
    assert.equal(await ConsultationResponderModel.countDocuments({ consultationId: panel._id }), 2, 'two of the four in its audience answered');
    const poll = await ConsultationModel.findOne({ quickPoll: true }).lean();
    assert.ok(poll);
    assert.equal(poll.status, 'closed');
    assert.match(poll.conclusion?.html ?? '', /<strong>avond<\/strong>/);
  });

  it('changes nothing when run again', async function () {
    this.timeout(60_000);
    const before = await counts();
    const again = await seedDemoOrganisation(deps);
    assert.equal(again.created, false);
    assert.deepEqual(await counts(), before);
  });
});
