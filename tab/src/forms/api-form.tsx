/**
 * A form that submits to the API and shows what it answers: messages for a field appear under
 * that field (the `Field`s get them through `save.fieldProps`) and focus moves to the first
 * one; a message that belongs to none of `fields` stands above the form.
 */
import { useRef, type ReactNode } from 'react';
import { ErrorMessage } from '../components/error-message.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { useFocusOnFieldErrors, type Submission } from './use-submit.js';

export interface ApiFormProps {
  save: Pick<Submission<unknown>, 'problem' | 'unplaced'>;
  /** The fields this form shows messages under. */
  fields: readonly string[];
  testId: string;
  className: string;
  onSubmit: () => void;
  children: ReactNode;
}

export function ApiForm({ save, fields, testId, className, onSubmit, children }: ApiFormProps) {
  const { t } = useI18n();
  const form = useRef<HTMLFormElement>(null);
  useFocusOnFieldErrors(save.problem, form, t('form.fixFields'));
  const unplaced = save.unplaced(fields);
  return (
    <>
      {unplaced ? <ErrorMessage error={unplaced} /> : null}
      <form
        ref={form}
        className={className}
        noValidate
        data-testid={testId}
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        {children}
      </form>
    </>
  );
}
