/**
 * The files of a discussion or reply: a card per file with its type, name, size, who added it,
 * when it last changed and a thumbnail where Microsoft 365 has one. The thumbnail comes from
 * Meent's own route, fetched with the API's credential and shown as a blob (the tab's CSP
 * admits images from its own origin and blob: only, and inside Teams an <img> carries no
 * token); it is decoration beside the file's name, so its alt text is empty. "Open" opens the file's
 * `webUrl` (Office for the web, the PDF viewer) in a new tab; inside Teams too, because the
 * Teams JS library's file preview (`openFilePreview`) is a private, undocumented API. A file
 * that vanished or that the reader may no longer open says "No longer available" instead of a
 * link that would fail.
 */
import { Link, makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { formatFileSize } from '../../../src/content/file-size.js';
import { useApi } from '../api/api-provider.js';
import { loadThumbnail, thumbnailIdOf, type Attachment } from '../api/attachments-api.js';
import { useI18n } from '../i18n/i18n-provider.js';
import type { Translator } from '../i18n/translator.js';

const useStyles = makeStyles({
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  card: {
    display: 'flex',
    gap: tokens.spacingHorizontalM,
    alignItems: 'flex-start',
    width: '320px',
    maxWidth: '100%',
    boxSizing: 'border-box',
    padding: tokens.spacingVerticalS,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  visual: { flexShrink: 0, width: '48px', height: '48px', display: 'flex', alignItems: 'center', justifyContent: 'center', overflow: 'hidden', borderRadius: tokens.borderRadiusSmall },
  thumbnail: { width: '48px', height: '48px', objectFit: 'cover' },
  icon: {
    width: '44px',
    height: '44px',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusSmall,
    color: tokens.colorNeutralForeground1,
    fontSize: tokens.fontSizeBase100,
    fontWeight: tokens.fontWeightSemibold,
  },
  text: { minWidth: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  name: { margin: 0, fontWeight: tokens.fontWeightSemibold, overflowWrap: 'anywhere' },
  meta: { margin: 0, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
  gone: { margin: 0, fontStyle: 'italic', color: tokens.colorNeutralForeground2 },
});

export type FileKind = 'word' | 'excel' | 'powerpoint' | 'pdf' | 'image' | 'text' | 'archive' | 'other';

const KINDS: Record<string, FileKind> = {
  doc: 'word',
  docx: 'word',
  odt: 'word',
  xls: 'excel',
  xlsx: 'excel',
  csv: 'excel',
  ods: 'excel',
  ppt: 'powerpoint',
  pptx: 'powerpoint',
  odp: 'powerpoint',
  pdf: 'pdf',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  gif: 'image',
  txt: 'text',
  md: 'text',
  zip: 'archive',
};

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** What kind of file it is, by its extension (then its media type). */
export function fileKind(name: string, mimeType: string | null): FileKind {
  const byName = KINDS[extensionOf(name)];
  if (byName) return byName;
  if (mimeType?.startsWith('image/')) return 'image';
  if (mimeType?.startsWith('text/')) return 'text';
  return 'other';
}

/** Bytes as a reader expects them: 340 kB, 2.4 MB. */
export const formatBytes = formatFileSize;

/** The file's type in words, and a short label for its icon. */
export function fileType(t: Translator['t'], name: string, mimeType: string | null): { words: string; badge: string } {
  const kind = fileKind(name, mimeType);
  return { words: t(`files.type.${kind}`), badge: (extensionOf(name) || '?').slice(0, 4).toUpperCase() };
}

export function FileCards({ files, testId = 'file-cards' }: { files: readonly Attachment[]; testId?: string }) {
  const styles = useStyles();
  const { t } = useI18n();
  if (files.length === 0) return null;
  return (
    <ul className={styles.list} aria-label={t('files.listLabel')} data-testid={testId}>
      {files.map((file) => (
        <li key={file.id} className={styles.card} data-testid="file-card">
          <FileCard file={file} />
        </li>
      ))}
    </ul>
  );
}

/** The file's thumbnail as an object URL while the card shows it; null while it loads, when there is none, or when it failed. */
function useThumbnail(file: Attachment): string | null {
  const api = useApi();
  const id = thumbnailIdOf(file);
  const [shown, setShown] = useState<{ id: string; url: string } | null>(null);
  useEffect(() => {
    if (!id) return undefined;
    const controller = new AbortController();
    let url: string | undefined;
    loadThumbnail(api, id, controller.signal).then(
      (blob) => {
        if (!blob || controller.signal.aborted) return;
        url = URL.createObjectURL(blob);
        setShown({ id, url });
      },
      // Refused, gone or unreachable: the type icon stands in.
      () => undefined,
    );
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, id]);
  return shown && shown.id === id ? shown.url : null;
}

function FileCard({ file }: { file: Attachment }) {
  const styles = useStyles();
  const i18n = useI18n();
  const { t } = i18n;
  const thumbnail = useThumbnail(file);
  // An image the browser cannot decode: the type icon stands in for it.
  const [thumbnailFailed, setThumbnailFailed] = useState(false);
  const type = fileType(t, file.name, file.mimeType);
  const meta = [type.words, formatBytes(file.size, i18n.locale), file.author.displayName ? t('files.addedBy', { name: file.author.displayName }) : null].filter(Boolean).join(' · ');
  return (
    <>
      <span className={styles.visual} aria-hidden="true">
        {thumbnail && !thumbnailFailed ? (
          <img className={styles.thumbnail} src={thumbnail} alt="" data-testid="file-thumbnail" onError={() => setThumbnailFailed(true)} />
        ) : (
          <span className={styles.icon}>{type.badge}</span>
        )}
      </span>
      <span className={styles.text}>
        <span className={styles.name} data-testid="file-name">
          {file.name}
        </span>
        <span className={styles.meta}>{meta}</span>
        {file.lastModifiedAt ? (
          <span className={styles.meta}>{t('files.modified', { when: i18n.formatDateTime(file.lastModifiedAt, { dateStyle: 'medium', timeStyle: 'short' }) })}</span>
        ) : null}
        {file.available && file.webUrl ? (
          <Link href={file.webUrl} target="_blank" rel="noopener noreferrer" aria-label={t('files.openName', { name: file.name })} data-testid="file-open">
            {t('files.open')}
          </Link>
        ) : (
          <>
            <span className={styles.gone} data-testid="file-unavailable">
              {t('files.unavailable')}
            </span>
            <span className={styles.meta}>{t('files.unavailableHint')}</span>
          </>
        )}
      </span>
    </>
  );
}
