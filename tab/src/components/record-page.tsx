/**
 * A page about one record (a community, a discussion, an event): loaded by the id in its route
 * (`/event/:id`), then kept as the page's actions leave it, without a loading flash; only a new
 * answer from the server replaces what actions have changed since. Until it is there: a
 * skeleton, or the page's title with the problem and "Try again".
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { ApiClient } from '../api/api-client.js';
import { useApi } from '../api/api-provider.js';
import { useRequest } from '../api/use-request.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { PlainKey } from '../i18n/translator.js';
import type { Route } from '../router/hash-router.js';
import { PageSkeleton } from './loading-skeleton.js';
import { PageLoadFailed } from './page-load-failed.js';

export interface RecordPageProps<T> {
  route: Route;
  load: (api: ApiClient, id: string, signal: AbortSignal) => Promise<T>;
  /** The page's title when the record could not be loaded. */
  failedTitle: PlainKey;
  children: (record: T, onChange: (record: T) => void) => ReactNode;
}

export function RecordPage<T extends { id: string }>({ route, load, failedTitle, children }: RecordPageProps<T>) {
  const { t } = useI18n();
  const api = useApi();
  const id = route.params.id ?? '';
  // `load` is a module-level API function; the request follows the record's id.
  const loaded = useRequest((signal) => load(api, id, signal), [api, id]);
  const [record, setRecord] = useState<T | undefined>(undefined);
  const fetched = loaded.status === 'success' ? loaded.data : undefined;
  useEffect(() => {
    if (fetched) setRecord(fetched);
  }, [fetched]);

  if (!record || record.id !== id) {
    if (loaded.status === 'error') return <PageLoadFailed title={t(failedTitle)} error={loaded.error} onRetry={loaded.reload} />;
    return <PageSkeleton />;
  }
  return <>{children(record, setRecord)}</>;
}
