/**
 * Reactions on a discussion or reply: one toggle button per kind, named in words with its
 * count ("Thanks 3"; words rather than emoji, which not every device has a font for and
 * screen readers name inconsistently), pressed when it is mine. The caller updates the counts
 * optimistically and puts them back if the request fails.
 */
import { ToggleButton, makeStyles, tokens } from '@fluentui/react-components';
import { REACTION_KINDS, type ReactionCounts, type ReactionKind } from '../api/discussions-api.js';
import { useI18n } from '../i18n/i18n-provider.js';

const useStyles = makeStyles({
  bar: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
});

export function ReactionBar({ counts, mine, onToggle, label, disabled }: { counts: ReactionCounts; mine: readonly ReactionKind[]; onToggle: (kind: ReactionKind) => void; label: string; disabled?: boolean }) {
  const styles = useStyles();
  const { t } = useI18n();
  return (
    <div role="group" aria-label={label} className={styles.bar} data-testid="reactions">
      {REACTION_KINDS.map((kind) => {
        const name = t(`reaction.${kind}`);
        return (
          <ToggleButton
            key={kind}
            size="small"
            appearance="subtle"
            checked={mine.includes(kind)}
            disabled={disabled}
            data-reaction={kind}
            onClick={() => onToggle(kind)}
          >
            {counts[kind] > 0 ? t('reaction.label', { reaction: name, count: counts[kind] }) : name}
          </ToggleButton>
        );
      })}
    </div>
  );
}

/** Counts after I toggled `kind`. */
export function toggled(counts: ReactionCounts, mine: readonly ReactionKind[], kind: ReactionKind): { counts: ReactionCounts; mine: ReactionKind[] } {
  const on = !mine.includes(kind);
  return {
    counts: { ...counts, [kind]: Math.max(0, counts[kind] + (on ? 1 : -1)) },
    mine: on ? [...mine, kind] : mine.filter((k) => k !== kind),
  };
}
