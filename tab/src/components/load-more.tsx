/**
 * "Show more" under a paginated list. After loading, focus moves to the first new item
 * (the caller marks items with `data-list-item`), so keyboard users continue where the new
 * items start; the count is announced.
 */
import { Button, Spinner } from '@fluentui/react-components';
import type { RefObject } from 'react';
import type { ApiProblem } from '../api/api-problem.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { ErrorMessage } from './error-message.js';

export function LoadMore({ hasMore, loading, error, onMore, list }: { hasMore: boolean; loading: boolean; error: ApiProblem | undefined; onMore: () => Promise<number>; list: RefObject<HTMLElement | null> }) {
  const { t, tp } = useI18n();
  if (!hasMore && !error) return null;
  const load = async () => {
    const before = list.current?.querySelectorAll('[data-list-item]').length ?? 0;
    const added = await onMore();
    if (added > 0) {
      announce(tp('list.moreLoaded', added));
      // Wait for React to render the new items, then focus the first one.
      window.requestAnimationFrame(() => {
        const first = list.current?.querySelectorAll<HTMLElement>('[data-list-item]')[before];
        first?.focus();
      });
    }
  };
  return (
    <div>
      {error ? <ErrorMessage error={error} onRetry={() => void load()} /> : null}
      {hasMore ? (
        <Button onClick={() => void load()} disabled={loading} icon={loading ? <Spinner size="tiny" /> : undefined} data-testid="load-more">
          {t('list.more')}
        </Button>
      ) : null}
    </div>
  );
}
