/**
 * HTTP surface of communities and their members (and the tenant's community settings):
 * parse, call one service method, answer. Rules live in the services and the policy.
 */
import { Router } from 'express';
import { z } from 'zod';
import { answer, type ApiSpec } from '../http/api-spec.js';
import { idParams, pageOf } from '../http/api-schemas.js';
import { sendCsv } from '../http/csv-response.js';
import type { CommunityService } from './community.service.js';
import {
  addMemberSchema,
  communitySettingsSchema,
  communitySettingsView,
  communityView,
  createCommunitySchema,
  listCommunitiesQuery,
  listMembersQuery,
  membersParams,
  memberView,
  updateCommunitySchema,
  updateMemberSchema,
} from './community.schemas.js';
import type { MembershipService } from './membership.service.js';

export function communitiesRouter(spec: ApiSpec, deps: { communities: CommunityService; memberships: MembershipService }): Router {
  const router = Router();
  const tags = ['Communities'];
  const { communities, memberships } = deps;

  spec.route(
    router,
    {
      method: 'get',
      path: '/communities',
      operationId: 'listCommunities',
      summary: 'The communities I may see, newest first',
      tags,
      query: listCommunitiesQuery,
      success: { status: 200, description: 'A page of communities', schema: pageOf(communityView) },
    },
    ({ actor, query }) => communities.list(actor, query),
  );
  spec.route(
    router,
    {
      method: 'post',
      path: '/communities',
      operationId: 'createCommunity',
      summary: 'Create a community (I become its manager); pinning it to a team\'s channel needs membership of both (Microsoft 365)',
      tags,
      body: createCommunitySchema,
      success: { status: 201, description: 'The new community', schema: communityView },
      errors: [403, 503],
    },
    ({ actor, body }) => communities.create(actor, body),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/communities/:id',
      operationId: 'getCommunity',
      summary: 'A community',
      tags,
      params: idParams,
      success: { status: 200, description: 'The community', schema: communityView },
      errors: [404],
    },
    ({ actor, params }) => communities.get(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'patch',
      path: '/communities/:id',
      operationId: 'updateCommunity',
      summary: 'Change a community (managers)',
      tags,
      params: idParams,
      body: updateCommunitySchema,
      success: { status: 200, description: 'The community', schema: communityView },
      errors: [403, 404, 503],
    },
    ({ actor, params, body }) => communities.update(actor, params.id, body),
  );
  spec.route(
    router,
    {
      method: 'delete',
      path: '/communities/:id',
      operationId: 'deleteCommunity',
      summary: 'Delete a community with everything in it (managers)',
      tags,
      params: idParams,
      success: { status: 204, description: 'Deleted' },
      errors: [403, 404],
    },
    async ({ actor, params }) => communities.delete(actor, params.id),
  );

  const memberTags = ['Members'];
  spec.route(
    router,
    {
      method: 'get',
      path: '/communities/:id/members',
      operationId: 'listMembers',
      summary: 'Members (active; managers also see requested, invited and blocked)',
      tags: memberTags,
      params: idParams,
      query: listMembersQuery,
      success: { status: 200, description: 'A page of members', schema: pageOf(memberView) },
      errors: [403, 404],
    },
    ({ actor, params, query }) => memberships.list(actor, params.id, query),
  );
  spec.route(
    router,
    {
      method: 'post',
      path: '/communities/:id/members',
      operationId: 'addMember',
      summary: 'Join, ask to join or accept an invitation (no person given); invite someone by userId or email (managers)',
      tags: memberTags,
      params: idParams,
      body: addMemberSchema,
      success: {
        status: 201,
        description: 'The membership and what happened (200 when nothing changed)',
        schema: z.object({ member: memberView, outcome: z.enum(['joined', 'requested', 'invited', 'accepted', 'approved', 'unchanged']) }),
      },
      errors: [403, 404, 409],
    },
    async ({ actor, params, body }) => {
      const result = await memberships.add(actor, params.id, body);
      return result.outcome === 'unchanged' ? answer(200, result) : result;
    },
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/communities/:id/members/export',
      operationId: 'exportMembers',
      summary: 'The active members as CSV (managers)',
      tags: memberTags,
      params: idParams,
      success: { status: 200, description: 'CSV, UTF-8 with byte order mark, `;`-separated', contentType: 'text/csv', schema: z.string() },
      errors: [403, 404],
    },
    async ({ actor, params, res }) => {
      sendCsv(res, await memberships.exportCsv(actor, params.id));
    },
  );
  spec.route(
    router,
    {
      method: 'patch',
      path: '/communities/:id/members/:userId',
      operationId: 'updateMember',
      summary: 'Approve a request, block, or change a role (managers)',
      tags: memberTags,
      params: membersParams,
      body: updateMemberSchema,
      success: { status: 200, description: 'The membership', schema: memberView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => memberships.update(actor, params.id, params.userId, body),
  );
  spec.route(
    router,
    {
      method: 'delete',
      path: '/communities/:id/members/:userId',
      operationId: 'removeMember',
      summary: 'Leave, withdraw a request or decline an invitation (own id); remove, decline or unblock (managers)',
      tags: memberTags,
      params: membersParams,
      success: { status: 204, description: 'Removed' },
      errors: [403, 404, 409],
    },
    async ({ actor, params }) => memberships.remove(actor, params.id, params.userId),
  );

  spec.route(
    router,
    {
      method: 'get',
      path: '/settings/communities',
      operationId: 'getCommunitySettings',
      summary: "The tenant's community settings",
      tags: ['Settings'],
      success: { status: 200, description: 'The settings', schema: communitySettingsView },
    },
    ({ actor }) => communities.settings(actor.tenantId),
  );
  spec.route(
    router,
    {
      method: 'patch',
      path: '/settings/communities',
      operationId: 'updateCommunitySettings',
      summary: 'Who may create communities; the automatic hide threshold (organisation admins)',
      tags: ['Settings'],
      body: communitySettingsSchema,
      success: { status: 200, description: 'The settings', schema: communitySettingsView },
      errors: [403],
    },
    ({ actor, body }) => communities.updateSettings(actor, body),
  );
  return router;
}
