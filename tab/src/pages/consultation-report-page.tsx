/**
 * The one-page report for the council (`#/consultations/<id>/report`): title, community,
 * period, response rate, per question its figures as a table, and the conclusion. Printing
 * (or "Save as PDF") leaves out the tab's banner and navigation and fits a typical
 * consultation on one A4 page: small type, tables side by side, no charts.
 */
import { Button, makeStaticStyles, makeStyles, tokens } from '@fluentui/react-components';
import { useApi } from '../api/api-provider.js';
import { getConsultation, getResults, type Consultation, type Results } from '../api/consultations-api.js';
import { useRequest } from '../api/use-request.js';
import { ResultsView, percentText } from '../components/consultation-results.js';
import { PageSkeleton } from '../components/loading-skeleton.js';
import { PageLoadFailed } from '../components/page-load-failed.js';
import { RichText } from '../components/rich-text.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { PageHeader } from '../layout/page-header.js';
import type { Route } from '../router/hash-router.js';
import { periodText } from './consultation-page.js';

// The tab's frame (skip link, banner, navigation) has no place on paper.
const usePrintStyles = makeStaticStyles(`
@page { size: A4; margin: 12mm; }
@media print {
  header, nav, [data-testid="skip-link"], [data-print="hide"] { display: none !important; }
  html, body, #root, [data-theme] { background: #fff !important; color: #000 !important; min-height: 0 !important; }
  main { padding: 0 !important; max-width: none !important; }
  [data-testid="council-report"] { font-size: 9pt; line-height: 1.25; }
  [data-testid="council-report"] h1 { font-size: 14pt; line-height: 1.2; }
  [data-testid="council-report"] h2, [data-testid="council-report"] h3 { font-size: 10pt; margin: 0; }
  [data-testid="council-report"] table { font-size: 8pt; break-inside: avoid; }
  [data-testid="council-report"] section { break-inside: avoid; margin-bottom: 6pt !important; gap: 2pt !important; }
}
`);

const useStyles = makeStyles({
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalXXS, margin: `0 0 ${tokens.spacingVerticalM}` },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0 },
  // Two columns of question tables, so ten questions still fit one page.
  questions: { columnCount: 2, columnGap: tokens.spacingHorizontalXL, '@media (max-width: 720px)': { columnCount: 1 } },
  heading: { margin: `${tokens.spacingVerticalM} 0 ${tokens.spacingVerticalXS}`, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold },
  conclusion: { padding: tokens.spacingHorizontalM, border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`, borderRadius: tokens.borderRadiusMedium, marginBottom: tokens.spacingVerticalM },
  toolbar: { marginBottom: tokens.spacingVerticalM },
});

export function ConsultationReportPage({ route }: { route: Route }) {
  const { t } = useI18n();
  const api = useApi();
  const id = route.params.id ?? '';
  const loaded = useRequest(async (signal) => {
    const consultation = await getConsultation(api, id, signal);
    return { consultation, results: consultation.canSeeResults ? await getResults(api, id, signal) : undefined };
  }, [api, id]);
  if (loaded.status === 'loading') return <PageSkeleton />;
  if (loaded.status === 'error') return <PageLoadFailed title={t('councilReport.title')} error={loaded.error} onRetry={loaded.reload} />;
  return <Report consultation={loaded.data.consultation} results={loaded.data.results} />;
}

function Report({ consultation: c, results }: { consultation: Consultation; results: Results | undefined }) {
  usePrintStyles();
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <div data-testid="council-report">
      <PageHeader title={c.title} intro={t('councilReport.subtitle', { community: c.communityName })} />
      <div className={styles.toolbar} data-print="hide">
        <Button onClick={() => window.print()} data-testid="print-report">
          {t('councilReport.print')}
        </Button>
      </div>
      <dl className={styles.facts}>
        <dt className={styles.term}>{t('consultation.facts.period')}</dt>
        <dd className={styles.value}>{periodText(c, i18n)}</dd>
        <dt className={styles.term}>{t('councilReport.responseRate')}</dt>
        <dd className={styles.value} data-testid="report-response-rate">
          {results ? t('councilReport.rate', { rate: percentText(results.responseRate, i18n), respondents: results.respondents, audience: results.audienceSize }) : t('councilReport.rate', { rate: '–', respondents: c.respondents, audience: c.audienceSize })}
        </dd>
        <dt className={styles.term}>{t('consultation.facts.privacy')}</dt>
        <dd className={styles.value}>{t(c.anonymous ? 'consultation.privacy.anonymous' : 'consultation.privacy.named')}</dd>
      </dl>
      {c.conclusion ? (
        <section className={styles.conclusion} aria-labelledby="report-conclusion">
          <h2 id="report-conclusion" className={styles.heading}>
            {t('consultation.conclusion.title')}
          </h2>
          <RichText html={c.conclusion.html} />
        </section>
      ) : null}
      <h2 className={styles.heading}>{t('councilReport.figures')}</h2>
      {results ? (
        <div className={styles.questions}>
          <ResultsView consultation={c} results={results} tablesOnly />
        </div>
      ) : (
        <p>{t(`results.hidden.${c.resultsVisibility}`)}</p>
      )}
    </div>
  );
}
