/**
 * One community in a list: name (a link), who can find it, members, a line of its
 * description, and Join / Ask to join. After joining, the outcome is announced and focus
 * stays on the community's card (the button it was on is gone).
 */
import { Badge, Button } from '@fluentui/react-components';
import { useRef } from 'react';
import { useApi } from '../api/api-provider.js';
import { joinCommunity, type Community } from '../api/communities-api.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { Translator } from '../i18n/translator.js';
import { useActions } from '../forms/use-actions.js';
import { announce } from '../layout/live-region.js';
import { ErrorMessage } from './error-message.js';
import { SummaryCard } from './card-list.js';
import { useCardListStyles } from './section.js';

export function visibilityLabel(community: Pick<Community, 'visibility'>, { t }: Translator): string {
  return t(`community.visibility.${community.visibility}`);
}

/** "Member", "Manager", "Request sent", "Invited", or nothing. */
export function MembershipBadge({ community }: { community: Community }) {
  const { t } = useI18n();
  const m = community.membership;
  if (!m) return null;
  if (m.status === 'active') return <Badge appearance="filled" color={m.role === 'manager' ? 'brand' : 'success'}>{m.role === 'manager' ? t('community.role.manager') : t('community.role.member')}</Badge>;
  if (m.status === 'requested') return <Badge appearance="outline" color="informative">{t('community.membership.requested')}</Badge>;
  if (m.status === 'invited') return <Badge appearance="outline" color="brand">{t('community.membership.invited')}</Badge>;
  return null;
}

/** One line of a Markdown description, without its markup. */
export function excerpt(source: string, length = 160): string {
  const plain = source.replace(/[#>*_`~[\]()!-]+/g, ' ').replace(/\s+/g, ' ').trim();
  return plain.length > length ? `${plain.slice(0, length - 1)}…` : plain;
}

export function CommunitySummary({ community, onChange, level = 3 }: { community: Community; onChange: (c: Community) => void; level?: 2 | 3 }) {
  const styles = useCardListStyles();
  const i18n = useI18n();
  const { t, tp } = i18n;
  const api = useApi();
  const { busy, problem, run } = useActions();
  const item = useRef<HTMLLIElement>(null);

  const join = () =>
    run(
      async () => {
        const { outcome, member } = await joinCommunity(api, community.id);
        const status = outcome === 'requested' ? 'requested' : 'active';
        onChange({
          ...community,
          membership: { role: member?.role ?? 'member', status: member?.status ?? status },
          memberCount: community.memberCount + (status === 'active' && community.membership?.status !== 'active' ? 1 : 0),
          permissions: { ...community.permissions, canJoin: false, canRead: community.permissions.canRead || status === 'active' },
        });
        announce(status === 'requested' ? t('community.join.requested', { name: community.name }) : t('community.join.joined', { name: community.name }));
        item.current?.focus();
      },
      { blocking: true },
    );

  const description = typeof community.description === 'string' ? community.description : community.description?.source ?? '';
  return (
    <SummaryCard level={level} href={`/community/${community.id}`} title={community.name} testId="community-summary" itemRef={item}>
      <div className={styles.meta}>
        <span>{visibilityLabel(community, i18n)}</span>
        <span aria-hidden="true">·</span>
        <span>{tp('community.members', community.memberCount)}</span>
        <MembershipBadge community={community} />
      </div>
      {description ? <p className={styles.body}>{excerpt(description)}</p> : null}
      {problem ? <ErrorMessage error={problem} /> : null}
      {community.permissions.canJoin ? (
        <div className={styles.actions}>
          <Button size="small" appearance="primary" disabled={busy} onClick={() => void join()} aria-label={t(community.visibility === 'public' ? 'community.join.joinName' : 'community.join.askName', { name: community.name })}>
            {community.visibility === 'public' ? t('community.join.join') : t('community.join.ask')}
          </Button>
        </div>
      ) : null}
    </SummaryCard>
  );
}
