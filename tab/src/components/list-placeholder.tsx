/**
 * What a list shows until it has items: a skeleton while the first page loads, the problem
 * with "Try again", or its empty state. It takes a paged list (`usePagedList`) or a plain
 * request for one (`useRequest`); `hasItems` tells a paged list that is past that.
 */
import type { ReactNode } from 'react';
import type { ApiProblem } from '../api/api-problem.js';
import type { PagedList } from '../api/use-paged-list.js';
import { ErrorMessage } from './error-message.js';
import { ListSkeleton } from './loading-skeleton.js';

/** Whether the list has loaded and holds at least one item. */
export function hasItems<T>(list: PagedList<T>): list is PagedList<T> & { status: 'success' } {
  return list.status === 'success' && list.items.length > 0;
}

/** What the placeholder needs of a list that is loading, failed, or answered. */
type ListLoad = ({ status: 'loading' } | { status: 'error'; error: ApiProblem } | { status: 'success' }) & { reload: () => void };

export function ListPlaceholder({ list, lines, empty }: { list: ListLoad; lines: number; empty: ReactNode }) {
  if (list.status === 'loading') return <ListSkeleton lines={lines} />;
  if (list.status === 'error') return <ErrorMessage error={list.error} onRetry={list.reload} />;
  return <>{empty}</>;
}
