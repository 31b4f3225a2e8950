/**
 * OneDrive and SharePoint libraries kept on this machine: drives, drive items (file contents
 * on disk), upload sessions, thumbnails and sharing permissions, with the rules of the
 * public contracts that Meent relies on. Local mode uses it through local-drive-gateway.ts
 * (files under `<DATA_DIR>/drives`); the tests' Graph stand-in answers Graph's HTTP
 * endpoints from it (a temporary directory). The contracts:
 *   - items, children and search: https://learn.microsoft.com/en-us/graph/api/resources/driveitem,
 *     https://learn.microsoft.com/en-us/graph/api/driveitem-list-children,
 *     https://learn.microsoft.com/en-us/graph/api/driveitem-search
 *   - upload sessions: https://learn.microsoft.com/en-us/graph/api/driveitem-createuploadsession
 *     (fragments in order, each a multiple of 320 KiB except the last; 416 for a fragment that
 *     does not start where the session stands; nextExpectedRanges answers where it stands)
 *   - permissions: https://learn.microsoft.com/en-us/graph/api/driveitem-invite,
 *     https://learn.microsoft.com/en-us/graph/api/driveitem-createlink,
 *     https://learn.microsoft.com/en-us/graph/api/driveitem-list-permissions,
 *     https://learn.microsoft.com/en-us/graph/api/permission-delete
 *   - thumbnails: https://learn.microsoft.com/en-us/graph/api/driveitem-list-thumbnails
 * Who may do what: the app may do anything; a person may read what is in their own OneDrive
 * or shared with them (an invitation, an organisation link), and share what is theirs or
 * what they were given `write` on.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, createReadStream, type ReadStream, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { extname, join } from 'node:path';

/** Each fragment of an upload is a multiple of this many bytes, except the last (createUploadSession). */
export const UPLOAD_FRAGMENT_UNIT = 320 * 1024;
/** Graph refuses a fragment larger than 60 MiB (createUploadSession). */
export const MAX_UPLOAD_FRAGMENT = 60 * 1024 * 1024;

/**
 * Who asks: the app, or a person. A guest (`guest: true`) is not reached by an organisation
 * link, which is "accessible within your organization" only
 * (https://learn.microsoft.com/en-us/graph/api/driveitem-createlink, the `scope` values);
 * Meent invites guests by name instead (attachment-readers.ts).
 */
export type DriveCaller = 'app' | { userId: string; guest?: boolean };

export class DriveStoreError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly nextExpectedRanges?: string[],
  ) {
    super(message);
  }
}

export interface StoredDrive {
  id: string;
  /** The person whose OneDrive it is; null for a document library. */
  ownerId: string | null;
  groupId: string | null;
  name: string;
}

export interface StoredItem {
  id: string;
  driveId: string;
  parentId: string | null;
  name: string;
  folder: boolean;
  size: number;
  mimeType: string | null;
  createdBy: string;
  lastModifiedAt: string;
}

export interface StoredPermission {
  id: string;
  itemId: string;
  roles: string[];
  userId: string | null;
  linkScope: 'organization' | null;
}

export interface StoredSession {
  id: string;
  driveId: string;
  parentId: string;
  name: string;
  /** Bytes received so far (fragments arrive in order). */
  received: number;
  total: number | null;
  createdBy: string;
  expiresAt: string;
}

interface StoreState {
  drives: StoredDrive[];
  items: StoredItem[];
  permissions: StoredPermission[];
  sessions: StoredSession[];
}

const SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;
const THUMBNAIL_TYPES = new Set(['.png', '.jpg', '.jpeg', '.gif', '.pdf', '.docx', '.pptx', '.xlsx']);
const MIME_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.svg': 'image/svg+xml',
  '.gif': 'image/gif',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.zip': 'application/zip',
};

export function mimeTypeOf(name: string): string {
  return MIME_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

export class LocalDriveStore {
  private readonly state: StoreState = { drives: [], items: [], permissions: [], sessions: [] };

  /**
   * @param directory where contents (`content/`, `sessions/`) and the index (`index.json`) live
   * @param now the clock that stamps modifications and session expiry
   */
  constructor(
    private readonly directory: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(join(directory, 'content'), { recursive: true });
    mkdirSync(join(directory, 'sessions'), { recursive: true });
    const index = join(directory, 'index.json');
    if (existsSync(index)) Object.assign(this.state, JSON.parse(readFileSync(index, 'utf8')) as StoreState);
  }

  // ---- drives ----

  /** A person's OneDrive, made on first use (as OneDrive provisions it). */
  oneDriveOf(userId: string): StoredDrive {
    return this.driveWhere((d) => d.ownerId === userId) ?? this.addDrive({ ownerId: userId, groupId: null, name: 'OneDrive' });
  }

  /** A Microsoft 365 group's (a team's) document library, made on first use. */
  groupDrive(groupId: string): StoredDrive {
    return this.driveWhere((d) => d.groupId === groupId) ?? this.addDrive({ ownerId: null, groupId, name: 'Documents' });
  }

  /** A document library with a known id (an admin's configured library), made on first use. */
  library(driveId: string): StoredDrive {
    return this.driveWhere((d) => d.id === driveId) ?? this.addDrive({ ownerId: null, groupId: null, name: 'Documents' }, driveId);
  }

  drive(driveId: string): StoredDrive {
    const drive = this.driveWhere((d) => d.id === driveId);
    if (!drive) throw new DriveStoreError(404, 'itemNotFound', 'The drive does not exist.');
    return drive;
  }

  // ---- items ----

  /** Puts a file straight into a drive (fixtures; the seed). */
  addFile(driveId: string, folderPath: string, name: string, content: Uint8Array, createdBy = 'app'): StoredItem {
    const parent = this.folderAt(driveId, folderPath);
    const item = this.newItem(driveId, parent.id, name, false, content.length, createdBy);
    writeFileSync(this.contentPath(item.id), content);
    this.save();
    return item;
  }

  item(caller: DriveCaller, driveId: string, itemId: string): StoredItem {
    const item = this.state.items.find((i) => i.driveId === driveId && i.id === itemId);
    if (!item || !this.canRead(caller, item)) throw notFound();
    return item;
  }

  /** The item at a path under the drive's root. */
  itemAtPath(caller: DriveCaller, driveId: string, path: string): StoredItem {
    let current = this.root(driveId);
    for (const part of splitPath(path)) {
      const next = this.state.items.find((i) => i.parentId === current.id && i.name.toLowerCase() === part.toLowerCase());
      if (!next) throw notFound();
      current = next;
    }
    if (!this.canRead(caller, current)) throw notFound();
    return current;
  }

  root(driveId: string): StoredItem {
    this.drive(driveId);
    const existing = this.state.items.find((i) => i.driveId === driveId && i.parentId === null);
    if (existing) return existing;
    const root = this.newItem(driveId, null, 'root', true, 0, 'app');
    this.save();
    return root;
  }

  children(caller: DriveCaller, driveId: string, itemId: string): StoredItem[] {
    const folder = this.item(caller, driveId, itemId);
    if (!folder.folder) throw new DriveStoreError(400, 'invalidRequest', 'The item is not a folder.');
    return this.state.items.filter((i) => i.parentId === folder.id).sort((a, b) => Number(b.folder) - Number(a.folder) || a.name.localeCompare(b.name));
  }

  /** Files in the drive whose name holds every word of the query (Graph also searches content; the name is enough here). */
  search(caller: DriveCaller, driveId: string, query: string): StoredItem[] {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    return this.state.items.filter((i) => i.driveId === driveId && i.parentId !== null && !i.folder && this.canRead(caller, i) && words.every((w) => i.name.toLowerCase().includes(w)));
  }

  content(caller: DriveCaller, driveId: string, itemId: string): Buffer {
    const item = this.item(caller, driveId, itemId);
    return readFileSync(this.contentPath(item.id));
  }

  /** A file's bytes as a stream, for a caller who may read it (404 `DriveStoreError` otherwise, and for a folder). */
  contentStream(caller: DriveCaller, driveId: string, itemId: string): { item: StoredItem; stream: ReadStream } {
    const item = this.item(caller, driveId, itemId);
    if (item.folder) throw notFound();
    return { item, stream: createReadStream(this.contentPath(item.id)) };
  }

  /** Deletes an item (a test's "the owner deleted the file"). */
  deleteItem(driveId: string, itemId: string): void {
    const gone = new Set([itemId]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const i of this.state.items) if (i.parentId && gone.has(i.parentId) && !gone.has(i.id)) {
        gone.add(i.id);
        grew = true;
      }
    }
    this.state.items = this.state.items.filter((i) => !(i.driveId === driveId && gone.has(i.id)));
    this.state.permissions = this.state.permissions.filter((p) => !gone.has(p.itemId));
    for (const id of gone) rmSync(this.contentPath(id), { force: true });
    this.save();
  }

  /** Files with a thumbnail: images, PDFs and Office documents (as OneDrive renders them). */
  hasThumbnail(item: StoredItem): boolean {
    return !item.folder && THUMBNAIL_TYPES.has(extname(item.name).toLowerCase());
  }

  /** All items of a drive (tests count files). */
  filesIn(driveId: string): StoredItem[] {
    return this.state.items.filter((i) => i.driveId === driveId && !i.folder);
  }

  // ---- permissions ----

  permissionsOf(caller: DriveCaller, driveId: string, itemId: string): StoredPermission[] {
    const item = this.item(caller, driveId, itemId);
    return this.state.permissions.filter((p) => p.itemId === item.id);
  }

  invite(caller: DriveCaller, driveId: string, itemId: string, userIds: string[], roles: string[]): StoredPermission[] {
    const item = this.item(caller, driveId, itemId);
    this.assertMayShare(caller, item);
    const granted = userIds.map((userId) => {
      // Inviting someone who already has the same direct permission answers that permission.
      const existing = this.state.permissions.find((p) => p.itemId === item.id && p.userId === userId && sameRoles(p.roles, roles));
      if (existing) return existing;
      const permission: StoredPermission = { id: newId(), itemId: item.id, roles: [...roles], userId, linkScope: null };
      this.state.permissions.push(permission);
      return permission;
    });
    this.save();
    return granted;
  }

  createOrganizationLink(caller: DriveCaller, driveId: string, itemId: string): StoredPermission {
    const item = this.item(caller, driveId, itemId);
    this.assertMayShare(caller, item);
    // createLink answers the existing link of the same type and scope.
    const existing = this.state.permissions.find((p) => p.itemId === item.id && p.linkScope === 'organization');
    if (existing) return existing;
    const permission: StoredPermission = { id: newId(), itemId: item.id, roles: ['read'], userId: null, linkScope: 'organization' };
    this.state.permissions.push(permission);
    this.save();
    return permission;
  }

  deletePermission(caller: DriveCaller, driveId: string, itemId: string, permissionId: string): void {
    const item = this.item(caller, driveId, itemId);
    this.assertMayShare(caller, item);
    const before = this.state.permissions.length;
    this.state.permissions = this.state.permissions.filter((p) => !(p.itemId === item.id && p.id === permissionId));
    if (this.state.permissions.length === before) throw notFound();
    this.save();
  }

  // ---- upload sessions ----

  createUploadSession(caller: DriveCaller, driveId: string, folderPath: string, name: string): StoredSession {
    const parent = this.folderAt(driveId, folderPath);
    if (caller !== 'app' && this.drive(driveId).ownerId !== caller.userId) throw new DriveStoreError(403, 'accessDenied', 'Access denied.');
    const session: StoredSession = {
      id: newId(),
      driveId,
      parentId: parent.id,
      name,
      received: 0,
      total: null,
      createdBy: caller === 'app' ? 'app' : caller.userId,
      expiresAt: new Date(this.now().getTime() + SESSION_LIFETIME_MS).toISOString(),
    };
    this.state.sessions.push(session);
    writeFileSync(this.sessionPath(session.id), new Uint8Array());
    this.save();
    return session;
  }

  session(id: string): StoredSession {
    const session = this.state.sessions.find((s) => s.id === id);
    if (!session || Date.parse(session.expiresAt) <= this.now().getTime()) throw new DriveStoreError(404, 'itemNotFound', 'The upload session was not found.');
    return session;
  }

  /** One fragment: the item when it was the last, else where the session stands. */
  putFragment(sessionId: string, start: number, end: number, total: number, bytes: Uint8Array): { item: StoredItem } | { nextExpectedRanges: string[] } {
    const session = this.session(sessionId);
    const length = end - start + 1;
    if (bytes.length !== length || start < 0 || end >= total || (session.total !== null && session.total !== total)) {
      throw new DriveStoreError(400, 'invalidRange', 'The Content-Range does not match the fragment.');
    }
    if (start !== session.received) {
      throw new DriveStoreError(416, 'invalidRange', 'The fragment does not start where the upload stands.', [`${session.received}-`]);
    }
    const last = end === total - 1;
    if (!last && length % UPLOAD_FRAGMENT_UNIT !== 0) throw new DriveStoreError(400, 'invalidRange', 'A fragment must be a multiple of 320 KiB.');
    if (length > MAX_UPLOAD_FRAGMENT) throw new DriveStoreError(413, 'requestTooLarge', 'A fragment may be at most 60 MiB.');
    appendFileSync(this.sessionPath(session.id), bytes);
    session.received = end + 1;
    session.total = total;
    if (!last) {
      this.save();
      return { nextExpectedRanges: [`${session.received}-`] };
    }
    // conflictBehavior "rename": a file of the same name gets a number.
    const name = this.freeName(session.parentId, session.name);
    const item = this.newItem(session.driveId, session.parentId, name, false, total, session.createdBy);
    renameSync(this.sessionPath(session.id), this.contentPath(item.id));
    this.state.sessions = this.state.sessions.filter((s) => s.id !== session.id);
    this.save();
    return { item };
  }

  cancelSession(sessionId: string): void {
    this.state.sessions = this.state.sessions.filter((s) => s.id !== sessionId);
    rmSync(this.sessionPath(sessionId), { force: true });
    this.save();
  }

  /** Bytes of a session kept on disk (tests check that a resumed upload kept one copy). */
  sessionBytes(sessionId: string): number {
    return statSync(this.sessionPath(sessionId)).size;
  }

  // ---- rules ----

  canRead(caller: DriveCaller, item: StoredItem): boolean {
    if (caller === 'app') return true;
    if (this.drive(item.driveId).ownerId === caller.userId) return true;
    for (const id of this.ancestry(item)) {
      if (this.state.permissions.some((p) => p.itemId === id && (p.userId === caller.userId || (p.linkScope === 'organization' && caller.guest !== true)))) return true;
    }
    return false;
  }

  private assertMayShare(caller: DriveCaller, item: StoredItem): void {
    if (caller === 'app' || this.drive(item.driveId).ownerId === caller.userId) return;
    const ids = this.ancestry(item);
    const writer = this.state.permissions.some((p) => ids.includes(p.itemId) && p.userId === caller.userId && (p.roles.includes('write') || p.roles.includes('owner')));
    if (!writer) throw new DriveStoreError(403, 'accessDenied', 'The caller does not have permission to share this item.');
  }

  private ancestry(item: StoredItem): string[] {
    const ids: string[] = [];
    let current: StoredItem | undefined = item;
    while (current) {
      ids.push(current.id);
      const parentId: string | null = current.parentId;
      current = parentId ? this.state.items.find((i) => i.id === parentId) : undefined;
    }
    return ids;
  }

  // ---- internals ----

  private folderAt(driveId: string, folderPath: string): StoredItem {
    let current = this.root(driveId);
    for (const part of splitPath(folderPath)) {
      const next = this.state.items.find((i) => i.parentId === current.id && i.folder && i.name.toLowerCase() === part.toLowerCase());
      current = next ?? this.newItem(driveId, current.id, part, true, 0, 'app');
    }
    return current;
  }

  private freeName(parentId: string, name: string): string {
    const taken = new Set(this.state.items.filter((i) => i.parentId === parentId).map((i) => i.name.toLowerCase()));
    if (!taken.has(name.toLowerCase())) return name;
    const ext = extname(name);
    const base = name.slice(0, name.length - ext.length);
    for (let n = 1; ; n++) {
      const candidate = `${base} ${n}${ext}`;
      if (!taken.has(candidate.toLowerCase())) return candidate;
    }
  }

  private newItem(driveId: string, parentId: string | null, name: string, folder: boolean, size: number, createdBy: string): StoredItem {
    const item: StoredItem = { id: newId(), driveId, parentId, name, folder, size, mimeType: folder ? null : mimeTypeOf(name), createdBy, lastModifiedAt: this.now().toISOString() };
    this.state.items.push(item);
    return item;
  }

  private driveWhere(test: (d: StoredDrive) => boolean): StoredDrive | undefined {
    return this.state.drives.find(test);
  }

  private addDrive(drive: Omit<StoredDrive, 'id'>, id = `b!${newId()}`): StoredDrive {
    const created = { id, ...drive };
    this.state.drives.push(created);
    this.save();
    return created;
  }

  private contentPath(itemId: string): string {
    return join(this.directory, 'content', itemId);
  }

  private sessionPath(sessionId: string): string {
    return join(this.directory, 'sessions', sessionId);
  }

  private save(): void {
    const index = join(this.directory, 'index.json');
    writeFileSync(`${index}.tmp`, JSON.stringify(this.state));
    renameSync(`${index}.tmp`, index);
  }
}

function splitPath(path: string): string[] {
  return path.split('/').map((p) => p.trim()).filter((p) => p.length > 0);
}

function sameRoles(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((r) => b.includes(r));
}

function notFound(): DriveStoreError {
  return new DriveStoreError(404, 'itemNotFound', 'The resource could not be found.');
}

function newId(): string {
  return randomBytes(12).toString('hex').toUpperCase();
}
