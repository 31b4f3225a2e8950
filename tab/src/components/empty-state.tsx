/** What a list or section shows when there is nothing in it: what will appear, and what to do. */
import { makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalL}`,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} dashed ${tokens.colorNeutralStroke1}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  title: { margin: 0, fontSize: tokens.fontSizeBase400, lineHeight: tokens.lineHeightBase400, fontWeight: tokens.fontWeightSemibold },
  body: { margin: 0, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase300, lineHeight: tokens.lineHeightBase300, maxWidth: '60ch' },
});

export function EmptyState({ title, body, action }: { title: string; body: string; action?: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.root} data-testid="empty-state">
      <p className={styles.title}>{title}</p>
      <p className={styles.body}>{body}</p>
      {action}
    </div>
  );
}
