/**
 * The drive port over Microsoft Graph. Graph calls go through the one Graph client (retry on
 * 429/503/504 honouring Retry-After, https://learn.microsoft.com/en-us/graph/throttling);
 * upload fragments go to the session's pre-authenticated upload URL without an Authorization
 * header, as the contract asks (https://learn.microsoft.com/en-us/graph/api/driveitem-createuploadsession).
 * Graph's wire shapes become domain values in `fromGraphItem` and `fromGraphPermission` only.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import type { DriveItem, Permission, UploadSession } from '@microsoft/microsoft-graph-types';
import { NotFoundError, ValidationError } from '../errors/domain-errors.js';
import { segment, type GraphClient } from '../graph/graph-client.js';
import { errorForGraphStatus, GraphUnavailableError, isGraphNotFound, withGraphErrors, withGraphErrorsOrNull } from '../graph/graph-errors.js';
import { listAll } from '../graph/graph-paging.js';
import { parseRetryAfter } from '../graph/graph-retry.js';
import type { ChunkResult, CreatedItemInfo, DriveGateway, DriveItemInfo, DrivePermission, ThumbnailContent, UploadSessionRef, UploadTarget } from './drive-gateway.js';

/** Children and search results read at most this many pages (a picker shows the first few hundred). */
const MAX_PAGES = 5;
const ITEM_FIELDS = ['id', 'name', 'size', 'file', 'folder', 'webUrl', 'lastModifiedDateTime', 'parentReference'];
const CREATED_ITEM_FIELDS = [...ITEM_FIELDS, 'createdDateTime'];

export class GraphDriveGateway implements DriveGateway {
  constructor(private readonly deps: { graph: GraphClient; fetch?: typeof fetch }) {}

  private get graph(): GraphClient {
    return this.deps.graph;
  }

  async getItem(driveId: string, itemId: string): Promise<DriveItemInfo | null> {
    // https://learn.microsoft.com/en-us/graph/api/driveitem-get ($expand=thumbnails for the card's preview)
    const item = (await withGraphErrorsOrNull(() => this.graph.api(`/drives/${segment(driveId)}/items/${segment(itemId)}`).select(ITEM_FIELDS).expand('thumbnails').get())) as DriveItem | null;
    return item ? fromGraphItem(item, driveId) : null;
  }

  /**
   * https://learn.microsoft.com/en-us/graph/api/driveitem-list-thumbnails ("Retrieve thumbnail
   * binary content"): `GET .../thumbnails/{thumb-id}/{size}/content` answers 302 with the
   * thumbnail's own URL on another host, which carries its authorisation itself. The redirect is
   * followed here rather than by fetch, so that the bearer token never leaves Graph and the
   * target is known to be https; a Graph that answers the bytes at once is taken as well. 404:
   * the item is gone or has no thumbnail.
   */
  async thumbnail(driveId: string, itemId: string): Promise<ThumbnailContent | null> {
    const request = this.graph.api(`/drives/${segment(driveId)}/items/${segment(itemId)}/thumbnails/0/medium/content`).responseType(ResponseType.RAW).option('redirect', 'manual');
    const answer = (await withGraphErrors(() => request.get())) as Response;
    if (answer.status < 300 || answer.status >= 400) return thumbnailOf(answer);
    await answer.body?.cancel();
    const location = httpsUrl(answer.headers.get('location'));
    if (!location) throw malformed();
    return thumbnailOf(await this.send(location, { method: 'GET' }));
  }

  async search(query: string): Promise<DriveItemInfo[]> {
    // https://learn.microsoft.com/en-us/graph/api/driveitem-search: q inside the function call, quotes doubled.
    const q = query.replace(/'/g, "''");
    const first = this.graph.api(`/me/drive/root/search(q='${encodeURIComponent(q)}')`).select(ITEM_FIELDS).expand('thumbnails');
    const { items } = await listAll<DriveItem>(this.graph, first, { maxPages: MAX_PAGES });
    return items.map((i) => fromGraphItem(i)).filter((i) => !i.folder);
  }

  async children(folder?: { driveId: string; itemId: string }): Promise<DriveItemInfo[]> {
    // https://learn.microsoft.com/en-us/graph/api/driveitem-list-children
    const path = folder ? `/drives/${segment(folder.driveId)}/items/${segment(folder.itemId)}/children` : '/me/drive/root/children';
    const { items } = await listAll<DriveItem>(this.graph, this.graph.api(path).select(ITEM_FIELDS).expand('thumbnails'), { maxPages: MAX_PAGES });
    return items.map((i) => fromGraphItem(i, folder?.driveId));
  }

  async invite(driveId: string, itemId: string, userIds: string[]): Promise<Map<string, string>> {
    // https://learn.microsoft.com/en-us/graph/api/driveitem-invite: read for people by object id, signed in, no e-mail.
    const body = { recipients: userIds.map((objectId) => ({ objectId })), roles: ['read'], requireSignIn: true, sendInvitation: false };
    const answer = (await withGraphErrors(() => this.graph.api(`/drives/${segment(driveId)}/items/${segment(itemId)}/invite`).post(body))) as { value?: Permission[] };
    const granted = new Map<string, string>();
    (answer.value ?? []).forEach((p, index) => {
      const permission = fromGraphPermission(p);
      const userId = permission.userId ?? userIds[index];
      if (userId) granted.set(userId, permission.id);
    });
    return granted;
  }

  async createOrganizationLink(driveId: string, itemId: string): Promise<string> {
    // https://learn.microsoft.com/en-us/graph/api/driveitem-createlink: scope organization, never anonymous.
    const answer = (await withGraphErrors(() => this.graph.api(`/drives/${segment(driveId)}/items/${segment(itemId)}/createLink`).post({ type: 'view', scope: 'organization' }))) as Permission;
    return fromGraphPermission(answer).id;
  }

  async permissions(driveId: string, itemId: string): Promise<DrivePermission[]> {
    // https://learn.microsoft.com/en-us/graph/api/driveitem-list-permissions
    const first = this.graph.api(`/drives/${segment(driveId)}/items/${segment(itemId)}/permissions`);
    const { items } = await listAll<Permission>(this.graph, first, { maxPages: MAX_PAGES });
    return items.map(fromGraphPermission);
  }

  async deletePermission(driveId: string, itemId: string, permissionId: string): Promise<void> {
    // https://learn.microsoft.com/en-us/graph/api/permission-delete (204; gone already is fine)
    try {
      await withGraphErrors(() => this.graph.api(`/drives/${segment(driveId)}/items/${segment(itemId)}/permissions/${segment(permissionId)}`).delete());
    } catch (error) {
      if (!isGraphNotFound(error)) throw error;
    }
  }

  async groupDriveId(groupId: string): Promise<string> {
    // https://learn.microsoft.com/en-us/graph/api/drive-get (a group's document library)
    const drive = (await withGraphErrors(() => this.graph.api(`/groups/${segment(groupId)}/drive`).select(['id']).get())) as { id?: string };
    if (typeof drive.id !== 'string' || drive.id === '') throw malformed();
    return drive.id;
  }

  async createUploadSession(target: UploadTarget, fileName: string): Promise<UploadSessionRef> {
    // Path addressing creates the missing folders; "rename" keeps an existing file of that name
    // (why not "fail" or "replace": AttachmentService.recoverLostCompletion).
    const path = [...target.folderPath.split('/').filter(Boolean), fileName].map(segment).join('/');
    const body = { item: { '@microsoft.graph.conflictBehavior': 'rename', name: fileName } };
    const session = (await withGraphErrors(() => this.graph.api(`/drives/${segment(target.driveId)}/root:/${path}:/createUploadSession`).post(body))) as UploadSession;
    if (typeof session.uploadUrl !== 'string' || !session.uploadUrl.startsWith('https://')) throw malformed();
    return { uploadUrl: session.uploadUrl, expiresAt: session.expirationDateTime ?? '' };
  }

  async uploadChunk(session: UploadSessionRef, start: number, total: number, bytes: Uint8Array): Promise<ChunkResult> {
    const end = start + bytes.length - 1;
    const response = await this.send(session.uploadUrl, { method: 'PUT', headers: { 'Content-Range': `bytes ${start}-${end}/${total}`, 'Content-Length': String(bytes.length) }, body: new Uint8Array(bytes) as Uint8Array<ArrayBuffer> });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status === 200 || response.status === 201) return { done: true, item: fromGraphItem(body as DriveItem) };
    if (response.status === 202) return { done: false, nextOffset: nextOffsetOf(body as UploadSession) };
    throw uploadError(response);
  }

  async uploadStatus(session: UploadSessionRef): Promise<{ nextOffset: number }> {
    const response = await this.send(session.uploadUrl, { method: 'GET' });
    if (response.status !== 200) throw uploadError(response);
    return { nextOffset: nextOffsetOf((await response.json()) as UploadSession) };
  }

  async cancelUpload(session: UploadSessionRef): Promise<void> {
    const response = await this.send(session.uploadUrl, { method: 'DELETE' });
    if (response.status !== 204 && response.status !== 404) throw uploadError(response);
  }

  async itemAtPath(driveId: string, path: string): Promise<CreatedItemInfo | null> {
    // https://learn.microsoft.com/en-us/graph/api/driveitem-get (path addressing: /drives/{drive-id}/root:/{item-path})
    const item = (await withGraphErrorsOrNull(() => this.graph.api(`/drives/${segment(driveId)}/root:/${pathUnderRoot(path)}`).select(CREATED_ITEM_FIELDS).get())) as DriveItem | null;
    return item ? fromGraphCreatedItem(item, driveId) : null;
  }

  async childrenAtPath(driveId: string, folderPath: string): Promise<CreatedItemInfo[]> {
    // https://learn.microsoft.com/en-us/graph/api/driveitem-list-children (a known path: /drives/{drive-id}/root:/{path-relative-to-root}:/children)
    const path = pathUnderRoot(folderPath);
    const first = this.graph.api(path ? `/drives/${segment(driveId)}/root:/${path}:/children` : `/drives/${segment(driveId)}/root/children`).select(CREATED_ITEM_FIELDS);
    try {
      const { items } = await listAll<DriveItem>(this.graph, first, { maxPages: MAX_PAGES });
      return items.map((i) => fromGraphCreatedItem(i, driveId));
    } catch (error) {
      if (isGraphNotFound(error)) return [];
      throw error;
    }
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await (this.deps.fetch ?? fetch)(url, { ...init, signal: AbortSignal.timeout(60_000) });
    } catch (error) {
      // No answer (a dropped connection, a timeout): the caller resumes from where the session stands.
      const failure = new GraphUnavailableError();
      failure.cause = error;
      throw failure;
    }
  }
}

/** Graph's driveItem -> `DriveItemInfo`; the one place that knows its shape. */
export function fromGraphItem(item: DriveItem, driveId?: string): DriveItemInfo {
  const drive = item.parentReference?.driveId ?? driveId;
  if (typeof item.id !== 'string' || typeof drive !== 'string' || typeof item.name !== 'string') throw malformed();
  const thumbnail = item.thumbnails?.[0]?.medium?.url ?? null;
  return {
    driveId: drive,
    itemId: item.id,
    name: item.name,
    size: typeof item.size === 'number' ? item.size : 0,
    mimeType: item.file?.mimeType ?? null,
    folder: item.folder !== undefined && item.folder !== null,
    webUrl: item.webUrl ?? '',
    lastModifiedAt: item.lastModifiedDateTime ?? null,
    thumbnailUrl: thumbnail,
  };
}

function fromGraphCreatedItem(item: DriveItem, driveId: string): CreatedItemInfo {
  return { ...fromGraphItem(item, driveId), createdAt: item.createdDateTime ?? null };
}

/** A path under a library's root as URL segments (each escaped; empty parts dropped). */
function pathUnderRoot(path: string): string {
  return path.split('/').filter(Boolean).map(segment).join('/');
}

/** A thumbnail's answer -> its content; null for a 404 (no thumbnail, or the item is gone). */
async function thumbnailOf(response: Response): Promise<ThumbnailContent | null> {
  if (response.status === 200 && response.body) {
    const declared = response.headers.get('content-length');
    const length = declared !== null && /^\d{1,15}$/.test(declared) ? Number(declared) : null;
    return { contentType: response.headers.get('content-type'), length, body: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>) };
  }
  await response.body?.cancel();
  if (response.status === 404) return null;
  throw errorForGraphStatus(response.status, parseRetryAfter(response.headers.get('retry-after'), Date.now()));
}

/** An absolute https URL, or null. */
function httpsUrl(value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Graph's permission -> `DrivePermission`. */
export function fromGraphPermission(p: Permission): DrivePermission {
  if (typeof p.id !== 'string' || p.id === '') throw malformed();
  const scope = p.link?.scope;
  return {
    id: p.id,
    roles: p.roles ?? [],
    userId: p.grantedToV2?.user?.id ?? p.grantedTo?.user?.id ?? null,
    linkScope: scope === 'anonymous' || scope === 'organization' || scope === 'users' || scope === 'existingAccess' ? scope : null,
    inherited: p.inheritedFrom !== undefined && p.inheritedFrom !== null,
  };
}

function nextOffsetOf(session: UploadSession): number {
  const first = session.nextExpectedRanges?.[0];
  const start = first ? Number.parseInt(first.split('-')[0] ?? '', 10) : Number.NaN;
  if (!Number.isInteger(start) || start < 0) throw malformed();
  return start;
}

function uploadError(response: Response): Error {
  if (response.status === 404) return new NotFoundError('The upload session has expired; start the upload again.', 'upload_session_gone');
  if (response.status === 416) return new ValidationError('The upload is out of step with Microsoft 365.', [], 'upload_out_of_step');
  return errorForGraphStatus(response.status, parseRetryAfter(response.headers.get('retry-after'), Date.now()));
}

function malformed(): GraphUnavailableError {
  return new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 answered with something Meent does not understand.');
}
