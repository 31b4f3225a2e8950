/**
 * Erasure's membership step keeps the community's counts right when it crashes half-way: a
 * failure injected between the steps (recounting the community, deleting the membership) and
 * a rerun leave `memberCount`/`managerCount` equal to a recount of the active memberships.
 */
import assert from 'node:assert/strict';
import { Types } from 'mongoose';
import sinon from 'sinon';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { useTestDatabase } from '../support/database.js';
import { ok, person, usePrivacyRig, type Person } from './privacy-fixtures.js';

async function recount(communityId: string): Promise<{ memberCount: number; managerCount: number }> {
  const active = { communityId: new Types.ObjectId(communityId), status: 'active' as const };
  return { memberCount: await MembershipModel.countDocuments(active), managerCount: await MembershipModel.countDocuments({ ...active, role: 'manager' as const }) };
}

async function counts(communityId: string): Promise<{ memberCount: number; managerCount: number }> {
  const c = await CommunityModel.findById(communityId).lean();
  return { memberCount: c?.counts?.memberCount ?? -1, managerCount: c?.counts?.managerCount ?? -1 };
}

describe('erasure keeps community counts right across a crash', function () {
  this.timeout(120_000);
  useTestDatabase('privacy_erase_counts');
  const rig = usePrivacyRig();
  const sandbox = sinon.createSandbox();
  afterEach(() => sandbox.restore());
  const admin = person('Ada Admin', true);

  async function communityWith(subject: Person): Promise<string> {
    const manager = person('Maarten Manager');
    const other = person('Olga Ander');
    const id = ok(await rig.api(manager, 'post', '/communities', { name: `Dijkbeheer ${subject.oid.slice(0, 6)}`, visibility: 'public' }), 201).body.id as string;
    ok(await rig.api(subject, 'post', `/communities/${id}/members`, {}), 201);
    ok(await rig.api(other, 'post', `/communities/${id}/members`, {}), 201);
    // The subject manages too, so both counts change when they go.
    ok(await rig.api(manager, 'patch', `/communities/${id}/members/${subject.oid}`, { role: 'manager' }));
    assert.deepEqual(await counts(id), { memberCount: 3, managerCount: 2 });
    return id;
  }

  const crashes: Array<[string, () => sinon.SinonStub]> = [
    ['while the community is counted', () => sandbox.stub(CommunityModel, 'findOneAndUpdate').callThrough().onFirstCall().throws(new Error('injected crash'))],
    ['after counting, before the membership is deleted', () => sandbox.stub(MembershipModel, 'deleteOne').callThrough().onFirstCall().rejects(new Error('injected crash'))],
  ];
  for (const [when, inject] of crashes) {
    it(`a crash ${when}, then a rerun: the counts equal a recount`, async () => {
      const subject = person('Carla Crash');
      const communityId = await communityWith(subject);
      const stub = inject();
      const crashed = await rig.api(admin, 'post', `/admin/people/${subject.oid}/erase`, { reason: 'Uit dienst' });
      assert.equal(crashed.status, 500);
      assert.ok(stub.called, 'the failure was injected');
      sandbox.restore();

      const rerun = ok(await rig.api(admin, 'post', `/admin/people/${subject.oid}/erase`, { reason: 'Opnieuw' }));
      assert.deepEqual(rerun.body, { status: 'erased' });
      assert.equal(await MembershipModel.countDocuments({ userId: subject.oid }), 0);
      assert.deepEqual(await counts(communityId), await recount(communityId));
      assert.deepEqual(await counts(communityId), { memberCount: 2, managerCount: 1 });
    });
  }
});
