/**
 * The files of the local drive store, opened from a file card (local mode only: in production
 * the cards open OneDrive and SharePoint themselves). Only a signed-in person the store lets
 * read the item gets its bytes: the owner, people it was shared with, and, through an
 * organisation link, people of the tenant (never a guest); anyone else gets the same 404 as
 * for an item that does not exist.
 *
 *   GET /local-drive/:driveId/:itemId             the file, shown in the browser where it can
 *   GET /local-drive/:driveId/:itemId/thumbnail   an image's thumbnail (the image itself)
 *
 * The bytes are someone's upload served from Meent's own origin, so they are never allowed to
 * act as Meent: `nosniff` keeps the type the name gives, and a CSP `sandbox` puts an HTML or SVG
 * file in an opaque origin without scripts, forms or pop-ups (no cookies, no API calls).
 */
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { NotFoundError, UnauthorizedError } from '../errors/domain-errors.js';
import { DriveStoreError, type LocalDriveStore } from './local-drive-store.js';

export const LOCAL_DRIVE_PATH = '/local-drive';

/** No script, no plugin, nothing loaded from anywhere; the document in a unique origin. */
const SANDBOXED = "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";
/**
 * Chromium will not show a PDF in a sandboxed document (its viewer is a plugin), so a PDF keeps
 * its own origin's viewer but may still load nothing and be framed by nobody else; its viewer
 * runs the PDF's own scripts apart from the page, never with the page's origin.
 */
const PDF = "default-src 'none'; frame-ancestors 'self'";

export function localDriveRouter(deps: { store: LocalDriveStore; authenticate: RequestHandler }): Router {
  const router = Router();
  router.get(`${LOCAL_DRIVE_PATH}/:driveId/:itemId`, deps.authenticate, (req, res) => send(deps.store, req, res, false));
  router.get(`${LOCAL_DRIVE_PATH}/:driveId/:itemId/thumbnail`, deps.authenticate, (req, res) => send(deps.store, req, res, true));
  return router;
}

async function send(store: LocalDriveStore, req: Request, res: Response, thumbnail: boolean): Promise<void> {
  const actor = req.actor;
  if (!actor) throw new UnauthorizedError();
  const { driveId, itemId } = req.params as { driveId: string; itemId: string };
  let opened: ReturnType<LocalDriveStore['contentStream']>;
  try {
    opened = store.contentStream({ userId: actor.userId, guest: actor.isGuest }, driveId, itemId);
  } catch (error) {
    if (error instanceof DriveStoreError && error.status === 404) throw new NotFoundError('The file was not found, or is not shared with you.', 'graph_not_found');
    throw error;
  }
  const type = opened.item.mimeType ?? 'application/octet-stream';
  // Only images are their own thumbnail; local mode renders no pages of documents.
  if (thumbnail && !isRasterImage(type)) {
    opened.stream.destroy();
    throw new NotFoundError('This file has no thumbnail.', 'graph_not_found');
  }
  res.status(200);
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', String(opened.item.size));
  res.setHeader('Content-Disposition', `inline; filename*=UTF-8''${encodeRfc5987(opened.item.name)}`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', type === 'application/pdf' ? PDF : SANDBOXED);
  // A person's file: kept by no shared cache, and checked again each time (sharing can be taken back).
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  await pipeline(opened.stream, res);
}

export function isRasterImage(type: string): boolean {
  return type === 'image/png' || type === 'image/jpeg' || type === 'image/gif';
}

/** RFC 5987 `ext-value` characters: encodeURIComponent leaves ' ( ) * as they are, which attr-char does not allow. */
export function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

