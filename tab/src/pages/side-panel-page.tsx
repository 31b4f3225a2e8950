/**
 * The compact view Teams shows in a meeting's side panel (320 px wide): no navigation, one
 * column, what matters during the meeting: the pinned community's next sessions and latest
 * discussions (the full tab, in the meeting's tab bar, has the rest).
 * https://learn.microsoft.com/en-us/microsoftteams/platform/apps-in-teams-meetings/build-tabs-for-meeting
 */
import { makeStyles, tokens } from '@fluentui/react-components';
import { useApi } from '../api/api-provider.js';
import { listCommunityDiscussions } from '../api/discussions-api.js';
import { listEvents } from '../api/events-api.js';
import { useRequest } from '../api/use-request.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { ListSkeleton } from '../components/loading-skeleton.js';
import { Section, useCardListStyles } from '../components/section.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';
import { useHost } from '../teams/host-context.js';
import { MeetingPanel } from './meeting-page.js';

const useStyles = makeStyles({
  root: { maxWidth: '320px', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
});

/** `community-<id>`, or `meeting-community-<id>` for a tab added to a meeting (config-page.tsx). */
const PINNED = /^(?:meeting-)?community-([A-Za-z0-9_-]{1,64})$/;

export function SidePanelPage() {
  const styles = useStyles();
  const { t } = useI18n();
  const host = useHost();
  const communityId = PINNED.exec(host.context?.page.id ?? '')?.[1];
  return (
    <div className={styles.root} data-testid="side-panel">
      <PageHeader title={t('sidePanel.title')} />
      {host.context?.meeting?.id && host.context.chat?.id ? <MeetingPanel compact preferredCommunityId={communityId} /> : null}
      {communityId ? <Pinned communityId={communityId} /> : <EmptyState title={t('sidePanel.emptyTitle')} body={t('sidePanel.emptyBody')} />}
    </div>
  );
}

function Pinned({ communityId }: { communityId: string }) {
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const data = useRequest(
    (signal) => Promise.all([listEvents(api, { communityId, limit: 3, signal }), listCommunityDiscussions(api, communityId, { limit: 3, signal })]),
    [api, communityId],
  );
  if (data.status === 'loading') return <ListSkeleton lines={3} />;
  if (data.status === 'error') return <ErrorMessage error={data.error} onRetry={data.reload} />;
  const [events, discussions] = data.data;
  if (events.items.length === 0 && discussions.items.length === 0) return <EmptyState title={t('sidePanel.emptyTitle')} body={t('sidePanel.emptyBody')} />;
  return (
    <>
      <PinnedList title={t('sidePanel.events')} items={events.items.map((e) => ({ id: e.id, title: e.title, meta: i18n.formatDateTime(e.start, { dateStyle: 'medium', timeStyle: 'short' }) }))} />
      <PinnedList title={t('sidePanel.discussions')} items={discussions.items.map((d) => ({ id: d.id, title: d.title }))} />
    </>
  );
}

/** Titles only, not links: the side panel shows one view, so a link into the tab's pages would go nowhere. */
function PinnedList({ title, items }: { title: string; items: ReadonlyArray<{ id: string; title: string; meta?: string }> }) {
  const cards = useCardListStyles();
  if (items.length === 0) return null;
  return (
    <Section title={title}>
      <ul className={cards.list}>
        {items.map((item) => (
          <li key={item.id} className={cards.item}>
            <p className={cards.title}>{item.title}</p>
            {item.meta ? <p className={cards.meta}>{item.meta}</p> : null}
          </li>
        ))}
      </ul>
    </Section>
  );
}
