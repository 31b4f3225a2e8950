/**
 * Export my data, through HTTP with real tokens: every kind of data is in the ZIP (read back
 * with jszip), two requests at once make one export, the download link is the owner's only
 * and dies after 24 hours (each refusal changes nothing), the download is audited, and a
 * large account (10,000 replies) exports while the server keeps answering.
 */
import assert from 'node:assert/strict';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import JSZip from 'jszip';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { ExportJobModel } from '../../src/privacy/privacy.model.js';
import { bulkReplies } from '../support/bulk-discussions.js';
import { useTestDatabase } from '../support/database.js';
import { actorOf, giveDataOfEveryKind, giveDeparture, ok, person, usePrivacyRig, DAY, type Everything, type Person, type PrivacyRig } from './privacy-fixtures.js';

interface ExportView {
  status: string;
  done: number;
  total: number;
  downloadUrl: string | null;
  expiresAt: string | null;
}

async function exportReady(rig: PrivacyRig, p: Person): Promise<ExportView> {
  await rig.application.privacy.exports.idle();
  const view = ok(await rig.api(p, 'get', '/me/export')).body as ExportView;
  assert.equal(view.status, 'ready', JSON.stringify(view));
  return view;
}

async function records(zip: JSZip, name: string): Promise<Record<string, unknown>[]> {
  const file = zip.file(name);
  assert.ok(file, `${name} is in the ZIP`);
  return JSON.parse(await file.async('string')) as Record<string, unknown>[];
}

describe('export my data (HTTP, real tokens)', function () {
  this.timeout(120_000);
  useTestDatabase('privacy_export');
  const rig = usePrivacyRig();
  const subject = person('Sanne Subject');
  const manager = person('Marieke Manager');
  const waiting = person('Wim Wachtlijst');
  const other = person('Olaf Ander');

  let data: Everything;

  before(async () => {
    data = await giveDataOfEveryKind(rig, subject, manager, waiting);
    await giveDeparture(subject);
    ok(await rig.api(other, 'get', '/me'));
  });

  it('puts every kind of data in the ZIP, with a README in the person\'s language', async () => {
    const started = ok(await rig.api(subject, 'post', '/me/export', { language: 'en' }), 201).body as ExportView;
    assert.ok(['pending', 'running'].includes(started.status));
    const view = await exportReady(rig, subject);
    assert.equal(view.done, view.total);
    assert.ok(view.downloadUrl?.startsWith('/api/v1/me/export/download/'));
    const res = await rig.download(subject, view.downloadUrl!);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/zip');
    const zip = await JSZip.loadAsync(res.body as Buffer);

    const readme = await zip.file('README.html')!.async('string');
    assert.match(readme, /<html lang="en">/);
    assert.match(readme, /Anonymous consultation answers are not included/);
    for (const name of Object.keys(zip.files).filter((n) => n.endsWith('.json'))) assert.ok(readme.includes(`<code>${name}</code>`), `README explains ${name}`);

    const profile = await records(zip, 'profile.json');
    const me = profile.find((r) => r.type === 'profile')!;
    assert.equal(me.mail, subject.upn);
    assert.equal(me.jobTitle, 'Peilbeheerder', 'what Meent stored from Graph');
    assert.equal((me.profile as { organisation: string }).organisation, 'Waterschap Rivierenland');
    assert.ok(profile.some((r) => r.type === 'photo' && r.hasPhoto === true));
    const memberships = await records(zip, 'memberships.json');
    assert.deepEqual(memberships.map((m) => m.status).sort(), ['active', 'requested']);
    const discussions = await records(zip, 'discussions.json');
    assert.equal(discussions.length, 1);
    assert.equal((discussions[0]!.history as { body: string }[])[0]!.body, 'Wat is het streefpeil deze winter?', 'edit history');
    const replies = await records(zip, 'replies.json');
    assert.equal(replies[0]!.body, 'Graag in maart of april.');
    assert.equal((replies[0]!.history as unknown[]).length, 1);
    assert.deepEqual((await records(zip, 'reactions.json')).map((r) => r.kind), ['like']);
    const follows = await records(zip, 'follows.json');
    assert.ok(follows.some((f) => f.type === 'follow') && follows.some((f) => f.type === 'read'));
    assert.equal((await records(zip, 'mentions.json')).length, 1);
    const registrations = await records(zip, 'event-registrations.json');
    assert.equal(registrations[0]!.status, 'registered');
    assert.equal((await records(zip, 'event-attendance.json'))[0]!.attendedSeconds, 3000);
    assert.equal((await records(zip, 'calendar-feeds.json')).length, 1);
    assert.equal((await records(zip, 'meeting-links.json')).length, 2, 'one linked, one follow-up listing');
    const prefs = await records(zip, 'notification-preferences.json');
    assert.deepEqual(prefs.map((p) => p.type).sort(), ['botChat', 'mute', 'preferences']);
    const notifications = await records(zip, 'notifications.json');
    assert.ok(notifications.some((n) => n.type === 'notification' && n.kind === 'reply'), 'the manager replied to their discussion');
    assert.ok(notifications.some((n) => n.type === 'delivery'));
    assert.equal((await records(zip, 'reports.json'))[0]!.text, 'Dubbel geplaatst');
    // Consultations: the one they created and concluded, both has-responded records, the named answer; never the anonymous answer.
    const consultations = await records(zip, 'consultations.json');
    assert.deepEqual(consultations.filter((r) => r.type === 'created').map((r) => [r.id, r.title, r.status]), [[data.ownConsultationId, 'Maaibeleid bermen', 'closed']]);
    assert.deepEqual(consultations.filter((r) => r.type === 'responded').map((r) => r.consultationId).sort(), [data.namedConsultationId, data.anonymousConsultationId].sort());
    const named = consultations.filter((r) => r.type === 'namedAnswer');
    assert.deepEqual(named.map((r) => [r.consultationId, r.title, r.answers]), [[data.namedConsultationId, 'Streefpeil winter', [{ questionId: 'q1', yes: true }, { questionId: 'q2', text: 'Droge zomers' }]]]);
    assert.deepEqual(consultations.filter((r) => r.type === 'concluded').map((r) => r.id), [data.ownConsultationId], 'the conclusion they wrote');
    assert.equal(consultations.length, 5, 'nothing else');
    assert.deepEqual(await records(zip, 'departure.json'), [{ leftAt: '2026-01-05T00:00:00.000Z', reason: 'deleted' }]);
    for (const file of Object.values(zip.files)) assert.ok(!(await file.async('string')).includes('Anoniem antwoord'), `the anonymous answer is nobody's: not in ${file.name}`);
    assert.ok((await records(zip, 'audit-log.json')).some((e) => e.kind === 'user.first_sign_in'));

    const audited = await AuditEntryModel.find({ kind: 'privacy.export_downloaded', actorId: subject.oid }).lean();
    assert.equal(audited.length, 1, 'the download is audited');
  });

  it('starts one export when asked twice at once, and answers the running one', async () => {
    const [a, b] = await Promise.all([rig.api(other, 'post', '/me/export', {}), rig.api(other, 'post', '/me/export', {})]);
    assert.deepEqual([a.status, b.status].sort(), [200, 201]);
    assert.equal(await ExportJobModel.countDocuments({ userId: other.oid }), 1);
    const view = await exportReady(rig, other);
    const zip = await JSZip.loadAsync((await rig.download(other, view.downloadUrl!)).body as Buffer);
    assert.match(await zip.file('README.html')!.async('string'), /<html lang="nl">/, 'Dutch by default');
  });

  it('refuses someone else\'s link, a made-up one and an expired one with 404, changing nothing', async () => {
    const view = await exportReady(rig, subject);
    const before = await ExportJobModel.find({}).lean();
    const auditsBefore = await AuditEntryModel.countDocuments({ kind: 'privacy.export_downloaded' });
    assert.equal((await rig.download(other, view.downloadUrl!)).status, 404, 'someone else');
    assert.equal((await rig.download(subject, '/api/v1/me/export/download/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status, 404, 'made up');
    assert.equal((await rig.download(subject, '/api/v1/me/export/download/not a token')).status, 400, 'not even a token');
    rig.advance(DAY + 60_000);
    try {
      assert.equal((await rig.download(subject, view.downloadUrl!)).status, 404, 'expired');
      const expired = ok(await rig.api(subject, 'get', '/me/export')).body as ExportView;
      assert.equal(expired.status, 'expired');
      assert.equal(expired.downloadUrl, null);
    } finally {
      rig.advance(-(DAY + 60_000));
    }
    assert.deepEqual(await ExportJobModel.find({}).lean(), before);
    assert.equal(await AuditEntryModel.countDocuments({ kind: 'privacy.export_downloaded' }), auditsBefore);
  });

  it('exports 10,000 replies while the server goes on answering', async function () {
    this.timeout(600_000);
    const writer = person('Veel Schrijver');
    ok(await rig.api(writer, 'get', '/me'));
    const communityId = ok(await rig.api(writer, 'post', '/communities', { name: 'Grote gemeenschap', visibility: 'public' }), 201).body.id as string;
    const discussionId = ok(await rig.api(writer, 'post', `/communities/${communityId}/discussions`, { title: 'Lange draad', body: 'Begin' }), 201).body.id as string;
    await bulkReplies(discussionId, [actorOf(writer)], Array.from({ length: 10_000 }, (_, i) => `Reactie nummer ${i} over het peil`));

    const startedAt = performance.now();
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    ok(await rig.api(writer, 'post', '/me/export', {}), 201);
    // Requests while it runs: answered, and they see it progress.
    let answered = 0;
    let sawRunning = false;
    for (let i = 0; i < 3_000; i++) {
      await sleep(200);
      const res = ok(await rig.api(writer, 'get', '/me/export'));
      answered++;
      if (res.body.status === 'running' && res.body.done > 0 && res.body.done < res.body.total) sawRunning = true;
      if (res.body.status === 'ready') break;
    }
    const view = await exportReady(rig, writer);
    delay.disable();
    console.log(`      10,000 replies: event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms; ${answered} requests answered meanwhile; export took ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    assert.ok(answered > 0);
    assert.ok(sawRunning, 'a request in the middle of the export saw its progress');
    assert.ok(view.total >= 10_001);
    const zip = await JSZip.loadAsync((await rig.download(writer, view.downloadUrl!)).body as Buffer);
    assert.equal((await records(zip, 'replies.json')).length, 10_000);
  });
});
