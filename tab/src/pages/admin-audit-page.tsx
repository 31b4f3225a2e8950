/**
 * The audit log for organisation admins: filter by person, action (a kind or a group of
 * kinds) and period, newest first with "Show more", and export what the filter shows as CSV.
 * The filters stay as typed when the server refuses them; its field errors stand under them.
 */
import { Button, Field, Input, makeStyles, tokens } from '@fluentui/react-components';
import { useRef, useState, type RefObject } from 'react';
import { downloadAuditLog, listAuditEntries, type AuditEntry, type AuditFilter } from '../api/admin-api.js';
import { useApi } from '../api/api-provider.js';
import { usePagedList, type PagedList } from '../api/use-paged-list.js';
import { saveFile } from '../components/download.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorMessage, toProblem } from '../components/error-message.js';
import { LoadMore } from '../components/load-more.js';
import { hasItems, ListPlaceholder } from '../components/list-placeholder.js';
import { useCardListStyles } from '../components/section.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { PageHeader } from '../layout/page-header.js';
import type { Route } from '../router/hash-router.js';
import { AdminBackLink } from './admin-page.js';

const useStyles = makeStyles({
  filters: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-start', gap: tokens.spacingHorizontalL, margin: `${tokens.spacingVerticalL} 0` },
  actions: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignSelf: 'flex-end' },
  kind: { margin: 0, fontSize: tokens.fontSizeBase300, fontWeight: tokens.fontWeightSemibold, fontFamily: tokens.fontFamilyMonospace },
  facts: { margin: `${tokens.spacingVerticalXXS} 0 0`, color: tokens.colorNeutralForeground2, display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalL },
});

interface Draft {
  person: string;
  kind: string;
  from: string;
  to: string;
}

const EMPTY: Draft = { person: '', kind: '', from: '', to: '' };

/** `YYYY-MM-DD` (a date input, the reader's day) → the ISO instant its day starts; `next` gives the day after (an inclusive "to"). */
function dayStart(value: string, next = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + (next ? 1 : 0)).toISOString();
}

function filterOf(d: Draft): AuditFilter {
  return { person: d.person.trim() || undefined, kind: d.kind.trim() || undefined, from: dayStart(d.from), to: dayStart(d.to, true) };
}

export function AdminAuditPage(_props: { route: Route }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [applied, setApplied] = useState<AuditFilter>({});
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(undefined);
  const listRef = useRef<HTMLUListElement>(null);
  const key = JSON.stringify(applied);
  const entries = usePagedList((cursor, signal) => listAuditEntries(api, applied, { cursor, limit: 25, signal }), [api, key]);

  // A refused filter is named under its field; the rest of the problem stands above the list.
  const refused = entries.status === 'error' ? entries.error : undefined;
  const fieldProps = (field: string) => {
    const message = refused?.fieldError(field);
    return { validationMessage: message, validationState: message ? ('error' as const) : ('none' as const) };
  };

  const exportCsv = async () => {
    setExporting(true);
    setExportError(undefined);
    try {
      saveFile(await downloadAuditLog(api, applied), 'audit.csv');
      announce(t('audit.exported'));
    } catch (err) {
      setExportError(toProblem(err));
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <AdminBackLink />
      <PageHeader title={t('audit.title')} intro={t('audit.intro')} />
      <form
        className={styles.filters}
        role="search"
        aria-label={t('audit.title')}
        noValidate
        data-testid="audit-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(filterOf(draft));
        }}
      >
        <Field label={t('audit.filter.person')} hint={t('audit.filter.personHint')} {...fieldProps('person')}>
          <Input value={draft.person} onChange={(_, d) => setDraft((x) => ({ ...x, person: d.value }))} data-testid="audit-person" />
        </Field>
        <Field label={t('audit.filter.kind')} hint={t('audit.filter.kindHint')} {...fieldProps('kind')}>
          <Input value={draft.kind} onChange={(_, d) => setDraft((x) => ({ ...x, kind: d.value }))} data-testid="audit-kind" />
        </Field>
        <Field label={t('audit.filter.from')} {...fieldProps('from')}>
          <Input type="date" value={draft.from} onChange={(_, d) => setDraft((x) => ({ ...x, from: d.value }))} data-testid="audit-from" />
        </Field>
        <Field label={t('audit.filter.to')} {...fieldProps('to')}>
          <Input type="date" value={draft.to} onChange={(_, d) => setDraft((x) => ({ ...x, to: d.value }))} data-testid="audit-to" />
        </Field>
        <div className={styles.actions}>
          <Button type="submit" appearance="primary" data-testid="audit-apply">
            {t('audit.filter.apply')}
          </Button>
          <Button
            onClick={() => {
              setDraft(EMPTY);
              setApplied({});
            }}
          >
            {t('audit.filter.clear')}
          </Button>
          <Button onClick={() => void exportCsv()} disabled={exporting} data-testid="audit-export">
            {t('audit.export')}
          </Button>
        </div>
      </form>
      {exportError ? <ErrorMessage error={exportError} /> : null}
      <AuditList entries={entries} listRef={listRef} />
    </>
  );
}

function AuditList({ entries, listRef }: { entries: PagedList<AuditEntry>; listRef: RefObject<HTMLUListElement | null> }) {
  const styles = useStyles();
  const cards = useCardListStyles();
  const i18n = useI18n();
  const { t } = i18n;
  if (!hasItems(entries)) return <ListPlaceholder list={entries} lines={5} empty={<EmptyState title={t('audit.emptyTitle')} body={t('audit.emptyBody')} />} />;
  return (
    <>
      <ul ref={listRef} className={cards.list} aria-label={t('audit.listLabel')} data-testid="audit-list">
        {entries.items.map((entry) => (
          <li key={entry.id} className={cards.item} data-testid="audit-entry" data-kind={entry.kind}>
            <p className={styles.kind}>{entry.kind}</p>
            <p className={styles.facts}>
              <span>{i18n.formatDateTime(entry.at)}</span>
              {entry.actorId ? <span>{t('audit.by', { person: entry.actorId })}</span> : null}
              {entry.subjectId ? <span>{t('audit.about', { subject: entry.subjectId })}</span> : null}
              {entry.reason ? <span>{t('audit.reason', { reason: entry.reason })}</span> : null}
              {entry.count > 1 ? <span>{t('audit.count', { count: entry.count })}</span> : null}
            </p>
          </li>
        ))}
      </ul>
      <LoadMore hasMore={Boolean(entries.nextCursor)} loading={entries.loadingMore} error={entries.moreError} onMore={entries.more} list={listRef} />
    </>
  );
}
