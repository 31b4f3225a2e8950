/**
 * TEST ONLY: an `authenticate` middleware that takes the actor from an `X-Test-Actor`
 * header (JSON), so capability tests can act as anyone without tokens. Never used in src/.
 * Without the header the request is unauthenticated (401), like the real middleware.
 */
import type { RequestHandler } from 'express';
import type { Actor } from '../../src/auth/actor.js';
import { UnauthorizedError } from '../../src/errors/domain-errors.js';

export const TEST_TENANT = '11111111-2222-4333-8444-555555555555';

export interface TestActorSpec {
  userId: string;
  tenantId?: string;
  name?: string;
  isGuest?: boolean;
  isOrgAdmin?: boolean;
}

export function testActor(spec: TestActorSpec): Actor {
  return {
    userId: spec.userId,
    tenantId: spec.tenantId ?? TEST_TENANT,
    name: spec.name ?? spec.userId,
    isGuest: spec.isGuest ?? false,
    mfa: true,
    isOrgAdmin: spec.isOrgAdmin ?? false,
    roles: spec.isOrgAdmin ? ['Meent.Admin'] : [],
  };
}

/** The header value that makes a request act as this person. */
export function actorHeader(spec: TestActorSpec | Actor): string {
  return JSON.stringify({ userId: spec.userId, tenantId: spec.tenantId, name: 'name' in spec ? spec.name : undefined, isGuest: spec.isGuest, isOrgAdmin: spec.isOrgAdmin });
}

export const testAuthenticate: RequestHandler = (req, _res, next) => {
  const header = req.headers['x-test-actor'];
  if (typeof header !== 'string') {
    next(new UnauthorizedError());
    return;
  }
  try {
    const parsed = JSON.parse(header) as TestActorSpec;
    if (typeof parsed.userId !== 'string' || parsed.userId.length === 0) throw new Error('no user id');
    req.actor = testActor(parsed);
    next();
  } catch {
    next(new UnauthorizedError('The X-Test-Actor header is not valid JSON with a userId.'));
  }
};
