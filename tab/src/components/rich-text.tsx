/**
 * Shows Markdown the server rendered and sanitized (discussion bodies, replies, descriptions).
 * The HTML comes from src/content/markdown.ts's allow-list; the tab's CSP forbids inline
 * scripts besides.
 */
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  root: {
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase400,
    overflowWrap: 'anywhere',
    '& > :first-child': { marginTop: 0 },
    '& > :last-child': { marginBottom: 0 },
    '& a': { color: tokens.colorBrandForegroundLink, textDecorationLine: 'underline' },
    '& a:hover': { color: tokens.colorBrandForegroundLinkHover },
    '& a:focus-visible': { outlineStyle: 'solid', outlineWidth: tokens.strokeWidthThick, outlineColor: tokens.colorStrokeFocus2 },
    '& blockquote': { margin: `0 0 ${tokens.spacingVerticalS}`, paddingLeft: tokens.spacingHorizontalM, borderLeft: `${tokens.strokeWidthThicker} solid ${tokens.colorNeutralStroke1}`, color: tokens.colorNeutralForeground2 },
    '& pre': { overflowX: 'auto', padding: tokens.spacingHorizontalS, backgroundColor: tokens.colorNeutralBackground3, borderRadius: tokens.borderRadiusMedium },
    '& code': { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
    '& h1, & h2, & h3, & h4, & h5, & h6': { fontSize: tokens.fontSizeBase400, margin: `${tokens.spacingVerticalS} 0` },
  },
});

export function RichText({ html, className, testId }: { html: string; className?: string; testId?: string }) {
  const styles = useStyles();
  return <div className={mergeClasses(styles.root, className)} data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
