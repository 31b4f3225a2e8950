/** GET /search: everything I may see, ranked. */
import { Router } from 'express';
import type { ApiSpec } from '../http/api-spec.js';
import { searchQuery, searchResultView } from './search.schemas.js';
import type { SearchService } from './search.service.js';

export function searchRouter(spec: ApiSpec, deps: { search: SearchService }): Router {
  const router = Router();
  spec.route(
    router,
    {
      method: 'get',
      path: '/search',
      operationId: 'search',
      summary: 'Search communities, discussions, replies, events and people I may see (Dutch and English)',
      tags: ['Search'],
      query: searchQuery,
      success: { status: 200, description: 'Results, best first', schema: searchResultView },
    },
    ({ actor, query }) => deps.search.search(actor, query),
  );
  return router;
}
