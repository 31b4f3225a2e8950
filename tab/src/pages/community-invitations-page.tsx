/**
 * A community's invitations by e-mail (`#/communities/:id/invitations`, issue 14), for its
 * managers: the form, the outcome per address and the invitations to withdraw or send again
 * (components/email-invitations.tsx), for this community.
 */
import { Link, makeStyles, tokens } from '@fluentui/react-components';
import { useMemo } from 'react';
import { useApi } from '../api/api-provider.js';
import { getCommunity, type Community } from '../api/communities-api.js';
import { inviteByEmail, listInvitations, resendInvitation, withdrawInvitation } from '../api/invitations-api.js';
import { EmailInvitations, type EmailInvitationsClient } from '../components/email-invitations.js';
import { EmptyState } from '../components/empty-state.js';
import { RecordPage } from '../components/record-page.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  back: { display: 'inline-block', marginBottom: tokens.spacingVerticalM },
});

export function CommunityInvitationsPage({ route }: { route: Route }) {
  return (
    <RecordPage route={route} load={getCommunity} failedTitle="invitations.title">
      {(community) => <InvitationsView community={community} />}
    </RecordPage>
  );
}

function InvitationsView({ community }: { community: Community }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const client = useMemo<EmailInvitationsClient>(
    () => ({
      key: community.id,
      invite: (addresses, language) => inviteByEmail(api, community.id, addresses, language),
      list: (signal) => listInvitations(api, community.id, signal),
      withdraw: (id) => withdrawInvitation(api, community.id, id),
      resend: (id, language) => resendInvitation(api, community.id, id, language),
    }),
    [api, community.id],
  );
  return (
    <>
      <PageHeader title={t('invitations.title')} intro={t('invitations.intro', { name: community.name })} />
      <Link className={styles.back} href={hrefFor(`/communities/${community.id}/members`)}>
        {t('invitations.back', { name: community.name })}
      </Link>
      {community.permissions.canManage ? <EmailInvitations client={client} /> : <EmptyState title={t('invitations.title')} body={t('invitations.notManager')} />}
    </>
  );
}
