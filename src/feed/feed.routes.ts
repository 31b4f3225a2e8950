/** GET /feed: my home feed. */
import { Router } from 'express';
import type { ApiSpec } from '../http/api-spec.js';
import { feedQuery, feedView } from './feed.schemas.js';
import type { FeedService } from './feed.service.js';

export function feedRouter(spec: ApiSpec, deps: { feed: FeedService }): Router {
  const router = Router();
  spec.route(
    router,
    {
      method: 'get',
      path: '/feed',
      operationId: 'getFeed',
      summary: 'My home feed: new discussions in my communities, replies in what I follow, upcoming events',
      tags: ['Feed'],
      query: feedQuery,
      success: { status: 200, description: 'A page of the feed', schema: feedView },
    },
    ({ actor, query }) => deps.feed.home(actor, query),
  );
  return router;
}
