/**
 * Attendance of an online event for its organisers: who attended (from the Teams attendance
 * report, read after the meeting) next to who registered, with a CSV download.
 */
import { Button, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens } from '@fluentui/react-components';
import { useApi } from '../api/api-provider.js';
import { downloadAttendance, getAttendance, type AttendanceRow } from '../api/meetings-api.js';
import { useRequest } from '../api/use-request.js';
import { useSubmit } from '../forms/use-submit.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { Translator } from '../i18n/translator.js';
import { saveFile } from './download.js';
import { ErrorMessage } from './error-message.js';
import { ListSkeleton } from './loading-skeleton.js';
import { Section } from './section.js';

const useStyles = makeStyles({
  meta: { margin: 0, color: tokens.colorNeutralForeground2 },
  table: { width: '100%' },
});

export function EventAttendance({ eventId }: { eventId: string }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const api = useApi();
  const attendance = useRequest((signal) => getAttendance(api, eventId, signal), [api, eventId]);
  const exporting = useSubmit(async () => saveFile(await downloadAttendance(api, eventId), 'attendance.csv'));

  const actions = (
    <Button size="small" onClick={() => void exporting.submit()} disabled={exporting.submitting} data-testid="attendance-export">
      {t('attendance.export')}
    </Button>
  );
  return (
    <Section title={t('attendance.title')} actions={actions} testId="attendance">
      <p className={styles.meta}>{t('attendance.intro')}</p>
      {exporting.problem ? <ErrorMessage error={exporting.problem} /> : null}
      {attendance.status === 'loading' ? <ListSkeleton lines={3} /> : null}
      {attendance.status === 'error' ? <ErrorMessage error={attendance.error} onRetry={attendance.reload} /> : null}
      {attendance.status === 'success' ? (
        <>
          <p className={styles.meta}>
            {attendance.data.recordedAt
              ? t('attendance.summary', { attended: attendance.data.summary.attended, withoutRegistration: attendance.data.summary.withoutRegistration, registered: attendance.data.summary.registered })
              : t('attendance.notYet')}
          </p>
          <Table className={styles.table} size="small" aria-label={t('attendance.title')}>
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t('attendance.col.name')}</TableHeaderCell>
                <TableHeaderCell>{t('attendance.col.registration')}</TableHeaderCell>
                <TableHeaderCell>{t('attendance.col.attended')}</TableHeaderCell>
                <TableHeaderCell>{t('attendance.col.time')}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {attendance.data.items.map((row, i) => (
                <TableRow key={`${row.userId ?? row.displayName}-${i}`} data-testid="attendance-row">
                  <TableCell>{row.displayName}</TableCell>
                  <TableCell>{statusText(row, i18n)}</TableCell>
                  <TableCell>{row.attended ? t('attendance.yes') : t('attendance.no')}</TableCell>
                  <TableCell>{row.attended ? t('attendance.minutes', { minutes: Math.round(row.attendedSeconds / 60) }) : ''}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      ) : null}
    </Section>
  );
}

function statusText(row: AttendanceRow, { t }: Translator): string {
  switch (row.registrationStatus) {
    case 'registered':
      return t('attendance.status.registered');
    case 'waitlisted':
      return t('attendance.status.waitlisted');
    case 'requested':
      return t('attendance.status.requested');
    default:
      return t('attendance.status.none');
  }
}
