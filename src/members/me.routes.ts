/**
 * Who am I: GET /api/v1/me (the actor, with the profile Meent knows) and GET /api/v1/me/photo
 * (the profile photo, from Graph on the person's behalf, cached).
 */
import { Router } from 'express';
import { NotFoundError, UnauthorizedError } from '../errors/domain-errors.js';
import type { UserDirectoryService } from './user-directory.service.js';

/** Photo types a browser may render; anything else is sent as bytes to download. */
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export function meRouter(deps: { users: UserDirectoryService }): Router {
  const router = Router();

  router.get('/me', async (req, res) => {
    const actor = req.actor;
    if (!actor) throw new UnauthorizedError();
    const user = await deps.users.getUser(actor.tenantId, actor.userId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    res.json({
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
    });
  });

  router.get('/me/photo', async (req, res) => {
    const actor = req.actor;
    if (!actor) throw new UnauthorizedError();
    const photo = await deps.users.getPhoto(actor, actor.userId);
    if (!photo) throw new NotFoundError('You have no profile photo.', 'photo_not_found');
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.type(IMAGE_TYPES.has(photo.contentType) ? photo.contentType : 'application/octet-stream');
    res.send(Buffer.from(photo.bytes));
  });

  return router;
}
