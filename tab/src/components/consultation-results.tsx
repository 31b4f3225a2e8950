/**
 * A consultation's results: the response rate, then per question a bar chart with its data
 * table beside it (the chart is decoration for sighted readers; the table carries the same
 * figures for screen readers and for copying), the mean and distribution of a scale, the
 * average position of a ranking, and open answers paged. Groups are shown as the API gives
 * them: a group below the small-group threshold comes as '< 5', without figures.
 * `tablesOnly` is the council report's form: the figures, no charts, no paging.
 */
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useApi } from '../api/api-provider.js';
import { listOpenAnswers, type Consultation, type GroupResult, type Question, type QuestionResult, type Results } from '../api/consultations-api.js';
import { usePagedList } from '../api/use-paged-list.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { useVisuallyHiddenStyles } from '../layout/visually-hidden.js';
import type { Translator } from '../i18n/translator.js';
import { CardItem, PagedCardList } from './card-list.js';
import { hasItems, ListPlaceholder } from './list-placeholder.js';
import { useCardListStyles } from './section.js';

const useStyles = makeStyles({
  // Kept whole when the report sets questions in columns, on screen and on paper.
  question: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, marginBottom: tokens.spacingVerticalXL, breakInside: 'avoid' },
  heading: { margin: 0, fontSize: tokens.fontSizeBase400, lineHeight: tokens.lineHeightBase400, fontWeight: tokens.fontWeightSemibold },
  meta: { margin: 0, color: tokens.colorNeutralForeground2 },
  figure: { display: 'grid', gridTemplateColumns: 'minmax(0, 1fr) minmax(0, 1fr)', gap: tokens.spacingHorizontalXL, margin: 0, alignItems: 'start', '@media (max-width: 720px)': { gridTemplateColumns: '1fr' } },
  chart: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, margin: 0, padding: 0, listStyleType: 'none' },
  barRow: { display: 'grid', gridTemplateColumns: 'minmax(6em, 10em) 1fr 3.5em', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  barLabel: { overflowWrap: 'anywhere' },
  track: { height: '16px', backgroundColor: tokens.colorNeutralBackground3, borderRadius: tokens.borderRadiusSmall, border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}` },
  bar: {
    height: '100%',
    backgroundColor: tokens.colorBrandBackground,
    borderRadius: tokens.borderRadiusSmall,
    // Forced colours drop backgrounds: paint the bar in the text colour so it still shows.
    '@media (forced-colors: active)': { backgroundColor: 'CanvasText', forcedColorAdjust: 'none' },
  },
  value: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  table: {
    borderCollapse: 'collapse',
    width: '100%',
    fontSize: tokens.fontSizeBase300,
    '& caption': { textAlign: 'start', fontWeight: tokens.fontWeightSemibold, paddingBottom: tokens.spacingVerticalXS },
    '& th, & td': { padding: `${tokens.spacingVerticalXXS} ${tokens.spacingHorizontalS}`, borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`, textAlign: 'start' },
    '& td.number, & th.number': { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  },
  summary: { cursor: 'pointer', padding: `${tokens.spacingVerticalS} 0`, ':focus-visible': { outlineStyle: 'solid', outlineWidth: tokens.strokeWidthThick, outlineColor: tokens.colorStrokeFocus2 } },
  compactTable: { fontSize: tokens.fontSizeBase200, '& th, & td': { padding: `1px ${tokens.spacingHorizontalXS}` } },
});

/** 0.4567 → "45.7%" in the reader's locale. */
export function percentText(fraction: number, i18n: Translator): string {
  return new Intl.NumberFormat(i18n.locale, { style: 'percent', maximumFractionDigits: 1 }).format(fraction);
}

function decimal(value: number, i18n: Translator): string {
  return new Intl.NumberFormat(i18n.locale, { maximumFractionDigits: 2 }).format(value);
}

/** The API's percentages are 0..100. */
const fractionOf = (percentage: number) => percentage / 100;

interface Row {
  label: string;
  /** 0..1, the bar's length. */
  share: number;
  cells: string[];
}

function Chart({ rows }: { rows: Row[] }) {
  const styles = useStyles();
  // The table beside it says the same; screen readers skip the drawing.
  return (
    <ul className={styles.chart} aria-hidden="true" data-testid="result-chart">
      {rows.map((r, i) => (
        <li key={i} className={styles.barRow}>
          <span className={styles.barLabel}>{r.label}</span>
          <span className={styles.track}>
            <span className={styles.bar} style={{ display: 'block', width: `${Math.max(0, Math.min(1, r.share)) * 100}%` }} />
          </span>
          <span className={styles.value}>{r.cells[r.cells.length - 1]}</span>
        </li>
      ))}
    </ul>
  );
}

function Table({ caption, head, rows, compact }: { caption: string; head: string[]; rows: Row[]; compact: boolean }) {
  const styles = useStyles();
  const hidden = useVisuallyHiddenStyles();
  return (
    <table className={mergeClasses(styles.table, compact && styles.compactTable)} data-testid="result-table">
      {/* In the report the question's heading stands right above: the caption is for screen readers only. */}
      <caption className={compact ? hidden.root : undefined}>{caption}</caption>
      <thead>
        <tr>
          {head.map((h, i) => (
            <th key={i} scope="col" className={i > 0 ? 'number' : undefined}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            <th scope="row">{r.label}</th>
            {r.cells.map((c, j) => (
              <td key={j} className="number">
                {c}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The figures of one question as table rows (and bar lengths). */
function rowsOf(result: QuestionResult, question: Question | undefined, i18n: Translator): { head: string[]; rows: Row[] } | undefined {
  const { t } = i18n;
  if (result.kind === 'singleChoice' || result.kind === 'multipleChoice' || result.kind === 'yesNo') {
    return {
      head: [t('results.option'), t('results.count'), t('results.percentage')],
      rows: result.options.map((o) => ({
        label: result.kind === 'yesNo' ? t(o.optionId === 'yes' ? 'consultation.yes' : 'consultation.no') : o.label,
        share: fractionOf(o.percentage),
        cells: [String(o.count), percentText(fractionOf(o.percentage), i18n)],
      })),
    };
  }
  if (result.kind === 'scale') {
    const scale = question?.scale;
    return {
      head: [t('results.value'), t('results.count'), t('results.percentage')],
      rows: result.distribution.map((d) => {
        const end = scale && d.value === scale.min ? scale.minLabel : scale && d.value === scale.max ? scale.maxLabel : undefined;
        return { label: end ? `${d.value} (${end})` : String(d.value), share: fractionOf(d.percentage), cells: [String(d.count), percentText(fractionOf(d.percentage), i18n)] };
      }),
    };
  }
  if (result.kind === 'ranking') {
    const n = Math.max(1, result.options.length);
    return {
      head: [t('results.option'), t('results.averagePosition')],
      // Position 1 is best: the best-placed option gets the longest bar.
      rows: result.options.map((o) => ({ label: o.label, share: o.averagePosition === null ? 0 : (n - o.averagePosition + 1) / n, cells: [o.averagePosition === null ? '–' : decimal(o.averagePosition, i18n)] })),
    };
  }
  return undefined;
}

export function QuestionResultView({ consultationId, result, question, number, tablesOnly = false, showTexts = true }: { consultationId: string; result: QuestionResult; question: Question | undefined; number: number; tablesOnly?: boolean; showTexts?: boolean }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t, tp } = i18n;
  const table = rowsOf(result, question, i18n);
  const title = `${number}. ${question?.text ?? result.questionId}`;
  return (
    <section className={styles.question} aria-label={title} data-testid="question-result">
      <h3 className={styles.heading}>{title}</h3>
      <p className={styles.meta}>
        {tp('results.answered', result.answered)}
        {result.kind === 'scale' && result.mean !== null ? ` · ${t('results.mean', { mean: decimal(result.mean, i18n) })}` : ''}
      </p>
      {table ? (
        tablesOnly ? (
          <Table caption={title} head={table.head} rows={table.rows} compact />
        ) : (
          <div className={styles.figure}>
            <Chart rows={table.rows} />
            <Table caption={t('results.tableOf', { question: question?.text ?? '' })} head={table.head} rows={table.rows} compact={false} />
          </div>
        )
      ) : null}
      {!table && showTexts && !tablesOnly ? <OpenAnswers consultationId={consultationId} questionId={result.questionId} /> : null}
    </section>
  );
}

function OpenAnswers({ consultationId, questionId }: { consultationId: string; questionId: string }) {
  const cards = useCardListStyles();
  const { t } = useI18n();
  const api = useApi();
  const list = usePagedList((cursor, signal) => listOpenAnswers(api, consultationId, questionId, { cursor, limit: 10, signal }), [api, consultationId, questionId]);
  if (!hasItems(list)) return <ListPlaceholder list={list} lines={2} empty={<p>{t('results.noTexts')}</p>} />;
  return (
    <PagedCardList list={list} testId="open-answers">
      {(a) => (
        <CardItem key={`${a.authorName ?? ''}${a.text}`}>
          <p className={cards.body}>{a.text}</p>
          {a.authorName ? <p className={cards.meta}>{a.authorName}</p> : null}
        </CardItem>
      )}
    </PagedCardList>
  );
}

function groupName(group: GroupResult['group'], { t }: Translator): string {
  return t(group === 'guests' ? 'results.group.guests' : 'results.group.members');
}

export function ResultsView({ consultation, results, tablesOnly = false }: { consultation: Consultation; results: Results; tablesOnly?: boolean }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const byId = new Map(consultation.questions.map((q) => [q.id, q]));
  const number = (id: string) => consultation.questions.findIndex((q) => q.id === id) + 1;
  return (
    <div data-testid="results">
      {tablesOnly ? null : (
        <p data-testid="response-rate">
          {t('results.responseRate', { rate: percentText(results.responseRate, i18n), respondents: results.respondents, audience: results.audienceSize })}
        </p>
      )}
      {results.questions.map((r) => (
        <QuestionResultView key={r.questionId} consultationId={consultation.id} result={r} question={byId.get(r.questionId)} number={number(r.questionId)} tablesOnly={tablesOnly} />
      ))}
      {results.groups.length > 0 ? (
        <div data-testid="result-groups">
          <table className={mergeClasses(styles.table, tablesOnly && styles.compactTable)}>
            <caption>{t('results.groups')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('results.group')}</th>
                <th scope="col" className="number">
                  {t('results.respondents')}
                </th>
              </tr>
            </thead>
            <tbody>
              {results.groups.map((g) => (
                <tr key={g.group}>
                  <th scope="row">{groupName(g.group, i18n)}</th>
                  <td className="number">{typeof g.respondents === 'number' ? String(g.respondents) : g.respondents}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className={styles.meta}>{t('results.smallGroups')}</p>
          {!tablesOnly
            ? results.groups
                .filter((g) => g.questions && g.questions.length > 0)
                .map((g) => (
                  <details key={g.group}>
                    <summary className={styles.summary}>{t('results.groupDetails', { group: groupName(g.group, i18n) })}</summary>
                    {g.questions!.map((r) => (
                      <QuestionResultView key={r.questionId} consultationId={consultation.id} result={r} question={byId.get(r.questionId)} number={number(r.questionId)} showTexts={false} />
                    ))}
                  </details>
                ))
            : null}
        </div>
      ) : null}
    </div>
  );
}
