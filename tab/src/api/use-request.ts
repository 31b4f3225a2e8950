/**
 * Loads data for a component: loading → success or error, cancelled when the component goes
 * away or its inputs change, and `reload()` for the "Try again" button.
 */
import { useCallback, useEffect, useState, type DependencyList } from 'react';
import { ApiProblem } from './api-problem.js';

export type RequestState<T> = { status: 'loading' } | { status: 'success'; data: T } | { status: 'error'; error: ApiProblem };

export type RequestResult<T> = RequestState<T> & { reload: () => void };

export function useRequest<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): RequestResult<T> {
  const [state, setState] = useState<RequestState<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: 'success', data });
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        const error = err instanceof ApiProblem ? err : new ApiProblem({ status: 0, code: 'client_error', detail: err instanceof Error ? err.message : String(err) });
        setState({ status: 'error', error });
      },
    );
    return () => controller.abort();
    // `load` is a new function every render; the caller's `deps` say when it really changes.
  }, [...deps, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}
