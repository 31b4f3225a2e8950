/**
 * GET /api/v1/attachments/{id}/thumbnail: a file card's thumbnail from Meent's own origin
 * (attachment-thumbnail.ts says who gets it, with whose token, and what is sent), declared on
 * the shared `ApiSpec` like the other attachment routes; the handler streams the bytes itself.
 */
import { pipeline } from 'node:stream/promises';
import { Router } from 'express';
import type { Logger } from 'pino';
import type { ApiSpec } from '../http/api-spec.js';
import { idParams } from '../http/api-schemas.js';
import { THUMBNAIL_MAX_AGE_SECONDS, THUMBNAIL_TYPES, type AttachmentThumbnails } from './attachment-thumbnail.js';

export function attachmentThumbnailRouter(spec: ApiSpec, deps: { thumbnails: AttachmentThumbnails; logger: Logger }): Router {
  const router = Router();
  spec.route(
    router,
    {
      method: 'get',
      path: '/attachments/:id/thumbnail',
      operationId: 'getAttachmentThumbnail',
      summary: "A file's thumbnail, for those who may open the file (404 attachment_not_found for anyone else; thumbnail_unavailable when the file or its thumbnail is gone)",
      tags: ['Attachments'],
      params: idParams,
      success: { status: 200, description: 'The thumbnail image', contentType: THUMBNAIL_TYPES },
      errors: [404, 503],
    },
    async ({ actor, params, req, res }) => {
      const thumbnail = await deps.thumbnails.open(actor, params.id);
      res.status(200);
      res.setHeader('Content-Type', thumbnail.contentType);
      if (thumbnail.length !== null) res.setHeader('Content-Length', String(thumbnail.length));
      // The person's own view of a file: the browser keeps it briefly, no shared cache at all.
      res.setHeader('Cache-Control', `private, max-age=${THUMBNAIL_MAX_AGE_SECONDS}`);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
      try {
        await pipeline(thumbnail.body, res);
      } catch (error) {
        // The headers are out: the connection is cut (pipeline destroyed it), so the image fails and the card shows the type icon.
        (req.log ?? deps.logger).warn({ err: error }, 'a thumbnail could not be sent whole');
      }
    },
  );
  return router;
}
