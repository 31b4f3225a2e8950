/**
 * The page of a form that creates or edits: when editing, the record is loaded first (a
 * skeleton, then the form, or the page's title with the problem and "Try again"); when
 * creating, the form shows at once with nothing in it.
 */
import type { ReactNode } from 'react';
import { useApi } from '../api/api-provider.js';
import type { ApiClient } from '../api/api-client.js';
import { useRequest } from '../api/use-request.js';
import { PageSkeleton } from '../components/loading-skeleton.js';
import { PageLoadFailed } from '../components/page-load-failed.js';

export interface EditOrCreateProps<T> {
  /** The record to edit; undefined to create one. */
  id: string | undefined;
  load: (api: ApiClient, id: string, signal: AbortSignal) => Promise<T>;
  /** The page's title when the record could not be loaded. */
  failedTitle: string;
  form: (existing: T | undefined) => ReactNode;
}

export function EditOrCreate<T>({ id, load, failedTitle, form }: EditOrCreateProps<T>) {
  const api = useApi();
  // `load` is a module-level API function; the request follows the record's id.
  const existing = useRequest((signal) => (id ? load(api, id, signal) : Promise.resolve(undefined)), [api, id]);
  if (existing.status === 'loading') return <PageSkeleton />;
  if (existing.status === 'error') return <PageLoadFailed title={failedTitle} error={existing.error} onRetry={existing.reload} />;
  return <>{form(existing.data)}</>;
}
