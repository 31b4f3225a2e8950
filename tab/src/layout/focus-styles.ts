/** A focus ring that is visible in every theme (WCAG 2.4.7), for our own links and regions. */
import { tokens, type GriffelStyle } from '@fluentui/react-components';

export const focusRing: GriffelStyle = {
  ':focus-visible': {
    outlineStyle: 'solid',
    outlineWidth: tokens.strokeWidthThick,
    outlineColor: tokens.colorStrokeFocus2,
    outlineOffset: '2px',
    borderRadius: tokens.borderRadiusSmall,
  },
};
