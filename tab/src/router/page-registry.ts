/**
 * Which page each route shows. Every page is its own chunk (React.lazy), so the first load
 * carries only the shell and the page the user opens.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { Route, RouteName } from './hash-router.js';

type Page = LazyExoticComponent<ComponentType<{ route: Route }>>;

export const pageFor: Record<Exclude<RouteName, 'config' | 'authStart' | 'authEnd'>, Page> = {
  home: lazy(() => import('../pages/home-page.js').then((m) => ({ default: m.HomePage }))),
  communities: lazy(() => import('../pages/communities-page.js').then((m) => ({ default: m.CommunitiesPage }))),
  communityNew: lazy(() => import('../pages/community-form-page.js').then((m) => ({ default: m.CommunityFormPage }))),
  community: lazy(() => import('../pages/community-page.js').then((m) => ({ default: m.CommunityPage }))),
  communityEdit: lazy(() => import('../pages/community-form-page.js').then((m) => ({ default: m.CommunityFormPage }))),
  communityMembers: lazy(() => import('../pages/community-members-page.js').then((m) => ({ default: m.CommunityMembersPage }))),
  communityInvitations: lazy(() => import('../pages/community-invitations-page.js').then((m) => ({ default: m.CommunityInvitationsPage }))),
  communitySettings: lazy(() => import('../pages/community-settings-page.js').then((m) => ({ default: m.CommunitySettingsPage }))),
  discussionNew: lazy(() => import('../pages/discussion-form-page.js').then((m) => ({ default: m.DiscussionFormPage }))),
  discussion: lazy(() => import('../pages/discussion-page.js').then((m) => ({ default: m.DiscussionPage }))),
  discussionEdit: lazy(() => import('../pages/discussion-form-page.js').then((m) => ({ default: m.DiscussionFormPage }))),
  consultationNew: lazy(() => import('../pages/consultation-form-page.js').then((m) => ({ default: m.ConsultationFormPage }))),
  consultation: lazy(() => import('../pages/consultation-page.js').then((m) => ({ default: m.ConsultationPage }))),
  consultationEdit: lazy(() => import('../pages/consultation-form-page.js').then((m) => ({ default: m.ConsultationFormPage }))),
  consultationReport: lazy(() => import('../pages/consultation-report-page.js').then((m) => ({ default: m.ConsultationReportPage }))),
  events: lazy(() => import('../pages/events-page.js').then((m) => ({ default: m.EventsPage }))),
  eventNew: lazy(() => import('../pages/event-form-page.js').then((m) => ({ default: m.EventFormPage }))),
  event: lazy(() => import('../pages/event-page.js').then((m) => ({ default: m.EventPage }))),
  eventEdit: lazy(() => import('../pages/event-form-page.js').then((m) => ({ default: m.EventFormPage }))),
  people: lazy(() => import('../pages/people-page.js').then((m) => ({ default: m.PeoplePage }))),
  person: lazy(() => import('../pages/person-page.js').then((m) => ({ default: m.PersonPage }))),
  search: lazy(() => import('../pages/search-page.js').then((m) => ({ default: m.SearchPage }))),
  profile: lazy(() => import('../pages/profile-page.js').then((m) => ({ default: m.ProfilePage }))),
  meeting: lazy(() => import('../pages/meeting-page.js').then((m) => ({ default: m.MeetingPage }))),
  analytics: lazy(() => import('../pages/analytics-page.js').then((m) => ({ default: m.AnalyticsPage }))),
  privacySettings: lazy(() => import('../pages/privacy-settings-page.js').then((m) => ({ default: m.PrivacySettingsPage }))),
  me: lazy(() => import('../pages/me-page.js').then((m) => ({ default: m.MePage }))),
  admin: lazy(() => import('../pages/admin-page.js').then((m) => ({ default: m.AdminPage }))),
  adminAudit: lazy(() => import('../pages/admin-audit-page.js').then((m) => ({ default: m.AdminAuditPage }))),
  adminFailed: lazy(() => import('../pages/admin-failed-page.js').then((m) => ({ default: m.AdminFailedPage }))),
  adminSettings: lazy(() => import('../pages/admin-settings-page.js').then((m) => ({ default: m.AdminSettingsPage }))),
  adminModeration: lazy(() => import('../pages/admin-moderation-page.js').then((m) => ({ default: m.AdminModerationPage }))),
  notFound: lazy(() => import('../pages/not-found-page.js').then((m) => ({ default: m.NotFoundPage }))),
};

export const ConfigPage = lazy(() => import('../pages/config-page.js').then((m) => ({ default: m.ConfigPage })));
export const SidePanelPage = lazy(() => import('../pages/side-panel-page.js').then((m) => ({ default: m.SidePanelPage })));
export const AuthPopupPage = lazy(() => import('../pages/auth-popup-page.js').then((m) => ({ default: m.AuthPopupPage })));
