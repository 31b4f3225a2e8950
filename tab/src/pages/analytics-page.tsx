/**
 * Figures for community managers (their communities) and organisation admins (everything):
 * headline numbers with the change against the previous period, figures over time as line
 * charts each with its data table, the most viewed discussions and events, a CSV download,
 * and a print layout that fits the headline figures and tables on one page for the board.
 */
import { Button, Field, Link, Select, makeStaticStyles, makeStyles, tokens } from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { downloadAnalytics, getSeries, getSummary, CHARTED_METRICS, type Figure, type Interval, type Summary, type TopItem } from '../api/analytics-api.js';
import { useApi } from '../api/api-provider.js';
import { listCommunities } from '../api/communities-api.js';
import { useMe } from '../api/me-provider.js';
import { useRequest } from '../api/use-request.js';
import { LineChart } from '../analytics/line-chart.js';
import { saveFile } from '../components/download.js';
import { ErrorMessage } from '../components/error-message.js';
import { PageSkeleton } from '../components/loading-skeleton.js';
import { Section } from '../components/section.js';
import type { MessageKey } from '../i18n/en.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { Translator } from '../i18n/translator.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, type Route } from '../router/hash-router.js';

/** The board's report is the page as printed: no navigation, no controls. */
const usePrintStyles = makeStaticStyles(`@media print { nav, [data-print="hide"] { display: none !important; } body { background: #fff !important; color: #000 !important; } }`);

const useStyles = makeStyles({
  controls: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalL, marginBottom: tokens.spacingVerticalL },
  figures: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))', gap: tokens.spacingHorizontalM, margin: 0, '@media print': { gridTemplateColumns: 'repeat(4, 1fr)', gap: tokens.spacingHorizontalS } },
  figure: {
    margin: 0,
    padding: tokens.spacingVerticalS,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
    display: 'flex',
    flexDirection: 'column',
    breakInside: 'avoid',
  },
  label: { fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground2 },
  value: { margin: 0, fontSize: tokens.fontSizeBase600, lineHeight: tokens.lineHeightBase600, fontWeight: tokens.fontWeightSemibold, fontVariantNumeric: 'tabular-nums' },
  change: { margin: 0, fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground2 },
  charts: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL },
  tops: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(260px, 1fr))', gap: tokens.spacingHorizontalXL },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalXL },
  report: { margin: `0 0 ${tokens.spacingVerticalM}`, color: tokens.colorNeutralForeground2 },
});

const PERIODS = [28, 91, 365] as const;
type PeriodDays = (typeof PERIODS)[number];

/** The local calendar day, `YYYY-MM-DD`. */
function localDay(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

function periodOf(days: PeriodDays): { from: string; to: string } {
  const today = new Date();
  return { from: localDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1))), to: localDay(today) };
}

const figureLabel = (key: string) => `analytics.figure.${key}` as Extract<MessageKey, `analytics.figure.${string}`>;

export function AnalyticsPage(_props: { route: Route }) {
  usePrintStyles();
  const styles = useStyles();
  const api = useApi();
  const i18n = useI18n();
  const { t, language } = i18n;
  const me = useMe();
  const [days, setDays] = useState<PeriodDays>(28);
  const [interval, setInterval] = useState<Interval>('day');
  const [communityId, setCommunityId] = useState('');
  const period = useMemo(() => periodOf(days), [days]);
  const query = useMemo(() => ({ ...period, ...(communityId ? { communityId } : {}) }), [period, communityId]);

  const communities = useRequest(async (signal) => (await listCommunities(api, { mine: true, limit: 100, signal })).items, [api]);
  const isAdmin = me.status === 'success' && me.data.isOrgAdmin;
  const choices = communities.status === 'success' ? communities.data.filter((c) => isAdmin || c.membership?.role === 'manager') : [];
  const summary = useRequest((signal) => getSummary(api, query, signal), [api, query]);
  const series = useRequest((signal) => Promise.all(CHARTED_METRICS.map((metric) => getSeries(api, { ...query, metric, interval }, signal))), [api, query, interval]);

  const download = async () => {
    saveFile(await downloadAnalytics(api, { ...query, interval, lang: language }), 'analytics.csv');
    announce(t('analytics.exported'));
  };

  if (summary.status === 'error') {
    return (
      <>
        <PageHeader title={t('analytics.title')} />
        <ErrorMessage error={summary.error} onRetry={summary.reload} />
      </>
    );
  }
  return (
    <>
      <PageHeader title={t('analytics.title')} intro={t('analytics.intro')} />
      <form className={styles.controls} aria-label={t('analytics.controls')} data-print="hide" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('analytics.scope')}>
          <Select value={communityId} onChange={(_, d) => setCommunityId(d.value)} data-testid="analytics-community">
            <option value="">{t('analytics.scope.all')}</option>
            {choices.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('analytics.period')}>
          <Select value={String(days)} onChange={(_, d) => setDays(Number(d.value) as PeriodDays)} data-testid="analytics-period">
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {t(`analytics.period.${p}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('analytics.interval')}>
          <Select value={interval} onChange={(_, d) => setInterval(d.value as Interval)} data-testid="analytics-interval">
            {(['day', 'week', 'month'] as const).map((i) => (
              <option key={i} value={i}>
                {t(`analytics.interval.${i}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Button onClick={() => void download()} data-testid="analytics-export">
          {t('analytics.export')}
        </Button>
        <Button onClick={() => window.print()}>{t('analytics.print')}</Button>
      </form>
      {summary.status === 'loading' ? (
        <PageSkeleton />
      ) : (
        <Report summary={summary.data} i18n={i18n} />
      )}
      <Section title={t('analytics.overTime')}>
        {series.status === 'error' ? <ErrorMessage error={series.error} onRetry={series.reload} /> : null}
        {series.status === 'success' ? (
          <div className={styles.charts}>
            {series.data.map((s, i) => {
              const metric = CHARTED_METRICS[i]!;
              return (
                <LineChart
                  key={metric}
                  title={t('analytics.chart', { metric: t(figureLabel(metric)), interval: t(`analytics.interval.${interval}`).toLowerCase(), from: i18n.formatDate(period.from), to: i18n.formatDate(period.to) })}
                  points={s.points}
                  format={(v) => formatValue(i18n, s.unit, v)}
                  formatPeriod={(start) => i18n.formatDate(start)}
                  labels={{ period: t('analytics.table.period'), value: t('analytics.table.value'), suppressed: '< 5' }}
                />
              );
            })}
          </div>
        ) : null}
      </Section>
    </>
  );
}

function Report({ summary, i18n }: { summary: Summary; i18n: Translator }) {
  const styles = useStyles();
  const { t } = i18n;
  const scope = summary.scope.name ?? (summary.scope.communities === null ? t('analytics.organisation') : t('analytics.myCommunities'));
  return (
    <>
      <p className={styles.report} data-testid="analytics-report">
        {t('analytics.report', { scope, from: i18n.formatDate(summary.from), to: i18n.formatDate(summary.to) })}
      </p>
      <Section title={t('analytics.headline')} testId="analytics-headline">
        <dl className={styles.figures}>
          {summary.figures.map((f) => (
            <div key={f.key} className={styles.figure} data-testid={`figure-${f.key}`}>
              <dt className={styles.label}>{t(figureLabel(f.key))}</dt>
              <dd className={styles.value}>{shownValue(i18n, f)}</dd>
              <dd className={styles.change}>{f.change === null ? t('analytics.noChange') : t('analytics.change', { change: `${f.change > 0 ? '+' : ''}${new Intl.NumberFormat(i18n.locale, { maximumFractionDigits: 1 }).format(f.change)}%` })}</dd>
            </div>
          ))}
        </dl>
        <p data-testid="analytics-definitions">{t('analytics.definitions')}</p>
      </Section>
      <div className={styles.tops}>
        <TopList title={t('analytics.top.discussions')} items={summary.top.discussions} route="discussion" i18n={i18n} />
        <TopList title={t('analytics.top.events')} items={summary.top.events} route="event" i18n={i18n} />
      </div>
    </>
  );
}

function TopList({ title, items, route, i18n }: { title: string; items: TopItem[]; route: 'discussion' | 'event'; i18n: Translator }) {
  const styles = useStyles();
  return (
    <Section title={title}>
      {items.length === 0 ? (
        <p>{i18n.t('analytics.top.empty')}</p>
      ) : (
        <ol className={styles.list}>
          {items.map((item) => (
            <li key={item.id}>
              <Link href={hrefFor(`/${route}/${item.id}`)}>{item.title}</Link> — {i18n.t('analytics.top.views', { count: new Intl.NumberFormat(i18n.locale).format(item.views) })}
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}

function shownValue(i18n: Translator, f: Figure): string {
  if (f.suppressed) return '< 5';
  if (!f.available || f.value === null) return '—';
  return formatValue(i18n, f.unit, f.value);
}

function formatValue(i18n: Translator, unit: Figure['unit'], value: number): string {
  const n = new Intl.NumberFormat(i18n.locale, { maximumFractionDigits: 1 }).format(value);
  return unit === 'percent' ? `${n}%` : n;
}
