/**
 * What a paged list shows until it has items: a skeleton while the first page loads, the
 * problem with "Try again", or its empty state. `hasItems` tells a list that is past that.
 */
import type { ReactNode } from 'react';
import type { PagedList } from '../api/use-paged-list.js';
import { ErrorMessage } from './error-message.js';
import { ListSkeleton } from './loading-skeleton.js';

/** Whether the list has loaded and holds at least one item. */
export function hasItems<T>(list: PagedList<T>): list is PagedList<T> & { status: 'success' } {
  return list.status === 'success' && list.items.length > 0;
}

export function ListPlaceholder<T>({ list, lines, empty }: { list: PagedList<T>; lines: number; empty: ReactNode }) {
  if (list.status === 'loading') return <ListSkeleton lines={lines} />;
  if (list.status === 'error') return <ErrorMessage error={list.error} onRetry={list.reload} />;
  return <>{empty}</>;
}
