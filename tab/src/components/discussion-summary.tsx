/** One discussion in a list: title (a link), question or discussion, author, replies, last activity. */
import { authorName } from './author-name.js';
import { Badge } from '@fluentui/react-components';
import type { Discussion } from '../api/discussions-api.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { SummaryCard } from './card-list.js';
import { excerpt } from './community-summary.js';
import { useCardListStyles } from './section.js';

export function DiscussionSummary({ discussion, level = 3 }: { discussion: Discussion; level?: 2 | 3 }) {
  const styles = useCardListStyles();
  const i18n = useI18n();
  const { t, tp } = i18n;
  return (
    <SummaryCard level={level} href={`/discussion/${discussion.id}`} title={discussion.title} testId="discussion-summary">
      <div className={styles.meta}>
        {discussion.pinned ? <Badge appearance="tint">{t('discussion.pinned')}</Badge> : null}
        {discussion.kind === 'question' ? (
          <Badge appearance="outline" color={discussion.answered ? 'success' : 'informative'}>
            {discussion.answered ? t('discussion.answered') : t('discussion.question')}
          </Badge>
        ) : null}
        <span>{t('discussion.byline', { name: authorName(t, discussion.author) })}</span>
        <span aria-hidden="true">·</span>
        <span>{tp('discussion.replies', discussion.replyCount)}</span>
        <span aria-hidden="true">·</span>
        <span>{t('discussion.lastActivity', { when: i18n.formatDateTime(discussion.lastActivityAt, { dateStyle: 'medium', timeStyle: 'short' }) })}</span>
      </div>
      {discussion.excerpt || discussion.body.source ? <p className={styles.body}>{excerpt(discussion.excerpt || discussion.body.source)}</p> : null}
    </SummaryCard>
  );
}
