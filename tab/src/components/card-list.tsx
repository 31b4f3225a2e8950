/**
 * Lists of cards that a keyboard user moves through: every card is focusable from script
 * (`data-list-item`, tabIndex -1), so "Show more" can put focus on the first new card and a
 * page can put it back into the list after a card is gone.
 */
import { Link } from '@fluentui/react-components';
import { useRef, type ReactNode, type RefObject } from 'react';
import type { PagedList } from '../api/use-paged-list.js';
import { hrefFor } from '../router/hash-router.js';
import { LoadMore } from './load-more.js';
import { Heading, useCardListStyles } from './section.js';

export function CardItem({ testId, itemRef, children }: { testId?: string; itemRef?: RefObject<HTMLLIElement | null>; children: ReactNode }) {
  const cards = useCardListStyles();
  return (
    <li ref={itemRef} className={cards.item} data-list-item tabIndex={-1} data-testid={testId}>
      {children}
    </li>
  );
}

/** A record's card: its title as a heading that links to the record's page, then `children`. */
export function SummaryCard({ level, href, title, testId, itemRef, children }: { level: 2 | 3; href: string; title: string; testId: string; itemRef?: RefObject<HTMLLIElement | null>; children: ReactNode }) {
  const cards = useCardListStyles();
  return (
    <CardItem testId={testId} itemRef={itemRef}>
      <Heading level={level} className={cards.title}>
        <Link href={hrefFor(href)}>{title}</Link>
      </Heading>
      {children}
    </CardItem>
  );
}

/**
 * The cards of a paged list that has items, and "Show more" under them. `listRef` is for a
 * page that moves focus into the list itself (after removing a card).
 */
export function PagedCardList<T>({ list, listRef, testId, children }: { list: PagedList<T> & { status: 'success' }; listRef?: RefObject<HTMLUListElement | null>; testId?: string; children: (item: T) => ReactNode }) {
  const cards = useCardListStyles();
  const own = useRef<HTMLUListElement>(null);
  const ref = listRef ?? own;
  return (
    <>
      <ul className={cards.list} ref={ref} data-testid={testId}>
        {list.items.map(children)}
      </ul>
      <LoadMore hasMore={Boolean(list.nextCursor)} loading={list.loadingMore} error={list.moreError} onMore={list.more} list={ref} />
    </>
  );
}
