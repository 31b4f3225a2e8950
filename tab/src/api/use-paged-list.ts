/**
 * A cursor-paginated list for a component: the first page loads like `useRequest`; `more()`
 * appends the next page (keeping what is shown when it fails), and `update()` changes items
 * in place (optimistic updates, a new reply appended).
 */
import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { ApiProblem } from './api-problem.js';
import type { Page } from './page.js';

export type PagedState<T> =
  | { status: 'loading' }
  | { status: 'error'; error: ApiProblem }
  | { status: 'success'; items: T[]; nextCursor: string | undefined; loadingMore: boolean; moreError: ApiProblem | undefined };

export type PagedList<T> = PagedState<T> & {
  reload: () => void;
  /** Loads the next page; resolves with the number of items added. */
  more: () => Promise<number>;
  update: (change: (items: T[]) => T[]) => void;
};

function toProblem(err: unknown): ApiProblem {
  return err instanceof ApiProblem ? err : new ApiProblem({ status: 0, code: 'client_error', detail: err instanceof Error ? err.message : String(err) });
}

export function usePagedList<T>(load: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>, deps: DependencyList): PagedList<T> {
  const [state, setState] = useState<PagedState<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const stateRef = useRef(state);
  stateRef.current = state;
  const controller = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    const c = new AbortController();
    controller.current = c;
    setState({ status: 'loading' });
    loadRef.current(undefined, c.signal).then(
      (page) => {
        if (!c.signal.aborted) setState({ status: 'success', items: page.items, nextCursor: page.nextCursor, loadingMore: false, moreError: undefined });
      },
      (err: unknown) => {
        if (!c.signal.aborted) setState({ status: 'error', error: toProblem(err) });
      },
    );
    return () => c.abort();
    // `load` changes every render; the caller's `deps` say when the list is a different one.
  }, [...deps, attempt]);

  const more = useCallback(async (): Promise<number> => {
    const current = stateRef.current;
    if (current.status !== 'success' || !current.nextCursor || current.loadingMore) return 0;
    const signal = controller.current?.signal ?? new AbortController().signal;
    setState({ ...current, loadingMore: true, moreError: undefined });
    try {
      const page = await loadRef.current(current.nextCursor, signal);
      if (signal.aborted) return 0;
      setState((s) => (s.status === 'success' ? { status: 'success', items: [...s.items, ...page.items], nextCursor: page.nextCursor, loadingMore: false, moreError: undefined } : s));
      return page.items.length;
    } catch (err) {
      if (!signal.aborted) setState((s) => (s.status === 'success' ? { ...s, loadingMore: false, moreError: toProblem(err) } : s));
      return 0;
    }
  }, []);

  const update = useCallback((change: (items: T[]) => T[]) => {
    setState((s) => (s.status === 'success' ? { ...s, items: change(s.items) } : s));
  }, []);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload, more, update };
}
