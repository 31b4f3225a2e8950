/**
 * The tab's main navigation: plain links in a `nav` landmark, reachable with Tab, the current
 * page marked with `aria-current`. Sub-pages (a community, an event) light up their section.
 */
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { analyticsAllowed } from '../api/analytics-api.js';
import { useApi } from '../api/api-provider.js';
import { useMe } from '../api/me-provider.js';
import { useRequest } from '../api/use-request.js';
import type { MessageKey } from '../i18n/en.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { hrefFor, type RouteName } from '../router/hash-router.js';
import { focusRing } from './focus-styles.js';

interface NavItem {
  path: string;
  label: MessageKey & `nav.${string}`;
  /** Routes that belong to this section. */
  routes: readonly RouteName[];
}

export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/', label: 'nav.home', routes: ['home'] },
  { path: '/communities', label: 'nav.communities', routes: ['communities', 'communityNew', 'community', 'communityEdit', 'communityMembers', 'communityInvitations', 'communitySettings', 'discussionNew', 'discussion', 'discussionEdit', 'consultationNew', 'consultation', 'consultationEdit', 'consultationReport'] },
  { path: '/events', label: 'nav.events', routes: ['events', 'eventNew', 'event', 'eventEdit'] },
  { path: '/people', label: 'nav.people', routes: ['people', 'person'] },
  { path: '/search', label: 'nav.search', routes: ['search'] },
  { path: '/profile', label: 'nav.profile', routes: ['profile'] },
  { path: '/me', label: 'nav.me', routes: ['me'] },
];

/** Shown to community managers and organisation admins only. */
const ANALYTICS_ITEM: NavItem = { path: '/analytics', label: 'nav.analytics', routes: ['analytics'] };

/** Shown to organisation admins only (the server refuses the settings to anyone else). */
const PRIVACY_SETTINGS_ITEM: NavItem = { path: '/admin/privacy', label: 'nav.privacySettings', routes: ['privacySettings'] };

/** The organisation admin area (issue 17), for organisation admins only. */
const ADMIN_ITEM: NavItem = { path: '/admin', label: 'nav.admin', routes: ['admin', 'adminAudit', 'adminFailed', 'adminSettings', 'adminModeration'] };

const useStyles = makeStyles({
  list: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: tokens.spacingHorizontalXS,
    margin: 0,
    padding: 0,
    listStyleType: 'none',
  },
  link: {
    display: 'inline-block',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    color: tokens.colorNeutralForeground2,
    fontSize: tokens.fontSizeBase300,
    lineHeight: tokens.lineHeightBase300,
    textDecorationLine: 'none',
    borderBottom: `${tokens.strokeWidthThicker} solid transparent`,
    ':hover': { color: tokens.colorNeutralForeground1, backgroundColor: tokens.colorSubtleBackgroundHover },
    ...focusRing,
  },
  current: {
    color: tokens.colorNeutralForeground1,
    fontWeight: tokens.fontWeightSemibold,
    borderBottomColor: tokens.colorCompoundBrandStroke,
  },
});

export function AppNav({ current }: { current: RouteName }) {
  const styles = useStyles();
  const { t } = useI18n();
  const api = useApi();
  // Asked only once someone is signed in: the sign-in prompt asks the server for nothing else.
  const me = useMe();
  const signedIn = me.status === 'success';
  const access = useRequest((signal) => (signedIn ? analyticsAllowed(api, signal) : Promise.resolve(false)), [api, signedIn]);
  const isOrgAdmin = me.status === 'success' && me.data.isOrgAdmin;
  const items = [...NAV_ITEMS, ...(access.status === 'success' && access.data ? [ANALYTICS_ITEM] : []), ...(isOrgAdmin ? [PRIVACY_SETTINGS_ITEM, ADMIN_ITEM] : [])];
  return (
    <nav aria-label={t('nav.label')}>
      <ul className={styles.list}>
        {items.map((item) => {
          const active = item.routes.includes(current);
          return (
            <li key={item.path}>
              <a href={hrefFor(item.path)} className={mergeClasses(styles.link, active && styles.current)} aria-current={active ? 'page' : undefined}>
                {t(item.label)}
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
