/**
 * One consultation in a list: title (a link), its community, status, when it closes (in the
 * reader's time zone), how many answered of how many may, and whether I still have to answer.
 */
import { Badge } from '@fluentui/react-components';
import type { Consultation } from '../api/consultations-api.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { Translator } from '../i18n/translator.js';
import { SummaryCard } from './card-list.js';
import { useCardListStyles } from './section.js';

/** "Closes on Tuesday 3 March, 17:00", "Closed on …", "Open until closed by hand". */
export function closingText(c: Pick<Consultation, 'status' | 'closesAt'>, i18n: Translator): string {
  const when = c.closesAt ? i18n.formatDateTime(c.closesAt, { dateStyle: 'full', timeStyle: 'short' }) : undefined;
  if (c.status === 'closed') return when ? i18n.t('consultation.closedOn', { date: when }) : i18n.t('consultation.status.closed');
  return when ? i18n.t('consultation.closesOn', { date: when }) : i18n.t('consultation.noClosingDate');
}

/** "12 of 40 answered (30%)". */
export function respondentsText(c: Pick<Consultation, 'respondents' | 'audienceSize'>, i18n: Translator): string {
  const rate = c.audienceSize > 0 ? Math.round((c.respondents / c.audienceSize) * 100) : 0;
  return i18n.t('consultation.respondentsOf', { respondents: c.respondents, audience: c.audienceSize, rate });
}

export function StatusBadge({ consultation }: { consultation: Pick<Consultation, 'status'> }) {
  const { t } = useI18n();
  const color = consultation.status === 'open' ? 'success' : consultation.status === 'draft' ? 'warning' : 'informative';
  return (
    <Badge appearance="tint" color={color} data-testid="consultation-status">
      {t(`consultation.status.${consultation.status}`)}
    </Badge>
  );
}

export function ConsultationSummary({ consultation, level = 3, showCommunity = false }: { consultation: Consultation; level?: 2 | 3; showCommunity?: boolean }) {
  const styles = useCardListStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const toAnswer = consultation.status === 'open' && consultation.canRespond && consultation.myResponse === 'none';
  return (
    <SummaryCard level={level} href={`/consultations/${consultation.id}`} title={consultation.title} testId="consultation-summary">
      <p className={styles.meta}>
        {showCommunity ? (
          <>
            <span>{consultation.communityName}</span>
            <span aria-hidden="true">·</span>
          </>
        ) : null}
        {consultation.closesAt ? <time dateTime={consultation.closesAt}>{closingText(consultation, i18n)}</time> : <span>{closingText(consultation, i18n)}</span>}
        <span aria-hidden="true">·</span>
        <span>{respondentsText(consultation, i18n)}</span>
      </p>
      <div className={styles.meta}>
        <StatusBadge consultation={consultation} />
        {consultation.quickPoll ? <Badge appearance="outline">{t('consultation.quickPoll')}</Badge> : null}
        {consultation.anonymous ? <Badge appearance="outline">{t('consultation.anonymous')}</Badge> : null}
        {toAnswer ? (
          <Badge appearance="filled" color="brand">
            {t('consultation.toAnswer')}
          </Badge>
        ) : null}
        {consultation.myResponse === 'submitted' ? (
          <Badge appearance="outline" color="success">
            {t('consultation.youAnswered')}
          </Badge>
        ) : null}
      </div>
    </SummaryCard>
  );
}
