/** One event in a list: title (a link), when (in the reader's time zone), where, seats and my sign-up. */
import { Badge } from '@fluentui/react-components';
import type { MeentEvent } from '../api/events-api.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { Translator } from '../i18n/translator.js';
import { SummaryCard } from './card-list.js';
import { useCardListStyles } from './section.js';

/** "Tuesday 3 March 2030, 09:00 – 10:30" in the reader's language and time zone. */
export function eventWhen(event: Pick<MeentEvent, 'start' | 'end'>, i18n: Translator): string {
  const sameDay = i18n.formatDate(event.start) === i18n.formatDate(event.end);
  return sameDay
    ? i18n.t('event.when.sameDay', { start: i18n.formatDateTime(event.start), end: i18n.formatTime(event.end) })
    : i18n.t('event.when.range', { start: i18n.formatDateTime(event.start), end: i18n.formatDateTime(event.end) });
}

export function eventWhere(event: Pick<MeentEvent, 'location' | 'online'>, { t }: Translator): string {
  if (event.location && event.online) return t('event.where.both', { place: event.location.name });
  if (event.location) return event.location.name;
  return event.online ? t('event.where.online') : t('event.where.unknown');
}

export function SeatsBadge({ event }: { event: MeentEvent }) {
  const { t, tp } = useI18n();
  if (event.status === 'cancelled') return <Badge appearance="tint" color="danger">{t('event.status.cancelled')}</Badge>;
  if (event.seatsLeft === null) return null;
  if (event.seatsLeft === 0) return <Badge appearance="tint" color="warning">{event.waitlist ? t('event.full.waitlist') : t('event.full')}</Badge>;
  return (
    <Badge appearance="tint" color="informative">
      {tp('event.seatsLeft', event.seatsLeft)}
    </Badge>
  );
}

export function MyRegistrationBadge({ event }: { event: MeentEvent }) {
  const { t } = useI18n();
  const mine = event.myRegistration;
  if (!mine) return null;
  if (mine.status === 'registered') return <Badge appearance="filled" color="success">{t('event.mine.registered')}</Badge>;
  if (mine.status === 'waitlisted') return <Badge appearance="outline" color="warning">{mine.position ? t('event.mine.waitlistedAt', { position: mine.position }) : t('event.mine.waitlisted')}</Badge>;
  if (mine.status === 'requested') return <Badge appearance="outline" color="informative">{t('event.mine.requested')}</Badge>;
  return null;
}

export function EventSummary({ event, level = 3 }: { event: MeentEvent; level?: 2 | 3 }) {
  const styles = useCardListStyles();
  const i18n = useI18n();
  return (
    <SummaryCard level={level} href={`/event/${event.id}`} title={event.title} testId="event-summary">
      <p className={styles.meta}>
        <time dateTime={event.start}>{eventWhen(event, i18n)}</time>
        <span aria-hidden="true">·</span>
        <span>{eventWhere(event, i18n)}</span>
      </p>
      <div className={styles.meta}>
        <SeatsBadge event={event} />
        <MyRegistrationBadge event={event} />
      </div>
    </SummaryCard>
  );
}
