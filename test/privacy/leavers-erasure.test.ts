/**
 * A person deleted from Microsoft 365 is erased by the worker's leavers pass with the REAL
 * erasure (the application's `privacy.erasure`, every capability's contributor), with a fake
 * clock for the pass: after the grace period their data is gone from every collection, their
 * discussions show "Former member", and no audit entry holds their id (the leaver's own
 * `privacy.leaver_erasure` entry included: it is pseudonymised with the rest).
 */
import assert from 'node:assert/strict';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { sharedAuditLog } from '../../src/audit/audit.port.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { GraphDirectoryGateway } from '../../src/graph/directory-gateway.js';
import { meentGraphClient } from '../../src/graph/graph-client.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserDirectoryRepository } from '../../src/members/user-directory.repository.js';
import { UserModel } from '../../src/members/user.model.js';
import { DepartureModel } from '../../src/privacy/departure.model.js';
import { runLeaversPass, type LeaversDeps } from '../../src/privacy/leavers.js';
import { PrivacySettingsService } from '../../src/privacy/privacy-settings.service.js';
import { useTestDatabase } from '../support/database.js';
import { DAY, giveDataOfEveryKind, ok, person, traces, usePrivacyRig } from './privacy-fixtures.js';

const T0 = new Date('2027-03-01T07:00:00Z');

describe('a person deleted from Microsoft 365 is erased by the worker (real erasure, fake clock)', function () {
  this.timeout(180_000);
  useTestDatabase('privacy_leavers_erasure');
  const rig = usePrivacyRig();
  const logger = createLogger('silent');
  let now = T0;

  function leaversDeps(tenantId: string): LeaversDeps {
    const clock = () => now;
    const audit = sharedAuditLog({ logger, now: clock });
    const users = new UserDirectoryRepository();
    const graph = meentGraphClient({ baseUrl: rig.graph.baseUrl, getAccessToken: () => Promise.resolve('app-token') });
    return {
      directory: () => new GraphDirectoryGateway({ graph }),
      knownPeople: (t, ids) => users.knownUserIds(t, ids),
      eraser: rig.application.privacy.erasure,
      settings: new PrivacySettingsService({ audit, now: clock }),
      audit,
      tenants: () => Promise.resolve([tenantId]),
      logger,
      now: clock,
    };
  }

  it('erases their data after the 30 days of grace; their discussions show Former member; no audit entry names them', async () => {
    const leaver = person('Lotte Leaver');
    const manager = person('Maarten Manager');
    const data = await giveDataOfEveryKind(rig, leaver, manager, person('Wout Wacht'));
    const deps = leaversDeps(data.tenantId);

    assert.deepEqual(await runLeaversPass(deps), { noticed: 0, returned: 0, erased: 0, failed: 0 }, 'the first round learns who is there');
    rig.graph.removeUser(leaver.oid);
    now = new Date(T0.getTime() + DAY);
    assert.deepEqual(await runLeaversPass(deps), { noticed: 1, returned: 0, erased: 0, failed: 0 });
    now = new Date(T0.getTime() + 30 * DAY);
    assert.equal((await runLeaversPass(deps)).erased, 0, 'within the grace period nothing is erased');
    assert.equal(await UserModel.countDocuments({ userId: leaver.oid }), 1);

    now = new Date(T0.getTime() + 31 * DAY);
    assert.deepEqual(await runLeaversPass(deps), { noticed: 0, returned: 0, erased: 1, failed: 0 });
    await rig.application.privacy.exports.idle();

    assert.equal(await UserModel.countDocuments({ userId: leaver.oid }), 0, 'the profile is gone');
    assert.equal(await MembershipModel.countDocuments({ userId: leaver.oid }), 0, 'the memberships are gone');
    assert.equal(await DepartureModel.countDocuments({}), 0);
    assert.deepEqual(await traces(leaver), [], 'nothing left in any collection, audit entries included');

    const discussion = ok(await rig.api(manager, 'get', `/discussions/${data.discussionId}`)).body;
    assert.equal(discussion.author.erased, true);
    assert.equal(discussion.author.displayName, 'Voormalig lid');

    const leaverEntries = await AuditEntryModel.find({ kind: 'privacy.leaver_erasure' }).lean();
    assert.equal(leaverEntries.length, 1);
    assert.match(String(leaverEntries[0]!.subjectId), /^pseudonym:[0-9a-f]{32}$/);
    const erasedEntry = await AuditEntryModel.findOne({ kind: 'person.erased' }).lean();
    assert.equal(erasedEntry?.subjectId, leaverEntries[0]!.subjectId, 'the same pseudonym as the erasure');
    assert.equal((erasedEntry?.details as { by?: string } | undefined)?.by, 'leaver');
    assert.equal(await AuditEntryModel.countDocuments({ $or: [{ subjectId: leaver.oid }, { actorId: leaver.oid }] }), 0);

    now = new Date(T0.getTime() + 60 * DAY);
    assert.deepEqual(await runLeaversPass(deps), { noticed: 0, returned: 0, erased: 0, failed: 0 }, 'no one is erased twice');
  });
});
