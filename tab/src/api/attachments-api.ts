/**
 * Files in posts (issue 21): the attachment views a discussion or reply carries, browsing and
 * searching my OneDrive (`/me/drive/items`), and uploading a new file into the community's
 * library through Meent (`POST /communities/{id}/uploads`, then `PUT /uploads/{id}` fragments
 * with `Content-Range`). A fragment that fails (no answer, a 5xx, throttling, out of step) is
 * not simply sent again: the upload is asked where it stands (`GET /uploads/{id}`) and carries
 * on from there, so a fragment that did arrive is never sent twice. Graph's rules for upload
 * sessions, which the server passes on:
 * https://learn.microsoft.com/en-us/graph/api/driveitem-createuploadsession#upload-bytes-to-the-upload-session
 */
import { MAX_ATTACHMENTS } from '../../../src/attachments/attachment-limits.js';
import type { ApiClient } from './api-client.js';
import { ApiProblem } from './api-problem.js';

export { MAX_ATTACHMENTS };
/** Graph wants every fragment but the last to be a multiple of 320 KiB. */
export const FRAGMENT_UNIT = 320 * 1024;

/**
 * A file attached to a post, as the tab reads the API's `Attachment`
 * (src/attachments/attachment.schemas.ts); the server's type lives beside its service, which the
 * tab cannot import.
 */
export interface Attachment {
  id: string;
  name: string;
  size: number;
  mimeType: string | null;
  /** Null when the file is no longer available. */
  webUrl: string | null;
  thumbnailUrl: string | null;
  lastModifiedAt: string | null;
  author: { id: string; displayName: string };
  /** False: the file vanished or access was revoked. */
  available: boolean;
  driveId: string;
  itemId: string;
}

/** What a post sends for each of its files. */
export interface AttachmentRef {
  driveId: string;
  itemId: string;
}

/** A file chosen in the composer, before the post is sent. */
export interface ChosenFile extends AttachmentRef {
  name: string;
  size: number;
  mimeType: string | null;
}

export interface DriveItem extends ChosenFile {
  folder: boolean;
  webUrl: string;
  lastModifiedAt: string | null;
  thumbnailUrl: string | null;
}

export interface Upload {
  id: string;
  name: string;
  size: number;
  nextOffset: number;
  fragmentBytes: number;
  done: boolean;
  item: AttachmentRef | null;
}

type Raw = Record<string, unknown>;
const record = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});
const text = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const nullableText = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const whole = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function readAttachment(value: unknown): Attachment {
  const raw = record(value);
  const author = record(raw.author);
  const available = raw.available !== false;
  return {
    id: text(raw.id),
    name: text(raw.name),
    size: whole(raw.size),
    mimeType: nullableText(raw.mimeType),
    webUrl: available ? nullableText(raw.webUrl) : null,
    thumbnailUrl: available ? nullableText(raw.thumbnailUrl) : null,
    lastModifiedAt: nullableText(raw.lastModifiedAt),
    author: { id: text(author.id), displayName: text(author.displayName) },
    available,
    driveId: text(raw.driveId),
    itemId: text(raw.itemId),
  };
}

/** The `attachments` of a post's view (absent: none). */
export function readAttachments(value: unknown): Attachment[] {
  return Array.isArray(value) ? value.map(readAttachment) : [];
}

function readDriveItem(value: unknown): DriveItem {
  const raw = record(value);
  return {
    driveId: text(raw.driveId),
    itemId: text(raw.itemId),
    name: text(raw.name),
    size: whole(raw.size),
    mimeType: nullableText(raw.mimeType),
    folder: raw.folder === true,
    webUrl: text(raw.webUrl),
    lastModifiedAt: nullableText(raw.lastModifiedAt),
    thumbnailUrl: nullableText(raw.thumbnailUrl),
  };
}

function readUpload(value: unknown): Upload {
  const raw = record(value);
  const item = record(raw.item);
  return {
    id: text(raw.id),
    name: text(raw.name),
    size: whole(raw.size),
    nextOffset: whole(raw.nextOffset),
    fragmentBytes: whole(raw.fragmentBytes),
    done: raw.done === true,
    item: typeof item.driveId === 'string' && typeof item.itemId === 'string' ? { driveId: item.driveId, itemId: item.itemId } : null,
  };
}

/**
 * The attachment whose thumbnail the view names when it names Meent's own route
 * (`/api/v1/attachments/{id}/thumbnail`, under the API root the client is built with); null
 * otherwise, so an address on another origin is never loaded.
 */
export function thumbnailIdOf(file: Pick<Attachment, 'available' | 'thumbnailUrl'>): string | null {
  if (!file.available) return null;
  return /^\/api\/v1\/attachments\/([0-9a-f]{24})\/thumbnail$/i.exec(file.thumbnailUrl ?? '')?.[1] ?? null;
}

/**
 * An attachment's thumbnail, fetched with the API's credential (inside Teams an <img> would carry
 * none) and kept by the browser as long as the server allows; null when the answer is not an image.
 */
export async function loadThumbnail(api: ApiClient, attachmentId: string, signal?: AbortSignal): Promise<Blob | null> {
  const { blob } = await api.file(`/attachments/${encodeURIComponent(attachmentId)}/thumbnail`, { signal, cache: 'default' });
  return blob.type.startsWith('image/') ? blob : null;
}

/** A folder of my OneDrive (its root without `folder`), or my files matching `q`. */
export async function browseMyDrive(api: ApiClient, where: { q?: string; folder?: AttachmentRef }, signal?: AbortSignal): Promise<DriveItem[]> {
  const query = where.q ? { q: where.q } : where.folder ? { driveId: where.folder.driveId, itemId: where.folder.itemId } : {};
  const answer = await api.get<unknown>('/me/drive/items', { query, signal });
  const items = record(answer).items;
  return Array.isArray(items) ? items.map(readDriveItem) : [];
}

export async function startUpload(api: ApiClient, communityId: string, file: { name: string; size: number }, signal?: AbortSignal): Promise<Upload> {
  return readUpload(await api.post<unknown>(`/communities/${encodeURIComponent(communityId)}/uploads`, { name: file.name, size: file.size }, { signal }));
}

export async function getUpload(api: ApiClient, id: string, signal?: AbortSignal): Promise<Upload> {
  return readUpload(await api.get<unknown>(`/uploads/${encodeURIComponent(id)}`, { signal }));
}

export function cancelUpload(api: ApiClient, id: string): Promise<unknown> {
  return api.delete<unknown>(`/uploads/${encodeURIComponent(id)}`);
}

/** Sends bytes `start`..`start + bytes.size - 1` of a file of `total` bytes. */
export async function putFragment(api: ApiClient, id: string, start: number, total: number, bytes: Blob, signal?: AbortSignal): Promise<Upload> {
  const range = `bytes ${start}-${start + bytes.size - 1}/${total}`;
  return readUpload(await api.request<unknown>('PUT', `/uploads/${encodeURIComponent(id)}`, { raw: { bytes, contentType: 'application/octet-stream', headers: { 'Content-Range': range } }, signal }));
}

export interface UploadOptions {
  /** Bytes the server holds so far, after every fragment. */
  onProgress?: (sent: number, total: number) => void;
  /** Aborting cancels the upload on the server too. */
  signal?: AbortSignal;
  /** How long to wait before asking where a failed upload stands (tests shorten it). */
  retryDelayMs?: (attempt: number, problem: ApiProblem) => number;
  /** Failed fragments in a row before giving up; default 4. */
  maxFailures?: number;
}

/** Faults worth resuming after: no answer, throttling, a server fault, or the upload moved on meanwhile. */
function resumable(problem: ApiProblem): boolean {
  return problem.status === 0 || problem.status === 429 || problem.status >= 500 || problem.code === 'upload_out_of_step';
}

function defaultDelay(attempt: number, problem: ApiProblem): number {
  // Retry-After first (https://learn.microsoft.com/en-us/graph/throttling), else 1, 2, 4 s.
  return problem.retryAfterSeconds !== undefined ? problem.retryAfterSeconds * 1000 : 1000 * 2 ** (attempt - 1);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }, { once: true });
  });
}

/**
 * Uploads a whole file into the community's library; resolves with the file to attach. The
 * upload is deleted on the server when it is aborted or fails for good, so nothing half stays.
 */
export async function uploadFile(api: ApiClient, communityId: string, file: Blob & { name: string }, options: UploadOptions = {}): Promise<ChosenFile> {
  const { signal } = options;
  let upload = await startUpload(api, communityId, { name: file.name, size: file.size }, signal);
  try {
    // The server names the fragment size; anything that is not a whole number of 320 KiB units falls back to one unit.
    const fragment = upload.fragmentBytes > 0 && upload.fragmentBytes % FRAGMENT_UNIT === 0 ? upload.fragmentBytes : FRAGMENT_UNIT;
    let failures = 0;
    options.onProgress?.(upload.nextOffset, file.size);
    while (!upload.done) {
      signal?.throwIfAborted();
      const start = upload.nextOffset;
      try {
        upload = await putFragment(api, upload.id, start, file.size, file.slice(start, Math.min(start + fragment, file.size)), signal);
        failures = 0;
      } catch (error) {
        if (signal?.aborted || !(error instanceof ApiProblem) || !resumable(error) || ++failures >= (options.maxFailures ?? 4)) throw error;
        await sleep((options.retryDelayMs ?? defaultDelay)(failures, error), signal);
        // Where does it stand? The fragment may have arrived although its answer did not.
        upload = await getUpload(api, upload.id, signal);
      }
      options.onProgress?.(upload.done ? file.size : upload.nextOffset, file.size);
    }
    if (!upload.item) throw new ApiProblem({ status: 0, code: 'invalid_response' });
    return { ...upload.item, name: file.name, size: file.size, mimeType: file.type || null };
  } catch (error) {
    await cancelUpload(api, upload.id).catch(() => undefined);
    throw error;
  }
}
