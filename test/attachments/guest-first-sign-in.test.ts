/**
 * A guest invited by e-mail (issue 14) gets the files they may read at their first sign-in
 * (issue 21), not at the next reconciliation: a community's files through the membership the
 * sign-in accepts, an organisation-wide event's (one that admits guests) through
 * `guestAdmitted`. Against the Graph stand-in (the guest is made there by the invitation; the
 * permissions are read from its drives) with a real database; the reconciliation never runs.
 */
import assert from 'node:assert/strict';
import type { Actor } from '../../src/auth/actor.js';
import { AttachmentGrantModel } from '../../src/attachments/attachment-grant.model.js';
import { sharedAuditLog } from '../../src/audit/audit.port.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { RegistrationModel } from '../../src/events/registration.model.js';
import { InvitationService } from '../../src/invitations/invitation.service.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTestDatabase } from '../support/database.js';
import type { GraphServer } from '../support/graph-server.js';
import { testActor } from '../support/test-actor.js';
import { as, community, person } from '../communities/communities-fixtures.js';
import { simulatedGateway } from '../invitations/simulated-gateway.js';
import { FIXED_NOW, useGraphAttachmentsWorld, type AttachmentsWorld } from './attachments-world.js';

const DAY = 24 * 60 * 60 * 1000;

describe('a guest’s first sign-in shares the files they may now read at once', function () {
  this.timeout(120_000);
  useTestDatabase('guest_first_sign_in_files');
  const rig = useGraphAttachmentsWorld();
  let graph: GraphServer;
  let world: AttachmentsWorld;
  let invitations: InvitationService;
  let admitted: string[];
  beforeEach(() => {
    ({ graph, world } = rig);
    admitted = [];
    const now = () => FIXED_NOW;
    invitations = new InvitationService({
      memberships: world.module.services.memberships,
      signups: world.events.services.signups,
      audit: sharedAuditLog({ logger: createLogger('silent'), now }),
      gatewayFor: () => simulatedGateway(graph, 'graph-app-token', { ms: FIXED_NOW.getTime() }),
      guestsAllowed: true,
      publicUrl: 'https://meent.example',
      // As the composition root wires it.
      guestAdmitted: async (actor) => {
        admitted.push(actor.userId);
        await world.attachments.guestAdmitted(actor.tenantId);
      },
      now,
    });
  });

  /** A session ten days after the world's clock. */
  function session(title: string, extra: Record<string, unknown>) {
    const start = new Date(FIXED_NOW.getTime() + 10 * DAY);
    return { title, start: start.toISOString(), end: new Date(start.getTime() + 90 * 60_000).toISOString(), timeZone: 'Europe/Amsterdam', location: { name: 'Gemeentehuis, zaal 3' }, ...extra };
  }

  async function known(userId: string, options: { isOrgAdmin?: boolean } = {}): Promise<Actor> {
    graph.addUser({ id: userId, displayName: userId });
    return person({ userId, ...options });
  }

  /** Invites `address` and answers the guest's object id, as Graph made it. */
  async function inviteGuest(invite: () => Promise<{ outcomes: { outcome: string }[] }>, address: string): Promise<string> {
    const { outcomes } = await invite();
    assert.deepEqual(outcomes.map((o) => o.outcome), ['invited_guest']);
    const sent = graph.reach.invitations.find((i) => i.email === address);
    assert.ok(sent);
    return sent.userId;
  }

  it('a guest invited to a community gets its files, and one invited to an invite-only event gets that event’s, at their first sign-in; nothing they may not read', async () => {
    const manager = await known('gs-manager');
    const admin = await known('gs-admin', { isOrgAdmin: true });
    const panel = await community(world, manager, { visibility: 'closed', guestsAllowed: true, name: 'Burgerpanel Baakse Beek' });
    const other = await community(world, manager, { visibility: 'closed', guestsAllowed: true, name: 'Ander panel' });
    // Files of the community: on a discussion, and on an invite-only event of the community.
    const note = world.ownFile(manager, 'Conceptnotitie gebiedsproces.docx');
    await as(world.app, manager).post(`/communities/${panel.id}/discussions`, { title: 'Conceptnotitie', body: 'Reacties vóór 15 december', attachments: [note] }).expect(201);
    const agenda = world.ownFile(manager, 'Agenda panelavond.docx');
    await as(world.app, manager).post(`/communities/${panel.id}/events`, session('Panelavond', { signupMethod: 'invite', guestsAllowed: true, attachments: [agenda] })).expect(201);
    // Organisation-wide, invite-only, admitting guests; and one that does not admit guests; and another community's file.
    const programme = world.ownFile(admin, 'Programma regiodag.pdf');
    const regiodag = await as(world.app, admin).post('/events', session('Regiodag', { signupMethod: 'invite', guestsAllowed: true, attachments: [programme] })).expect(201);
    const internal = world.ownFile(admin, 'Interne voorbereiding.pdf');
    await as(world.app, admin).post('/events', session('Voorbereiding', { guestsAllowed: false, attachments: [internal] })).expect(201);
    const elsewhere = world.ownFile(manager, 'Notulen ander panel.docx');
    await as(world.app, manager).post(`/communities/${other.id}/discussions`, { title: 'Notulen', body: 'x', attachments: [elsewhere] }).expect(201);

    const member = await inviteGuest(() => invitations.invite(manager, panel.id, { addresses: 'lid@boerderij.example' }), 'lid@boerderij.example');
    const attendee = await inviteGuest(() => invitations.inviteToEvent(admin, regiodag.body.id, { addresses: 'deelnemer@adviesbureau.example' }), 'deelnemer@adviesbureau.example');
    const holds = (file: { driveId: string; itemId: string }, userId: string) => world.sharedWith(file).users.includes(userId);
    const before = { programme: world.sharedWith(programme).users };
    for (const guest of [member, attendee]) {
      for (const file of [note, agenda, programme]) assert.ok(!holds(file, guest), 'nothing before they sign in');
    }

    // The member's first sign-in: the community's files (and, as a guest Meent now knows, the organisation-wide event that admits guests).
    await invitations.signedIn(testActor({ userId: member, isGuest: true }));
    assert.equal((await MembershipModel.findOne({ communityId: panel.id, userId: member }).lean())?.status, 'active');
    assert.ok(holds(note, member), 'the discussion’s file');
    assert.ok(holds(agenda, member), 'the community event’s file');
    assert.ok(holds(programme, member), 'the organisation-wide event that admits guests');
    assert.ok(!holds(internal, member) && !holds(elsewhere, member), 'not what they may not read');

    // The attendee's first sign-in: registered, and the event's file; not the community's.
    await invitations.signedIn(testActor({ userId: attendee, isGuest: true }));
    assert.equal((await RegistrationModel.findOne({ eventId: regiodag.body.id, userId: attendee }).lean())?.status, 'registered');
    assert.ok(holds(programme, attendee));
    for (const file of [note, agenda, internal, elsewhere]) assert.ok(!holds(file, attendee), 'not what they may not read');
    assert.deepEqual(admitted, [member, attendee]);

    // Exactly the two guests were added to the event's file; Meent recorded what it granted, and nothing else changed.
    assert.deepEqual(world.sharedWith(programme).users, [...before.programme, member, attendee].sort());
    assert.deepEqual(world.sharedWith(internal), { users: [], organization: true });
    assert.deepEqual(world.sharedWith(elsewhere), { users: [], organization: false });
    const grantedTo = async (userId: string) => (await AttachmentGrantModel.find({ userId }).lean()).map((g) => g.itemId).sort();
    assert.deepEqual(await grantedTo(member), [note.itemId, agenda.itemId, programme.itemId].sort());
    assert.deepEqual(await grantedTo(attendee), [programme.itemId]);
    // Granted through Graph, by the app, to the guest's object id.
    assert.ok(graph.requests.some((r) => r.method === 'POST' && r.path === `/v1.0/drives/${programme.driveId}/items/${programme.itemId}/invite` && JSON.stringify(r.body).includes(attendee)));

  });
});
