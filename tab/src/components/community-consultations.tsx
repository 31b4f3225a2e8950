/**
 * A community's consultations (its page's "Consultations" tab): those I still have to answer
 * first, then the open ones, the closed ones, and for managers the drafts. Each list loads on
 * its own and pages with "Show more".
 */
import type { Community } from '../api/communities-api.js';
import { useApi } from '../api/api-provider.js';
import { listCommunityConsultations, type ConsultationQuery } from '../api/consultations-api.js';
import { usePagedList } from '../api/use-paged-list.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { PlainKey } from '../i18n/translator.js';
import { PagedCardList } from './card-list.js';
import { ConsultationSummary } from './consultation-summary.js';
import { hasItems, ListPlaceholder } from './list-placeholder.js';
import { Section } from './section.js';

function ConsultationList({ communityId, query, title, empty, testId, hideWhenEmpty = false }: { communityId: string; query: ConsultationQuery; title: PlainKey; empty: PlainKey; testId: string; hideWhenEmpty?: boolean }) {
  const { t } = useI18n();
  const api = useApi();
  const list = usePagedList((cursor, signal) => listCommunityConsultations(api, communityId, { ...query, cursor, limit: 10, signal }), [api, communityId, query.status, query.toAnswer]);
  if (hideWhenEmpty && list.status === 'success' && list.items.length === 0) return null;
  return (
    <Section title={t(title)} testId={testId}>
      {hasItems(list) ? (
        <PagedCardList list={list}>{(c) => <ConsultationSummary key={c.id} consultation={c} />}</PagedCardList>
      ) : (
        <ListPlaceholder list={list} lines={2} empty={<p>{t(empty)}</p>} />
      )}
    </Section>
  );
}

export function CommunityConsultations({ community }: { community: Community }) {
  const manager = community.permissions.canManage;
  return (
    <div data-testid="community-consultations">
      <ConsultationList communityId={community.id} query={{ toAnswer: true }} title="consultations.toAnswer" empty="consultations.toAnswerEmpty" testId="consultations-to-answer" />
      <ConsultationList communityId={community.id} query={{ status: 'open' }} title="consultations.open" empty="consultations.openEmpty" testId="consultations-open" />
      <ConsultationList communityId={community.id} query={{ status: 'closed' }} title="consultations.closed" empty="consultations.closedEmpty" testId="consultations-closed" />
      {manager ? <ConsultationList communityId={community.id} query={{ status: 'draft' }} title="consultations.drafts" empty="consultations.draftsEmpty" testId="consultations-drafts" hideWhenEmpty /> : null}
    </div>
  );
}
