/**
 * Invitations by e-mail address, under /api/v1, to a community (its managers) and to an event
 * (whoever runs it; refused with 409 once it is cancelled or has started):
 *
 *   POST   /communities/{id}/invitations                    invite up to 200 pasted addresses; per-address outcomes
 *   GET    /communities/{id}/invitations                    pending, accepted and failed invitations
 *   DELETE /communities/{id}/invitations/{invitationId}     withdraw a pending one
 *   POST   /communities/{id}/invitations/{invitationId}/resend   send a pending or failed one again
 *   POST|GET /events/{id}/invitations, DELETE /events/{id}/invitations/{invitationId},
 *   POST   /events/{id}/invitations/{invitationId}/resend    the same for an event
 */
import { Router } from 'express';
import { z } from 'zod';
import type { ApiSpec } from '../http/api-spec.js';
import { objectIdString } from '../http/api-schemas.js';
import type { InvitationService } from './invitation.service.js';
import { INVITE_OUTCOMES } from './invite-outcomes.js';

const targetParams = z.object({ id: objectIdString }).strict();
const invitationParams = z.object({ id: objectIdString, invitationId: objectIdString }).strict();
const inviteBody = z
  .object({
    // 200 addresses of at most 320 characters, with separators.
    addresses: z.string().trim().min(1).max(200 * 322).meta({ description: 'One address, or up to 200 separated by newlines, commas or semicolons' }),
    message: z.string().trim().max(500).optional(),
    language: z.enum(['nl', 'en']).optional().meta({ description: 'The language of the guest invitation e-mail (default nl)' }),
  })
  .strict();
const resendBody = z.object({ language: z.enum(['nl', 'en']).optional() }).strict();

const outcomeView = z.object({ address: z.string(), outcome: z.enum(INVITE_OUTCOMES), invitationId: z.string().optional() }).meta({ id: 'InvitationOutcome' });
const invitationView = z
  .object({
    id: z.string(),
    address: z.string().nullable().meta({ description: 'Removed once the invitation is accepted' }),
    userId: z.string().nullable(),
    kind: z.enum(['member', 'guest']).nullable(),
    state: z.enum(['pending', 'accepted', 'failed', 'withdrawn']),
    reason: z.string().nullable().meta({ description: 'Why it failed, as a stable code' }),
    sends: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'Invitation' });

export function invitationsRouter(spec: ApiSpec, deps: { invitations: InvitationService }): Router {
  const router = Router();
  const tags = ['Invitations'];
  const { invitations } = deps;
  spec.route(
    router,
    { method: 'post', path: '/communities/:id/invitations', operationId: 'inviteByEmail', summary: 'Invite people by e-mail address (managers): members of the tenant as members, others as B2B guests', tags, params: targetParams, body: inviteBody, success: { status: 200, description: 'One outcome per address', schema: z.object({ outcomes: z.array(outcomeView) }) }, errors: [400, 403, 404, 503] },
    ({ actor, params, body }) => invitations.invite(actor, params.id, body),
  );
  spec.route(
    router,
    { method: 'get', path: '/communities/:id/invitations', operationId: 'listInvitations', summary: "The community's invitations: pending, accepted, failed (managers)", tags, params: targetParams, success: { status: 200, description: 'The invitations', schema: z.object({ items: z.array(invitationView) }) }, errors: [403, 404] },
    async ({ actor, params }) => ({ items: await invitations.list(actor, params.id) }),
  );
  spec.route(
    router,
    { method: 'delete', path: '/communities/:id/invitations/:invitationId', operationId: 'withdrawInvitation', summary: 'Withdraw a pending invitation (managers)', tags, params: invitationParams, success: { status: 200, description: 'The withdrawn invitation', schema: invitationView }, errors: [403, 404, 409] },
    ({ actor, params }) => invitations.withdraw(actor, params.id, params.invitationId),
  );
  spec.route(
    router,
    { method: 'post', path: '/communities/:id/invitations/:invitationId/resend', operationId: 'resendInvitation', summary: 'Send a pending or failed invitation again (managers)', tags, params: invitationParams, body: resendBody, success: { status: 200, description: 'The invitation and what sending it again came to', schema: z.object({ invitation: invitationView, outcome: z.enum(INVITE_OUTCOMES) }) }, errors: [403, 404, 409, 503] },
    ({ actor, params, body }) => invitations.resend(actor, params.id, params.invitationId, body.language),
  );

  const eventErrors = { invite: [400, 403, 404, 409, 503], read: [403, 404] } as const;
  spec.route(
    router,
    { method: 'post', path: '/events/:id/invitations', operationId: 'inviteToEventByEmail', summary: "Invite people to an event by e-mail address (its organisers): members of the tenant get a seat (or the waitlist), others are invited as B2B guests and registered at their first sign-in", tags, params: targetParams, body: inviteBody, success: { status: 200, description: 'One outcome per address', schema: z.object({ outcomes: z.array(outcomeView) }) }, errors: [...eventErrors.invite] },
    ({ actor, params, body }) => invitations.inviteToEvent(actor, params.id, body),
  );
  spec.route(
    router,
    { method: 'get', path: '/events/:id/invitations', operationId: 'listEventInvitations', summary: "The event's invitations by e-mail: pending, accepted, failed (organisers)", tags, params: targetParams, success: { status: 200, description: 'The invitations', schema: z.object({ items: z.array(invitationView) }) }, errors: [...eventErrors.read] },
    async ({ actor, params }) => ({ items: await invitations.listForEvent(actor, params.id) }),
  );
  spec.route(
    router,
    { method: 'delete', path: '/events/:id/invitations/:invitationId', operationId: 'withdrawEventInvitation', summary: 'Withdraw a pending invitation to an event (organisers)', tags, params: invitationParams, success: { status: 200, description: 'The withdrawn invitation', schema: invitationView }, errors: [...eventErrors.read, 409] },
    ({ actor, params }) => invitations.withdrawFromEvent(actor, params.id, params.invitationId),
  );
  spec.route(
    router,
    { method: 'post', path: '/events/:id/invitations/:invitationId/resend', operationId: 'resendEventInvitation', summary: 'Send a pending or failed invitation to an event again (organisers)', tags, params: invitationParams, body: resendBody, success: { status: 200, description: 'The invitation and what sending it again came to', schema: z.object({ invitation: invitationView, outcome: z.enum(INVITE_OUTCOMES) }) }, errors: [...eventErrors.invite] },
    ({ actor, params, body }) => invitations.resendForEvent(actor, params.id, params.invitationId, body.language),
  );
  return router;
}
