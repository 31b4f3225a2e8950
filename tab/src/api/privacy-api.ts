/** Export my data (`POST|GET /api/v1/me/export`, the download) and erase me (`DELETE /api/v1/me`). */
import type { ApiClient, DownloadedFile } from './api-client.js';

export type ExportStatus = 'pending' | 'running' | 'ready' | 'failed' | 'expired';

export interface DataExport {
  status: ExportStatus;
  done: number;
  total: number;
  downloadUrl: string | null;
  expiresAt: string | null;
}

const STATUSES: readonly ExportStatus[] = ['pending', 'running', 'ready', 'failed', 'expired'];

function readExport(body: unknown): DataExport {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const status = STATUSES.find((s) => s === b.status) ?? 'failed';
  return {
    status,
    done: typeof b.done === 'number' ? b.done : 0,
    total: typeof b.total === 'number' ? b.total : 0,
    downloadUrl: typeof b.downloadUrl === 'string' ? b.downloadUrl : null,
    expiresAt: typeof b.expiresAt === 'string' ? b.expiresAt : null,
  };
}

export async function getMyExport(api: ApiClient, signal?: AbortSignal): Promise<DataExport> {
  return readExport(await api.get<unknown>('/me/export', { signal }));
}

export async function startMyExport(api: ApiClient, language: 'nl' | 'en'): Promise<DataExport> {
  return readExport(await api.post<unknown>('/me/export', { language }));
}

/** The ZIP, fetched with the user's credential (the link alone opens nothing). */
export function downloadMyExport(api: ApiClient, downloadUrl: string): Promise<DownloadedFile> {
  return api.file(downloadUrl.replace(/^\/api\/v1/, ''));
}

export async function eraseMe(api: ApiClient): Promise<void> {
  await api.request('DELETE', '/me', { body: { confirm: true } });
}
