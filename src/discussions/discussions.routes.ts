/** HTTP surface of discussions, replies, reactions, following and answers. */
import { Router } from 'express';
import { JsonText, type ApiSpec } from '../http/api-spec.js';
import { idParams, pageOf } from '../http/api-schemas.js';
import {
  answerSchema,
  createDiscussionSchema,
  createReplySchema,
  discussionSummaryView,
  discussionView,
  followView,
  listDiscussionsQuery,
  listRepliesQuery,
  reactionParams,
  reactionsView,
  replyView,
  updateDiscussionSchema,
  updateReplySchema,
} from './discussion.schemas.js';
import type { DiscussionService } from './discussion.service.js';
import type { ReplyService } from './reply.service.js';

export function discussionsRouter(spec: ApiSpec, deps: { discussions: DiscussionService; replies: ReplyService }): Router {
  const router = Router();
  const tags = ['Discussions'];
  const { discussions, replies } = deps;

  spec.route(
    router,
    {
      method: 'get',
      path: '/communities/:id/discussions',
      operationId: 'listDiscussions',
      summary: "The community's discussions, newest first, pinned ones first",
      tags,
      params: idParams,
      query: listDiscussionsQuery,
      success: { status: 200, description: 'A page of discussions', schema: pageOf(discussionSummaryView) },
      errors: [403, 404],
    },
    ({ actor, params, query }) => discussions.listForCommunity(actor, params.id, query),
  );
  spec.route(
    router,
    {
      method: 'post',
      path: '/communities/:id/discussions',
      operationId: 'createDiscussion',
      summary: 'Start a discussion or ask a question (members)',
      tags,
      params: idParams,
      body: createDiscussionSchema,
      success: { status: 201, description: 'The discussion', schema: discussionView },
      errors: [403, 404],
    },
    ({ actor, params, body }) => discussions.create(actor, params.id, body),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/discussions/:id',
      operationId: 'getDiscussion',
      summary: 'A discussion (marks its replies read)',
      tags,
      params: idParams,
      success: { status: 200, description: 'The discussion', schema: discussionView },
      errors: [403, 404],
    },
    ({ actor, params }) => discussions.get(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'patch',
      path: '/discussions/:id',
      operationId: 'updateDiscussion',
      summary: 'Edit (author), close with a conclusion or reopen (author, managers), pin (managers)',
      tags,
      params: idParams,
      body: updateDiscussionSchema,
      success: { status: 200, description: 'The discussion', schema: discussionView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => discussions.update(actor, params.id, body),
  );
  spec.route(
    router,
    {
      method: 'delete',
      path: '/discussions/:id',
      operationId: 'deleteDiscussion',
      summary: 'Delete a discussion with its replies (author, managers)',
      tags,
      params: idParams,
      success: { status: 204, description: 'Deleted' },
      errors: [403, 404],
    },
    async ({ actor, params }) => discussions.delete(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/discussions/:id/replies',
      operationId: 'listReplies',
      summary: 'A page of the thread: top-level replies oldest first, each with its nested replies',
      tags,
      params: idParams,
      query: listRepliesQuery,
      success: { status: 200, description: 'A page of replies', schema: pageOf(replyView) },
      errors: [403, 404],
    },
    async ({ actor, params, query }) => new JsonText((await replies.page(actor, params.id, query)).json()),
  );
  spec.route(
    router,
    {
      method: 'post',
      path: '/discussions/:id/replies',
      operationId: 'createReply',
      summary: 'Reply (members); with parentId, to a reply',
      tags,
      params: idParams,
      body: createReplySchema,
      success: { status: 201, description: 'The reply', schema: replyView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => replies.create(actor, params.id, body),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/replies/:id',
      operationId: 'getReply',
      summary: 'A reply with its edit history',
      tags,
      params: idParams,
      success: { status: 200, description: 'The reply', schema: replyView },
      errors: [403, 404],
    },
    ({ actor, params }) => replies.get(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'patch',
      path: '/replies/:id',
      operationId: 'updateReply',
      summary: 'Edit a reply (author; the previous version is kept)',
      tags,
      params: idParams,
      body: updateReplySchema,
      success: { status: 200, description: 'The reply', schema: replyView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => replies.update(actor, params.id, body),
  );
  spec.route(
    router,
    {
      method: 'delete',
      path: '/replies/:id',
      operationId: 'deleteReply',
      summary: 'Remove a reply, leaving a placeholder (author, managers)',
      tags,
      params: idParams,
      success: { status: 204, description: 'Removed' },
      errors: [403, 404],
    },
    async ({ actor, params }) => replies.delete(actor, params.id),
  );

  for (const target of ['discussion', 'reply'] as const) {
    const base = target === 'discussion' ? '/discussions' : '/replies';
    const name = target === 'discussion' ? 'Discussion' : 'Reply';
    spec.route(
      router,
      {
        method: 'put',
        path: `${base}/:id/reactions/:kind`,
        operationId: `react${name}`,
        summary: `React to a ${target} (one of each kind per person)`,
        tags: ['Reactions'],
        params: reactionParams,
        success: { status: 200, description: 'The reactions', schema: reactionsView },
        errors: [403, 404, 409],
      },
      ({ actor, params }) => discussions.react(actor, target, params.id, params.kind),
    );
    spec.route(
      router,
      {
        method: 'delete',
        path: `${base}/:id/reactions/:kind`,
        operationId: `unreact${name}`,
        summary: `Take back a reaction to a ${target}`,
        tags: ['Reactions'],
        params: reactionParams,
        success: { status: 200, description: 'The reactions', schema: reactionsView },
        errors: [403, 404, 409],
      },
      ({ actor, params }) => discussions.unreact(actor, target, params.id, params.kind),
    );
  }

  spec.route(
    router,
    {
      method: 'put',
      path: '/discussions/:id/follow',
      operationId: 'followDiscussion',
      summary: 'Follow a discussion',
      tags,
      params: idParams,
      success: { status: 200, description: 'Following', schema: followView },
      errors: [403, 404],
    },
    ({ actor, params }) => discussions.follow(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'delete',
      path: '/discussions/:id/follow',
      operationId: 'unfollowDiscussion',
      summary: 'Stop following a discussion',
      tags,
      params: idParams,
      success: { status: 200, description: 'Not following', schema: followView },
      errors: [403, 404],
    },
    ({ actor, params }) => discussions.unfollow(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'put',
      path: '/discussions/:id/answer',
      operationId: 'acceptAnswer',
      summary: 'Accept a reply as the answer to a question (asker, managers)',
      tags,
      params: idParams,
      body: answerSchema,
      success: { status: 200, description: 'The question', schema: discussionView },
      errors: [403, 404, 409],
    },
    ({ actor, params, body }) => discussions.acceptAnswer(actor, params.id, body.replyId),
  );
  spec.route(
    router,
    {
      method: 'delete',
      path: '/discussions/:id/answer',
      operationId: 'clearAnswer',
      summary: 'Withdraw the accepted answer (asker, managers)',
      tags,
      params: idParams,
      success: { status: 200, description: 'The question', schema: discussionView },
      errors: [403, 404],
    },
    ({ actor, params }) => discussions.clearAnswer(actor, params.id),
  );
  return router;
}
