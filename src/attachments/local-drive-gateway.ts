/**
 * The drive port over the local drive store (local mode): the same rules as Graph's, as the
 * caller (a person, or the app), with web and thumbnail addresses served by Meent itself
 * (local-drive.routes.ts).
 */
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import { GraphUnavailableError } from '../graph/graph-errors.js';
import type { ChunkResult, CreatedItemInfo, DriveGateway, DriveItemInfo, DrivePermission, ThumbnailContent, UploadSessionRef, UploadTarget } from './drive-gateway.js';
import { isRasterImage } from './local-drive.routes.js';
import { DriveStoreError, type DriveCaller, type LocalDriveStore, type StoredItem } from './local-drive-store.js';

const SESSION_PREFIX = 'local-drive:session/';

export class LocalDriveGateway implements DriveGateway {
  constructor(
    private readonly store: LocalDriveStore,
    private readonly caller: DriveCaller,
    /** Meent's origin: web and thumbnail addresses of local items point at it. */
    private readonly publicUrl: string,
  ) {}

  getItem(driveId: string, itemId: string): Promise<DriveItemInfo | null> {
    return run(() => this.info(this.store.item(this.caller, driveId, itemId))).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
  }

  /** An image is its own thumbnail here (see `info`); anything else has none. */
  thumbnail(driveId: string, itemId: string): Promise<ThumbnailContent | null> {
    return run(() => {
      const item = this.store.item(this.caller, driveId, itemId);
      if (!this.hasOwnThumbnail(item)) return null;
      const opened = this.store.contentStream(this.caller, driveId, itemId);
      return { contentType: item.mimeType, length: item.size, body: opened.stream };
    }).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
  }

  search(query: string): Promise<DriveItemInfo[]> {
    return run(() => this.store.search(this.caller, this.ownDrive(), query).map((i) => this.info(i)));
  }

  children(folder?: { driveId: string; itemId: string }): Promise<DriveItemInfo[]> {
    return run(() => {
      const driveId = folder?.driveId ?? this.ownDrive();
      const itemId = folder?.itemId ?? this.store.root(driveId).id;
      return this.store.children(this.caller, driveId, itemId).map((i) => this.info(i));
    });
  }

  invite(driveId: string, itemId: string, userIds: string[]): Promise<Map<string, string>> {
    return run(() => new Map(this.store.invite(this.caller, driveId, itemId, userIds, ['read']).map((p) => [p.userId ?? '', p.id])));
  }

  createOrganizationLink(driveId: string, itemId: string): Promise<string> {
    return run(() => this.store.createOrganizationLink(this.caller, driveId, itemId).id);
  }

  permissions(driveId: string, itemId: string): Promise<DrivePermission[]> {
    return run(() => this.store.permissionsOf(this.caller, driveId, itemId).map((p) => ({ id: p.id, roles: p.roles, userId: p.userId, linkScope: p.linkScope, inherited: false })));
  }

  async deletePermission(driveId: string, itemId: string, permissionId: string): Promise<void> {
    await run(() => this.store.deletePermission(this.caller, driveId, itemId, permissionId)).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
    });
  }

  groupDriveId(groupId: string): Promise<string> {
    return run(() => this.store.groupDrive(groupId).id);
  }

  createUploadSession(target: UploadTarget, fileName: string): Promise<UploadSessionRef> {
    return run(() => {
      this.store.library(target.driveId);
      const session = this.store.createUploadSession(this.caller, target.driveId, target.folderPath, fileName);
      return { uploadUrl: `${SESSION_PREFIX}${session.id}`, expiresAt: session.expiresAt };
    });
  }

  uploadChunk(session: UploadSessionRef, start: number, total: number, bytes: Uint8Array): Promise<ChunkResult> {
    return runInSession(() => {
      const answer = this.store.putFragment(sessionId(session), start, start + bytes.length - 1, total, bytes);
      if ('item' in answer) return { done: true as const, item: this.info(answer.item) };
      return { done: false as const, nextOffset: this.store.session(sessionId(session)).received };
    });
  }

  uploadStatus(session: UploadSessionRef): Promise<{ nextOffset: number }> {
    return runInSession(() => ({ nextOffset: this.store.session(sessionId(session)).received }));
  }

  cancelUpload(session: UploadSessionRef): Promise<void> {
    return run(() => this.store.cancelSession(sessionId(session)));
  }

  itemAtPath(driveId: string, path: string): Promise<CreatedItemInfo | null> {
    return run(() => this.created(this.store.itemAtPath(this.caller, driveId, path))).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
  }

  childrenAtPath(driveId: string, folderPath: string): Promise<CreatedItemInfo[]> {
    return run(() => {
      const folder = this.store.itemAtPath(this.caller, driveId, folderPath);
      return folder.folder ? this.store.children(this.caller, driveId, folder.id).map((i) => this.created(i)) : [];
    }).catch((error: unknown) => {
      if (error instanceof NotFoundError) return [];
      throw error;
    });
  }

  private ownDrive(): string {
    if (this.caller === 'app') throw new ValidationError('The app has no OneDrive of its own.', [], 'no_own_drive');
    return this.store.oneDriveOf(this.caller.userId).id;
  }

  /** Local items are never changed after they are made, so their last change is when they were made. */
  private created(item: StoredItem): CreatedItemInfo {
    return { ...this.info(item), createdAt: item.lastModifiedAt };
  }

  private info(item: StoredItem): DriveItemInfo {
    const base = `${this.publicUrl}/local-drive/${encodeURIComponent(item.driveId)}/${encodeURIComponent(item.id)}`;
    return {
      driveId: item.driveId,
      itemId: item.id,
      name: item.name,
      size: item.size,
      mimeType: item.mimeType,
      folder: item.folder,
      webUrl: base,
      lastModifiedAt: item.lastModifiedAt,
      // Local mode renders no document pages: only an image is its own thumbnail (local-drive.routes.ts).
      thumbnailUrl: this.hasOwnThumbnail(item) ? `${base}/thumbnail` : null,
    };
  }

  private hasOwnThumbnail(item: StoredItem): boolean {
    return this.store.hasThumbnail(item) && isRasterImage(item.mimeType ?? '');
  }
}

function sessionId(session: UploadSessionRef): string {
  if (!session.uploadUrl.startsWith(SESSION_PREFIX)) throw new NotFoundError('The upload session was not found.', 'upload_session_gone');
  return session.uploadUrl.slice(SESSION_PREFIX.length);
}

/** As `run`, where a 404 means the session is gone (finished, cancelled or expired), as Graph's upload URL says it. */
async function runInSession<T>(work: () => T): Promise<T> {
  try {
    return await run(work);
  } catch (error) {
    if (error instanceof NotFoundError) throw new NotFoundError('The upload session has expired; start the upload again.', 'upload_session_gone');
    throw error;
  }
}

/** The store's errors as the Graph gateway's (same codes, so callers cannot tell them apart). */
async function run<T>(work: () => T): Promise<T> {
  try {
    return await Promise.resolve(work());
  } catch (error) {
    if (!(error instanceof DriveStoreError)) throw error;
    if (error.status === 404) return Promise.reject(new NotFoundError('The item was not found in Microsoft 365.', 'graph_not_found'));
    if (error.status === 403) return Promise.reject(new ForbiddenError('Microsoft 365 does not allow Meent to do this.', 'graph_forbidden'));
    if (error.status === 416) return Promise.reject(new ValidationError('The upload is out of step with Microsoft 365.', [], 'upload_out_of_step'));
    if (error.status === 409) return Promise.reject(new ConflictError('The item was changed in Microsoft 365 at the same time; try again.', 'graph_conflict'));
    if (error.status >= 500) return Promise.reject(new GraphUnavailableError());
    return Promise.reject(new ValidationError('Microsoft 365 did not accept the request.', [], 'graph_invalid_request'));
  }
}
