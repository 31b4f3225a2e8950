/**
 * A community's members page (`#/communities/:id/members`). Everyone who may read the
 * community sees its members and can search them by name; managers also invite people of
 * the organisation (found among Meent's people and in the organisation's directory, invited
 * through the members API), make
 * someone manager or member, remove or block them, decide requests, withdraw invitations and
 * unblock. Removing and blocking ask first. After each action the outcome is announced and
 * focus moves to the list, so the whole page works from the keyboard.
 */
import { Button, Link, SearchBox, Tab, TabList, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { getCommunity, inviteMember, listMembers, removeMember, updateMember, type Community, type Member, type MembershipStatus } from '../api/communities-api.js';
import { useMe } from '../api/me-provider.js';
import type { Person } from '../api/people-api.js';
import { usePagedList } from '../api/use-paged-list.js';
import { ActionDialog } from '../components/action-dialog.js';
import { CardItem, PagedCardList } from '../components/card-list.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { InvitePeopleSection, useSettled } from '../components/person-picker.js';
import { hasItems, ListPlaceholder } from '../components/list-placeholder.js';
import { RecordPage } from '../components/record-page.js';
import { useCardListStyles } from '../components/section.js';
import { useActions } from '../forms/use-actions.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, navigate, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  back: { display: 'inline-block', marginBottom: tokens.spacingVerticalM },
  row: { display: 'flex', flexWrap: 'wrap', justifyContent: 'space-between', alignItems: 'center', gap: tokens.spacingHorizontalS },
  buttons: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS },
  search: { minWidth: '280px', maxWidth: '420px' },
  toolbar: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalL, margin: `${tokens.spacingVerticalM} 0` },
  panel: { paddingTop: tokens.spacingVerticalS },
});

const STATUSES: readonly MembershipStatus[] = ['active', 'requested', 'invited', 'blocked'];

export function CommunityMembersPage({ route }: { route: Route }) {
  return (
    <RecordPage route={route} load={getCommunity} failedTitle="members.title">
      {(community) => <MembersView community={community} route={route} />}
    </RecordPage>
  );
}

function MembersView({ community, route }: { community: Community; route: Route }) {
  const styles = useStyles();
  const { t } = useI18n();
  const manager = community.permissions.canManage;
  const asked = route.query.get('status');
  const status: MembershipStatus = (manager && STATUSES.find((s) => s === asked)) || 'active';
  // Bumped after an invitation, so the invited list is read again when shown.
  const [version, setVersion] = useState(0);
  const selectStatus = (next: MembershipStatus) => navigate(`/communities/${community.id}/members?status=${next}`, { replace: true });

  return (
    <>
      <PageHeader title={t('members.title')} intro={t('members.intro', { name: community.name })} />
      <Link className={styles.back} href={hrefFor(`/community/${community.id}`)}>
        {t('members.back', { name: community.name })}
      </Link>
      {manager ? <InvitePeople community={community} onInvited={() => setVersion((v) => v + 1)} /> : null}
      {manager ? (
        <p>
          <Link href={hrefFor(`/communities/${community.id}/invitations`)} data-testid="invite-by-email-link">
            {t('invitations.link')}
          </Link>
        </p>
      ) : null}
      {manager ? (
        <TabList selectedValue={status} onTabSelect={(_, d) => selectStatus(d.value as MembershipStatus)} aria-label={t('members.lists')}>
          {STATUSES.map((s) => (
            <Tab key={s} value={s} data-testid={`members-tab-${s}`}>
              {t(`members.tab.${s}`)}
            </Tab>
          ))}
        </TabList>
      ) : null}
      <div className={styles.panel} role="region" aria-label={t(`members.tab.${status}`)}>
        <MemberList key={`${status}-${version}`} community={community} status={status} />
      </div>
    </>
  );
}

type Confirming = { member: Member; action: 'remove' | 'block' } | undefined;

function MemberList({ community, status }: { community: Community; status: MembershipStatus }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const meId = me.status === 'success' ? me.data.id : undefined;
  const manager = community.permissions.canManage;
  const list = useRef<HTMLUListElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const q = useSettled(text);
  const items = usePagedList((cursor, signal) => listMembers(api, community.id, { status, q, cursor, limit: 50, signal }), [api, community.id, status, q]);
  const { busy, problem, run } = useActions();
  const dialog = useActions();
  const [confirming, setConfirming] = useState<Confirming>(undefined);

  useEffect(() => {
    if (q && items.status === 'success') announce(t('members.found', { count: items.items.length }));
  }, [q, items.status, items.status === 'success' ? items.items.length : 0, t]);

  /** Focus the first member left, or the search box when none is. */
  const refocus = () => window.requestAnimationFrame(() => (list.current?.querySelector<HTMLElement>('[data-list-item]') ?? searchRef.current)?.focus());

  const drop = (member: Member) => items.update((all) => all.filter((x) => x.userId !== member.userId));

  const changeRole = (member: Member) =>
    run(
      async () => {
        const role = member.role === 'manager' ? 'member' : 'manager';
        const updated = await updateMember(api, community.id, member.userId, { role });
        items.update((all) => all.map((x) => (x.userId === member.userId ? { ...x, role: updated.role ?? role } : x)));
        announce(t(role === 'manager' ? 'members.promoted' : 'members.demoted', { name: member.displayName }));
      },
      { blocking: true },
    );

  const decide = (member: Member, approve: boolean) =>
    run(
      async () => {
        if (approve) await updateMember(api, community.id, member.userId, { status: 'active' });
        else await removeMember(api, community.id, member.userId);
        drop(member);
        announce(t(approve ? 'community.requests.approved' : 'community.requests.declined', { name: member.displayName }));
        refocus();
      },
      { blocking: true },
    );

  const undo = (member: Member) =>
    run(
      async () => {
        await removeMember(api, community.id, member.userId);
        drop(member);
        announce(t(status === 'blocked' ? 'members.unblocked' : 'members.withdrawn', { name: member.displayName }));
        refocus();
      },
      { blocking: true },
    );

  const confirm = () =>
    dialog.run(
      async () => {
        if (!confirming) return;
        const { member, action } = confirming;
        if (action === 'block') await updateMember(api, community.id, member.userId, { status: 'blocked' });
        else await removeMember(api, community.id, member.userId);
        drop(member);
        setConfirming(undefined);
        announce(t(action === 'block' ? 'members.blocked' : 'members.removed', { name: member.displayName }));
        refocus();
      },
      { blocking: true },
    );

  const emptyTitle = q ? t('members.noMatch') : t(`members.empty.${status}`);
  return (
    <>
      <div className={styles.toolbar} role="search">
        <SearchBox
          className={styles.search}
          value={text}
          onChange={(_, d) => setText(d.value)}
          aria-label={t('members.search')}
          placeholder={t('members.search')}
          input={{ ref: searchRef }}
          data-testid="members-search"
        />
      </div>
      {problem ? <ErrorMessage error={problem} /> : null}
      {!hasItems(items) ? (
        <ListPlaceholder list={items} lines={3} empty={<EmptyState title={emptyTitle} body={q ? t('members.noMatchBody') : t('members.emptyBody')} />} />
      ) : (
        <PagedCardList list={items} listRef={list} testId={`members-${status}`}>
          {(member) => {
            const self = member.userId === meId;
            return (
              <CardItem key={member.userId}>
                <div className={styles.row}>
                  <span>
                    <Link href={hrefFor(`/people/${member.userId}`)}>{member.displayName}</Link>
                    <span className={cards.meta}>
                      {[member.role === 'manager' ? t('community.role.manager') : t('members.role.member'), member.jobTitle, member.organisation, member.isGuest ? t('shell.guest') : null].filter(Boolean).join(' · ')}
                    </span>
                  </span>
                  {manager && !self ? (
                    <span className={styles.buttons}>
                      {status === 'active' ? (
                        <>
                          <Button size="small" disabledFocusable={busy} onClick={() => void changeRole(member)} aria-label={t(member.role === 'manager' ? 'members.makeMemberName' : 'members.makeManagerName', { name: member.displayName })} data-testid={`role-${member.userId}`}>
                            {member.role === 'manager' ? t('members.makeMember') : t('members.makeManager')}
                          </Button>
                          <Button size="small" onClick={() => setConfirming({ member, action: 'remove' })} aria-label={t('members.removeName', { name: member.displayName })} data-testid={`remove-${member.userId}`}>
                            {t('members.remove')}
                          </Button>
                          <Button size="small" onClick={() => setConfirming({ member, action: 'block' })} aria-label={t('members.blockName', { name: member.displayName })} data-testid={`block-${member.userId}`}>
                            {t('members.block')}
                          </Button>
                        </>
                      ) : null}
                      {status === 'requested' ? (
                        <>
                          <Button size="small" appearance="primary" disabledFocusable={busy} onClick={() => void decide(member, true)} aria-label={t('community.requests.approveName', { name: member.displayName })} data-testid={`approve-${member.userId}`}>
                            {t('community.requests.approve')}
                          </Button>
                          <Button size="small" disabledFocusable={busy} onClick={() => void decide(member, false)} aria-label={t('community.requests.declineName', { name: member.displayName })} data-testid={`decline-${member.userId}`}>
                            {t('community.requests.decline')}
                          </Button>
                        </>
                      ) : null}
                      {status === 'invited' || status === 'blocked' ? (
                        <Button size="small" disabledFocusable={busy} onClick={() => void undo(member)} aria-label={t(status === 'blocked' ? 'members.unblockName' : 'members.withdrawName', { name: member.displayName })} data-testid={`${status === 'blocked' ? 'unblock' : 'withdraw'}-${member.userId}`}>
                          {status === 'blocked' ? t('members.unblock') : t('members.withdraw')}
                        </Button>
                      ) : null}
                    </span>
                  ) : null}
                </div>
                {status === 'requested' && member.message ? <p className={cards.body}>{member.message}</p> : null}
              </CardItem>
            );
          }}
        </PagedCardList>
      )}
      <ActionDialog
        open={confirming !== undefined}
        onClose={() => setConfirming(undefined)}
        title={confirming ? t(confirming.action === 'block' ? 'members.blockTitle' : 'members.removeTitle', { name: confirming.member.displayName }) : ''}
        intro={confirming ? t(confirming.action === 'block' ? 'members.blockBody' : 'members.removeBody') : ''}
        problem={dialog.problem}
        action={confirming?.action === 'block' ? t('members.block') : t('members.remove')}
        onAction={() => void confirm()}
        busy={dialog.busy}
        actionTestId="confirm-member-action"
      >
        {null}
      </ActionDialog>
    </>
  );
}

/** Finds people of the organisation by name and invites them. */
function InvitePeople({ community, onInvited }: { community: Community; onInvited: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const invite = async (person: Person) => {
    const { outcome } = await inviteMember(api, community.id, person.id);
    onInvited();
    return t(outcome === 'approved' ? 'members.invite.approved' : outcome === 'unchanged' ? 'members.invite.already' : 'members.invite.sent', { name: person.name });
  };
  return (
    <InvitePeopleSection
      title={t('members.invite.title')}
      intro={t('members.invite.intro')}
      testId="invite-people"
      pickerTestId="invite"
      labels={{ label: t('members.invite.search'), action: t('members.invite.action'), actionName: (name) => t('members.invite.name', { name }), doneLabel: t('members.invite.done') }}
      invite={invite}
    />
  );
}
