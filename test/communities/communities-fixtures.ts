/**
 * Fixtures for the communities capability's tests: the HTTP app with the test actor
 * middleware, people in the tenant, and small builders that go through the services.
 */
import type { Express } from 'express';
import request from 'supertest';
import type { Actor } from '../../src/auth/actor.js';
import { createCommunitiesModule, type CommunitiesModule } from '../../src/composition.js';
import type { CommunityVisibility } from '../../src/communities/community.model.js';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import type { DirectoryGateway } from '../../src/graph/directory-gateway.js';
import { actorHeader, testActor, testAuthenticate, TEST_TENANT, type TestActorSpec } from '../support/test-actor.js';

export { TEST_TENANT, testActor, actorHeader };

export interface TestWorld {
  app: Express;
  module: CommunitiesModule;
}

export function buildWorld(options: { directoryFor?: (actor: Actor) => DirectoryGateway | undefined; now?: () => Date } = {}): TestWorld {
  const logger = createLogger(process.env.MEENT_TEST_LOG === '1' ? 'error' : 'silent');
  const module = createCommunitiesModule({ logger, ...(options.directoryFor ? { directoryFor: options.directoryFor } : {}), ...(options.now ? { now: options.now } : {}) });
  const config = { ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }) };
  const app = createApp({ config, logger, isReady: () => Promise.resolve(true), authenticate: testAuthenticate, apiRouters: module.apiRouters, publicRouters: module.publicRouters });
  return { app, module };
}

/** Makes Meent know the person (as a sign-in would). */
export async function person(spec: TestActorSpec & { mail?: string; organisation?: string; expertise?: string[]; jobTitle?: string }): Promise<Actor> {
  const actor = testActor(spec);
  await UserModel.updateOne(
    { tenantId: actor.tenantId, userId: actor.userId },
    {
      $set: {
        displayName: spec.name ?? spec.userId,
        isGuest: actor.isGuest,
        isOrgAdmin: actor.isOrgAdmin,
        ...(spec.mail ? { mail: spec.mail } : {}),
        ...(spec.jobTitle ? { jobTitle: spec.jobTitle } : {}),
        'profile.organisation': spec.organisation ?? null,
        'profile.expertise': spec.expertise ?? [],
      },
    },
    { upsert: true },
  );
  return actor;
}

/** An HTTP client acting as someone. */
export function as(app: Express, actor: Actor) {
  const header = actorHeader(actor);
  return {
    get: (path: string) => request(app).get(`/api/v1${path}`).set('X-Test-Actor', header),
    post: (path: string, body?: unknown) => request(app).post(`/api/v1${path}`).set('X-Test-Actor', header).send(body as object),
    put: (path: string, body?: unknown) => request(app).put(`/api/v1${path}`).set('X-Test-Actor', header).send(body as object),
    patch: (path: string, body?: unknown) => request(app).patch(`/api/v1${path}`).set('X-Test-Actor', header).send(body as object),
    delete: (path: string) => request(app).delete(`/api/v1${path}`).set('X-Test-Actor', header),
  };
}

export interface CommunityFixture {
  id: string;
  visibility: CommunityVisibility;
}

/** A community made by `manager`, with `members` joined (invited and accepted for closed/secret ones). */
export async function community(
  world: TestWorld,
  manager: Actor,
  options: { visibility?: CommunityVisibility; guestsAllowed?: boolean; name?: string; tags?: string[]; members?: Actor[] } = {},
): Promise<CommunityFixture> {
  const { communities, memberships } = world.module.services;
  const created = await communities.create(manager, {
    name: options.name ?? `Community ${Math.random().toString(36).slice(2, 8)}`,
    visibility: options.visibility ?? 'public',
    guestsAllowed: options.guestsAllowed ?? false,
    ...(options.tags ? { tags: options.tags } : {}),
  });
  for (const member of options.members ?? []) {
    if (created.visibility === 'public') await memberships.add(member, created.id, {});
    else {
      await memberships.add(manager, created.id, { userId: member.userId });
      await memberships.add(member, created.id, {});
    }
  }
  return { id: created.id, visibility: created.visibility };
}
