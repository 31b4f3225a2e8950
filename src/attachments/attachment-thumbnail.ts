/**
 * A file card's thumbnail, served by Meent from its own origin: the tab's Content Security
 * Policy admits images from 'self' (and blob:) only, so Graph's thumbnail addresses, on
 * SharePoint's hosts, can never be shown; and an <img> inside Teams carries no credential, so the
 * tab fetches this with the API's bearer token and shows the bytes as a blob.
 *
 * Who: the person must see the post and be among the readers Meent shares the post's files with
 * (attachment-readers.ts `opensFilesOf`); anyone else, like a file that does not exist, gets
 * `attachment_not_found`, so nothing tells them apart.
 *
 * Whose token: the app's. Meent has itself granted every such reader access to the item (or the
 * organisation link reaches them, or they attached it from their own drive), so the app reads
 * nothing the reader could not open; the decision is Meent's own policy, made just before. The
 * reader's delegated token would need an on-behalf-of exchange for every image, which guests
 * and the local sign-in do not have, for the same answer. The reconciliation repairs a grant the
 * owner removed behind Meent's back, after which Graph and Meent agree again.
 *
 * What goes out: only image/png, image/jpeg, image/gif or image/webp, at most
 * `MAX_THUMBNAIL_BYTES` (a medium thumbnail is 176 pixels on its longest side,
 * https://learn.microsoft.com/en-us/graph/api/driveitem-list-thumbnails#size-options), never
 * sniffed, kept in the browser's private cache for a few minutes only (access can be taken
 * back). Anything else is refused, never passed through.
 */
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { Types } from 'mongoose';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.js';
import { NotFoundError } from '../errors/domain-errors.js';
import { opensFilesOf } from './attachment-readers.js';
import type { DriveAccess } from './attachment.service.js';
import { attachmentById } from './attachments.repository.js';
import type { ThumbnailContent } from './drive-gateway.js';

export const THUMBNAIL_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type ThumbnailType = (typeof THUMBNAIL_TYPES)[number];
const thumbnailTypes: ReadonlySet<string> = new Set(THUMBNAIL_TYPES);

/** Far above a medium thumbnail; in local mode an image is its own thumbnail, and a larger one shows the type icon. */
export const MAX_THUMBNAIL_BYTES = 1024 * 1024;
/** How long the browser may keep a thumbnail without asking again: short, because access can be taken back. */
export const THUMBNAIL_MAX_AGE_SECONDS = 300;

/** The address of an attachment's thumbnail: Meent's own route, same origin as the tab. */
export function thumbnailPath(attachmentId: string): string {
  return `/api/v1/attachments/${attachmentId}/thumbnail`;
}

export interface Thumbnail {
  contentType: ThumbnailType;
  /** Bytes, when the host declared them. */
  length: number | null;
  /** Stops with an error past `MAX_THUMBNAIL_BYTES`, whatever the host declared. */
  body: Readable;
}

const attachmentNotFound = () => new NotFoundError('There is no such file.', 'attachment_not_found');
const thumbnailGone = () => new NotFoundError('The thumbnail of this file is no longer available.', 'thumbnail_unavailable');

export class AttachmentThumbnails {
  constructor(private readonly deps: { drives: DriveAccess; logger: Logger }) {}

  async open(actor: Actor, attachmentId: string): Promise<Thumbnail> {
    const id = /^[0-9a-f]{24}$/i.test(attachmentId) ? new Types.ObjectId(attachmentId) : null;
    const attachment = id ? await attachmentById(actor.tenantId, id) : null;
    if (!attachment || !(await opensFilesOf(actor, attachment))) throw attachmentNotFound();
    if (!attachment.available || !attachment.thumbnailUrl) throw thumbnailGone();
    const found = await this.deps.drives.asApp(attachment.tenantId).thumbnail(attachment.driveId, attachment.itemId);
    if (!found) throw thumbnailGone();
    return this.accepted(found);
  }

  /** The content when it is an image of a size Meent shows; otherwise refused, its body dropped. */
  private accepted(found: ThumbnailContent): Thumbnail {
    const type = (found.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!thumbnailTypes.has(type)) {
      found.body.destroy();
      this.deps.logger.warn({ contentType: type.slice(0, 100) }, 'a thumbnail was not an image Meent shows; refused');
      throw new NotFoundError('Microsoft 365 did not answer with an image for this thumbnail, so Meent does not show it.', 'thumbnail_not_an_image');
    }
    if (found.length !== null && found.length > MAX_THUMBNAIL_BYTES) {
      found.body.destroy();
      throw new NotFoundError('The thumbnail is larger than Meent shows.', 'thumbnail_too_large');
    }
    // The reader of `body` sees any failure (the host's, or too many bytes): the pipeline passes it on.
    const body = pipeline(found.body, new ByteLimit(MAX_THUMBNAIL_BYTES), () => undefined);
    return { contentType: type as ThumbnailType, length: found.length, body };
  }
}

/** Passes bytes on until more than `max` came through, then fails (the host declared less, or nothing). */
class ByteLimit extends Transform {
  private seen = 0;

  constructor(private readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) done(new Error(`the thumbnail is larger than ${this.max} bytes`));
    else done(null, chunk);
  }
}
