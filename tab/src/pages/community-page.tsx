/**
 * One community: its discussions (latest activity first), events, consultations, members and
 * about; join, ask to join or leave; for managers the requests to join, reported content, the
 * member export, and a new consultation or a quick poll. The section is in the route (`?tab=events`), so a link or Back returns to it.
 */
import { Badge, Button, Link, Tab, TabList, makeStyles, tokens } from '@fluentui/react-components';
import { useRef } from 'react';
import { useApi } from '../api/api-provider.js';
import { downloadMembers, getCommunity, joinCommunity, listMembers, removeMember, updateMember, type Community, type Member } from '../api/communities-api.js';
import { decideReport, listCommunityDiscussions, listReports, setHidden, type Report } from '../api/discussions-api.js';
import { listEvents } from '../api/events-api.js';
import { useMe } from '../api/me-provider.js';
import { usePagedList } from '../api/use-paged-list.js';
import { CardItem, PagedCardList } from '../components/card-list.js';
import { MembershipBadge, visibilityLabel } from '../components/community-summary.js';
import { DiscussionSummary } from '../components/discussion-summary.js';
import { saveFile } from '../components/download.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { EventSummary } from '../components/event-summary.js';
import { CommunityConsultations } from '../components/community-consultations.js';
import { QuickPollButton } from '../components/quick-poll.js';
import { RichText } from '../components/rich-text.js';
import { useCardListStyles } from '../components/section.js';
import { RecordPage } from '../components/record-page.js';
import { hasItems, ListPlaceholder } from '../components/list-placeholder.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, navigate, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  meta: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center', color: tokens.colorNeutralForeground2, marginBottom: tokens.spacingVerticalM },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center', marginBottom: tokens.spacingVerticalL },
  panel: { paddingTop: tokens.spacingVerticalL },
  row: { display: 'flex', flexWrap: 'wrap', justifyContent: 'space-between', alignItems: 'center', gap: tokens.spacingHorizontalS },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  tags: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS, marginTop: tokens.spacingVerticalM },
});

type CommunityTab = 'discussions' | 'events' | 'consultations' | 'members' | 'about' | 'requests' | 'reports';

export function CommunityPage({ route }: { route: Route }) {
  return (
    <RecordPage route={route} load={getCommunity} failedTitle="community.title">
      {(community, onChange) => <CommunityView community={community} onChange={onChange} route={route} />}
    </RecordPage>
  );
}

function CommunityView({ community, onChange, route }: { community: Community; onChange: (c: Community) => void; route: Route }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t, tp } = i18n;
  const api = useApi();
  const me = useMe();
  const { busy, problem, run } = useActions();
  const actionsRef = useRef<HTMLDivElement>(null);
  const manager = community.permissions.canManage;
  const available: CommunityTab[] = community.permissions.canRead ? ['discussions', 'events', 'consultations', 'members', 'about', ...(manager ? (['requests', 'reports'] as const) : [])] : ['about'];
  const asked = route.query.get('tab');
  const tab: CommunityTab = available.find((x) => x === asked) ?? available[0]!;

  const selectTab = (next: CommunityTab) => navigate(`/community/${community.id}?tab=${next}`, { replace: true });

  const join = () =>
    run(
      async () => {
        const { outcome } = await joinCommunity(api, community.id);
        onChange(await getCommunity(api, community.id));
        announce(outcome === 'requested' ? t('community.join.requested', { name: community.name }) : t('community.join.joined', { name: community.name }));
        actionsRef.current?.querySelector<HTMLElement>('button, a')?.focus();
      },
      { blocking: true },
    );

  const leave = async () => {
    if (me.status !== 'success') return;
    await run(
      async () => {
        const withdrawing = community.membership?.status === 'requested';
        await removeMember(api, community.id, me.data.id);
        // After leaving a secret community it can no longer be seen: go back to the list.
        const fresh = await getCommunity(api, community.id).catch(() => undefined);
        announce(withdrawing ? t('community.leave.withdrawn', { name: community.name }) : t('community.leave.left', { name: community.name }));
        if (fresh) onChange(fresh);
        else navigate('/communities');
      },
      { blocking: true },
    );
  };

  const exportMembers = () =>
    run(async () => {
      saveFile(await downloadMembers(api, community.id), 'members.csv');
      announce(t('community.members.exported'));
    });

  const m = community.membership;
  return (
    <>
      <PageHeader title={community.name} />
      <div className={styles.meta}>
        <span>{visibilityLabel(community, i18n)}</span>
        <span>{tp('community.members', community.memberCount)}</span>
        {community.guestsAllowed ? <span>{t('community.guestsWelcome')}</span> : null}
        <MembershipBadge community={community} />
      </div>
      {problem ? <ErrorMessage error={problem} /> : null}
      <div className={styles.actions} ref={actionsRef} data-testid="community-actions">
        {community.permissions.canJoin ? (
          <Button appearance="primary" disabled={busy} onClick={() => void join()} data-testid="join-community">
            {m?.status === 'invited' ? t('community.join.accept') : community.visibility === 'public' ? t('community.join.join') : t('community.join.ask')}
          </Button>
        ) : null}
        {community.permissions.canPost ? (
          <Link href={hrefFor(`/community/${community.id}/new-discussion`)} data-testid="new-discussion">
            {t('community.newDiscussion')}
          </Link>
        ) : null}
        {manager ? <Link href={hrefFor(`/events/new?communityId=${community.id}`)}>{t('community.planEvent')}</Link> : null}
        {manager ? (
          <Link href={hrefFor(`/community/${community.id}/new-consultation`)} data-testid="new-consultation">
            {t('community.newConsultation')}
          </Link>
        ) : null}
        {manager ? <QuickPollButton communityId={community.id} /> : null}
        {manager ? <Link href={hrefFor(`/community/${community.id}/edit`)}>{t('community.edit')}</Link> : null}
        {manager ? <Link href={hrefFor(`/communities/${community.id}/members`)} data-testid="manage-members">{t('community.manageMembers')}</Link> : null}
        {manager ? <Link href={hrefFor(`/communities/${community.id}/settings`)} data-testid="community-settings">{t('community.settings')}</Link> : null}
        {manager ? (
          <Button onClick={() => void exportMembers()} data-testid="export-members">
            {t('community.members.export')}
          </Button>
        ) : null}
        {m && (m.status === 'active' || m.status === 'requested') ? (
          <Button appearance="subtle" disabled={busy} onClick={() => void leave()} data-testid="leave-community">
            {m.status === 'requested' ? t('community.leave.withdraw') : t('community.leave.action')}
          </Button>
        ) : null}
      </div>
      <TabList selectedValue={tab} onTabSelect={(_, d) => selectTab(d.value as CommunityTab)} aria-label={t('community.sections')}>
        {available.map((x) => (
          <Tab key={x} value={x} data-testid={`community-tab-${x}`}>
            {t(`community.tab.${x}`)}
          </Tab>
        ))}
      </TabList>
      <div className={styles.panel} role="region" aria-label={t(`community.tab.${tab}`)} data-testid={`community-panel-${tab}`}>
        {tab === 'discussions' ? <Discussions community={community} /> : null}
        {tab === 'events' ? <Events community={community} /> : null}
        {tab === 'consultations' ? <CommunityConsultations community={community} /> : null}
        {tab === 'members' ? <Members community={community} status="active" /> : null}
        {tab === 'requests' ? <Members community={community} status="requested" onDecided={() => void getCommunity(api, community.id).then(onChange)} /> : null}
        {tab === 'reports' ? <Reports community={community} /> : null}
        {tab === 'about' ? <About community={community} /> : null}
      </div>
    </>
  );
}

function Discussions({ community }: { community: Community }) {
  const { t } = useI18n();
  const api = useApi();
  const items = usePagedList((cursor, signal) => listCommunityDiscussions(api, community.id, { cursor, limit: 20, signal }), [api, community.id]);
  if (!hasItems(items)) {
    const action = community.permissions.canPost ? <Link href={hrefFor(`/community/${community.id}/new-discussion`)}>{t('community.newDiscussion')}</Link> : undefined;
    return <ListPlaceholder list={items} lines={3} empty={<EmptyState title={t('community.discussions.emptyTitle')} body={t('community.discussions.emptyBody')} action={action} />} />;
  }
  return (
    <PagedCardList list={items} testId="discussion-list">
      {(d) => <DiscussionSummary key={d.id} level={2} discussion={d} />}
    </PagedCardList>
  );
}

function Events({ community }: { community: Community }) {
  const { t } = useI18n();
  const api = useApi();
  const items = usePagedList((cursor, signal) => listEvents(api, { communityId: community.id, cursor, limit: 20, signal }), [api, community.id]);
  if (!hasItems(items)) return <ListPlaceholder list={items} lines={3} empty={<EmptyState title={t('community.events.emptyTitle')} body={t('community.events.emptyBody')} />} />;
  return <PagedCardList list={items}>{(e) => <EventSummary key={e.id} level={2} event={e} />}</PagedCardList>;
}

function Members({ community, status, onDecided }: { community: Community; status: 'active' | 'requested'; onDecided?: () => void }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const { t } = useI18n();
  const api = useApi();
  const list = useRef<HTMLUListElement>(null);
  const { problem, run } = useActions();
  const items = usePagedList((cursor, signal) => listMembers(api, community.id, { status, cursor, limit: 50, signal }), [api, community.id, status]);

  const decide = (member: Member, approve: boolean) =>
    run(async () => {
      if (approve) await updateMember(api, community.id, member.userId, { status: 'active' });
      else await removeMember(api, community.id, member.userId);
      items.update((all) => all.filter((x) => x.userId !== member.userId));
      announce(t(approve ? 'community.requests.approved' : 'community.requests.declined', { name: member.displayName }));
      list.current?.querySelector<HTMLElement>('[data-list-item]')?.focus();
      onDecided?.();
    });

  if (!hasItems(items)) {
    const empty = status === 'requested' ? <EmptyState title={t('community.requests.emptyTitle')} body={t('community.requests.emptyBody')} /> : <EmptyState title={t('community.members.emptyTitle')} body={t('community.members.emptyBody')} />;
    return <ListPlaceholder list={items} lines={3} empty={empty} />;
  }
  return (
    <>
      {problem ? <ErrorMessage error={problem} /> : null}
      <PagedCardList list={items} listRef={list} testId={status === 'requested' ? 'request-list' : 'member-list'}>
        {(member) => (
          <CardItem key={member.userId}>
            <div className={styles.row}>
              <span>
                <Link href={hrefFor(`/people/${member.userId}`)}>{member.displayName}</Link>
                <span className={cards.meta}>
                  {[member.jobTitle, member.organisation].filter(Boolean).join(' · ')}
                  {member.isGuest ? ` (${t('shell.guest')})` : ''}
                  {member.role === 'manager' ? ` · ${t('community.role.manager')}` : ''}
                </span>
              </span>
              {status === 'requested' ? (
                <span className={styles.buttons}>
                  <Button size="small" appearance="primary" onClick={() => void decide(member, true)} aria-label={t('community.requests.approveName', { name: member.displayName })}>
                    {t('community.requests.approve')}
                  </Button>
                  <Button size="small" onClick={() => void decide(member, false)} aria-label={t('community.requests.declineName', { name: member.displayName })}>
                    {t('community.requests.decline')}
                  </Button>
                </span>
              ) : null}
            </div>
            {status === 'requested' && member.message ? <p className={cards.body}>{member.message}</p> : null}
          </CardItem>
        )}
      </PagedCardList>
    </>
  );
}

function Reports({ community }: { community: Community }) {
  const cards = useCardListStyles();
  const styles = useStyles();
  const i18n = useI18n();
  const { t, tp } = i18n;
  const api = useApi();
  const list = useRef<HTMLUListElement>(null);
  const { problem, run } = useActions();
  const items = usePagedList((cursor, signal) => listReports(api, { communityId: community.id, cursor, limit: 20, signal }), [api, community.id]);

  const act = (report: Report, action: 'hide' | 'show' | 'resolved' | 'dismissed') => {
    const target = { type: report.targetType === 'reply' ? ('reply' as const) : ('discussion' as const), id: report.targetId };
    return run(async () => {
      if (action === 'hide' || action === 'show') {
        await setHidden(api, target, action === 'hide');
        items.update((all) => all.map((r) => (r.targetId === report.targetId ? { ...r, targetHidden: action === 'hide' } : r)));
        announce(t(action === 'hide' ? 'community.reports.hidden' : 'community.reports.shown'));
      } else {
        await decideReport(api, report.id, action);
        items.update((all) => all.filter((r) => r.id !== report.id));
        announce(t(action === 'resolved' ? 'community.reports.resolved' : 'community.reports.dismissed'));
        list.current?.querySelector<HTMLElement>('[data-list-item]')?.focus();
      }
    });
  };

  if (!hasItems(items)) return <ListPlaceholder list={items} lines={2} empty={<EmptyState title={t('community.reports.emptyTitle')} body={t('community.reports.emptyBody')} />} />;
  return (
    <>
      {problem ? <ErrorMessage error={problem} /> : null}
      <PagedCardList list={items} listRef={list} testId="report-list">
        {(r) => (
          <CardItem key={r.id}>
            <p className={cards.meta}>
              <span>{t(r.targetType === 'reply' ? 'community.reports.aReply' : r.targetType === 'person' ? 'community.reports.aPerson' : 'community.reports.aDiscussion')}</span>
              <span aria-hidden="true">·</span>
              <span>{t(`report.reason.${r.reason === 'spam' || r.reason === 'abuse' ? r.reason : 'other'}`)}</span>
              <span aria-hidden="true">·</span>
              <span>{tp('community.reports.count', r.reportCount)}</span>
              {r.createdAt ? <time dateTime={r.createdAt}>{i18n.formatDateTime(r.createdAt, { dateStyle: 'medium', timeStyle: 'short' })}</time> : null}
              {r.targetHidden ? <Badge appearance="tint">{t('community.reports.isHidden')}</Badge> : null}
            </p>
            {r.text ? <p className={cards.body}>{r.text}</p> : null}
            <div className={styles.buttons}>
              {r.targetType === 'discussion' ? <Link href={hrefFor(`/discussion/${r.targetId}`)}>{t('community.reports.open')}</Link> : null}
              {r.targetType !== 'person' ? (
                <Button size="small" onClick={() => void act(r, r.targetHidden ? 'show' : 'hide')}>
                  {r.targetHidden ? t('community.reports.show') : t('community.reports.hide')}
                </Button>
              ) : null}
              <Button size="small" onClick={() => void act(r, 'resolved')}>
                {t('community.reports.resolve')}
              </Button>
              <Button size="small" appearance="subtle" onClick={() => void act(r, 'dismissed')}>
                {t('community.reports.dismiss')}
              </Button>
            </div>
          </CardItem>
        )}
      </PagedCardList>
    </>
  );
}

function About({ community }: { community: Community }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <div data-testid="community-about">
      {community.description.html ? <RichText html={community.description.html} /> : <p>{t('community.about.noDescription')}</p>}
      {community.tags.length > 0 ? (
        <div className={styles.tags} aria-label={t('community.about.tags')} role="list">
          {community.tags.map((tag) => (
            <Badge key={tag} appearance="outline" role="listitem">
              {tag}
            </Badge>
          ))}
        </div>
      ) : null}
      <p>{t('community.about.since', { date: i18n.formatDate(community.createdAt) })}</p>
      {!community.permissions.canRead ? <p>{t('community.about.membersOnly')}</p> : null}
    </div>
  );
}
