/**
 * The local Graph's OneDrive and SharePoint endpoints (issue 21), to their public contracts.
 * State and the rules of who may read and share what live in the local drive store
 * (src/attachments/local-drive-store.ts, in a temporary directory), the same rules local mode
 * uses; this module speaks Graph's HTTP over it, as the caller the bearer token names.
 *
 *   GET    /v1.0/drives/{d}/items/{i}[?$select&$expand=thumbnails]        https://learn.microsoft.com/en-us/graph/api/driveitem-get
 *          (`root` for the drive's root; 404 itemNotFound for an item the caller cannot read,
 *          as Graph does not tell a stranger that it exists)
 *   GET    /v1.0/drives/{d}/items/{i}/children, /v1.0/me/drive/root/children  https://learn.microsoft.com/en-us/graph/api/driveitem-list-children
 *          (paged by `pageSize` or $top, @odata.nextLink with $skiptoken)
 *   GET    /v1.0/me/drive/root/search(q='..')                               https://learn.microsoft.com/en-us/graph/api/driveitem-search
 *          (quotes in q doubled; paged as children; /me only with a delegated token, 400 otherwise)
 *   POST   /v1.0/drives/{d}/items/{i}/invite                                https://learn.microsoft.com/en-us/graph/api/driveitem-invite
 *          (200 with the permission collection; 403 accessDenied for a caller who may not share)
 *   POST   /v1.0/drives/{d}/items/{i}/createLink                            https://learn.microsoft.com/en-us/graph/api/driveitem-createlink
 *          (201 a new link, 200 the existing one of that type and scope; only `organization`
 *          links are kept here, any other scope answers 501 so a test sees it was asked for)
 *   GET    /v1.0/drives/{d}/items/{i}/permissions                           https://learn.microsoft.com/en-us/graph/api/driveitem-list-permissions
 *          (the item's own and those inherited from its folders, with `inheritedFrom`)
 *   DELETE /v1.0/drives/{d}/items/{i}/permissions/{id}                      https://learn.microsoft.com/en-us/graph/api/permission-delete
 *          (204; 404 for one that is gone)
 *   GET    /v1.0/groups/{g}/drive[?$select=id]                              https://learn.microsoft.com/en-us/graph/api/drive-get
 *   GET    /v1.0/drives/{d}/root:/{path}, /v1.0/drives/{d}/root:/{path}:/children   path addressing, as driveitem-get and
 *          driveitem-list-children describe it (404 itemNotFound for a path that names nothing)
 *   POST   /v1.0/drives/{d}/root:/{folders}/{name}:/createUploadSession      https://learn.microsoft.com/en-us/graph/api/driveitem-createuploadsession
 *          (missing folders made; `rename` conflict behaviour; the body's name must be the path's)
 *   GET    /v1.0/drives/{d}/items/{i}/thumbnails[/{set}[/{size}[/content]]]  https://learn.microsoft.com/en-us/graph/api/driveitem-list-thumbnails
 *          (one set, id 0, of small, medium and large for images, PDFs and Office documents,
 *          none for anything else; `content` answers 302 Found with the thumbnail's own URL, as
 *          the contract says; 404 itemNotFound for an item the caller cannot read or a
 *          thumbnail that does not exist)
 *   GET on a thumbnail URL (pre-authenticated by its own secret, on the `/_thumbnails/` path, as
 *          Graph's own live on another host): the image. An image file is its own thumbnail; a
 *          document's is a rendered page (here one PNG of the size asked for). `thumbnailFault`
 *          makes the host answer another content type, more bytes, or no declared length.
 *   PUT | GET | DELETE on the session's uploadUrl (pre-authenticated: no bearer token, and one
 *          sent answers 401 as the contract warns): PUT with Content-Range answers 202 with
 *          nextExpectedRanges, 201 with the driveItem after the last byte, 416 for a fragment that
 *          does not start where the session stands, 400 for a fragment (not the last) that is not
 *          a multiple of 320 KiB or a total that changed, 413 over 60 MiB, 404 once the session
 *          expired or was cancelled; GET answers where it stands; DELETE 204.
 *
 * Callers: a delegated token (a JWT with `scp` and `oid`, as the identity stand-in issues them
 * on behalf of a person) acts as that person; an app token (`idtyp: app`, or `roles` without
 * `scp`) as the application; tests may also hand out opaque tokens with `tokenFor`. Any other
 * token answers 401. Throttling and outages come from the server's `failNext`, which applies to
 * these routes and to upload URLs alike (`when: 'after'`: the fragment is taken, then the 503).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriveStoreError, LocalDriveStore, MAX_UPLOAD_FRAGMENT, type DriveCaller, type StoredItem, type StoredPermission } from '../../src/attachments/local-drive-store.js';
import { solidPng } from './png.js';

export interface DriveRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

export interface DriveAnswer {
  status: number;
  body?: Record<string, unknown>;
  /** Bytes instead of a JSON body (a thumbnail), sent with `headers`. */
  bytes?: Buffer;
  headers?: Record<string, string>;
  error?: { code: string; message: string };
}

/** Pages a collection as the server pages its others (`$top`, `$skiptoken`, `@odata.nextLink`). */
export type Pager = <T>(request: DriveRequest, items: readonly T[], defaultTop: number) => { page: T[]; nextLink: string | undefined };

/** Whom the server's directory knows (invite resolves recipients against it). */
export type DisplayNameOf = (userId: string) => string | null | undefined;

/** Where upload URLs live: outside /v1.0, as Graph's own live on another host. */
const UPLOAD_PREFIX = '/_upload/';
/** Where thumbnail URLs live, likewise. */
const THUMBNAIL_PREFIX = '/_thumbnails/';
/** The standard sizes, longest side in pixels (driveitem-list-thumbnails, "Size options"). */
const THUMBNAIL_SIZES: Record<string, number> = { small: 96, medium: 176, large: 800 };
const RASTER_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif']);
/** The item properties a $select may name (https://learn.microsoft.com/en-us/graph/api/resources/driveitem). */
const ITEM_FIELDS = new Set(['id', 'name', 'size', 'file', 'folder', 'webUrl', 'lastModifiedDateTime', 'createdDateTime', 'parentReference', 'eTag', 'cTag', 'createdBy', 'lastModifiedBy']);
const DEFAULT_PAGE = 200;

export class GraphDrives {
  /** Items per page of children and search when the caller gives no $top (Graph's default is 200). */
  pageSize = DEFAULT_PAGE;
  /** The thumbnail host misbehaving: another content type than the image's, `bytes` in all (padded), sent in chunks without a declared length. */
  thumbnailFault: { contentType?: string; bytes?: number; chunked?: boolean } | undefined;
  private directory: string;
  private current: LocalDriveStore;
  private readonly tokens = new Map<string, DriveCaller>();
  private readonly groups = new Map<string, Set<string>>();
  private readonly secrets = new Map<string, string>();
  /** Per item: the secret its thumbnail URLs carry. */
  private readonly thumbnailSecrets = new Map<string, string>();

  constructor(
    private readonly origin: string,
    private readonly now: () => number,
    private readonly displayNameOf: DisplayNameOf,
  ) {
    this.directory = mkdtempSync(join(tmpdir(), 'meent-graph-drives-'));
    this.current = new LocalDriveStore(this.directory, () => new Date(this.now()));
  }

  /** The drives, items and permissions (a test puts files in and reads permissions out). */
  get store(): LocalDriveStore {
    return this.current;
  }

  reset(): void {
    this.dispose();
    this.directory = mkdtempSync(join(tmpdir(), 'meent-graph-drives-'));
    this.current = new LocalDriveStore(this.directory, () => new Date(this.now()));
    this.tokens.clear();
    this.groups.clear();
    this.secrets.clear();
    this.thumbnailSecrets.clear();
    this.pageSize = DEFAULT_PAGE;
    this.thumbnailFault = undefined;
  }

  dispose(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }

  /** An opaque bearer token that acts as `caller` on these routes. */
  tokenFor(caller: DriveCaller): string {
    const token = `drive-token-${randomBytes(16).toString('hex')}`;
    this.tokens.set(token, caller);
    return token;
  }

  /** A Microsoft 365 group (a team) with its document library; members may read its drive id. */
  addGroup(groupId: string, memberIds: string[] = []): void {
    this.groups.set(groupId, new Set(memberIds));
    this.current.groupDrive(groupId);
  }

  /** A document library (an administrator's configured one) with a known id. */
  addLibrary(driveId: string): void {
    this.current.library(driveId);
  }

  /** A file in a person's OneDrive (`folderPath` under its root). */
  addOwnFile(userId: string, name: string, content: Uint8Array = Buffer.from(`inhoud van ${name}`), folderPath = ''): StoredItem {
    return this.current.addFile(this.current.oneDriveOf(userId).id, folderPath, name, content, userId);
  }

  isUploadPath(path: string): boolean {
    return path.startsWith(UPLOAD_PREFIX);
  }

  isThumbnailPath(path: string): boolean {
    return path.startsWith(THUMBNAIL_PREFIX);
  }

  /** GET on a thumbnail URL: `/_thumbnails/{drive}/{item}/{size}?tempauth=..`, no bearer token needed. */
  thumbnailContent(request: DriveRequest): DriveAnswer {
    if (request.method !== 'GET') return notAllowed();
    const [driveId, itemId, size, ...more] = request.path.slice(THUMBNAIL_PREFIX.length).split('/').map(decodeURIComponent);
    const secret = itemId === undefined ? undefined : this.thumbnailSecrets.get(itemId);
    if (driveId === undefined || size === undefined || more.length > 0 || secret === undefined || request.query.get('tempauth') !== secret) return error(401, 'unauthenticated', 'The thumbnail URL is not valid.');
    let item: StoredItem;
    try {
      item = this.current.item('app', driveId, itemId ?? '');
    } catch {
      return error(404, 'itemNotFound', 'The item was not found.');
    }
    const pixels = THUMBNAIL_SIZES[size];
    if (pixels === undefined || !this.current.hasThumbnail(item)) return error(404, 'itemNotFound', 'The thumbnail was not found.');
    const own = RASTER_TYPES.has(item.mimeType ?? '');
    let bytes = own ? this.current.content('app', driveId, item.id) : solidPng(pixels, Math.round((pixels * 3) / 4));
    const fault = this.thumbnailFault;
    if (fault?.bytes !== undefined && fault.bytes > bytes.length) bytes = Buffer.concat([bytes, Buffer.alloc(fault.bytes - bytes.length)]);
    const headers: Record<string, string> = { 'Content-Type': fault?.contentType ?? (own ? (item.mimeType ?? '') : 'image/png'), 'Cache-Control': 'public, max-age=31536000' };
    // Sent in chunks, the length is not declared (the graph server leaves Content-Length out).
    if (fault?.chunked) headers['Transfer-Encoding'] = 'chunked';
    return { status: 200, headers, bytes };
  }

  /** A request under /v1.0 whose first segment is `drives`, `me` or `groups`; `segments` follow `v1.0`. */
  handle(segments: string[], request: DriveRequest, pager: Pager): DriveAnswer {
    const caller = this.callerOf(request.headers.authorization);
    if (!caller) return error(401, 'InvalidAuthenticationToken', 'Access token validation failure.');
    try {
      return this.route(caller, segments, request, pager);
    } catch (failure) {
      if (failure instanceof DriveStoreError) return error(failure.status, failure.code, failure.message);
      throw failure;
    }
  }

  /** PUT, GET or DELETE on an upload URL. */
  upload(request: DriveRequest): DriveAnswer {
    // https://learn.microsoft.com/en-us/graph/api/driveitem-createuploadsession#remarks: no Authorization on the upload URL.
    if (request.headers.authorization !== undefined) return error(401, 'unauthenticated', 'The upload URL is pre-authenticated; do not send an Authorization header.');
    const sessionId = request.path.slice(UPLOAD_PREFIX.length);
    const secret = this.secrets.get(sessionId);
    if (secret === undefined || request.query.get('tempauth') !== secret) return error(401, 'unauthenticated', 'The upload URL is not valid.');
    try {
      if (request.method === 'GET') {
        const session = this.current.session(sessionId);
        return { status: 200, body: { expirationDateTime: session.expiresAt, nextExpectedRanges: [`${session.received}-`] } };
      }
      if (request.method === 'DELETE') {
        this.current.session(sessionId);
        this.current.cancelSession(sessionId);
        return { status: 204 };
      }
      if (request.method !== 'PUT') return error(405, 'invalidRequest', 'The upload URL takes PUT, GET and DELETE.');
      return this.putFragment(sessionId, request);
    } catch (failure) {
      if (failure instanceof DriveStoreError) return error(failure.status, failure.code, failure.message);
      throw failure;
    }
  }

  // ---- routing ----

  private route(caller: DriveCaller, segments: string[], request: DriveRequest, pager: Pager): DriveAnswer {
    const [resource, ...rest] = segments;
    if (resource === 'me') {
      // https://learn.microsoft.com/en-us/graph/api/drive-get: /me is the signed-in user's; an app has none.
      if (caller === 'app') return error(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
      const drive = this.current.oneDriveOf(caller.userId);
      if (rest[0] !== 'drive' || rest[1] !== 'root') return unknown(rest[1] ?? rest[0]);
      const root = this.current.root(drive.id);
      if (rest.length === 3 && rest[2] === 'children') return this.children(caller, drive.id, root.id, request, pager);
      const search = rest.length === 3 ? /^search\(q='((?:[^']|'')*)'\)$/.exec(rest[2] ?? '') : null;
      if (search) {
        if (request.method !== 'GET') return notAllowed();
        const query = (search[1] ?? '').replace(/''/g, "'");
        return this.collection(request, pager, this.current.search(caller, drive.id, query));
      }
      return unknown(rest[2]);
    }
    if (resource === 'groups') {
      const [groupId, child, ...more] = rest;
      if (groupId === undefined || child !== 'drive' || more.length > 0) return unknown(child);
      if (request.method !== 'GET') return notAllowed();
      const members = this.groups.get(groupId);
      if (!members || (caller !== 'app' && !members.has(caller.userId))) return error(404, 'itemNotFound', 'The group was not found.');
      const drive = this.current.groupDrive(groupId);
      return { status: 200, body: select({ id: drive.id, driveType: 'documentLibrary', name: drive.name, webUrl: `https://contoso.sharepoint.com/sites/${groupId}/Shared%20Documents` }, request.query.get('$select')) };
    }
    if (resource !== 'drives') return unknown(resource);
    const [driveId, kind, ...tail] = rest;
    if (driveId === undefined) return unknown(kind);
    if (kind === 'root:' && tail.at(-1) === 'createUploadSession') {
      if (request.method !== 'POST') return notAllowed();
      return this.createUploadSession(caller, driveId, tail.slice(0, -1), request);
    }
    if (kind === 'root:') return this.byPath(caller, driveId, tail, request, pager);
    let itemId: string | undefined;
    let action: string[];
    if (kind === 'root') {
      itemId = this.current.root(driveId).id;
      action = tail;
    } else if (kind === 'items') {
      [itemId, ...action] = tail;
      if (itemId === 'root') itemId = this.current.root(driveId).id;
    } else {
      return unknown(kind);
    }
    if (itemId === undefined) return unknown(kind);
    if (action[0] === 'thumbnails') return this.thumbnails(caller, driveId, itemId, action.slice(1), request);
    const [verb, permissionId, ...beyond] = action;
    if (beyond.length > 0) return unknown(beyond[0]);
    if (verb === undefined) {
      if (request.method !== 'GET') return notAllowed();
      const item = this.current.item(caller, driveId, itemId);
      return { status: 200, body: { '@odata.context': `${this.origin}/v1.0/$metadata#drives('${driveId}')/items/$entity`, ...this.itemJson(item, request.query) } };
    }
    if (permissionId !== undefined && verb !== 'permissions') return unknown(permissionId);
    switch (verb) {
      case 'children':
        return this.children(caller, driveId, itemId, request, pager);
      case 'invite':
        if (request.method !== 'POST') return notAllowed();
        return this.invite(caller, driveId, itemId, request.body);
      case 'createLink':
        if (request.method !== 'POST') return notAllowed();
        return this.createLink(caller, driveId, itemId, request.body);
      case 'permissions':
        if (permissionId === undefined) {
          if (request.method !== 'GET') return notAllowed();
          return this.collection(request, pager, this.permissionsWithInherited(caller, driveId, itemId), (p) => this.permissionJson(p.permission, p.inheritedFrom));
        }
        if (request.method === 'DELETE') {
          this.current.deletePermission(caller, driveId, itemId, permissionId);
          return { status: 204 };
        }
        if (request.method === 'GET') {
          const found = this.current.permissionsOf(caller, driveId, itemId).find((p) => p.id === permissionId);
          return found ? { status: 200, body: this.permissionJson(found, null) } : error(404, 'itemNotFound', 'The permission was not found.');
        }
        return notAllowed();
      default:
        return unknown(verb);
    }
  }

  /** `root:/{path}` (the item) and `root:/{path}:/children`; a path that names nothing is 404 itemNotFound. */
  private byPath(caller: DriveCaller, driveId: string, tail: string[], request: DriveRequest, pager: Pager): DriveAnswer {
    if (request.method !== 'GET') return notAllowed();
    const children = tail.length >= 2 && tail.at(-1) === 'children' && (tail.at(-2) ?? '').endsWith(':');
    const parts = (children ? tail.slice(0, -1) : tail).map((part, index, all) => (index === all.length - 1 && part.endsWith(':') ? part.slice(0, -1) : part));
    if (parts.length === 0 || parts.some((p) => p === '')) return error(400, 'invalidRequest', 'The path is not valid.');
    const item = this.current.itemAtPath(caller, driveId, parts.join('/'));
    if (children) return this.children(caller, driveId, item.id, request, pager);
    return { status: 200, body: { '@odata.context': `${this.origin}/v1.0/$metadata#drives('${driveId}')/root/$entity`, ...this.itemJson(item, request.query) } };
  }

  private children(caller: DriveCaller, driveId: string, itemId: string, request: DriveRequest, pager: Pager): DriveAnswer {
    if (request.method !== 'GET') return notAllowed();
    return this.collection(request, pager, this.current.children(caller, driveId, itemId));
  }

  private collection<T>(request: DriveRequest, pager: Pager, items: readonly T[], json?: (item: T) => Record<string, unknown>): DriveAnswer {
    const { page, nextLink } = pager(request, items, this.pageSize);
    const toJson = json ?? ((item: T) => this.itemJson(item as unknown as StoredItem, request.query));
    const body: Record<string, unknown> = { value: page.map(toJson) };
    if (nextLink) body['@odata.nextLink'] = nextLink;
    return { status: 200, body };
  }

  // ---- thumbnails ----

  /** The item's thumbnail sets, one set, one thumbnail, or (`content`) a redirect to its bytes. */
  private thumbnails(caller: DriveCaller, driveId: string, itemId: string, rest: string[], request: DriveRequest): DriveAnswer {
    if (request.method !== 'GET') return notAllowed();
    const item = this.current.item(caller, driveId, itemId);
    const sets = this.thumbnailSets(item);
    const [setId, size, content, ...beyond] = rest;
    if (beyond.length > 0 || (content !== undefined && content !== 'content')) return unknown(beyond[0] ?? content);
    if (setId === undefined) return { status: 200, body: { value: sets } };
    const set = sets.find((s) => s.id === setId);
    if (!set) return error(404, 'itemNotFound', 'The thumbnail set was not found.');
    if (size === undefined) return { status: 200, body: set };
    const thumbnail = set[size] as { url: string } | undefined;
    if (!thumbnail) return error(404, 'itemNotFound', 'The thumbnail was not found.');
    if (content === undefined) return { status: 200, body: thumbnail };
    // "The service responds with a redirect to the thumbnail URL."
    return { status: 302, headers: { Location: thumbnail.url } };
  }

  /** One set of the standard sizes for an item OneDrive renders, none otherwise; the URLs carry their own secret. */
  private thumbnailSets(item: StoredItem): (Record<string, unknown> & { id: string })[] {
    if (!this.current.hasThumbnail(item)) return [];
    let secret = this.thumbnailSecrets.get(item.id);
    if (secret === undefined) {
      secret = randomBytes(24).toString('base64url');
      this.thumbnailSecrets.set(item.id, secret);
    }
    const set: Record<string, unknown> & { id: string } = { id: '0' };
    for (const [size, pixels] of Object.entries(THUMBNAIL_SIZES)) {
      set[size] = { width: pixels, height: Math.round((pixels * 3) / 4), url: `${this.origin}${THUMBNAIL_PREFIX}${encodeURIComponent(item.driveId)}/${encodeURIComponent(item.id)}/${size}?tempauth=${secret}` };
    }
    return [set];
  }

  // ---- sharing ----

  private invite(caller: DriveCaller, driveId: string, itemId: string, body: unknown): DriveAnswer {
    const input = asRecord(body);
    const recipients = input.recipients;
    const roles = input.roles;
    if (!Array.isArray(recipients) || recipients.length === 0) return error(400, 'invalidRequest', 'recipients is required.');
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => r === 'read' || r === 'write')) return error(400, 'invalidRequest', 'roles must be read or write.');
    for (const flag of ['requireSignIn', 'sendInvitation'] as const) {
      if (input[flag] !== undefined && typeof input[flag] !== 'boolean') return error(400, 'invalidRequest', `${flag} must be a boolean.`);
    }
    const userIds: string[] = [];
    for (const r of recipients) {
      const objectId = asRecord(r).objectId;
      // Recipients Graph cannot resolve fail the whole request (https://learn.microsoft.com/en-us/graph/api/resources/driverecipient).
      if (typeof objectId !== 'string' || this.displayNameOf(objectId) === undefined) return error(400, 'invalidRequest', 'One or more recipients could not be resolved.');
      userIds.push(objectId);
    }
    const granted = this.current.invite(caller, driveId, itemId, userIds, roles as string[]);
    return { status: 200, body: { '@odata.context': `${this.origin}/v1.0/$metadata#Collection(microsoft.graph.permission)`, value: granted.map((p) => ({ ...this.permissionJson(p, null), invitation: { signInRequired: input.requireSignIn === true } })) } };
  }

  private createLink(caller: DriveCaller, driveId: string, itemId: string, body: unknown): DriveAnswer {
    const input = asRecord(body);
    if (input.type !== 'view' && input.type !== 'edit' && input.type !== 'embed') return error(400, 'invalidRequest', 'type must be view, edit or embed.');
    if (input.type !== 'view' || input.scope !== 'organization') return error(501, 'notSupported', `The Graph stand-in keeps only view links of scope organization, not ${String(input.type)}/${String(input.scope)}.`);
    const before = this.current.permissionsOf(caller, driveId, itemId).length;
    const link = this.current.createOrganizationLink(caller, driveId, itemId);
    const created = this.current.permissionsOf(caller, driveId, itemId).length > before;
    return { status: created ? 201 : 200, body: this.permissionJson(link, null) };
  }

  /** The item's permissions and its folders' (inherited), as list permissions answers them. */
  private permissionsWithInherited(caller: DriveCaller, driveId: string, itemId: string): { permission: StoredPermission; inheritedFrom: StoredItem | null }[] {
    const out: { permission: StoredPermission; inheritedFrom: StoredItem | null }[] = this.current.permissionsOf(caller, driveId, itemId).map((permission) => ({ permission, inheritedFrom: null }));
    let parentId = this.current.item(caller, driveId, itemId).parentId;
    while (parentId) {
      const parent = this.current.item('app', driveId, parentId);
      for (const permission of this.current.permissionsOf('app', driveId, parent.id)) out.push({ permission, inheritedFrom: parent });
      parentId = parent.parentId;
    }
    return out;
  }

  private permissionJson(p: StoredPermission, inheritedFrom: StoredItem | null): Record<string, unknown> {
    const json: Record<string, unknown> = { id: p.id, roles: [...p.roles], shareId: `s!${p.id}`, hasPassword: false };
    if (p.userId) {
      const user = { id: p.userId, displayName: this.displayNameOf(p.userId) ?? null };
      json.grantedTo = { user };
      json.grantedToV2 = { user };
    }
    if (p.linkScope) json.link = { type: 'view', scope: p.linkScope, webUrl: `https://contoso.sharepoint.com/:b:/s/meent/${p.id}`, preventsDownload: false };
    if (inheritedFrom) json.inheritedFrom = { driveId: inheritedFrom.driveId, id: inheritedFrom.id };
    return json;
  }

  // ---- uploads ----

  private createUploadSession(caller: DriveCaller, driveId: string, pathSegments: string[], request: DriveRequest): DriveAnswer {
    const last = pathSegments.at(-1);
    if (!last?.endsWith(':') || last.length < 2) return error(400, 'invalidRequest', 'The path must end with ":/createUploadSession".');
    const fileName = last.slice(0, -1);
    const folders = pathSegments.slice(0, -1);
    const item = asRecord(asRecord(request.body).item);
    // The path must end with the name the body gives (createUploadSession, "Request").
    if (item.name !== undefined && item.name !== fileName) return error(400, 'invalidRequest', 'The name in the body does not match the path.');
    const behaviour = item['@microsoft.graph.conflictBehavior'] ?? 'fail';
    if (behaviour !== 'rename') return error(501, 'notSupported', `The Graph stand-in implements conflictBehavior rename only, not ${String(behaviour)}.`);
    if (/["*:<>?/\\|]/.test(fileName) || folders.some((f) => /["*:<>?\\|]/.test(f))) return error(400, 'invalidRequest', 'The name contains characters SharePoint does not allow.');
    this.current.drive(driveId);
    const session = this.current.createUploadSession(caller, driveId, folders.join('/'), fileName);
    const secret = randomBytes(24).toString('base64url');
    this.secrets.set(session.id, secret);
    return { status: 200, body: { '@odata.context': `${this.origin}/v1.0/$metadata#microsoft.graph.uploadSession`, uploadUrl: `${this.origin}${UPLOAD_PREFIX}${session.id}?tempauth=${secret}`, expirationDateTime: session.expiresAt, nextExpectedRanges: ['0-'] } };
  }

  private putFragment(sessionId: string, request: DriveRequest): DriveAnswer {
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(request.headers['content-range'] ?? '');
    if (!range) return error(400, 'invalidRange', 'Content-Range is required: bytes start-end/total.');
    const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (request.headers['content-length'] !== undefined && Number(request.headers['content-length']) !== bytes.length) return error(400, 'invalidRange', 'Content-Length does not match the body.');
    if (bytes.length > MAX_UPLOAD_FRAGMENT) return error(413, 'requestTooLarge', 'A fragment may be at most 60 MiB.');
    const answer = this.current.putFragment(sessionId, start, end, total, bytes);
    if ('item' in answer) {
      // The secret stays: the URL of a finished session answers 404 like an expired one.
      return { status: 201, body: this.itemJson(answer.item, new URLSearchParams()) };
    }
    const session = this.current.session(sessionId);
    return { status: 202, body: { expirationDateTime: session.expiresAt, nextExpectedRanges: answer.nextExpectedRanges } };
  }

  // ---- shapes ----

  private itemJson(item: StoredItem, query: URLSearchParams): Record<string, unknown> {
    const drive = this.current.drive(item.driveId);
    const path = this.pathOf(item);
    const json: Record<string, unknown> = {
      id: item.id,
      name: item.name,
      size: item.size,
      createdDateTime: item.lastModifiedAt,
      lastModifiedDateTime: item.lastModifiedAt,
      eTag: `"{${item.id}},1"`,
      cTag: `"c:{${item.id}},1"`,
      webUrl: drive.ownerId ? `https://contoso-my.sharepoint.com/personal/${drive.ownerId}/Documents/${path.map(encodeURIComponent).join('/')}` : `https://contoso.sharepoint.com/sites/meent/Shared%20Documents/${path.map(encodeURIComponent).join('/')}`,
      parentReference: { driveId: item.driveId, driveType: drive.ownerId ? 'business' : 'documentLibrary', ...(item.parentId ? { id: item.parentId, path: `/drives/${item.driveId}/root:/${path.slice(0, -1).join('/')}` } : {}) },
    };
    if (item.folder) json.folder = { childCount: this.current.children('app', item.driveId, item.id).length };
    else json.file = { mimeType: item.mimeType };
    const selected = select(json, query.get('$select'));
    const expand = query.get('$expand');
    if (expand !== null) {
      if (expand !== 'thumbnails') throw new DriveStoreError(400, 'invalidRequest', `Cannot expand '${expand}'.`);
      selected.thumbnails = this.thumbnailSets(item);
    }
    return selected;
  }

  /** Names from the root down to the item (the root itself: none). */
  private pathOf(item: StoredItem): string[] {
    const names: string[] = [];
    let current: StoredItem | undefined = item;
    while (current?.parentId) {
      names.unshift(current.name);
      const parentId: string = current.parentId;
      current = this.current.item('app', current.driveId, parentId);
    }
    return names;
  }

  private callerOf(authorization: string | undefined): DriveCaller | undefined {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return undefined;
    const registered = this.tokens.get(token);
    if (registered) return registered;
    const payload = token.split('.')[1];
    if (token.split('.').length !== 3 || !payload) return undefined;
    let claims: Record<string, unknown>;
    try {
      claims = asRecord(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    } catch {
      return undefined;
    }
    // https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference: scp for delegated, roles for app-only.
    if (typeof claims.scp === 'string' && typeof claims.oid === 'string') return { userId: claims.oid };
    if (claims.idtyp === 'app' || (Array.isArray(claims.roles) && claims.scp === undefined)) return 'app';
    return undefined;
  }
}

function select(json: Record<string, unknown>, fields: string | null): Record<string, unknown> {
  if (fields === null) return json;
  const wanted = fields.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of wanted) if (!ITEM_FIELDS.has(f) && !(f in json)) throw new DriveStoreError(400, 'invalidRequest', `Could not find a property named '${f}' on type 'microsoft.graph.driveItem'.`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) if (key === 'id' || key.startsWith('@odata.') || wanted.includes(key)) out[key] = value;
  return out;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value) ? (value as Record<string, unknown>) : {};
}

function error(status: number, code: string, message: string): DriveAnswer {
  return { status, error: { code, message } };
}

function unknown(segment: string | undefined): DriveAnswer {
  return error(400, 'BadRequest', `Resource not found for the segment '${segment ?? ''}'.`);
}

function notAllowed(): DriveAnswer {
  return error(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
}
