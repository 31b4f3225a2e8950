/**
 * Who am I: GET /api/v1/me (the actor, with the profile Meent knows) and GET /api/v1/me/photo
 * (the profile photo, from Graph on the person's behalf, cached), declared on the shared
 * `ApiSpec` so the OpenAPI document describes them.
 */
import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../errors/domain-errors.js';
import type { ApiSpec } from '../http/api-spec.js';
import type { UserDirectoryService } from './user-directory.service.js';

/** Photo types a browser may render; anything else is sent as bytes to download. */
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
const imageTypes: ReadonlySet<string> = new Set(IMAGE_TYPES);

export const meView = z
  .object({
    id: z.string(),
    tenantId: z.string(),
    homeTenantId: z.string().meta({ description: 'The tenant the person belongs to (differs from tenantId for a guest)' }),
    name: z.string(),
    userPrincipalName: z.string().nullable(),
    email: z.string().nullable(),
    isGuest: z.boolean(),
    isOrgAdmin: z.boolean(),
    mfa: z.boolean(),
    roles: z.array(z.string()),
    jobTitle: z.string().nullable(),
    department: z.string().nullable(),
    officeLocation: z.string().nullable(),
  })
  .meta({ id: 'Me' });

export function meRouter(spec: ApiSpec, deps: { users: UserDirectoryService }): Router {
  const router = Router();
  const tags = ['Me'];

  spec.route(
    router,
    { method: 'get', path: '/me', operationId: 'getMe', summary: 'Who I am: my identity, roles and the profile Meent knows', tags, success: { status: 200, description: 'Me', schema: meView } },
    async ({ actor }): Promise<z.output<typeof meView>> => {
      const user = await deps.users.getUser(actor.tenantId, actor.userId).catch((error: unknown) => {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      });
      return {
        id: actor.userId,
        tenantId: actor.tenantId,
        homeTenantId: actor.homeTenantId ?? actor.tenantId,
        name: user?.displayName ?? actor.name,
        userPrincipalName: actor.userPrincipalName ?? null,
        email: user?.mail ?? actor.email ?? null,
        isGuest: actor.isGuest,
        isOrgAdmin: actor.isOrgAdmin,
        mfa: actor.mfa,
        roles: actor.roles,
        jobTitle: user?.jobTitle ?? null,
        department: user?.department ?? null,
        officeLocation: user?.officeLocation ?? null,
      };
    },
  );

  spec.route(
    router,
    {
      method: 'get',
      path: '/me/photo',
      operationId: 'getMyPhoto',
      summary: 'My profile photo from Microsoft 365 (cached for an hour)',
      tags,
      success: { status: 200, description: 'The photo; a type a browser cannot show comes as application/octet-stream', contentType: [...IMAGE_TYPES, 'application/octet-stream'] },
      errors: [404, 503],
    },
    async ({ actor, res }) => {
      const photo = await deps.users.getPhoto(actor, actor.userId);
      if (!photo) throw new NotFoundError('You have no profile photo.', 'photo_not_found');
      res.setHeader('Cache-Control', 'private, max-age=3600');
      res.type(imageTypes.has(photo.contentType) ? photo.contentType : 'application/octet-stream');
      res.send(Buffer.from(photo.bytes));
    },
  );

  return router;
}
