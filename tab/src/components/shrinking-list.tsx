/**
 * A paged list whose items leave once someone acts on them (a failed notification sent again,
 * a report decided): a skeleton, problem or empty state until it has items; then the items,
 * "Show more", and for each item a `done(message)` that removes it, says `message` through the
 * live region and puts focus on the list, so a keyboard user is not left on a removed button.
 */
import { useRef, type ReactNode } from 'react';
import type { PagedList } from '../api/use-paged-list.js';
import { announce } from '../layout/live-region.js';
import { LoadMore } from './load-more.js';
import { hasItems, ListPlaceholder } from './list-placeholder.js';
import { useCardListStyles } from './section.js';

export function ShrinkingList<T extends { id: string }>({ list, label, testId, empty, children }: { list: PagedList<T>; label: string; testId: string; empty: ReactNode; children: (item: T, done: (message: string) => void) => ReactNode }) {
  const cards = useCardListStyles();
  const listRef = useRef<HTMLUListElement>(null);
  if (!hasItems(list)) return <ListPlaceholder list={list} lines={4} empty={empty} />;
  return (
    <>
      <ul ref={listRef} tabIndex={-1} className={cards.list} aria-label={label} data-testid={testId}>
        {list.items.map((item) =>
          children(item, (message) => {
            list.update((items) => items.filter((x) => x.id !== item.id));
            announce(message);
            listRef.current?.focus();
          }),
        )}
      </ul>
      <LoadMore hasMore={Boolean(list.nextCursor)} loading={list.loadingMore} error={list.moreError} onMore={list.more} list={listRef} />
    </>
  );
}
