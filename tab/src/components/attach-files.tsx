/**
 * "Attach files" in a composer (a new discussion, a reply, an edit): the files chosen so far,
 * each removable, and a dialog to pick files from my OneDrive (browse folders, search) or to
 * upload new ones into the community's library. An upload shows a progress bar
 * (role=progressbar with aria-valuenow in per cent) and is announced politely when it starts,
 * at every quarter it passes, and when it is done or fails; the server's problem (too large,
 * blocked type, no library) stands by the file's name. At most 10 files per post. Without a
 * community (an organisation-wide event) there is no library to upload into: then only my
 * OneDrive is offered, and the form says so.
 *
 *   const chosen = useChosenFiles(existing?.attachments);
 *   <AttachFiles communityId={id} chosen={chosen} />
 *   ...chosen.changed() ? { attachments: chosen.refs() } : {}
 */
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
  Field,
  Input,
  ProgressBar,
  Tab,
  TabList,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useId, useRef, useState } from 'react';
import { useApi } from '../api/api-provider.js';
import type { ApiProblem } from '../api/api-problem.js';
import { browseMyDrive, MAX_ATTACHMENTS, uploadFile, type AttachmentRef, type ChosenFile, type DriveItem } from '../api/attachments-api.js';
import { useRequest } from '../api/use-request.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { announce } from '../layout/live-region.js';
import { ErrorMessage, toProblem } from './error-message.js';
import { formatBytes } from './file-cards.js';
import { ListSkeleton } from './loading-skeleton.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, border: 'none', margin: 0, padding: 0 },
  label: { fontWeight: tokens.fontWeightSemibold, padding: 0 },
  hint: { margin: 0, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  error: { margin: 0, color: tokens.colorPaletteRedForeground1, fontSize: tokens.fontSizeBase200 },
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: tokens.spacingHorizontalS },
  name: { fontWeight: tokens.fontWeightSemibold, overflowWrap: 'anywhere' },
  meta: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  panel: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, marginTop: tokens.spacingVerticalS, minHeight: '240px' },
  search: { display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: tokens.spacingHorizontalS },
  place: { margin: 0, fontWeight: tokens.fontWeightSemibold },
  items: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, maxHeight: '320px', overflowY: 'auto' },
  item: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalS, padding: `${tokens.spacingVerticalXS} 0`, borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  upload: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
});

interface UploadRow {
  key: number;
  name: string;
  percent: number;
  status: 'uploading' | 'failed';
  problem?: ApiProblem;
  controller: AbortController;
}

const keyOf = (f: AttachmentRef) => `${f.driveId}\u0000${f.itemId}`;

/** The files of a post being written, and its uploads under way. */
export function useChosenFiles(initial: readonly ChosenFile[] = []) {
  const [files, setFiles] = useState<ChosenFile[]>(() => initial.map(({ driveId, itemId, name, size, mimeType }) => ({ driveId, itemId, name, size, mimeType })));
  const [uploads, setUploads] = useState<UploadRow[]>([]);
  const initialKeys = useRef(initial.map(keyOf).join('|'));
  return {
    files,
    setFiles,
    uploads,
    setUploads,
    /** True while a file is still uploading: the post waits for it. */
    uploading: uploads.some((u) => u.status === 'uploading'),
    refs: (): AttachmentRef[] => files.map(({ driveId, itemId }) => ({ driveId, itemId })),
    /** Whether the files differ from those the post had (an edit sends them only then). */
    changed: () => files.map(keyOf).join('|') !== initialKeys.current,
    /** After a post: nothing chosen any more. */
    clear: () => {
      setFiles([]);
      setUploads((all) => all.filter((u) => u.status === 'uploading'));
    },
  };
}

export type ChosenFiles = ReturnType<typeof useChosenFiles>;

/** `error`: the server's message about the files (`save.problem?.fieldError('attachments')`), shown in the group and marking its button invalid, so the form's focus lands there. */
export function AttachFiles({ communityId, chosen, testId = 'attach-files', error }: { communityId: string | undefined; chosen: ChosenFiles; testId?: string; error?: string | undefined }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t, tp } = i18n;
  const api = useApi();
  const labelId = useId();
  const [open, setOpen] = useState(false);
  const [source, setSource] = useState<'drive' | 'upload'>('drive');
  const group = useRef<HTMLFieldSetElement>(null);
  const nextKey = useRef(1);
  const [focusAfterRemove, setFocusAfterRemove] = useState<number | undefined>(undefined);
  const { files, setFiles, uploads, setUploads } = chosen;
  const busyUploads = uploads.filter((u) => u.status === 'uploading').length;
  const room = MAX_ATTACHMENTS - files.length - busyUploads;
  // The upload API is a community's (its library); elsewhere only my OneDrive can be offered.
  const canUpload = communityId !== undefined;
  const hintId = useId();
  const errorId = useId();
  const describedBy = [canUpload ? '' : hintId, error ? errorId : ''].filter(Boolean).join(' ') || undefined;

  useEffect(() => {
    if (focusAfterRemove === undefined) return;
    const removers = group.current?.querySelectorAll<HTMLButtonElement>('[data-remove-file]') ?? [];
    (removers[Math.min(focusAfterRemove, removers.length - 1)] ?? group.current?.querySelector<HTMLButtonElement>('[data-attach-button]'))?.focus();
    setFocusAfterRemove(undefined);
  }, [focusAfterRemove]);

  const add = (file: ChosenFile) => {
    setFiles((all) => (all.some((f) => keyOf(f) === keyOf(file)) || all.length >= MAX_ATTACHMENTS ? all : [...all, file]));
  };

  const remove = (file: ChosenFile, index: number) => {
    setFiles((all) => all.filter((f) => keyOf(f) !== keyOf(file)));
    announce(t('attach.removed', { name: file.name }));
    setFocusAfterRemove(index);
  };

  const changeRow = (key: number, change: (row: UploadRow) => UploadRow | undefined) =>
    setUploads((all) => all.flatMap((row) => (row.key === key ? [change(row)].filter((r): r is UploadRow => r !== undefined) : [row])));

  const uploadAll = (list: File[]) => {
    if (!canUpload) return;
    const taken = list.slice(0, Math.max(0, room));
    // One message for several files: the live region reads only the last of quick announcements.
    if (taken.length > 1) announce(tp('attach.uploadsStarted', taken.length));
    for (const file of taken) void upload(file, taken.length === 1);
  };

  const upload = async (file: File, alone: boolean) => {
    const key = nextKey.current++;
    const controller = new AbortController();
    setUploads((all) => [...all, { key, name: file.name, percent: 0, status: 'uploading', controller }]);
    if (alone) announce(t('attach.uploadStarted', { name: file.name }));
    let quarter = 0;
    try {
      const done = await uploadFile(api, communityId ?? '', file, {
        signal: controller.signal,
        onProgress: (sent, total) => {
          const percent = total > 0 ? Math.floor((sent * 100) / total) : 100;
          changeRow(key, (row) => ({ ...row, percent }));
          // Spoken at each quarter passed, not at every fragment: often enough to follow, rarely enough to bear.
          const passed = Math.floor(percent / 25);
          if (passed > quarter && percent < 100) {
            quarter = passed;
            announce(t('attach.progress', { name: file.name, percent }));
          }
        },
      });
      add(done);
      changeRow(key, () => undefined);
      announce(t('attach.uploadDone', { name: file.name }));
    } catch (error) {
      if (controller.signal.aborted) {
        changeRow(key, () => undefined);
        announce(t('attach.uploadCancelled', { name: file.name }));
        return;
      }
      changeRow(key, (row) => ({ ...row, status: 'failed', problem: toProblem(error) }));
      announce(t('attach.uploadFailed', { name: file.name }));
    }
  };

  const uploadRows = <UploadRows rows={uploads} onCancel={(row) => row.controller.abort()} onDismiss={(row) => changeRow(row.key, () => undefined)} />;

  return (
    <fieldset className={styles.root} ref={group} data-testid={testId} aria-labelledby={labelId} aria-describedby={describedBy}>
      <legend id={labelId} className={styles.label}>
        {t('attach.label')}
      </legend>
      {canUpload ? null : (
        <p id={hintId} className={styles.hint} data-testid="attach-drive-only">
          {t('attach.driveOnly')}
        </p>
      )}
      {files.length > 0 ? (
        <ul className={styles.list} data-testid="chosen-files">
          {files.map((file, index) => (
            <li key={keyOf(file)} className={styles.row} data-testid="chosen-file">
              <span className={styles.name}>{file.name}</span>
              <span className={styles.meta}>{formatBytes(file.size, i18n.locale)}</span>
              <Button size="small" appearance="subtle" onClick={() => remove(file, index)} aria-label={t('attach.removeName', { name: file.name })} data-remove-file>
                {t('attach.remove')}
              </Button>
            </li>
          ))}
        </ul>
      ) : (
        <p className={styles.hint}>{t('attach.none')}</p>
      )}
      {error ? (
        <p id={errorId} className={styles.error} data-testid="attach-error">
          {error}
        </p>
      ) : null}
      {open ? null : uploadRows}
      <Dialog open={open} onOpenChange={(_, d) => setOpen(d.open)}>
        <DialogTrigger disableButtonEnhancement>
          <Button disabledFocusable={room <= 0} data-attach-button data-testid="attach-files-button" aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined}>
            {t('attach.button')}
          </Button>
        </DialogTrigger>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{t('attach.dialogTitle')}</DialogTitle>
            <DialogContent>
              <p>{canUpload ? t('attach.dialogIntro') : t('attach.dialogIntroDriveOnly')}</p>
              <p className={styles.hint} data-testid="attach-room">
                {room <= 0 ? t('attach.limitReached', { count: MAX_ATTACHMENTS }) : t('attach.limit', { count: MAX_ATTACHMENTS })}
              </p>
              {canUpload ? (
              <TabList selectedValue={source} onTabSelect={(_, d) => setSource(d.value === 'upload' ? 'upload' : 'drive')} aria-label={t('attach.sources')}>
                <Tab value="drive" data-testid="attach-tab-drive">
                  {t('attach.tab.drive')}
                </Tab>
                <Tab value="upload" data-testid="attach-tab-upload">
                  {t('attach.tab.upload')}
                </Tab>
              </TabList>
              ) : null}
              <div role={canUpload ? 'tabpanel' : 'group'} aria-label={source === 'drive' || !canUpload ? t('attach.tab.drive') : t('attach.tab.upload')} className={styles.panel}>
                {source === 'drive' || !canUpload ? (
                  <DrivePanel chosen={files} full={room <= 0} onAdd={(item) => {
                    add(item);
                    announce(t('attach.added', { name: item.name }));
                  }} />
                ) : (
                  <UploadPanel full={room <= 0} onFiles={uploadAll}>
                    {uploadRows}
                  </UploadPanel>
                )}
              </div>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={() => setOpen(false)} data-testid="attach-done">
                {t('attach.done')}
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </fieldset>
  );
}

function UploadRows({ rows, onCancel, onDismiss }: { rows: UploadRow[]; onCancel: (row: UploadRow) => void; onDismiss: (row: UploadRow) => void }) {
  const styles = useStyles();
  const { t } = useI18n();
  if (rows.length === 0) return null;
  return (
    <ul className={styles.list} data-testid="uploads">
      {rows.map((row) => (
        <li key={row.key} className={styles.upload} data-testid="upload-row">
          {row.status === 'uploading' ? (
            <>
              <Field label={t('attach.uploadingName', { name: row.name })}>
                <ProgressBar value={row.percent} max={100} thickness="large" />
              </Field>
              <div>
                <Button size="small" onClick={() => onCancel(row)} aria-label={t('attach.cancelUploadName', { name: row.name })}>
                  {t('attach.cancelUpload')}
                </Button>
              </div>
            </>
          ) : (
            <>
              <span className={styles.name}>{t('attach.uploadFailed', { name: row.name })}</span>
              {row.problem ? <ErrorMessage error={row.problem} /> : null}
              <div>
                <Button size="small" onClick={() => onDismiss(row)} aria-label={t('attach.dismissName', { name: row.name })}>
                  {t('attach.dismiss')}
                </Button>
              </div>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

function UploadPanel({ full, onFiles, children }: { full: boolean; onFiles: (files: File[]) => void; children: React.ReactNode }) {
  const styles = useStyles();
  const { t } = useI18n();
  const id = useId();
  return (
    <>
      <label htmlFor={id} className={styles.label}>
        {t('attach.chooseFile')}
      </label>
      <p className={styles.hint} id={`${id}-hint`}>
        {t('attach.chooseHint')}
      </p>
      <input
        id={id}
        type="file"
        multiple
        disabled={full}
        aria-describedby={`${id}-hint`}
        data-testid="upload-input"
        onChange={(e) => {
          const list = Array.from(e.currentTarget.files ?? []);
          // Cleared, so that choosing the same file again (after a failure) starts it again.
          e.currentTarget.value = '';
          onFiles(list);
        }}
      />
      {children}
    </>
  );
}

interface Place {
  q?: string;
  trail: { ref: AttachmentRef; name: string }[];
}

function DrivePanel({ chosen, full, onAdd }: { chosen: readonly ChosenFile[]; full: boolean; onAdd: (item: DriveItem) => void }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t, tp } = i18n;
  const api = useApi();
  const [query, setQuery] = useState('');
  const [place, setPlace] = useState<Place>({ trail: [] });
  const heading = useRef<HTMLParagraphElement>(null);
  const moved = useRef(false);
  const folder = place.trail.at(-1);
  const items = useRequest((signal) => browseMyDrive(api, place.q ? { q: place.q } : folder ? { folder: folder.ref } : {}, signal), [api, place]);

  useEffect(() => {
    if (items.status !== 'success') return;
    announce(place.q ? tp('attach.found', items.data.length) : tp('attach.inFolder', items.data.length, { name: folder?.name ?? t('attach.root') }));
    // After opening a folder or searching, the keyboard starts at the new list (its button is gone).
    if (moved.current) heading.current?.focus();
    moved.current = false;
    // Announced once per answer; `t` and `tp` follow the language, which does not change here.
  }, [items.status]);

  const go = (next: Place) => {
    moved.current = true;
    setPlace(next);
  };

  const attached = new Set(chosen.map(keyOf));
  const parentName = place.trail.length > 1 ? (place.trail.at(-2)?.name ?? '') : t('attach.root');
  return (
    <>
      <form
        role="search"
        className={styles.search}
        onSubmit={(e) => {
          e.preventDefault();
          // The dialog is rendered in a portal, but React passes submit on to the composer's form.
          e.stopPropagation();
          const q = query.trim();
          go(q ? { q, trail: [] } : { trail: [] });
        }}
      >
        <Field label={t('attach.search')}>
          <Input type="search" value={query} onChange={(_, d) => setQuery(d.value)} data-testid="drive-search" />
        </Field>
        <Button type="submit">{t('attach.searchButton')}</Button>
        {place.q ? (
          <Button
            onClick={() => {
              setQuery('');
              go({ trail: [] });
            }}
          >
            {t('attach.clearSearch')}
          </Button>
        ) : null}
      </form>
      {!place.q && folder ? (
        <div>
          <Button size="small" appearance="subtle" onClick={() => go({ trail: place.trail.slice(0, -1) })} data-testid="drive-up">
            {t('attach.upFolder', { name: parentName })}
          </Button>
        </div>
      ) : null}
      <p className={styles.place} ref={heading} tabIndex={-1} data-testid="drive-place">
        {place.q ? t('attach.search') + `: ${place.q}` : (folder?.name ?? t('attach.root'))}
      </p>
      {items.status === 'loading' ? (
        <ListSkeleton lines={3} />
      ) : items.status === 'error' ? (
        <ErrorMessage error={items.error} onRetry={items.reload} />
      ) : items.data.length === 0 ? (
        <p className={styles.hint}>{place.q ? t('attach.noMatches', { query: place.q }) : t('attach.empty')}</p>
      ) : (
        <ul className={styles.items} data-testid="drive-items">
          {items.data.map((item) => (
            <li key={keyOf(item)} className={styles.item} data-testid="drive-item">
              {item.folder ? (
                <>
                  <Button appearance="subtle" onClick={() => go({ trail: [...place.trail, { ref: item, name: item.name }] })} aria-label={t('attach.folderName', { name: item.name })}>
                    {item.name}
                  </Button>
                  <span className={styles.meta}>{t('files.type.folder')}</span>
                </>
              ) : (
                <>
                  <span>
                    <span className={styles.name}>{item.name}</span>{' '}
                    <span className={styles.meta}>
                      {formatBytes(item.size, i18n.locale)}
                      {item.lastModifiedAt ? ` · ${i18n.formatDateTime(item.lastModifiedAt, { dateStyle: 'medium' })}` : ''}
                    </span>
                  </span>
                  {attached.has(keyOf(item)) ? (
                    // A button still, so that focus stays where it was after attaching.
                    <Button size="small" disabledFocusable aria-label={`${t('attach.attached')}: ${item.name}`}>
                      {t('attach.attached')}
                    </Button>
                  ) : (
                    <Button size="small" disabledFocusable={full} onClick={() => onAdd(item)} aria-label={t('attach.attachName', { name: item.name })}>
                      {t('attach.attach')}
                    </Button>
                  )}
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
