/**
 * People who leave the organisation, with a fake clock and the Graph stand-in's users delta:
 * those Meent knows who are deleted (members) or removed (guests) are erased by the worker's
 * pass once the grace period has passed, through the `PersonEraser` (here a recording one: the
 * seam to the erasure built beside this; the end-to-end test with the real eraser comes at
 * merge); one who comes back within the grace period is not; strangers are ignored; a 429 with
 * Retry-After is waited out.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { sharedAuditLog } from '../../src/audit/audit.port.js';
import { GraphDirectoryGateway } from '../../src/graph/directory-gateway.js';
import { meentGraphClient } from '../../src/graph/graph-client.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserDirectoryRepository } from '../../src/members/user-directory.repository.js';
import { UserModel } from '../../src/members/user.model.js';
import { DepartureModel } from '../../src/privacy/departure.model.js';
import { DirectorySyncModel } from '../../src/privacy/directory-sync.model.js';
import { runLeaversPass, startLeaversJob, type LeaversDeps } from '../../src/privacy/leavers.js';
import { PrivacySettingsModel } from '../../src/privacy/privacy-settings.model.js';
import { PrivacySettingsService } from '../../src/privacy/privacy-settings.service.js';
import type { ErasureOutcome, ErasureRequest, PersonEraser } from '../../src/privacy/privacy.port.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';

const DAY = 86_400_000;
const T0 = new Date('2027-02-01T08:00:00Z');
const TENANT = '4b5c6d7e-8f90-4a1b-b2c3-d4e5f6a7b8c9';

/** Stores what it was asked; answers as an idempotent eraser would. Fails on demand. */
class RecordingEraser implements PersonEraser {
  readonly calls: { tenantId: string; userId: string; request: ErasureRequest }[] = [];
  private readonly erased = new Set<string>();
  failNext = 0;

  erase(tenantId: string, userId: string, request: ErasureRequest): Promise<ErasureOutcome> {
    this.calls.push({ tenantId, userId, request });
    if (this.failNext > 0) {
      this.failNext--;
      return Promise.reject(new Error('store unreachable'));
    }
    const key = `${tenantId}:${userId}`;
    const status = this.erased.has(key) ? 'alreadyErased' : 'erased';
    this.erased.add(key);
    return Promise.resolve({ status });
  }
}

describe('people who leave the organisation (worker pass, fake clock)', function () {
  this.timeout(30_000);
  useTestDatabase('leavers');
  let graph: GraphServer;
  let eraser: RecordingEraser;
  let now: Date;
  const logger = createLogger('silent');

  before(async () => {
    // Two users a page: the rounds page through @odata.nextLink before their @odata.deltaLink.
    graph = await startGraphServer({ pageSize: 2 });
  });
  after(async () => {
    await graph.stop();
  });
  beforeEach(async () => {
    graph.reset();
    eraser = new RecordingEraser();
    now = T0;
    await Promise.all([UserModel.deleteMany({}), DepartureModel.deleteMany({}), DirectorySyncModel.deleteMany({}), AuditEntryModel.deleteMany({}), PrivacySettingsModel.deleteMany({})]);
  });

  function deps(): LeaversDeps {
    const clock = () => now;
    const audit = sharedAuditLog({ logger, now: clock });
    const users = new UserDirectoryRepository();
    const graphClient = meentGraphClient({ baseUrl: graph.baseUrl, getAccessToken: () => Promise.resolve('app-token') });
    return {
      directory: () => new GraphDirectoryGateway({ graph: graphClient }),
      knownPeople: (tenantId, ids) => users.knownUserIds(tenantId, ids),
      eraser,
      settings: new PrivacySettingsService({ audit, now: clock }),
      audit,
      tenants: () => Promise.resolve([TENANT]),
      logger,
      now: clock,
    };
  }

  /** A person in Graph, and in Meent unless `inMeent` is false. */
  async function person(name: string, options: { guest?: boolean; inMeent?: boolean } = {}): Promise<string> {
    const user = graph.addUser({ displayName: name, userType: options.guest ? 'Guest' : 'Member' });
    if (options.inMeent !== false) await UserModel.create({ tenantId: TENANT, userId: user.id, displayName: name, isGuest: options.guest === true });
    return user.id;
  }

  const at = (days: number) => new Date(T0.getTime() + days * DAY);

  it('erases a deleted member and a removed guest after the grace period, not one who came back, and ignores strangers', async () => {
    const alice = await person('Alice Vertrokken');
    const bob = await person('Bob Gast', { guest: true });
    const carol = await person('Carol Terug');
    const stranger = await person('Dave Onbekend', { inMeent: false });
    const eve = await person('Eve Blijft');

    assert.deepEqual(await runLeaversPass(deps()), { noticed: 0, returned: 0, erased: 0, failed: 0 }, 'the first round only learns who is there');
    assert.ok((await DirectorySyncModel.findOne({ tenantId: TENANT }).lean())?.deltaLink, 'the deltaLink is kept per tenant');

    graph.removeUser(alice);
    graph.removeUser(bob, { permanently: true });
    graph.removeUser(carol);
    graph.removeUser(stranger);
    now = at(1);
    // Throttled once: the pass waits the Retry-After out and goes on.
    graph.failNext({ status: 429, retryAfter: 1, match: (r) => r.path === '/v1.0/users/delta' });
    assert.deepEqual(await runLeaversPass(deps()), { noticed: 3, returned: 0, erased: 0, failed: 0 });
    assert.equal(graph.count((r) => r.path === '/v1.0/users/delta' && r.status === 429), 1);
    assert.ok(graph.requests.some((r) => r.path === '/v1.0/users/delta' && r.query.has('$deltatoken') && r.status === 200), 'the second round asked with the deltaLink');
    const departures = await DepartureModel.find({}).sort({ userId: 1 }).lean();
    assert.deepEqual(departures.map((d) => [d.userId, d.reason, d.leftAt.toISOString()]).sort(), [[alice, 'changed', at(1).toISOString()], [bob, 'deleted', at(1).toISOString()], [carol, 'changed', at(1).toISOString()]].sort());
    assert.equal(await AuditEntryModel.countDocuments({ kind: 'privacy.leaver_noticed' }), 3);

    graph.restoreUser(carol);
    now = at(10);
    assert.deepEqual(await runLeaversPass(deps()), { noticed: 0, returned: 1, erased: 0, failed: 0 });
    assert.equal(await DepartureModel.countDocuments({ userId: carol }), 0, 'carol is no longer scheduled');

    now = at(30);
    await runLeaversPass(deps());
    assert.equal(eraser.calls.length, 0, '29 days after they left: within the 30 days of grace');

    now = at(31);
    assert.deepEqual(await runLeaversPass(deps()), { noticed: 0, returned: 0, erased: 2, failed: 0 });
    assert.deepEqual(eraser.calls.map((c) => c.userId).sort(), [alice, bob].sort());
    for (const call of eraser.calls) {
      assert.equal(call.tenantId, TENANT);
      assert.equal(call.request.by, 'leaver');
      assert.match(call.request.reason ?? '', /grace period of 30 days/);
    }
    assert.equal(await DepartureModel.countDocuments({}), 0, 'the departures, which hold the object ids, are gone');
    assert.deepEqual((await AuditEntryModel.find({ kind: 'privacy.leaver_erasure' }).lean()).map((e) => e.subjectId).sort(), [alice, bob].sort());

    now = at(60);
    await runLeaversPass(deps());
    assert.equal(eraser.calls.length, 2, 'no one is erased twice');
    assert.ok(!eraser.calls.some((c) => c.userId === carol || c.userId === eve || c.userId === stranger));
  });

  it('runs as the worker job, under its lease', async () => {
    const ivo = await person('Ivo Vertrokken');
    await runLeaversPass(deps());
    graph.removeUser(ivo);
    now = at(2);
    const noticing = startLeaversJob({ ...deps(), everyMs: 3_600_000 });
    await noticing.drained();
    await noticing.stop();
    assert.equal(await DepartureModel.countDocuments({ userId: ivo }), 1);
    now = at(40);
    const erasing = startLeaversJob({ ...deps(), everyMs: 3_600_000 });
    await erasing.drained();
    await erasing.stop();
    assert.deepEqual(eraser.calls.map((c) => [c.userId, c.request.by]), [[ivo, 'leaver']]);
  });

  it("uses the organisation's grace period, and tries a failed erasure again on the next pass", async () => {
    const frank = await person('Frank Weg');
    await PrivacySettingsModel.create({ tenantId: TENANT, leaverGraceDays: 7 });
    await runLeaversPass(deps());
    graph.removeUser(frank);
    await runLeaversPass(deps());

    now = at(6);
    await runLeaversPass(deps());
    assert.equal(eraser.calls.length, 0);

    now = at(7);
    eraser.failNext = 1;
    assert.deepEqual(await runLeaversPass(deps()), { noticed: 0, returned: 0, erased: 0, failed: 1 });
    assert.equal((await DepartureModel.findOne({ userId: frank }).lean())?.attempts, 1);

    now = at(8);
    assert.deepEqual(await runLeaversPass(deps()), { noticed: 0, returned: 0, erased: 1, failed: 0 });
    assert.deepEqual(eraser.calls.map((c) => c.userId), [frank, frank]);
  });

  it('does not erase someone whom Graph knows again at the last lookup', async () => {
    const gina = await person('Gina Hersteld');
    await PrivacySettingsModel.create({ tenantId: TENANT, leaverGraceDays: 0 });
    await runLeaversPass(deps());
    graph.removeUser(gina);
    // The delta round sees her gone; the lookup just before erasing finds her restored.
    const realDeps = deps();
    const directory = realDeps.directory(TENANT);
    assert.ok(directory);
    const restoredAtLookup: LeaversDeps = {
      ...realDeps,
      directory: () => ({
        userChanges: (link) => directory.userChanges(link),
        getUser: async (id) => {
          graph.restoreUser(id);
          return directory.getUser(id);
        },
      }),
    };
    assert.deepEqual(await runLeaversPass(restoredAtLookup), { noticed: 1, returned: 1, erased: 0, failed: 0 });
    assert.equal(eraser.calls.length, 0);
    assert.equal(await DepartureModel.countDocuments({}), 0);
  });

  it('reads a tenant of a different organisation separately, and goes on when one tenant refuses', async () => {
    const other = randomUUID();
    const henk = await person('Henk Anders');
    await runLeaversPass(deps());
    graph.removeUser(henk);
    const refusing: LeaversDeps = { ...deps(), tenants: () => Promise.resolve([other, TENANT]) };
    graph.failNext({ status: 403, match: (r) => r.path === '/v1.0/users/delta' });
    assert.deepEqual(await runLeaversPass(refusing), { noticed: 1, returned: 0, erased: 0, failed: 0 });
  });
});
