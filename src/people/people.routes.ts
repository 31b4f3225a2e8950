/** HTTP surface of the people directory, "who knows about X" and my profile. */
import { Router } from 'express';
import { z } from 'zod';
import type { ApiSpec } from '../http/api-spec.js';
import { pageOf } from '../http/api-schemas.js';
import type { PeopleService } from './people.service.js';
import { expertsQuery, expertView, listPeopleQuery, personParams, personView, updateProfileSchema } from '../members/profile.schemas.js';

export function peopleRouter(spec: ApiSpec, deps: { people: PeopleService }): Router {
  const router = Router();
  const tags = ['People'];
  const { people } = deps;

  spec.route(
    router,
    {
      method: 'get',
      path: '/people',
      operationId: 'listPeople',
      summary: 'The people I may see, by name; search by name, organisation, function or expertise',
      tags,
      query: listPeopleQuery,
      success: { status: 200, description: 'A page of people', schema: pageOf(personView) },
    },
    ({ actor, query }) => people.list(actor, query),
  );
  // Before /people/:id, which would take "experts" for an id.
  spec.route(
    router,
    {
      method: 'get',
      path: '/people/experts',
      operationId: 'findExperts',
      summary: 'Who knows about a topic: declared expertise, accepted answers and replies in discussions tagged with it',
      tags,
      query: expertsQuery,
      success: { status: 200, description: 'People, best first', schema: z.object({ items: z.array(expertView) }) },
    },
    async ({ actor, query }) => ({ items: await people.experts(actor, query.topic, query.limit) }),
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/people/:id',
      operationId: 'getPerson',
      summary: "A person's profile",
      tags,
      params: personParams,
      success: { status: 200, description: 'The person', schema: personView },
      errors: [404],
    },
    ({ actor, params }) => people.get(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'patch',
      path: '/me/profile',
      operationId: 'updateMyProfile',
      summary: 'My organisation, function, expertise, interests, "ask me about" and languages',
      tags,
      body: updateProfileSchema,
      success: { status: 200, description: 'My profile', schema: personView },
      errors: [404],
    },
    ({ actor, body }) => people.updateProfile(actor, body),
  );
  return router;
}
