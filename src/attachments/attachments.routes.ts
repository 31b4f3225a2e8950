/**
 * HTTP surface of attachments: browse and search the person's OneDrive for the picker, and
 * uploads from the tab in fragments (PUT with Content-Range, raw bytes), which Meent sends on
 * to the upload session in the community's library.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { ValidationError } from '../errors/domain-errors.js';
import type { ApiSpec } from '../http/api-spec.js';
import { idParams } from '../http/api-schemas.js';
import { browseQuery, driveItemView, parseContentRange, startUploadSchema, uploadView } from './attachment.schemas.js';
import type { AttachmentService } from './attachment.service.js';
import { MAX_UPLOAD_FRAGMENT } from './local-drive-store.js';

export function attachmentsRouter(spec: ApiSpec, deps: { attachments: AttachmentService }): Router {
  const router = Router();
  const tags = ['Attachments'];
  const { attachments } = deps;
  // Fragments are raw bytes; a fragment is at most Graph's 60 MiB, Meent's tab sends 3.125 MiB.
  router.use('/uploads/:id', express.raw({ type: 'application/octet-stream', limit: MAX_UPLOAD_FRAGMENT }));

  spec.route(
    router,
    {
      method: 'get',
      path: '/me/drive/items',
      operationId: 'browseMyDrive',
      summary: 'Files in my OneDrive to attach: search (q) or a folder (driveId, itemId; the root without)',
      tags,
      query: browseQuery,
      success: { status: 200, description: 'Drive items', schema: z.object({ items: z.array(driveItemView) }) },
      errors: [403, 404, 503],
    },
    async ({ actor, query }) => ({ items: await attachments.browse(actor, query) }),
  );
  spec.route(
    router,
    {
      method: 'post',
      path: '/communities/:id/uploads',
      operationId: 'startUpload',
      summary: "Start uploading a file into the community's document library",
      tags,
      params: idParams,
      body: startUploadSchema,
      success: { status: 201, description: 'The upload; send fragments to PUT /uploads/{id}', schema: uploadView },
      errors: [403, 404, 409, 503],
    },
    ({ actor, params, body }) => attachments.startUpload(actor, params.id, body),
  );
  spec.route(
    router,
    {
      method: 'put',
      path: '/uploads/:id',
      operationId: 'putUploadFragment',
      summary: 'One fragment (Content-Range: bytes start-end/total; application/octet-stream)',
      tags,
      params: idParams,
      success: { status: 200, description: 'Where the upload stands; `item` once complete', schema: uploadView },
      errors: [403, 404, 409, 503],
    },
    ({ actor, params, req }) => {
      const range = parseContentRange(req.headers['content-range']);
      if (!range || !Buffer.isBuffer(req.body)) {
        throw new ValidationError('Send the fragment as application/octet-stream with a Content-Range header.', [{ path: 'headers.content-range', message: 'bytes start-end/total' }], 'invalid_range');
      }
      return attachments.putFragment(actor, params.id, range, req.body);
    },
  );
  spec.route(
    router,
    {
      method: 'get',
      path: '/uploads/:id',
      operationId: 'getUpload',
      summary: 'Where an upload stands (to resume it)',
      tags,
      params: idParams,
      success: { status: 200, description: 'The upload', schema: uploadView },
      errors: [404],
    },
    ({ actor, params }) => attachments.uploadStatus(actor, params.id),
  );
  spec.route(
    router,
    {
      method: 'delete',
      path: '/uploads/:id',
      operationId: 'cancelUpload',
      summary: 'Cancel an upload',
      tags,
      params: idParams,
      success: { status: 204, description: 'Cancelled' },
      errors: [404],
    },
    ({ actor, params }) => attachments.cancelUpload(actor, params.id),
  );
  return router;
}
