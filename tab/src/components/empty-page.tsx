/** A page whose content is not there yet: its title and an empty state saying what will appear. */
import type { ReactNode } from 'react';
import { PageHeader } from '../layout/page-header.js';
import { EmptyState } from './empty-state.js';

export function EmptyPage({ title, emptyTitle, emptyBody, action }: { title: string; emptyTitle: string; emptyBody: string; action?: ReactNode }) {
  return (
    <>
      <PageHeader title={title} />
      <EmptyState title={emptyTitle} body={emptyBody} action={action} />
    </>
  );
}
