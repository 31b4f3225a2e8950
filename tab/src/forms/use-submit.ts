/**
 * Submitting a form to the API: `submitting` while the request runs, the `ApiProblem` when it
 * fails (the form's input stays as typed), and `fieldProps(name)` for a Fluent `Field`, which
 * shows the server's message for that field and marks it invalid.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { announce } from '../layout/live-region.js';
import type { ApiProblem } from '../api/api-problem.js';
import { toProblem } from '../components/error-message.js';

export interface FieldProps {
  validationMessage: string | undefined;
  validationState: 'error' | 'none';
}

export interface Submission<T> {
  submitting: boolean;
  problem: ApiProblem | undefined;
  /** Runs the action; resolves with its result, or undefined when it failed. */
  submit: () => Promise<T | undefined>;
  fieldProps: (field: string) => FieldProps;
  /** The problem, when none of `fields` carries its message (show it above the form). */
  unplaced: (fields: readonly string[]) => ApiProblem | undefined;
  clear: () => void;
}

export function useSubmit<T>(action: () => Promise<T>): Submission<T> {
  const [submitting, setSubmitting] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const actionRef = useRef(action);
  actionRef.current = action;
  const busy = useRef(false);

  const submit = useCallback(async () => {
    // A double click sends one request.
    if (busy.current) return undefined;
    busy.current = true;
    setSubmitting(true);
    setProblem(undefined);
    try {
      return await actionRef.current();
    } catch (err) {
      setProblem(toProblem(err));
      return undefined;
    } finally {
      busy.current = false;
      setSubmitting(false);
    }
  }, []);

  const fieldProps = (field: string): FieldProps => {
    const message = problem?.fieldError(field);
    return { validationMessage: message, validationState: message ? 'error' : 'none' };
  };
  const unplaced = (fields: readonly string[]) => (problem && !fields.some((f) => problem.fieldError(f)) ? problem : undefined);
  return { submitting, problem, submit, fieldProps, unplaced, clear: () => setProblem(undefined) };
}

/**
 * When the server names fields in error: says so through the live region and moves focus to the
 * first invalid field, so a keyboard or screen-reader user lands where the fix is.
 */
export function useFocusOnFieldErrors(problem: ApiProblem | undefined, form: RefObject<HTMLElement | null>, announcement: string): void {
  useEffect(() => {
    if (problem && problem.errors.length > 0) {
      announce(announcement);
      focusFirstInvalid(form.current);
    }
  }, [problem, announcement, form]);
}

/** Moves focus to the first field the server marked invalid (Fluent sets aria-invalid). */
export function focusFirstInvalid(form: HTMLElement | null): boolean {
  const field = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  field?.focus();
  return Boolean(field);
}

/** "a, b ,c" → ['a', 'b', 'c']: tags typed as a comma-separated list. */
export function parseList(text: string): string[] {
  return [...new Set(text.split(/[,;\n]/).map((s) => s.trim()).filter((s) => s.length > 0))];
}

/** A `datetime-local` value (the reader's own time zone) → an ISO instant. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An ISO instant → a `datetime-local` value in the reader's time zone. */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
