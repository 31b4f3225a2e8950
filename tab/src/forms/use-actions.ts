/**
 * The API actions of one view (join, leave, export, cancel, decide…) that show their problem in
 * one place. Each action clears the message of the one before, so an old failure never stands
 * next to a new attempt; `busy` disables the view's buttons only while an action that asked
 * for it (`{ blocking: true }`) runs, so a quick one (an export) does not grey out the rest.
 * For a single form's submit, see `useSubmit`.
 */
import { useCallback, useState } from 'react';
import type { ApiProblem } from '../api/api-problem.js';
import { toProblem } from '../components/error-message.js';

export interface Actions {
  busy: boolean;
  problem: ApiProblem | undefined;
  /** Runs `action`; resolves true when it succeeded, false when it failed (then `problem` says why). */
  run: (action: () => Promise<unknown>, options?: { blocking?: boolean }) => Promise<boolean>;
}

export function useActions(): Actions {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);

  const run = useCallback(async (action: () => Promise<unknown>, { blocking = false }: { blocking?: boolean } = {}) => {
    if (blocking) setBusy(true);
    setProblem(undefined);
    try {
      await action();
      return true;
    } catch (err) {
      setProblem(toProblem(err));
      return false;
    } finally {
      if (blocking) setBusy(false);
    }
  }, []);

  return { busy, problem, run };
}
