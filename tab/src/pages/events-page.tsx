/**
 * Events: upcoming knowledge sessions I may see, as a list (grouped by day) or a month
 * calendar, filtered by a date range and "only mine". Dates are the reader's own time zone.
 */
import { Button, Checkbox, Field, Input, Link, Tab, TabList, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useMemo, useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import { listEvents, type MeentEvent } from '../api/events-api.js';
import { useMe } from '../api/me-provider.js';
import { usePagedList } from '../api/use-paged-list.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage } from '../components/error-message.js';
import { EventSummary } from '../components/event-summary.js';
import { LoadMore } from '../components/load-more.js';
import { useCardListStyles } from '../components/section.js';
import { hasItems, ListPlaceholder } from '../components/list-placeholder.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { Translator } from '../i18n/translator.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, navigate, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  toolbar: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalL, marginBottom: tokens.spacingVerticalL },
  day: { margin: `${tokens.spacingVerticalL} 0 ${tokens.spacingVerticalS}`, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold },
  monthNav: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, marginBottom: tokens.spacingVerticalS },
  monthTitle: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold, minWidth: '12ch' },
  table: { width: '100%', borderCollapse: 'collapse', tableLayout: 'fixed' },
  th: { padding: tokens.spacingVerticalXS, fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground2, textAlign: 'left' },
  td: { verticalAlign: 'top', height: '88px', padding: tokens.spacingVerticalXS, border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  outside: { backgroundColor: tokens.colorNeutralBackground2 },
  today: { boxShadow: `inset 0 0 0 ${tokens.strokeWidthThick} ${tokens.colorBrandStroke1}` },
  dayNumber: { display: 'block', fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground2 },
  cellList: { listStyleType: 'none', margin: 0, padding: 0, fontSize: tokens.fontSizeBase200 },
  cellItem: { overflow: 'hidden', textOverflow: 'ellipsis' },
  srOnly: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' },
});

type View = 'list' | 'month';

/** `YYYY-MM-DD` (a date input) at local midnight → ISO; `endOfDay` adds a day, for an inclusive "to". */
function dayToIso(value: string, endOfDay = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + (endOfDay ? 1 : 0)).toISOString();
}

function monthStart(date: Date): Date {
  return new Date(date.getFullYear(), date.getMonth(), 1);
}

function localDayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** The weeks (Monday first) shown for a month, as dates at local midnight. */
function monthWeeks(month: Date): Date[][] {
  const first = monthStart(month);
  const offset = (first.getDay() + 6) % 7;
  const start = new Date(first.getFullYear(), first.getMonth(), 1 - offset);
  const weeks: Date[][] = [];
  for (let w = 0; w < 6; w++) {
    const week = Array.from({ length: 7 }, (_, i) => new Date(start.getFullYear(), start.getMonth(), start.getDate() + w * 7 + i));
    if (w > 3 && week[0]!.getMonth() !== first.getMonth()) break;
    weeks.push(week);
  }
  return weeks;
}

function groupByDay(events: MeentEvent[]): Array<{ key: string; day: string; events: MeentEvent[] }> {
  const groups = new Map<string, { key: string; day: string; events: MeentEvent[] }>();
  for (const event of events) {
    const key = localDayKey(event.start);
    const group = groups.get(key) ?? { key, day: event.start, events: [] };
    group.events.push(event);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export function EventsPage({ route }: { route: Route }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const me = useMe();
  const view: View = route.query.get('view') === 'month' ? 'month' : 'list';
  const [from, setFrom] = useState(route.query.get('from') ?? '');
  const [to, setTo] = useState(route.query.get('to') ?? '');
  const [mine, setMine] = useState(route.query.get('mine') === 'true');
  const [month, setMonth] = useState(() => monthStart(new Date()));

  const setView = (next: View) => {
    const query = new URLSearchParams(route.query);
    query.set('view', next);
    navigate(`/events?${query.toString()}`, { replace: true });
  };

  const canPlan = me.status === 'success' && me.data.isOrgAdmin;

  return (
    <>
      <PageHeader title={t('events.title')} intro={t('events.intro')} />
      <div className={styles.toolbar}>
        <TabList selectedValue={view} onTabSelect={(_, data) => setView(data.value === 'month' ? 'month' : 'list')} aria-label={t('events.view.label')}>
          <Tab value="list">{t('events.view.list')}</Tab>
          <Tab value="month" data-testid="events-month-tab">
            {t('events.view.month')}
          </Tab>
        </TabList>
        {view === 'list' ? (
          <>
            <Field label={t('events.filter.from')}>
              <Input type="date" value={from} onChange={(_, d) => setFrom(d.value)} data-testid="events-from" />
            </Field>
            <Field label={t('events.filter.to')}>
              <Input type="date" value={to} onChange={(_, d) => setTo(d.value)} data-testid="events-to" />
            </Field>
          </>
        ) : null}
        <Checkbox label={t('events.filter.mine')} checked={mine} onChange={(_, d) => setMine(d.checked === true)} data-testid="events-mine" />
        {canPlan ? (
          <Link href={hrefFor('/events/new')} data-testid="plan-event">
            {t('events.plan')}
          </Link>
        ) : null}
      </div>
      {view === 'list' ? <EventList from={from} to={to} mine={mine} i18n={i18n} /> : <MonthView month={month} onMonth={setMonth} mine={mine} />}
    </>
  );
}

function EventList({ from, to, mine, i18n }: { from: string; to: string; mine: boolean; i18n: Translator }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const api = useApi();
  const { t } = i18n;
  const list = useRef<HTMLDivElement>(null);
  const fromIso = dayToIso(from);
  const toIso = dayToIso(to, true);
  const events = usePagedList((cursor, signal) => listEvents(api, { from: fromIso, to: toIso, mine, cursor, limit: 25, signal }), [api, fromIso, toIso, mine]);

  if (!hasItems(events)) return <ListPlaceholder list={events} lines={4} empty={<EmptyState title={mine ? t('events.emptyMineTitle') : t('events.emptyTitle')} body={mine ? t('events.emptyMineBody') : t('events.emptyBody')} />} />;
  return (
    <div ref={list} data-testid="events-list">
      {groupByDay(events.items).map((group) => (
        <section key={group.key} aria-label={i18n.formatDate(group.day)}>
          <h2 className={styles.day}>{i18n.formatDateTime(group.day, { dateStyle: 'full' })}</h2>
          <ul className={cards.list}>
            {group.events.map((event) => (
              <EventSummary key={event.id} event={event} />
            ))}
          </ul>
        </section>
      ))}
      <LoadMore hasMore={Boolean(events.nextCursor)} loading={events.loadingMore} error={events.moreError} onMore={events.more} list={list} />
    </div>
  );
}

function MonthView({ month, onMonth, mine }: { month: Date; onMonth: (d: Date) => void; mine: boolean }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const weeks = useMemo(() => monthWeeks(month), [month]);
  const first = weeks[0]![0]!;
  const last = weeks[weeks.length - 1]![6]!;
  const fromIso = first.toISOString();
  const toIso = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1).toISOString();
  // A month holds at most a few dozen sessions; the API's largest page covers it.
  const events = usePagedList((cursor, signal) => listEvents(api, { from: fromIso, to: toIso, mine, cursor, limit: 100, signal }), [api, fromIso, toIso, mine]);
  const byDay = useMemo(() => {
    const map = new Map<string, MeentEvent[]>();
    if (events.status === 'success') for (const e of events.items) map.set(localDayKey(e.start), [...(map.get(localDayKey(e.start)) ?? []), e]);
    return map;
  }, [events]);
  const title = new Intl.DateTimeFormat(i18n.locale, { month: 'long', year: 'numeric', timeZone: i18n.timeZone }).format(month);
  const weekday = new Intl.DateTimeFormat(i18n.locale, { weekday: 'short' });
  const weekdayLong = new Intl.DateTimeFormat(i18n.locale, { weekday: 'long' });
  const todayKey = localDayKey(new Date().toISOString());

  return (
    <div data-testid="events-month">
      <div className={styles.monthNav}>
        <Button onClick={() => onMonth(new Date(month.getFullYear(), month.getMonth() - 1, 1))}>{t('events.month.previous')}</Button>
        <h2 className={styles.monthTitle} aria-live="polite">
          {title}
        </h2>
        <Button onClick={() => onMonth(new Date(month.getFullYear(), month.getMonth() + 1, 1))}>{t('events.month.next')}</Button>
        <Button appearance="subtle" onClick={() => onMonth(monthStart(new Date()))}>
          {t('events.month.today')}
        </Button>
      </div>
      {events.status === 'error' ? <ErrorMessage error={events.error} onRetry={events.reload} /> : null}
      <table className={styles.table} aria-busy={events.status === 'loading'}>
        <caption className={styles.srOnly}>{t('events.month.caption', { month: title })}</caption>
        <thead>
          <tr>
            {weeks[0]!.map((day) => (
              <th key={day.getDay()} scope="col" className={styles.th}>
                <abbr title={weekdayLong.format(day)}>{weekday.format(day)}</abbr>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]!.toISOString()}>
              {week.map((day) => {
                const key = localDayKey(day.toISOString());
                const dayEvents = byDay.get(key) ?? [];
                const outside = day.getMonth() !== month.getMonth();
                return (
                  <td key={key} className={mergeClasses(styles.td, outside && styles.outside, key === todayKey && styles.today)} aria-current={key === todayKey ? 'date' : undefined}>
                    <span className={styles.dayNumber}>{day.getDate()}</span>
                    {dayEvents.length > 0 ? (
                      <ul className={styles.cellList}>
                        {dayEvents.map((e) => (
                          <li key={e.id} className={styles.cellItem}>
                            <Link href={hrefFor(`/event/${e.id}`)}>
                              {i18n.formatTime(e.start)} {e.title}
                            </Link>
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {events.status === 'success' && events.items.length === 0 ? <p>{t('events.month.none')}</p> : null}
    </div>
  );
}
