/**
 * Invitations to events are personal data like invitations to communities: in the export of
 * whoever received or sent them, gone or anonymised at erasure, and deleted by the invitations
 * retention once withdrawn or failed long enough ago. Real FerretDB; ages on a fixed clock.
 */
import assert from 'node:assert/strict';
import mongoose from 'mongoose';
import { InvitationModel } from '../../src/invitations/invitation.model.js';
import { invitationRetentionRule } from '../../src/invitations/invitation-retention.js';
import { invitationsPersonalData } from '../../src/invitations/invitations-personal-data.js';
import { FORMER_MEMBER_ID } from '../../src/personal-data/former-member.js';
import type { DataSubject } from '../../src/personal-data/personal-data.js';
import { useTestDatabase } from '../support/database.js';

const DAY = 86_400_000;
const NOW = new Date('2031-03-01T12:00:00Z');
const TENANT = '0d5b4a9c-8e7f-4d6a-9b5c-4e3d2c1b0a99';
const GUEST = 'guest-object-id';
const ORGANISER = 'organiser-object-id';

const subject = (userId: string): DataSubject => ({ tenantId: TENANT, userId, names: [], emails: [], pseudonym: 'Former member 1' });

describe('invitations to events: export, erasure and retention', () => {
  useTestDatabase('invitations_personal_data');
  const communityId = new mongoose.Types.ObjectId();
  const eventId = new mongoose.Types.ObjectId();
  const orgWideEventId = new mongoose.Types.ObjectId();

  beforeEach(async () => {
    await InvitationModel.deleteMany({});
  });

  // Written past mongoose so the ages are the ones given (timestamps would set them to now).
  async function invitation(fields: Record<string, unknown>): Promise<void> {
    const created = new Date(NOW.getTime() - 100 * DAY);
    await InvitationModel.collection.insertOne({ tenantId: TENANT, key: `k-${Math.random()}`, invitedBy: ORGANISER, sends: 1, kind: 'guest', createdAt: created, updatedAt: created, ...fields });
  }

  async function exported(userId: string): Promise<Record<string, unknown>[]> {
    const file = invitationsPersonalData().files[0]!;
    const out: Record<string, unknown>[] = [];
    for await (const r of file.records(subject(userId))) out.push(r as Record<string, unknown>);
    return out;
  }

  it('exports the event invitations a person received and sent, naming the event', async () => {
    await invitation({ communityId, eventId, userId: GUEST, email: 'gast@boerderij.example', state: 'pending' });
    await invitation({ communityId: null, eventId: orgWideEventId, userId: GUEST, state: 'accepted' });
    await invitation({ communityId, userId: GUEST, email: 'gast@boerderij.example', state: 'pending' });

    const received = await exported(GUEST);
    assert.deepEqual(
      received.map((r) => [r.type, r.communityId, r.eventId, r.email, r.state]).sort((a, b) => String(a[2]).localeCompare(String(b[2]))),
      [
        ['received', String(communityId), String(eventId), 'gast@boerderij.example', 'pending'],
        ['received', null, String(orgWideEventId), null, 'accepted'],
        ['received', String(communityId), null, 'gast@boerderij.example', 'pending'],
      ].sort((a, b) => String(a[2]).localeCompare(String(b[2]))),
    );
    const sent = await exported(ORGANISER);
    assert.equal(sent.length, 3);
    assert.ok(sent.every((r) => r.type === 'sent' && !('email' in r)), 'the other person’s address is not in the sender’s export');
    assert.equal(sent.filter((r) => r.eventId !== null).length, 2);
    assert.equal(await invitationsPersonalData().files[0]!.count(subject(GUEST)), 3);
  });

  it('erasure deletes the event invitations to the person and no longer names the organiser who sent them', async () => {
    await invitation({ communityId, eventId, userId: GUEST, email: 'gast@boerderij.example', state: 'pending' });
    await invitation({ communityId: null, eventId: orgWideEventId, userId: 'someone-else', email: 'ander@boerderij.example', state: 'failed', closedAt: NOW });

    await invitationsPersonalData().erase(subject(GUEST), { keepText: false });
    assert.equal(await InvitationModel.countDocuments({ userId: GUEST }), 0);
    assert.equal(await InvitationModel.countDocuments({}), 1);

    await invitationsPersonalData().erase(subject(ORGANISER), { keepText: false });
    const left = await InvitationModel.findOne({}).lean();
    assert.deepEqual([left?.invitedBy, String(left?.eventId)], [FORMER_MEMBER_ID, String(orgWideEventId)]);
    assert.equal(await InvitationModel.countDocuments({ invitedBy: ORGANISER }), 0);
  });

  it('the invitations retention deletes withdrawn and failed event invitations after the period, and keeps pending ones', async () => {
    await invitation({ communityId, eventId, userId: GUEST, email: 'a@boerderij.example', state: 'withdrawn', closedAt: new Date(NOW.getTime() - 31 * DAY) });
    await invitation({ communityId: null, eventId: orgWideEventId, email: 'b@boerderij.example', state: 'failed', closedAt: new Date(NOW.getTime() - 40 * DAY) });
    await invitation({ communityId, eventId, email: 'c@boerderij.example', state: 'failed', closedAt: new Date(NOW.getTime() - 2 * DAY) });
    await invitation({ communityId, eventId, email: 'd@boerderij.example', state: 'pending' });

    assert.equal(await invitationRetentionRule.purge(TENANT, new Date(NOW.getTime() - 30 * DAY), 100), 2);
    assert.deepEqual((await InvitationModel.find({}).lean()).map((i) => i.email).sort(), ['c@boerderij.example', 'd@boerderij.example']);
  });
});
