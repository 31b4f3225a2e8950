/**
 * Moderation: anyone who can read something may report it (or a person) with a reason;
 * managers see their communities' queue (organisation admins see all), hide and unhide
 * discussions and replies, and resolve or dismiss reports. Content hides itself once the
 * tenant's threshold of distinct open reports is reached. Every moderator action and every
 * automatic hide is audited; blocking and removing members is in membership.service.ts.
 */
import mongoose, { type Types } from 'mongoose';
import type { Actor } from '../auth/actor.js';
import { resolveCommunityAccess, toObjectId, type CommunityAccess } from '../communities/community-access.js';
import { communitiesManagedBy, managersOf } from '../communities/communities.port.js';
import type { AuditSink, CommunityService } from '../communities/community.service.js';
import type { Page } from '../db/pagination.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import { resolveDiscussionAccess, resolveReplyAccess, type DiscussionAccess } from '../discussions/discussion-access.js';
import { contentHidden, hideContent } from '../discussions/discussions.port.js';
import type { PeopleRepository } from '../members/people.repository.js';
import type { NotificationIntent, NotificationOutbox } from '../notifications/notification-outbox.js';
import type { SearchIndex } from '../search-index/search-index.js';
import type { CreateReportInput, ListReportsQuery, ReportView } from './moderation.schemas.js';
import { closeReport, dismissOpenReports, fileReport, findReportInTenant, openReportCount, reportPage, type ReportRecord } from './moderation.repository.js';
import { clockOf, type Clock } from '../time/clock.js';

export interface ModerationServiceDeps {
  communities: CommunityService;
  people: PeopleRepository;
  notifications: NotificationOutbox;
  audit: AuditSink;
  search: SearchIndex;
  now?: Clock;
  /** Told when content is hidden or shown again: attached files' permissions follow. */
  contentChanged?: (type: ContentType, id: Types.ObjectId) => Promise<void>;
}

type ContentType = 'discussion' | 'reply';

export class ModerationService {
  private readonly now: Clock;

  constructor(private readonly deps: ModerationServiceDeps) {
    this.now = clockOf(deps);
  }

  /** Reports something; reporting the same thing again returns the first report. */
  async report(actor: Actor, input: CreateReportInput): Promise<ReportView> {
    let communityId: Types.ObjectId | undefined;
    let targetAuthorId: string;
    let targetId = input.targetId;
    let content: DiscussionAccess | undefined;
    if (input.targetType === 'person') {
      if (input.targetId === actor.userId) throw new ValidationError('You cannot report yourself.', [{ path: 'body.targetId', message: 'is you' }], 'cannot_report_self');
      const person = await this.deps.people.find(actor.tenantId, input.targetId);
      if (!person) throw new NotFoundError('There is no such person.', 'user_not_found');
      if (input.communityId) {
        const community = await resolveCommunityAccess(actor, input.communityId);
        community.authorize('content.report');
        communityId = community.community._id;
      }
      targetAuthorId = input.targetId;
    } else {
      content = input.targetType === 'discussion' ? await resolveDiscussionAccess(actor, input.targetId) : await resolveReplyAccess(actor, input.targetId);
      content.authorize('content.report');
      communityId = content.discussion.communityId;
      const target = input.targetType === 'discussion' ? content.discussion : (content as Awaited<ReturnType<typeof resolveReplyAccess>>).reply;
      targetAuthorId = target.authorId;
      targetId = String(target._id);
      if (targetAuthorId === actor.userId) throw new ValidationError('You cannot report your own contribution; edit or delete it instead.', [{ path: 'body.targetId', message: 'is yours' }], 'cannot_report_self');
    }
    const { report, created } = await fileReport({
      tenantId: actor.tenantId,
      ...(communityId ? { communityId } : {}),
      targetType: input.targetType,
      targetId,
      ...(targetAuthorId ? { targetAuthorId } : {}),
      reporterId: actor.userId,
      reason: input.reason,
      ...(input.text ? { text: input.text } : {}),
    });
    if (created) {
      await this.deps.audit.record({
        tenantId: actor.tenantId,
        kind: 'report.created',
        actorId: actor.userId,
        subjectId: String(report._id),
        details: { targetType: report.targetType, targetId: report.targetId, reason: report.reason },
      });
      await this.tellModerators(actor, report);
      if (content && input.targetType !== 'person') await this.autoHideIfDue(actor, input.targetType, content, report);
    }
    return this.toView(report);
  }

  /** The queue: reports of the communities the actor manages (all of the tenant for admins). */
  async list(actor: Actor, query: ListReportsQuery): Promise<Page<ReportView>> {
    let communities: Types.ObjectId[] | undefined;
    if (query.communityId) {
      const community = await resolveCommunityAccess(actor, query.communityId);
      community.authorize('moderation.manage');
      communities = [community.community._id];
    } else if (!actor.isOrgAdmin) {
      communities = await communitiesManagedBy(actor.tenantId, actor.userId);
      if (communities.length === 0) throw new ForbiddenError('Only community managers and organisation admins see reports.', 'forbidden');
    }
    const page = await reportPage(actor.tenantId, query.status, communities, {
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
    });
    return { items: await Promise.all(page.items.map((r) => this.toView(r))), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }

  async resolve(actor: Actor, reportId: string, status: 'resolved' | 'dismissed'): Promise<ReportView> {
    const id = toObjectId(reportId, () => new NotFoundError('There is no such report.', 'report_not_found'));
    const report = await findReportInTenant(actor.tenantId, id);
    if (!report) throw new NotFoundError('There is no such report.', 'report_not_found');
    await this.assertModerator(actor, report.communityId ?? null, () => new NotFoundError('There is no such report.', 'report_not_found'));
    const updated = await closeReport(id, status, actor.userId, this.now());
    await this.deps.audit.record({ tenantId: actor.tenantId, kind: `report.${status}`, actorId: actor.userId, subjectId: String(id), details: { targetType: report.targetType, targetId: report.targetId } });
    return this.toView(updated ?? report);
  }

  /** Hides (managers) a discussion or reply; its author still sees it, marked hidden. */
  async hide(actor: Actor, type: ContentType, id: string): Promise<{ hidden: boolean; hiddenReason: string | null }> {
    const access = type === 'discussion' ? await resolveDiscussionAccess(actor, id) : await resolveReplyAccess(actor, id);
    access.authorize('moderation.manage');
    const targetId = type === 'discussion' ? access.discussion._id : (access as Awaited<ReturnType<typeof resolveReplyAccess>>).reply._id;
    await this.setHidden(actor, type, access, targetId, true, 'moderator');
    return { hidden: true, hiddenReason: 'moderator' };
  }

  /** Unhides; the open reports of the target are dismissed, so the count starts again. */
  async unhide(actor: Actor, type: ContentType, id: string): Promise<{ hidden: boolean; hiddenReason: string | null }> {
    const access = type === 'discussion' ? await resolveDiscussionAccess(actor, id) : await resolveReplyAccess(actor, id);
    access.authorize('moderation.manage');
    const targetId = type === 'discussion' ? access.discussion._id : (access as Awaited<ReturnType<typeof resolveReplyAccess>>).reply._id;
    await this.setHidden(actor, type, access, targetId, false, null);
    await dismissOpenReports(type, String(targetId), actor.userId, this.now());
    return { hidden: false, hiddenReason: null };
  }

  // ---- helpers ----

  private async autoHideIfDue(actor: Actor, type: ContentType, access: DiscussionAccess, report: ReportRecord): Promise<void> {
    const { autoHideThreshold } = await this.deps.communities.settings(actor.tenantId);
    const open = await openReportCount(type, report.targetId);
    if (open < autoHideThreshold) return;
    const targetId = new mongoose.Types.ObjectId(report.targetId);
    const changed = await this.setHidden(actor, type, access, targetId, true, 'reports', { automatic: true, reports: open });
    if (!changed) return;
    await this.deps.notifications.enqueue([
      {
        tenantId: actor.tenantId,
        recipientId: report.targetAuthorId ?? '',
        kind: 'contentHidden',
        subject: { type, id: report.targetId },
        data: { reason: 'reports', title: access.discussion.title.slice(0, 200) },
        idempotencyKey: `contentHidden:${type}:${report.targetId}:${this.now().getTime()}`,
      },
    ]);
  }

  /** Sets the hidden flag if it differs; true when this call changed it. Audited. */
  private async setHidden(
    actor: Actor,
    type: ContentType,
    access: DiscussionAccess,
    targetId: Types.ObjectId,
    hidden: boolean,
    reason: 'moderator' | 'reports' | null,
    extra: { automatic?: boolean; reports?: number } = {},
  ): Promise<boolean> {
    const set = hidden ? { hidden: true, hiddenReason: reason, hiddenAt: this.now(), hiddenBy: extra.automatic ? null : actor.userId } : { hidden: false, hiddenReason: null, hiddenAt: null, hiddenBy: null };
    if (!(await hideContent(type, targetId, hidden, set))) return false;
    await this.deps.search.setHidden(type, String(targetId), hidden);
    await this.deps.contentChanged?.(type, targetId);
    await this.deps.audit.record({
      tenantId: actor.tenantId,
      kind: hidden ? (extra.automatic ? 'content.auto_hidden' : 'content.hidden') : 'content.unhidden',
      ...(extra.automatic ? {} : { actorId: actor.userId }),
      subjectId: String(targetId),
      details: { type, communityId: String(access.discussion.communityId), ...(extra.reports !== undefined ? { reports: extra.reports } : {}) },
    });
    return true;
  }

  private async assertModerator(actor: Actor, communityId: Types.ObjectId | null, notFound: () => NotFoundError): Promise<CommunityAccess | null> {
    if (!communityId) {
      if (!actor.isOrgAdmin) throw notFound();
      return null;
    }
    let access: CommunityAccess;
    try {
      access = await resolveCommunityAccess(actor, communityId);
    } catch (err) {
      if (err instanceof NotFoundError) throw notFound();
      throw err;
    }
    access.authorize('moderation.manage');
    return access;
  }

  private async tellModerators(actor: Actor, report: ReportRecord): Promise<void> {
    const managers = report.communityId ? await managersOf(report.communityId) : [];
    const intents: NotificationIntent[] = managers.map((m) => ({
      tenantId: actor.tenantId,
      recipientId: m.userId,
      kind: 'contentReported' as const,
      subject: { type: 'report' as const, id: String(report._id) },
      actorId: actor.userId,
      data: { targetType: report.targetType, reason: report.reason },
      idempotencyKey: `contentReported:${String(report._id)}:${m.userId}`,
    }));
    if (intents.length > 0) await this.deps.notifications.enqueue(intents);
  }

  private async toView(r: ReportRecord): Promise<ReportView> {
    const [count, hidden] = await Promise.all([
      openReportCount(r.targetType, r.targetId),
      r.targetType === 'person'
        ? Promise.resolve(false)
        : contentHidden(r.targetType, r.targetId),
    ]);
    return {
      id: String(r._id),
      communityId: r.communityId ? String(r.communityId) : null,
      targetType: r.targetType,
      targetId: r.targetId,
      targetAuthorId: r.targetAuthorId ?? null,
      reporterId: r.reporterId,
      reason: r.reason as ReportView['reason'],
      text: r.text ?? null,
      status: r.status,
      reportCount: count,
      targetHidden: hidden,
      createdAt: r.createdAt.toISOString(),
    };
  }
}
