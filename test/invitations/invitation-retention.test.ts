import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { createLogger } from '../../src/logging/logger.js';
import { InvitationModel } from '../../src/invitations/invitation.model.js';
import { invitationRetentionRule } from '../../src/invitations/invitation-retention.js';
import { PrivacySettingsService } from '../../src/privacy/privacy-settings.service.js';
import { RetentionRegistry, runRetentionPass } from '../../src/privacy/retention.js';
import { useTestDatabase } from '../support/database.js';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00Z');
const TENANT = '0d5b4a9c-8e7f-4d6a-9b5c-4e3d2c1b0a99';
const OTHER_TENANT = '1e6c5bad-9f80-4e7b-8c6d-5f4e3d2c1b00';

describe('invitation retention', () => {
  useTestDatabase('invitation_retention');

  beforeEach(async () => {
    await InvitationModel.deleteMany({});
  });

  // Written past mongoose so the ages are the ones given (timestamps would set them to now).
  async function invitation(state: string, closedDaysAgo: number | null, tenantId = TENANT): Promise<void> {
    const created = new Date(NOW.getTime() - 200 * DAY);
    await InvitationModel.collection.insertOne({
      tenantId,
      communityId: new mongoose.Types.ObjectId(),
      key: `k-${state}-${closedDaysAgo}-${Math.random()}`,
      ...(state === 'accepted' ? {} : { email: 'someone@example.org' }),
      state,
      invitedBy: 'manager',
      sends: 1,
      ...(closedDaysAgo === null ? {} : { closedAt: new Date(NOW.getTime() - closedDaysAgo * DAY) }),
      createdAt: created,
      updatedAt: created,
    });
  }

  it("deletes the tenant's withdrawn and failed invitations closed before the period, and nothing else", async () => {
    await invitation('withdrawn', 31);
    await invitation('failed', 45);
    await invitation('withdrawn', 29);
    await invitation('failed', 2);
    await invitation('pending', null);
    await invitation('accepted', null);
    await invitation('withdrawn', 60, OTHER_TENANT);

    const purged = await invitationRetentionRule.purge(TENANT, new Date(NOW.getTime() - 30 * DAY), 100);

    assert.equal(purged, 2);
    const left = (await InvitationModel.find({ tenantId: TENANT }).lean()).map((i) => i.state).sort();
    assert.deepEqual(left, ['accepted', 'failed', 'pending', 'withdrawn'], 'recently closed, pending (however old) and accepted stay');
    assert.equal(await InvitationModel.countDocuments({ tenantId: OTHER_TENANT }), 1, "another tenant's are its own business");
  });

  it('removes no more than the limit in one call', async () => {
    for (let i = 0; i < 5; i++) await invitation('failed', 40 + i);
    assert.equal(await invitationRetentionRule.purge(TENANT, new Date(NOW.getTime() - 30 * DAY), 3), 3);
    assert.equal(await InvitationModel.countDocuments({}), 2);
  });

  it('runs in the retention pass with the 30-day default, counted on the given clock', async () => {
    await invitation('withdrawn', 31);
    await invitation('failed', 29);
    const registry = new RetentionRegistry().register(invitationRetentionRule);
    const audit = { record: () => Promise.resolve() };
    const pass = (at: Date) => runRetentionPass({ registry, settings: new PrivacySettingsService({ audit }), tenants: () => Promise.resolve([TENANT]), logger: createLogger('silent'), now: () => at });
    await pass(NOW);
    assert.deepEqual((await InvitationModel.find({}).lean()).map((i) => i.state), ['failed'], 'the one closed 31 days ago went');
    await pass(new Date(NOW.getTime() + 2 * DAY));
    assert.equal(await InvitationModel.countDocuments({}), 0, 'two days later the other is past 30 days too');
  });
});
