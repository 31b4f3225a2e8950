/**
 * The page of a form that creates or edits: on the edit route (`/event/:id/edit`) the record
 * is loaded first (a skeleton, then the form, or the page's title with the problem and "Try
 * again"); on the other, the form shows at once with nothing in it.
 */
import type { ReactNode } from 'react';
import { useApi } from '../api/api-provider.js';
import type { ApiClient } from '../api/api-client.js';
import { useRequest } from '../api/use-request.js';
import { PageSkeleton } from '../components/loading-skeleton.js';
import { PageLoadFailed } from '../components/page-load-failed.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { PlainKey } from '../i18n/translator.js';
import type { Route, RouteName } from '../router/hash-router.js';

export interface EditOrCreateProps<T> {
  route: Route;
  /** The route that edits the record named by its `:id`; any other creates one. */
  editRoute: RouteName;
  load: (api: ApiClient, id: string, signal: AbortSignal) => Promise<T>;
  /** The page's title when the record could not be loaded. */
  failedTitle: PlainKey;
  form: (existing: T | undefined) => ReactNode;
}

export function EditOrCreate<T>({ route, editRoute, load, failedTitle, form }: EditOrCreateProps<T>) {
  const { t } = useI18n();
  const api = useApi();
  const id = route.name === editRoute ? route.params.id : undefined;
  // `load` is a module-level API function; the request follows the record's id.
  const existing = useRequest((signal) => (id ? load(api, id, signal) : Promise.resolve(undefined)), [api, id]);
  if (existing.status === 'loading') return <PageSkeleton />;
  if (existing.status === 'error') return <PageLoadFailed title={t(failedTitle)} error={existing.error} onRetry={existing.reload} />;
  return <>{form(existing.data)}</>;
}
