/**
 * GET|PUT /api/v1/admin/privacy-settings through the whole application with real tokens:
 * admins only, bounds validated (400 and nothing changed), replacing is audited, and the
 * effective settings (what the retention and leavers jobs read) follow.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { buildApplication, type Application } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/logging/logger.js';
import { PrivacySettingsModel } from '../../src/privacy/privacy-settings.model.js';
import type { PrivacyModule } from '../../src/privacy/privacy.module.js';
import { RETENTION_KINDS } from '../../src/personal-data/retention-kinds.js';
import { useTestDatabase } from '../support/database.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { TEST_APP_ID_URI, TEST_CLIENT_ID, TEST_HOME_TENANT, entraEnvironment } from '../support/identity-app.js';
import { startIdentityProvider, type IdentityProvider } from '../support/identity-provider.js';

describe('GET|PUT /api/v1/admin/privacy-settings', () => {
  useTestDatabase('privacysettings');
  let idp: IdentityProvider;
  let graph: GraphServer;
  let application: Application;
  const adminId = randomUUID();
  const memberId = randomUUID();

  before(async () => {
    idp = await startIdentityProvider();
    graph = await startGraphServer();
    const config = loadConfig(entraEnvironment(idp.baseUrl, graph.baseUrl, { RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0', NOTIFY_RETENTION_DAYS: '60' }));
    application = await buildApplication(config, createLogger(process.env.P15_DEBUG ? 'error' : 'silent'), { identity: { graphCredentials: undefined } });
  });
  after(async () => {
    await application.close();
    await graph.stop();
    await idp.stop();
  });
  beforeEach(async () => {
    await Promise.all([PrivacySettingsModel.deleteMany({}), AuditEntryModel.deleteMany({})]);
  });

  async function api(method: 'get' | 'put', who: string, body?: object) {
    const token = await idp.userToken({ tenantId: TEST_HOME_TENANT, oid: who, apiClientId: TEST_CLIENT_ID, apiAppIdUri: TEST_APP_ID_URI, ...(who === adminId ? { roles: ['Meent.Admin'] } : {}) });
    const res = await request(application.app)[method]('/api/v1/admin/privacy-settings').set('Authorization', `Bearer ${token}`).send(body);
    await application.identity.whenIdle();
    return res;
  }

  const settings = () => (application.modules.find((m) => 'settings' in m) as PrivacyModule).settings;

  it('shows an admin the defaults, NOTIFY_RETENTION_DAYS for notification deliveries, with bounds', async () => {
    const res = await api('get', adminId);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.retentionDays.auditLog, RETENTION_KINDS.auditLog.defaultDays);
    assert.equal(res.body.retentionDays.notificationDeliveries, 60);
    assert.equal(res.body.retentionDays.exportFiles, 1);
    assert.equal(res.body.leaverGraceDays, 30);
    assert.equal(res.body.erasureKeepText, true);
    assert.deepEqual(res.body.bounds.retentionDays.exportFiles, { min: 1, max: 1 }, 'export files go with their 24-hour link');
  });

  it('refuses a member who is not an admin (403), reading and writing, and changes nothing', async () => {
    assert.equal((await api('get', memberId)).status, 403);
    const res = await api('put', memberId, { leaverGraceDays: 5 });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'forbidden');
    assert.equal(await PrivacySettingsModel.countDocuments({}), 0);
    assert.equal((await settings().effective(TEST_HOME_TENANT)).leaverGraceDays, 30);
  });

  it('replaces the choices, audited; what is left out goes back to its default', async () => {
    const res = await api('put', adminId, { retentionDays: { auditLog: 730, consultationResponses: 30 }, leaverGraceDays: 14, erasureKeepText: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.retentionDays.auditLog, 730);
    assert.equal(res.body.retentionDays.analytics, RETENTION_KINDS.analytics.defaultDays);
    assert.equal(res.body.updatedBy, adminId);
    const effective = await settings().effective(TEST_HOME_TENANT);
    assert.deepEqual([effective.retentionDays.auditLog, effective.retentionDays.consultationResponses, effective.leaverGraceDays, effective.erasureKeepText], [730, 30, 14, false]);
    const entry = await AuditEntryModel.findOne({ kind: 'privacy.settings_changed' }).lean();
    assert.equal(entry?.actorId, adminId);
    assert.equal((entry?.details as Record<string, unknown>)['auditLogDays'], 730);

    const again = await api('put', adminId, { leaverGraceDays: 7 });
    assert.equal(again.status, 200);
    assert.equal(again.body.retentionDays.auditLog, RETENTION_KINDS.auditLog.defaultDays);
    assert.equal(again.body.erasureKeepText, true);
    assert.equal(again.body.leaverGraceDays, 7);
    assert.equal(await AuditEntryModel.countDocuments({ kind: 'privacy.settings_changed' }), 2);
  });

  const bad: Array<[string, object]> = [
    ['an audit log kept shorter than its lower bound', { retentionDays: { auditLog: 5 } }],
    ['export files kept longer than their 24-hour link', { retentionDays: { exportFiles: 2 } }],
    ['a fraction of a day', { leaverGraceDays: 1.5 }],
    ['a negative grace period', { leaverGraceDays: -1 }],
    ['a kind that does not exist', { retentionDays: { everything: 10 } }],
    ['an unknown setting', { keepForever: true }],
    ['a string for a boolean', { erasureKeepText: 'false' }],
  ];
  for (const [what, body] of bad) {
    it(`refuses ${what} (400) and changes nothing`, async () => {
      assert.equal((await api('put', adminId, { leaverGraceDays: 10 })).status, 200);
      const res = await api('put', adminId, body);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.code, 'invalid_input');
      assert.equal((await settings().effective(TEST_HOME_TENANT)).leaverGraceDays, 10);
      assert.equal(await AuditEntryModel.countDocuments({ kind: 'privacy.settings_changed' }), 1);
    });
  }
});
