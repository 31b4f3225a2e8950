/** Grey placeholders in the shape of what is loading; announced once as "loading". */
import { Skeleton, SkeletonItem, makeStyles, tokens } from '@fluentui/react-components';
import { useI18n } from '../i18n/i18n-provider.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, width: '100%' },
  row: { display: 'grid', gridTemplateColumns: '40px 1fr', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  lines: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
});

/** `lines` rows of "avatar + two lines", as lists of people, discussions and events look. */
export function ListSkeleton({ lines = 3, label }: { lines?: number; label?: string }) {
  const styles = useStyles();
  const { t } = useI18n();
  return (
    <Skeleton aria-label={label ?? t('shell.pageLoading')} className={styles.root} data-testid="loading-skeleton">
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className={styles.row}>
          <SkeletonItem shape="circle" size={40} />
          <div className={styles.lines}>
            <SkeletonItem size={16} style={{ width: '60%' }} />
            <SkeletonItem size={12} style={{ width: '90%' }} />
          </div>
        </div>
      ))}
    </Skeleton>
  );
}

/** A page heading and a few rows: shown while a page's code or data loads. */
export function PageSkeleton() {
  const styles = useStyles();
  const { t } = useI18n();
  return (
    <Skeleton aria-label={t('shell.pageLoading')} className={styles.root} data-testid="loading-skeleton">
      <SkeletonItem size={32} style={{ width: '40%' }} />
      <SkeletonItem size={16} style={{ width: '70%' }} />
      <SkeletonItem size={96} />
      <SkeletonItem size={96} />
    </Skeleton>
  );
}
