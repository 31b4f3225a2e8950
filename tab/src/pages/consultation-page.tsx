/**
 * One consultation (`#/consultations/<id>`): the conclusion at the top when there is one, the
 * facts (status, period, who answered), the introduction, the questionnaire to answer, or "you
 * answered" with the way to change it until closing, and the results when they may be seen
 * (fetched again every 30 seconds while it is open).
 * Managers open, edit and close it, download the CSV, open the council report, and write the
 * conclusion once it is closed.
 */
import { Button, Link, MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import {
  closeConsultation,
  downloadResults,
  getConsultation,
  getMyResponse,
  getResults,
  openConsultation,
  publishConclusion,
  type Answer,
  type Consultation,
  type Results,
} from '../api/consultations-api.js';
import { useRequest } from '../api/use-request.js';
import { ActionDialog } from '../components/action-dialog.js';
import { closingText, respondentsText, StatusBadge } from '../components/consultation-summary.js';
import { ResultsView } from '../components/consultation-results.js';
import { saveFile } from '../components/download.js';
import { ErrorMessage } from '../components/error-message.js';
import { ListSkeleton } from '../components/loading-skeleton.js';
import { MarkdownEditor } from '../components/markdown-editor.js';
import { Questionnaire, loadResponseKey } from '../components/questionnaire.js';
import { RecordPage } from '../components/record-page.js';
import { RichText } from '../components/rich-text.js';
import { Section } from '../components/section.js';
import { useActions } from '../forms/use-actions.js';
import { useSubmit } from '../forms/use-submit.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import { hrefFor, type Route } from '../router/hash-router.js';

const useStyles = makeStyles({
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalL, rowGap: tokens.spacingVerticalS, margin: `0 0 ${tokens.spacingVerticalL}` },
  term: { fontWeight: tokens.fontWeightSemibold },
  value: { margin: 0 },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center', marginBottom: tokens.spacingVerticalL },
  conclusion: { marginBottom: tokens.spacingVerticalXL },
  status: { margin: 0, fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold, ':focus-visible': { outlineStyle: 'solid', outlineWidth: tokens.strokeWidthThick, outlineColor: tokens.colorStrokeFocus2 } },
  answered: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, alignItems: 'flex-start' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '720px', alignItems: 'flex-start' },
});

export function ConsultationPage({ route }: { route: Route }) {
  return (
    <RecordPage route={route} load={getConsultation} failedTitle="consultation.title">
      {(consultation, onChange) => <ConsultationView consultation={consultation} onChange={onChange} />}
    </RecordPage>
  );
}

function ConsultationView({ consultation: c, onChange }: { consultation: Consultation; onChange: (c: Consultation) => void }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  // Bumped after answering, so the results follow the new counts.
  const [resultsVersion, setResultsVersion] = useState(0);

  const refresh = async () => {
    onChange(await getConsultation(api, c.id));
    setResultsVersion((n) => n + 1);
  };

  return (
    <>
      <PageHeader title={c.title} intro={`${c.communityName} · ${closingText(c, i18n)}`} />
      {c.conclusion ? (
        <section className={styles.conclusion} aria-labelledby="conclusion-heading" data-testid="conclusion">
          <MessageBar intent="success" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>
                <span id="conclusion-heading">{t('consultation.conclusion.title')}</span>
              </MessageBarTitle>
              <RichText html={c.conclusion.html} />
              <span>{t('consultation.conclusion.by', { name: c.conclusion.authorName, date: i18n.formatDate(c.conclusion.publishedAt) })}</span>
            </MessageBarBody>
          </MessageBar>
        </section>
      ) : null}
      {c.canManage ? <ManagerActions consultation={c} onChange={onChange} /> : null}
      <dl className={styles.facts}>
        <dt className={styles.term}>{t('consultation.facts.status')}</dt>
        <dd className={styles.value}>
          <StatusBadge consultation={c} />
        </dd>
        <dt className={styles.term}>{t('consultation.facts.period')}</dt>
        <dd className={styles.value}>{periodText(c, i18n)}</dd>
        <dt className={styles.term}>{t('consultation.facts.respondents')}</dt>
        <dd className={styles.value} data-testid="respondents">
          {respondentsText(c, i18n)}
        </dd>
        <dt className={styles.term}>{t('consultation.facts.privacy')}</dt>
        <dd className={styles.value}>{t(c.anonymous ? 'consultation.privacy.anonymous' : 'consultation.privacy.named')}</dd>
        <dt className={styles.term}>{t('consultation.facts.results')}</dt>
        <dd className={styles.value}>{t(`consultation.resultsVisibility.${c.resultsVisibility}`)}</dd>
        <dt className={styles.term}>{t('consultation.facts.community')}</dt>
        <dd className={styles.value}>
          <Link href={hrefFor(`/community/${c.communityId}?tab=consultations`)}>{c.communityName}</Link>
        </dd>
      </dl>
      {c.introductionHtml ? (
        <Section title={t('consultation.introduction')}>
          <RichText html={c.introductionHtml} testId="consultation-introduction" />
        </Section>
      ) : null}
      <Answering consultation={c} onAnswered={() => void refresh()} />
      {c.canSeeResults ? (
        <Section title={t('results.title')} testId="results-section">
          <ResultsLoader consultation={c} version={resultsVersion} />
        </Section>
      ) : c.status !== 'draft' ? (
        <p data-testid="results-hidden">{t(`results.hidden.${c.resultsVisibility}`)}</p>
      ) : null}
    </>
  );
}

export function periodText(c: Pick<Consultation, 'opensAt' | 'closesAt' | 'timeZone'>, i18n: ReturnType<typeof useI18n>): string {
  const when = (iso: string) => i18n.formatDateTime(iso, { dateStyle: 'medium', timeStyle: 'short' });
  if (c.opensAt && c.closesAt) return i18n.t('consultation.period.both', { opens: when(c.opensAt), closes: when(c.closesAt) });
  if (c.closesAt) return i18n.t('consultation.period.until', { closes: when(c.closesAt) });
  if (c.opensAt) return i18n.t('consultation.period.from', { opens: when(c.opensAt) });
  return i18n.t('consultation.period.open');
}

/** How often open results are fetched again, so they stay live while people answer. */
const LIVE_RESULTS_MS = 30_000;

function ResultsLoader({ consultation, version }: { consultation: Consultation; version: number }) {
  const api = useApi();
  const results = useRequest((signal) => getResults(api, consultation.id, signal), [api, consultation.id, version]);
  const [shown, setShown] = useState<Results | undefined>(undefined);
  const fresh = results.status === 'success' ? results.data : undefined;
  useEffect(() => {
    if (fresh) setShown(fresh);
  }, [fresh]);
  const { reload } = results;
  useEffect(() => {
    if (consultation.status !== 'open') return undefined;
    const timer = window.setInterval(reload, LIVE_RESULTS_MS);
    return () => window.clearInterval(timer);
  }, [consultation.status, reload]);
  // A refresh keeps the figures on screen instead of flashing a skeleton.
  if (shown) return <ResultsView consultation={consultation} results={shown} />;
  if (results.status === 'error') return <ErrorMessage error={results.error} onRetry={results.reload} />;
  return <ListSkeleton lines={3} />;
}

/** The questionnaire, or "you answered" (with "Change my answers" while it is open). */
function Answering({ consultation: c, onAnswered }: { consultation: Consultation; onAnswered: () => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const status = useRef<HTMLParagraphElement>(null);
  const [changing, setChanging] = useState(false);
  const [focusStatus, setFocusStatus] = useState(false);
  const [mine, setMine] = useState<{ state: 'idle' | 'loading' } | { state: 'loaded'; answers: Answer[] | undefined }>({ state: 'idle' });
  const key = c.anonymous ? loadResponseKey(c.id) : undefined;
  // Shown at once after sending, before the consultation is fetched again.
  const [justAnswered, setJustAnswered] = useState(false);
  const answered = c.myResponse === 'submitted' || justAnswered;
  // An anonymous answer can be changed only with the key this device holds; the API cannot know
  // that from here, so its `canRespond` is false once anyone answered anonymously.
  const canChange = c.status === 'open' && (c.anonymous ? key !== undefined : c.canRespond);
  const { problem, run } = useActions();

  useEffect(() => {
    if (focusStatus && status.current) {
      status.current.focus();
      setFocusStatus(false);
    }
  }, [focusStatus, answered, changing]);

  const startChange = () =>
    run(async () => {
      setMine({ state: 'loading' });
      const response = await getMyResponse(api, c.id, key);
      setMine({ state: 'loaded', answers: response.answers });
      setChanging(true);
    });

  if (c.status === 'draft') return <p data-testid="draft-note">{t('consultation.draftNote')}</p>;

  if (answered && !changing) {
    return (
      <Section title={t('questionnaire.title')} testId="answered">
        <div className={styles.answered}>
          <p ref={status} tabIndex={-1} className={styles.status} data-testid="answered-status">
            {c.status === 'open' ? t('questionnaire.answered') : t('questionnaire.answeredClosed')}
          </p>
          {c.anonymous && c.status === 'open' && !key ? <p>{t('questionnaire.anonymousNoKey')}</p> : null}
          {problem ? <ErrorMessage error={problem} /> : null}
          {canChange ? (
            <Button onClick={() => void startChange()} disabled={mine.state === 'loading'} data-testid="change-answers">
              {t('questionnaire.change')}
            </Button>
          ) : null}
        </div>
      </Section>
    );
  }

  if (c.status !== 'open') return <p data-testid="closed-note">{t('consultation.closedNote')}</p>;
  if (!c.canRespond && !changing) return <p data-testid="cannot-respond">{t('consultation.notInAudience')}</p>;

  return (
    <Section title={t('questionnaire.title')} testId="answer-section">
      <Questionnaire
        consultation={c}
        initial={changing && mine.state === 'loaded' ? (mine.answers ?? []) : undefined}
        onCancel={changing ? () => setChanging(false) : undefined}
        onSubmitted={() => {
          announce(t(changing ? 'questionnaire.changed' : 'questionnaire.submitted'));
          setChanging(false);
          setJustAnswered(true);
          setFocusStatus(true);
          onAnswered();
        }}
      />
    </Section>
  );
}

function ManagerActions({ consultation: c, onChange }: { consultation: Consultation; onChange: (c: Consultation) => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const { busy, problem, run } = useActions();
  const [closing, setClosing] = useState(false);

  const open = () =>
    run(
      async () => {
        onChange(await openConsultation(api, c.id));
        announce(t('consultation.opened'));
      },
      { blocking: true },
    );
  const close = () =>
    run(
      async () => {
        onChange(await closeConsultation(api, c.id));
        setClosing(false);
        announce(t('consultation.closed'));
      },
      { blocking: true },
    );
  const download = () =>
    run(async () => {
      saveFile(await downloadResults(api, c.id), 'results.csv');
      announce(t('consultation.csvDownloaded'));
    });

  return (
    <>
      <div className={styles.actions} data-testid="manager-actions">
        {c.status !== 'closed' ? <Link href={hrefFor(`/consultations/${c.id}/edit`)}>{t('consultation.edit')}</Link> : null}
        {c.status === 'draft' ? (
          <Button appearance="primary" disabled={busy} onClick={() => void open()} data-testid="open-consultation">
            {t('consultation.open')}
          </Button>
        ) : null}
        {c.status === 'open' ? (
          <ActionDialog
            open={closing}
            onClose={() => setClosing(false)}
            trigger={
              <Button onClick={() => setClosing(true)} data-testid="close-consultation">
                {t('consultation.close')}
              </Button>
            }
            title={t('consultation.closeTitle')}
            intro={t('consultation.closeBody')}
            problem={problem}
            action={t('consultation.closeConfirm')}
            onAction={() => void close()}
            busy={busy}
            actionTestId="close-confirm"
          >
            {null}
          </ActionDialog>
        ) : null}
        {c.status !== 'draft' ? (
          <Button onClick={() => void download()} data-testid="download-csv">
            {t('consultation.downloadCsv')}
          </Button>
        ) : null}
        {c.status !== 'draft' ? (
          <Link href={hrefFor(`/consultations/${c.id}/report`)} data-testid="report-link">
            {t('consultation.report')}
          </Link>
        ) : null}
      </div>
      {problem && !closing ? <ErrorMessage error={problem} /> : null}
      {c.status === 'closed' && !c.conclusion ? <ConclusionForm consultation={c} onChange={onChange} /> : null}
    </>
  );
}

function ConclusionForm({ consultation: c, onChange }: { consultation: Consultation; onChange: (c: Consultation) => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const [text, setText] = useState('');
  const save = useSubmit(() => publishConclusion(api, c.id, text));
  const field = save.fieldProps('text');
  return (
    <Section title={t('consultation.conclusion.write')} testId="conclusion-form">
      <form
        className={styles.form}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save.submit().then((next) => {
            if (!next) return;
            announce(t('consultation.conclusion.published'));
            onChange(next);
          });
        }}
      >
        <p>{t('consultation.conclusion.intro')}</p>
        {save.problem && !field.validationMessage ? <ErrorMessage error={save.problem} /> : null}
        <MarkdownEditor label={t('consultation.conclusion.text')} value={text} onChange={setText} picked={[]} onPick={() => undefined} field={field} required maxLength={10_000} testId="conclusion-text" />
        <Button type="submit" appearance="primary" disabled={save.submitting} data-testid="publish-conclusion">
          {t('consultation.conclusion.publish')}
        </Button>
      </form>
    </Section>
  );
}
