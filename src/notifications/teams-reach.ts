/**
 * Reaching a person who has no chat with Meent's bot (issue 14): Meent installs the app in
 * their personal scope through Graph, once per person (the installation record), paced by the
 * rate governor's `appInstall` lane; when policy refuses the installation the person is
 * recorded as unreachable by Teams, with Graph's reason, and gets their messages by e-mail
 * from the configured mailbox instead, or not at all without one. The tenant's admins can
 * turn installation off (reach-settings.model.ts); the deployment can too (NOTIFY_AUTO_INSTALL).
 * People whose chat is `gone` (they removed the app) or `blocked` are never installed for:
 * that was their choice.
 */
import mongoose from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
import { upsertRetryingRace } from '../db/mongo-errors.js';
import type { AppInstaller, InstallResult } from './app-installation-gateway.js';
import { AppInstallationModel, type InstallationRecord } from './app-installation.model.js';
import type { MailSender } from './mail-gateway.js';
import type { RateGovernor } from './rate-governor.js';
import { ReachSettingsModel } from './reach-settings.model.js';

/** The e-mail address and name Meent knows for a person (from the people directory). */
export type AddressBook = (tenantId: string, userId: string) => Promise<{ mail: string | null } | null>;

export interface TeamsReachDeps {
  /** Absent: Meent installs nothing (no catalogue app id, or local mode). */
  installer?: AppInstaller;
  /** Absent: people Teams cannot reach get no message. */
  mail?: MailSender;
  addresses: AddressBook;
  /** The deployment's default (NOTIFY_AUTO_INSTALL); a tenant's setting overrides it. */
  autoInstall: boolean;
  now?: () => Date;
  /** How long a refusal is believed before Graph is asked again (default 7 days). */
  refusalKeptMs?: number;
}

/** What reaching the person came to. */
export type Reach =
  | { state: 'installed' }
  /** Policy refused it (now or recently): unreachable by Teams. */
  | { state: 'refused'; reason: string }
  /** Installation is off (deployment or tenant), or the person is not in the tenant. */
  | { state: 'off' | 'gone' }
  /** Graph is throttling or failing: try again later. */
  | { state: 'later'; status?: number; retryAfterMs?: number };

const DAY_MS = 86_400_000;

export class TeamsReach {
  private readonly now: () => Date;
  private readonly refusalKeptMs: number;

  constructor(private readonly deps: TeamsReachDeps) {
    this.now = deps.now ?? (() => new Date());
    this.refusalKeptMs = deps.refusalKeptMs ?? 7 * DAY_MS;
  }

  get mail(): MailSender | undefined {
    return this.deps.mail;
  }

  /** Whether Meent may install the app in this tenant now. */
  async autoInstallOn(tenantId: string): Promise<boolean> {
    if (!this.deps.installer) return false;
    const setting = await ReachSettingsModel.findOne({ tenantId }).lean().exec();
    return setting ? setting.autoInstall : this.deps.autoInstall;
  }

  /** The tenant's setting (admins): the deployment default when never set, and whether installing is possible at all. */
  async settings(tenantId: string): Promise<{ autoInstall: boolean; available: boolean; mailbox: boolean }> {
    const setting = await ReachSettingsModel.findOne({ tenantId }).lean().exec();
    return { autoInstall: setting ? setting.autoInstall : this.deps.autoInstall, available: this.deps.installer !== undefined, mailbox: this.deps.mail !== undefined };
  }

  async setAutoInstall(tenantId: string, autoInstall: boolean): Promise<void> {
    await upsertRetryingRace(() => atomicUpdate(ReachSettingsModel, { tenantId }, { $set: { autoInstall }, $setOnInsert: { tenantId } }, { upsert: true, lockKey: `notification_reach_settings:${tenantId}` }));
  }

  /**
   * Installs the app for the person unless that was done or refused before; `governor`
   * paces the Graph call (its `appInstall` lane). Idempotent: an app already installed (409)
   * counts as installed.
   */
  async ensureInstalled(tenantId: string, userId: string, governor: RateGovernor): Promise<Reach> {
    const installer = this.deps.installer;
    if (!installer || !(await this.autoInstallOn(tenantId))) return { state: 'off' };
    const known = await AppInstallationModel.findOne({ tenantId, userId }).lean<InstallationRecord>().exec();
    const now = this.now();
    if (known?.state === 'installed') return { state: 'installed' };
    if (known?.state === 'refused' && known.retryAfter && known.retryAfter.getTime() > now.getTime()) return { state: 'refused', reason: known.reason ?? 'refused' };
    if (known?.state === 'gone' && known.retryAfter && known.retryAfter.getTime() > now.getTime()) return { state: 'gone' };

    await governor.acquire([{ kind: 'appInstall', tenantId }]);
    const result = await installer.install(tenantId, userId);
    return this.record(tenantId, userId, result);
  }

  private async record(tenantId: string, userId: string, result: InstallResult): Promise<Reach> {
    const now = this.now();
    const save = (set: Record<string, unknown>) =>
      upsertRetryingRace(() =>
        atomicUpdate(AppInstallationModel, { tenantId, userId }, { $set: set, $inc: { attempts: 1 }, $setOnInsert: { tenantId, userId } }, { upsert: true, lockKey: `teams_app_installations:${tenantId}:${userId}` }),
      );
    switch (result.state) {
      case 'installed':
      case 'already_installed':
        await save({ state: 'installed', reason: result.state === 'already_installed' ? '409 already installed' : null, retryAfter: null });
        return { state: 'installed' };
      case 'refused': {
        const reason = `403 ${result.code}`;
        await save({ state: 'refused', reason, retryAfter: new Date(now.getTime() + this.refusalKeptMs) });
        return { state: 'refused', reason };
      }
      case 'gone':
        await save({ state: 'gone', reason: '404', retryAfter: new Date(now.getTime() + this.refusalKeptMs) });
        return { state: 'gone' };
      case 'throttled':
        return { state: 'later', status: result.status, ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}) };
      default:
        return { state: 'later', ...(result.status !== undefined ? { status: result.status } : {}) };
    }
  }

  /** The person's e-mail address, when Meent knows one. */
  async addressOf(tenantId: string, userId: string): Promise<string | null> {
    return (await this.deps.addresses(tenantId, userId))?.mail ?? null;
  }

  /** What Meent recorded about installing for these people (tests, the admins' view). */
  static async recordsOf(tenantId: string, userIds: string[]): Promise<InstallationRecord[]> {
    return AppInstallationModel.find({ tenantId, userId: mongoose.trusted({ $in: userIds }) }).lean<InstallationRecord[]>().exec();
  }
}
