/**
 * The page's one h1. After a navigation inside the tab, focus moves to it, so keyboard and
 * screen-reader users start at the top of the new page; it also sets the document title.
 */
import { makeStyles, tokens } from '@fluentui/react-components';
import { useEffect, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-provider.js';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, marginBottom: tokens.spacingVerticalL },
  title: {
    margin: 0,
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase600,
    lineHeight: tokens.lineHeightBase600,
    fontWeight: tokens.fontWeightSemibold,
    ':focus': { outlineStyle: 'none' },
  },
  intro: { margin: 0, color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase300, lineHeight: tokens.lineHeightBase300 },
});

// The first page of a visit keeps focus where the host put it; later ones take it.
let pagesShown = 0;

export function PageHeader({ title, intro }: { title: string; intro?: ReactNode }) {
  const styles = useStyles();
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    document.title = `${title} – ${t('app.name')}`;
  }, [title, t]);

  useEffect(() => {
    if (pagesShown++ > 0) heading.current?.focus();
  }, []);

  return (
    <div className={styles.root}>
      <h1 ref={heading} tabIndex={-1} className={styles.title}>
        {title}
      </h1>
      {intro ? <p className={styles.intro}>{intro}</p> : null}
    </div>
  );
}
