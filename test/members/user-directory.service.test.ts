import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import sinon from 'sinon';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { AuditLog } from '../../src/audit/audit-log.service.js';
import type { Actor } from '../../src/auth/actor.js';
import type { DirectoryGateway, DirectoryUser, UserPhoto } from '../../src/graph/directory-gateway.js';
import { GraphUnavailableError } from '../../src/graph/graph-errors.js';
import { UserDirectoryRepository } from '../../src/members/user-directory.repository.js';
import { UserDirectoryService } from '../../src/members/user-directory.service.js';
import { UserPhotoModel } from '../../src/members/user-photo.model.js';
import { UserModel } from '../../src/members/user.model.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTestDatabase } from '../support/database.js';

const tenantId = '5b1f6c0e-3a1d-4f2e-9c8b-7a6d5e4f3a21';
const HOUR = 60 * 60 * 1000;

function actorFor(userId: string, overrides: Partial<Actor> = {}): Actor {
  return { userId, tenantId, name: 'Anna de Vries', userPrincipalName: 'anna@waterschap.example', isGuest: false, mfa: true, isOrgAdmin: false, roles: [], ...overrides };
}

function profile(id: string): DirectoryUser {
  return { id, displayName: 'Anna de Vries', jobTitle: 'Beleidsadviseur water', department: 'Waterbeheer', mail: 'anna.devries@waterschap.example', officeLocation: 'Doetinchem', userPrincipalName: 'anna@waterschap.example', userType: 'Member' };
}

describe('UserDirectoryService', () => {
  useTestDatabase('userdir');
  const sandbox = sinon.createSandbox();
  let now: Date;
  let directory: { getUser: sinon.SinonStub; getUserPhoto: sinon.SinonStub; findUserByEmail: sinon.SinonStub };

  beforeEach(async () => {
    now = new Date('2025-03-10T09:00:00Z');
    directory = { getUser: sandbox.stub(), getUserPhoto: sandbox.stub(), findUserByEmail: sandbox.stub().rejects(new Error('not used here')) };
    await UserModel.deleteMany({});
    await UserPhotoModel.deleteMany({});
    await AuditEntryModel.deleteMany({});
  });
  afterEach(() => sandbox.restore());

  function service(options: { withDirectory?: boolean } = {}): UserDirectoryService {
    const logger = createLogger('silent');
    return new UserDirectoryService({
      repository: new UserDirectoryRepository(),
      audit: new AuditLog({ repository: new AuditRepository(), logger, now: () => now }),
      directoryFor: () => (options.withDirectory === false ? undefined : (directory as unknown as DirectoryGateway)),
      logger,
      adminRole: 'Meent.Admin',
      now: () => now,
    });
  }

  describe('first sight', () => {
    it('creates the record from the token and audits the first sign-in', async () => {
      const id = randomUUID();
      directory.getUser.resolves(null);
      await service().signedIn(actorFor(id, { isGuest: true, homeTenantId: 'c3d2e1f0-4b5a-4c6d-8e7f-0a1b2c3d4e5f' }));

      const user = await UserModel.findOne({ tenantId, userId: id }).lean();
      assert.equal(user?.displayName, 'Anna de Vries');
      assert.equal(user?.userPrincipalName, 'anna@waterschap.example');
      assert.equal(user?.isGuest, true);
      assert.equal(user?.homeTenantId, 'c3d2e1f0-4b5a-4c6d-8e7f-0a1b2c3d4e5f');
      assert.equal(user?.lastSeenAt?.toISOString(), now.toISOString());
      const audit = await AuditEntryModel.find({ kind: 'user.first_sign_in' }).lean();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]?.subjectId, id);
      assert.deepEqual(audit[0]?.details, { guest: true, orgAdmin: false });
    });

    it('makes one record and one audit entry when many requests of a new person arrive at once, on two instances', async () => {
      const id = randomUUID();
      directory.getUser.resolves(null);
      const one = service();
      const two = service();
      await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? one : two).signedIn(actorFor(id))));
      await Promise.all([one.whenIdle(), two.whenIdle()]);
      assert.equal(await UserModel.countDocuments({ tenantId, userId: id }), 1);
      assert.equal(await AuditEntryModel.countDocuments({ kind: 'user.first_sign_in', subjectId: id }), 1);
    });

    it('audits the first sign-in of someone whose record existed before (seeded, invited), once', async () => {
      const id = randomUUID();
      await UserModel.create({ tenantId, userId: id, displayName: 'Uitgenodigd', mail: 'gast@partner.example' });
      directory.getUser.resolves(null);
      const one = service();
      const two = service();
      await Promise.all([one.signedIn(actorFor(id)), two.signedIn(actorFor(id)), one.signedIn(actorFor(id))]);
      await Promise.all([one.whenIdle(), two.whenIdle()]);
      assert.equal(await AuditEntryModel.countDocuments({ kind: 'user.first_sign_in', subjectId: id }), 1);
      assert.equal((await UserModel.findOne({ userId: id }).lean())?.firstSignInAt?.toISOString(), now.toISOString());
    });
  });

  describe('enrichment from Graph', () => {
    it('fills job title, department, mail and office from Graph in the background', async () => {
      const id = randomUUID();
      directory.getUser.resolves({ ...profile(id), displayName: 'Anna de Vries-Jansen' });
      const users = service();
      await users.signedIn(actorFor(id));
      await users.whenIdle();

      const user = await UserModel.findOne({ tenantId, userId: id }).lean();
      assert.equal(user?.displayName, 'Anna de Vries-Jansen');
      assert.equal(user?.jobTitle, 'Beleidsadviseur water');
      assert.equal(user?.department, 'Waterbeheer');
      assert.equal(user?.mail, 'anna.devries@waterschap.example');
      assert.equal(user?.officeLocation, 'Doetinchem');
      assert.equal(user?.graphSyncedAt?.toISOString(), now.toISOString());
      assert.deepEqual(directory.getUser.firstCall.args, [id]);
    });

    it('never blocks sign-in: a Graph that does not answer at all', async () => {
      const id = randomUUID();
      directory.getUser.returns(new Promise<never>(() => undefined));
      await service().signedIn(actorFor(id));
      assert.equal(await UserModel.countDocuments({ userId: id }), 1, 'signed in while Graph still has not answered');
    });

    it('never blocks sign-in: a Graph that fails; it is tried again only after a pause', async () => {
      const id = randomUUID();
      directory.getUser.rejects(new GraphUnavailableError(2000));
      const users = service();
      await users.signedIn(actorFor(id));
      await users.whenIdle();
      const user = await UserModel.findOne({ userId: id }).lean();
      assert.equal(user?.jobTitle, undefined);
      assert.equal(user?.graphSyncedAt, undefined);

      now = new Date(now.getTime() + 6 * 60 * 1000); // past the 5-minute "seen" interval, within the 10-minute pause
      await users.signedIn(actorFor(id));
      await users.whenIdle();
      assert.equal(directory.getUser.callCount, 1);

      now = new Date(now.getTime() + 6 * 60 * 1000);
      directory.getUser.resolves(profile(id));
      await users.signedIn(actorFor(id));
      await users.whenIdle();
      assert.equal(directory.getUser.callCount, 2);
      assert.equal((await UserModel.findOne({ userId: id }).lean())?.jobTitle, 'Beleidsadviseur water');
    });

    it('refreshes lazily: not again within a day, again after', async () => {
      const id = randomUUID();
      directory.getUser.resolves(profile(id));
      const users = service();
      await users.signedIn(actorFor(id));
      await users.whenIdle();
      now = new Date(now.getTime() + 6 * HOUR);
      await users.signedIn(actorFor(id));
      await users.whenIdle();
      assert.equal(directory.getUser.callCount, 1);
      now = new Date(now.getTime() + 20 * HOUR);
      directory.getUser.resolves({ ...profile(id), jobTitle: 'Teamleider' });
      await users.signedIn(actorFor(id));
      await users.whenIdle();
      assert.equal(directory.getUser.callCount, 2);
      assert.equal((await UserModel.findOne({ userId: id }).lean())?.jobTitle, 'Teamleider');
    });

    it('does nothing with Graph when there is none (local mode)', async () => {
      const id = randomUUID();
      const users = service({ withDirectory: false });
      await users.signedIn(actorFor(id));
      await users.whenIdle();
      assert.equal(directory.getUser.callCount, 0);
      assert.equal(await users.getPhoto(actorFor(id), id), null);
    });
  });

  describe('role changes', () => {
    it('audits gaining and losing the organisation admin role, once each, whoever notices first', async () => {
      const id = randomUUID();
      directory.getUser.resolves(profile(id));
      await service().signedIn(actorFor(id));

      const one = service();
      const two = service();
      await Promise.all([one, two, one, two].map((s) => s.signedIn(actorFor(id, { isOrgAdmin: true, roles: ['Meent.Admin'] }))));
      now = new Date(now.getTime() + 10 * 60 * 1000);
      await one.signedIn(actorFor(id, { isOrgAdmin: false }));
      await Promise.all([one.whenIdle(), two.whenIdle()]);

      const changes = await AuditEntryModel.find({ kind: 'role.changed', subjectId: id }).sort({ createdAt: 1 }).lean();
      assert.deepEqual(
        changes.map((c) => c.details),
        [
          { role: 'Meent.Admin', granted: true, source: 'token' },
          { role: 'Meent.Admin', granted: false, source: 'token' },
        ],
      );
      assert.equal((await UserModel.findOne({ userId: id }).lean())?.isOrgAdmin, false);
    });
  });

  describe('photos', () => {
    const jpeg: UserPhoto = { contentType: 'image/jpeg', bytes: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]) };

    it('fetches a photo once and serves it from the cache while it is fresh', async () => {
      const id = randomUUID();
      directory.getUserPhoto.resolves(jpeg);
      const users = service();
      const first = await users.getPhoto(actorFor(id), id);
      now = new Date(now.getTime() + 2 * HOUR);
      const second = await users.getPhoto(actorFor(id), id);
      assert.deepEqual(first, jpeg);
      assert.deepEqual(second, jpeg);
      assert.equal(directory.getUserPhoto.callCount, 1);
    });

    it('remembers that someone has no photo', async () => {
      const id = randomUUID();
      directory.getUserPhoto.resolves(null);
      const users = service();
      assert.equal(await users.getPhoto(actorFor(id), id), null);
      assert.equal(await users.getPhoto(actorFor(id), id), null);
      assert.equal(directory.getUserPhoto.callCount, 1);
    });

    it('fetches a stale photo again, and serves the stale copy when Graph fails', async () => {
      const id = randomUUID();
      directory.getUserPhoto.resolves(jpeg);
      const users = service();
      await users.getPhoto(actorFor(id), id);
      now = new Date(now.getTime() + 25 * HOUR);
      directory.getUserPhoto.rejects(new GraphUnavailableError());
      assert.deepEqual(await users.getPhoto(actorFor(id), id), jpeg);
      assert.equal(directory.getUserPhoto.callCount, 2);
    });

    it('passes a Graph failure on when there is no copy to fall back to', async () => {
      directory.getUserPhoto.rejects(new GraphUnavailableError());
      await assert.rejects(service().getPhoto(actorFor(randomUUID()), randomUUID()), GraphUnavailableError);
    });
  });
});
