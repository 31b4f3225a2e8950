/**
 * People as Meent knows them: a record made the first time someone is seen, their first
 * sign-in audited (also when the record existed before: seeded, or invited by e-mail),
 * kept in step with their token (organisation admin role, guest status; changes audited),
 * enriched from Microsoft Graph in the background and refreshed lazily, plus their profile
 * photo, cached. Graph being slow, down or refusing never blocks a sign-in.
 */
import type { Logger } from 'pino';
import type { AuditSink } from '../audit/audit.port.js';
import type { Actor } from '../auth/actor.js';
import { isDuplicateKeyError } from '../db/mongo-errors.js';
import { NotFoundError } from '../errors/domain-errors.js';
import type { DirectoryGateway, DirectoryUser, UserPhoto } from '../graph/directory-gateway.js';
import type { UserRecord } from './user.model.js';
import type { UserChanges, UserDirectoryRepository } from './user-directory.repository.js';
import { clockOf, type Clock } from '../time/clock.js';


export interface UserDirectoryDeps {
  repository: UserDirectoryRepository;
  audit: AuditSink;
  /**
   * The directory to read for this actor: on their behalf when they came with a user token,
   * else with the app's own credential; undefined when there is no Graph (local mode).
   */
  directoryFor: (actor: Actor) => DirectoryGateway | undefined;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** The app role that makes an organisation admin (for the audit entry of a role change). */
  adminRole: string;
  now?: Clock;
  /** Profiles older than this are fetched again from Graph. Default 24 hours. */
  profileMaxAgeMs?: number;
  /** Cached photos older than this are fetched again. Default 24 hours. */
  photoMaxAgeMs?: number;
  /** A person's record is looked at (and `lastSeenAt` written) at most this often per process. Default 5 minutes. */
  seenIntervalMs?: number;
  /** After a failed Graph refresh, wait this long before trying again. Default 10 minutes. */
  retryAfterFailureMs?: number;
}

const MAX_REMEMBERED = 10_000;

export class UserDirectoryService {
  private readonly now: Clock;
  private readonly recentlySeen = new Map<string, number>();
  private readonly refreshing = new Map<string, Promise<void>>();
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly deps: UserDirectoryDeps) {
    this.now = clockOf(deps);
  }

  /** Called on each authenticated request: the record exists and matches the token afterwards. */
  async signedIn(actor: Actor): Promise<void> {
    const now = this.now();
    const seenKey = `${actor.tenantId}:${actor.userId}:${actor.isOrgAdmin ? 1 : 0}:${actor.isGuest ? 1 : 0}`;
    const seenAt = this.recentlySeen.get(seenKey);
    if (seenAt !== undefined && now.getTime() - seenAt < (this.deps.seenIntervalMs ?? 5 * 60 * 1000)) return;

    let user = await this.deps.repository.find(actor.tenantId, actor.userId);
    if (user) {
      await this.keepInStep(user, actor, now);
    } else {
      const sighted = await this.firstSight(actor, now);
      user = sighted.user;
      if (!sighted.created) await this.keepInStep(user, actor, now);
    }
    remember(this.recentlySeen, seenKey, now.getTime());

    const syncedAt = user.graphSyncedAt?.getTime();
    if (syncedAt === undefined || now.getTime() - syncedAt >= (this.deps.profileMaxAgeMs ?? 24 * 60 * 60 * 1000)) this.scheduleRefresh(actor);
  }

  /** Forgets that the person was seen (they were erased): their next sign-in makes a new record. */
  forget(tenantId: string, userId: string): void {
    for (const key of [...this.recentlySeen.keys()]) if (key.startsWith(`${tenantId}:${userId}:`)) this.recentlySeen.delete(key);
    this.failedAt.delete(`${tenantId}:${userId}`);
  }

  async getUser(tenantId: string, userId: string): Promise<UserRecord> {
    const user = await this.deps.repository.find(tenantId, userId);
    if (!user) throw new NotFoundError('This person is not known to Meent.', 'user_not_found');
    return user;
  }

  /**
   * A person's photo (null when they have none), from the cache while it is fresh, else from
   * Graph as the actor. When Graph fails and an older copy exists, the older copy is served.
   */
  async getPhoto(actor: Actor, userId: string): Promise<UserPhoto | null> {
    const cached = await this.deps.repository.findPhoto(actor.tenantId, userId);
    const now = this.now();
    if (cached && now.getTime() - cached.fetchedAt.getTime() < (this.deps.photoMaxAgeMs ?? 24 * 60 * 60 * 1000)) return cached.photo;
    const directory = this.deps.directoryFor(actor);
    if (!directory) return cached?.photo ?? null;
    let photo: UserPhoto | null;
    try {
      photo = await directory.getUserPhoto(userId);
    } catch (err) {
      if (!cached) throw err;
      this.deps.logger.warn({ err, userId }, 'photo refresh from Graph failed; serving the cached copy');
      return cached.photo;
    }
    await this.deps.repository.savePhoto(actor.tenantId, userId, photo, now);
    return photo;
  }

  /** Resolves when the background Graph refreshes started so far have finished (for tests and shutdown). */
  async whenIdle(): Promise<void> {
    await Promise.allSettled([...this.refreshing.values()]);
  }

  private async firstSight(actor: Actor, now: Date): Promise<{ user: UserRecord; created: boolean }> {
    try {
      const user = await this.deps.repository.insert({
        tenantId: actor.tenantId,
        userId: actor.userId,
        ...(actor.homeTenantId !== undefined ? { homeTenantId: actor.homeTenantId } : {}),
        displayName: actor.name.slice(0, 256),
        ...(actor.userPrincipalName !== undefined ? { userPrincipalName: actor.userPrincipalName } : {}),
        ...(actor.email !== undefined ? { mail: actor.email } : {}),
        isGuest: actor.isGuest,
        isOrgAdmin: actor.isOrgAdmin,
        lastSeenAt: now,
        firstSignInAt: now,
      });
      await this.auditFirstSignIn(actor);
      return { user, created: true };
    } catch (error) {
      // Two first requests at once: the other one created the record (and audited it).
      if (!isDuplicateKeyError(error)) throw error;
      const user = await this.deps.repository.find(actor.tenantId, actor.userId);
      if (!user) throw error;
      return { user, created: false };
    }
  }

  private async auditFirstSignIn(actor: Actor): Promise<void> {
    await this.deps.audit.record({
      tenantId: actor.tenantId,
      kind: 'user.first_sign_in',
      actorId: actor.userId,
      subjectId: actor.userId,
      details: { guest: actor.isGuest, orgAdmin: actor.isOrgAdmin },
    });
  }

  private async keepInStep(user: UserRecord, actor: Actor, now: Date): Promise<void> {
    // A record made before the person ever signed in (the seed, an invitation by e-mail).
    if (!user.firstSignInAt && (await this.deps.repository.markFirstSignIn(actor.tenantId, actor.userId, now))) {
      await this.auditFirstSignIn(actor);
    }
    if (Boolean(user.isOrgAdmin) !== actor.isOrgAdmin) {
      // Guarded: of several requests noticing the change at once, exactly one records it.
      if (await this.deps.repository.changeOrgAdmin(actor.tenantId, actor.userId, actor.isOrgAdmin)) {
        await this.deps.audit.record({
          tenantId: actor.tenantId,
          kind: 'role.changed',
          actorId: actor.userId,
          subjectId: actor.userId,
          details: { role: this.deps.adminRole, granted: actor.isOrgAdmin, source: 'token' },
        });
      }
    }
    const changes: UserChanges = { lastSeenAt: now };
    if (Boolean(user.isGuest) !== actor.isGuest) changes.isGuest = actor.isGuest;
    await this.deps.repository.update(actor.tenantId, actor.userId, changes);
  }

  private scheduleRefresh(actor: Actor): void {
    const key = `${actor.tenantId}:${actor.userId}`;
    if (this.refreshing.has(key)) return;
    const failed = this.failedAt.get(key);
    if (failed !== undefined && this.now().getTime() - failed < (this.deps.retryAfterFailureMs ?? 10 * 60 * 1000)) return;
    const directory = this.deps.directoryFor(actor);
    if (!directory) return;
    const refresh = this.refreshProfile(actor, directory)
      .then(() => {
        this.failedAt.delete(key);
      })
      .catch((err: unknown) => {
        remember(this.failedAt, key, this.now().getTime());
        this.deps.logger.warn({ err, userId: actor.userId }, 'profile refresh from Graph failed; sign-in goes on');
      })
      .finally(() => {
        this.refreshing.delete(key);
      });
    this.refreshing.set(key, refresh);
  }

  private async refreshProfile(actor: Actor, directory: DirectoryGateway): Promise<void> {
    const profile = await directory.getUser(actor.userId);
    await this.deps.repository.update(actor.tenantId, actor.userId, { ...(profile ? profileChanges(profile) : {}), graphSyncedAt: this.now() });
  }
}

/**
 * Graph's profile -> the fields we keep; what Graph leaves empty stays as it was. Guest status
 * is not taken from Graph: the token decides access, and the two must not flap.
 */
function profileChanges(profile: DirectoryUser): UserChanges {
  const changes: UserChanges = {};
  if (profile.displayName) changes.displayName = profile.displayName.slice(0, 256);
  if (profile.userPrincipalName) changes.userPrincipalName = profile.userPrincipalName.slice(0, 256);
  if (profile.mail) changes.mail = profile.mail.slice(0, 320);
  if (profile.jobTitle) changes.jobTitle = profile.jobTitle.slice(0, 256);
  if (profile.department) changes.department = profile.department.slice(0, 256);
  if (profile.officeLocation) changes.officeLocation = profile.officeLocation.slice(0, 256);
  return changes;
}

/** A bounded memo: the oldest entries go first once it is full. */
function remember(map: Map<string, number>, key: string, value: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_REMEMBERED) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}
