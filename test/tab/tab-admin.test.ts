/**
 * The organisation admin area and My Meent in the Teams host, signed in for real: an admin
 * reaches the area from the navigation, finds an audit entry by person, action and period,
 * exports it, and sends a failed notification again; a filter the server refuses is marked in
 * the reader's language with what was typed kept; My Meent changes a notification cadence (the
 * same settings the bot's card changes) and makes, shows and revokes the calendar feed; axe
 * finds nothing on any of the new pages in light, dark and high contrast (English and Dutch);
 * a plain member has no entry to the area.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import mongoose from 'mongoose';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { AuditLog } from '../../src/audit/audit-log.service.js';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { createLogger } from '../../src/logging/logger.js';
import { DeliveryModel } from '../../src/notifications/delivery.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { createNotificationsModule, type NotificationsModule } from '../../src/notifications/notifications.module.js';
import type { TeamsHost } from '../support/teams-host.js';
import { ANOUK, CHANTAL, seedPerson, TENANT, useEntraTabRig } from './entra-tab-rig.js';
import { expectNoViolationsInAnyTheme, tabUntilFocused } from './tab-fixtures.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describe('tab: organisation admin area and My Meent', function () {
  this.timeout(300_000);
  let notifications: NotificationsModule;
  let failedId = '';
  const rig = useEntraTabRig({
    routers: (modules) => {
      notifications = createNotificationsModule();
      return [modules.analytics, modules.events, modules.communities, modules.consultations, notifications];
    },
    seed: async () => {
      for (const p of [ANOUK, CHANTAL]) await seedPerson(p);
      // Fixed dates, far from the run's own sign-ins: the period filter decides which one is found.
      const at = (iso: string) => new AuditLog({ repository: new AuditRepository(), logger: createLogger('silent'), now: () => new Date(iso) });
      await at('2026-02-10T10:00:00Z').record({ tenantId: TENANT, kind: 'community.role_changed', actorId: ANOUK.oid, subjectId: 'community-early', details: { role: 'manager' } });
      await at('2026-03-10T10:00:00Z').record({ tenantId: TENANT, kind: 'community.role_changed', actorId: ANOUK.oid, subjectId: 'community-late', details: { role: 'member' } });
      await at('2026-03-11T10:00:00Z').record({ tenantId: TENANT, kind: 'event.guests_changed', actorId: ANOUK.oid, subjectId: 'event-1' });
      const n = await NotificationModel.create({ tenantId: TENANT, recipientId: ANOUK.oid, kind: 'reply', subject: { type: 'discussion', id: 'd1' }, idempotencyKey: `k:${new mongoose.Types.ObjectId().toHexString()}`, status: 'failed', attempts: 5, lastError: 'transient 503' });
      await DeliveryModel.create({ key: `n:${String(n._id)}`, tenantId: TENANT, recipientId: ANOUK.oid, notificationIds: [n._id], state: 'failed', owner: 'w', leaseUntil: new Date('2026-03-01T00:00:00Z') });
      failedId = String(n._id);
    },
  });
  let host: TeamsHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('an admin finds an audit entry by person, action and period, exports it, and sends a failed notification again', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL));
    await tab.getByRole('link', { name: 'Organisation' }).waitFor();
    await tab.evaluate('window.focus()');
    await tabUntilFocused(host, tab, 'Organisation');
    await host.page.keyboard.press('Enter');
    await tab.getByRole('heading', { level: 1, name: 'Organisation admin' }).waitFor();
    for (const name of ['Audit log', 'Failed notifications', 'Organisation settings', 'Moderation queue', 'Figures', 'Privacy settings']) await tab.getByRole('link', { name }).first().waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the organisation admin hub');

    await tab.getByTestId('admin-link-audit').click();
    await tab.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await tab.getByTestId('audit-entry').first().waitFor();
    await tab.getByTestId('audit-person').fill(ANOUK.oid);
    await tab.getByTestId('audit-kind').fill('community');
    await tab.getByTestId('audit-from').fill('2026-03-01');
    await tab.getByTestId('audit-to').fill('2026-03-31');
    await tab.getByTestId('audit-apply').click();
    await tab.getByText('About community-late').waitFor();
    assert.equal(await tab.getByTestId('audit-entry').count(), 1, 'only the entry of that person, action and period');
    assert.match(await tab.getByTestId('audit-entry').innerText(), /community\.role_changed[\s\S]*By a1b2c3d4-0000-4000-8000-000000000001/);
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the audit log, filtered');

    await tab.getByTestId('audit-export').click();
    await tab.getByText('The audit log was downloaded.').waitFor({ state: 'attached' });
    const exported = await AuditEntryModel.findOne({ kind: 'audit.exported', actorId: CHANTAL.oid }).lean();
    assert.equal((exported?.details as { rows?: number } | undefined)?.rows, 1, 'the export held what the filter showed');

    // A person id the server refuses: marked under its field, in the reader's language, the filters kept.
    await tab.getByTestId('audit-person').fill('not a person id');
    await tab.getByTestId('audit-apply').click();
    await tab.getByText('This is not in the right format.').waitFor();
    assert.equal(await tab.getByTestId('audit-person').inputValue(), 'not a person id');
    assert.equal(await tab.getByTestId('audit-kind').inputValue(), 'community');
    assert.equal(await tab.getByText('Some of what you entered is not valid.').count(), 1, 'the problem code in the reader\'s words, not the server\'s English detail');
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the audit log with a refused filter');

    await tab.getByRole('link', { name: 'Back to organisation admin' }).click();
    await tab.getByTestId('admin-link-failed').click();
    await tab.getByRole('heading', { level: 1, name: 'Failed notifications' }).waitFor();
    const item = tab.locator(`[data-testid="failed-item"][data-id="${failedId}"]`);
    await item.waitFor();
    assert.match(await item.innerText(), /Attempts: 5[\s\S]*transient 503/);
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'failed notifications');
    await item.getByTestId('failed-retry').focus();
    await host.page.keyboard.press('Enter');
    await tab.getByText('The notification is back in the queue.').waitFor({ state: 'attached' });
    await tab.getByText('No failed notifications').waitFor();
    const stored = await NotificationModel.findById(failedId).lean();
    assert.equal(stored?.status, 'pending');
    assert.equal(stored?.attempts, 0);
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'failed notifications, none left');
  });

  it('shows the organisation settings and the moderation queue without axe violations, in Dutch', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(CHANTAL, { hash: '#/admin/settings', context: { locale: 'nl-nl' } }));
    await tab.getByRole('heading', { level: 1, name: 'Instellingen van de organisatie' }).waitFor();
    await tab.getByTestId('org-settings-form').waitFor();
    await tab.getByTestId('org-settings-threshold').fill('500');
    await tab.getByTestId('org-settings-save').click();
    await tab.getByText('Maximaal 100.').waitFor();
    assert.equal(await tab.getByTestId('org-settings-threshold').inputValue(), '500', 'what was typed is kept');
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'organisation settings with a field error (Dutch)');
    await tab.getByTestId('org-settings-threshold').fill('4');
    await tab.getByLabel('Alleen beheerders van de organisatie').check();
    await tab.getByTestId('org-settings-save').click();
    await tab.getByText('De instellingen van de organisatie zijn opgeslagen.').waitFor({ state: 'attached' });
    const settings = await rig.modules.communities.services.communities.settings(TENANT);
    assert.deepEqual([settings.communityCreation, settings.autoHideThreshold], ['admins', 4]);

    await tab.evaluate(() => {
      window.location.hash = '#/admin/moderation';
    });
    await tab.getByRole('heading', { level: 1, name: 'Moderatiewachtrij' }).waitFor();
    await tab.getByText('Niets te modereren').waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'the moderation queue (Dutch)');
  });

  it('My Meent: a cadence changed on the page is the setting the bot reads; the calendar feed is made, shown once and revoked', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: '#/me' }));
    await tab.getByRole('heading', { level: 1, name: 'My Meent' }).waitFor();
    await tab.getByTestId('cadence-mention').waitFor();
    await tab.getByTestId('me-feed-create').waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'My Meent');

    await tab.getByTestId('cadence-mention').selectOption('weekly');
    await tab.getByTestId('me-notifications-save').click();
    await tab.getByText('Your notification settings were saved.').waitFor({ state: 'attached' });
    const prefs = await notifications.services.preferences.get(TENANT, ANOUK.oid);
    assert.equal(prefs.kinds.mention, 'weekly');

    await tab.getByTestId('me-feed-create').click();
    const url = await tab.getByTestId('me-feed-url').inputValue();
    assert.match(url, /\/calendar\/feeds\/.+\.ics$/);
    await tab.getByTestId('me-feed-revoke').waitFor();
    await expectNoViolationsInAnyTheme(host, tab, axeSource, 'My Meent with a new calendar feed');
    await tab.getByTestId('me-feed-revoke').click();
    await tab.getByText('You have no calendar feed.').waitFor();
    assert.equal(await tab.getByTestId('me-feed-url').count(), 0, 'the address is gone once revoked');
  });

  it('shows no entry to the area to a plain member', async () => {
    let tab;
    ({ host, tab } = await rig.openTab(ANOUK, { hash: '#/admin' }));
    await tab.getByTestId('admin-not-allowed').waitFor();
    assert.equal(await tab.getByRole('link', { name: 'Organisation' }).count(), 0);
    await tab.getByRole('link', { name: 'My Meent' }).waitFor();
  });
});
