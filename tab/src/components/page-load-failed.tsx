/**
 * A page whose content could not be loaded: its heading (so the reader knows where they are)
 * and the problem with "Try again".
 */
import { PageHeader } from '../layout/page-header.js';
import { ErrorMessage } from './error-message.js';

export function PageLoadFailed({ title, error, onRetry }: { title: string; error: unknown; onRetry: () => void }) {
  return (
    <>
      <PageHeader title={title} />
      <ErrorMessage error={error} onRetry={onRetry} />
    </>
  );
}
