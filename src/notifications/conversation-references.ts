/**
 * The stored conversation references (conversation-reference.model.ts): written by the bot on
 * install, uninstall and every activity, read by notification delivery. Only this module
 * imports the model.
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { atomicUpdate } from '../db/atomic-update.js';
import { upsertRetryingRace } from '../db/mongo-errors.js';
import { ConversationReferenceModel, type ConversationReferenceRecord, type ReferenceState } from './conversation-reference.model.js';
import type { ConversationRef } from './messenger.js';

export type ConversationScope = 'personal' | 'channel' | 'groupChat';

export interface ReferenceInput {
  tenantId: string;
  scope: ConversationScope;
  /** Entra object id of the person (personal scope). */
  userId?: string;
  teamId?: string;
  channelId?: string;
  reference: ConversationRef;
}

export function personalKey(userId: string): string {
  return `user:${userId}`;
}

export function channelKey(teamId: string, channelId: string): string {
  return `channel:${teamId}:${channelId}`;
}

export function chatKey(conversationId: string): string {
  return `chat:${conversationId}`;
}

export function keyOf(input: Pick<ReferenceInput, 'scope' | 'userId' | 'teamId' | 'channelId' | 'reference'>): string {
  if (input.scope === 'personal' && input.userId) return personalKey(input.userId);
  if (input.scope === 'channel' && input.teamId) return channelKey(input.teamId, input.channelId ?? input.reference.conversation.id);
  return chatKey(input.reference.conversation.id);
}

export interface ConversationReferencesOptions {
  /** A plain activity rewrites a reference at most this often per process (default 10 minutes). */
  refreshIntervalMs?: number;
  /** How long a tenant's personal chats, read all at once for a large send, are used (default 5 minutes). */
  directoryTtlMs?: number;
  /** At most this many personal chats of one tenant are read at once (default 50,000); the rest are looked up one by one. */
  directoryLimit?: number;
  now?: () => number;
}

const MAX_REMEMBERED = 10_000;

/** A tenant's personal chats as read at `loadedAt` (see `personalChats`). */
interface Directory {
  loadedAt: number;
  byUser: Map<string, ConversationReferenceRecord>;
}

export class ConversationReferences {
  /** When this process last wrote each reference (a cache of writes, not of state). */
  private readonly written = new Map<string, number>();
  private readonly refreshIntervalMs: number;
  private readonly directoryTtlMs: number;
  private readonly directoryLimit: number;
  private readonly now: () => number;
  private readonly directories = new Map<string, Directory>();
  private readonly loading = new Map<string, Promise<Directory>>();

  constructor(options: ConversationReferencesOptions = {}) {
    this.refreshIntervalMs = options.refreshIntervalMs ?? 10 * 60_000;
    this.directoryTtlMs = options.directoryTtlMs ?? 5 * 60_000;
    this.directoryLimit = options.directoryLimit ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Stores (or refreshes) a reference; `installed` marks an install, which also lifts a
   * `blocked` or `gone` state (the person added the app again); `active` lifts them too (the
   * person wrote to the bot, so they have not blocked it). Other activities only refresh it.
   */
  /**
   * Stores or refreshes a reference. Returns true when this call made it active (a new
   * reference, or one that was gone or blocked): Teams sends installationUpdate and
   * conversationUpdate at the same moment for one install, and only one of them may greet.
   */
  async save(input: ReferenceInput, options: { installed?: boolean; active?: boolean; now?: Date } = {}): Promise<boolean> {
    const now = options.now ?? new Date();
    const key = keyOf(input);
    // Every message refreshes the reference; one write per interval is enough (installs always write).
    const memo = `${input.tenantId}|${key}|${input.reference.serviceUrl}|${input.reference.conversation.id}`;
    const last = this.written.get(memo);
    if (!options.installed && last !== undefined && now.getTime() - last < this.refreshIntervalMs) return false;
    const filter = { tenantId: input.tenantId, key };
    const lockKey = `conversation_references:${input.tenantId}:${key}`;
    const activation = randomUUID();
    const set: Record<string, unknown> = {
      scope: input.scope,
      reference: stripActivity(input.reference),
      ...(input.userId ? { userId: input.userId } : {}),
      ...(input.teamId ? { teamId: input.teamId } : {}),
      ...(input.channelId ? { channelId: input.channelId } : {}),
    };
    if (options.installed) Object.assign(set, { state: 'active', installedAt: now, removedAt: null, stateReason: null });
    else if (options.active) Object.assign(set, { state: 'active', stateReason: null });
    let activated = false;
    if (options.installed || options.active) {
      // The transition from gone/blocked to active, guarded so that exactly one caller makes it.
      const revived = await atomicUpdate(ConversationReferenceModel, { ...filter, state: mongoose.trusted({ $ne: 'active' as const }) }, { $set: { ...set, activation } }, { lockKey });
      activated = revived !== null;
    }
    const update = { $set: set, $setOnInsert: { ...filter, activation, ...(options.installed || options.active ? {} : { state: 'active' }) } };
    const write = () => atomicUpdate(ConversationReferenceModel, filter, update, { upsert: true, lockKey });
    // A first store raced another instance's on the unique index; the document exists now.
    const stored = await upsertRetryingRace(write);
    activated ||= stored?.activation === activation;
    if (this.written.size >= MAX_REMEMBERED) this.written.clear();
    this.written.set(memo, now.getTime());
    if (input.userId) this.directories.get(input.tenantId)?.byUser.delete(input.userId);
    return activated;
  }

  /** The app was removed from the conversation. */
  async uninstalled(input: Pick<ReferenceInput, 'tenantId' | 'scope' | 'userId' | 'teamId' | 'channelId' | 'reference'>, now: Date = new Date()): Promise<void> {
    await this.setState(input.tenantId, keyOf(input), 'gone', 'uninstalled', now);
  }

  async setState(tenantId: string, key: string, state: ReferenceState, reason: string, now: Date = new Date()): Promise<void> {
    for (const memo of this.written.keys()) if (memo.startsWith(`${tenantId}|${key}|`)) this.written.delete(memo);
    if (key.startsWith('user:')) this.directories.get(tenantId)?.byUser.delete(key.slice('user:'.length));
    await atomicUpdate(
      ConversationReferenceModel,
      { tenantId, key },
      { $set: { state, stateReason: reason, ...(state === 'gone' ? { removedAt: now } : {}) } },
      { lockKey: `conversation_references:${tenantId}:${key}` },
    );
  }

  async find(tenantId: string, key: string): Promise<ConversationReferenceRecord | null> {
    return ConversationReferenceModel.findOne({ tenantId, key }).lean<ConversationReferenceRecord>().exec();
  }

  /** Personal chats of many people at once. */
  async personalFor(tenantId: string, userIds: string[]): Promise<Map<string, ConversationReferenceRecord>> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return new Map();
    const found = await ConversationReferenceModel.find({ tenantId, key: mongoose.trusted({ $in: unique.map(personalKey) }) }).lean<ConversationReferenceRecord[]>().exec();
    return new Map(found.map((r) => [r.userId ?? '', r]));
  }

  /**
   * The personal chats of the people a delivery pass sends to. Few people: one lookup each by
   * the unique key. Many (`bulk`): the tenant's personal chats are read at once and kept for
   * `directoryTtlMs` (refreshed in the background once stale). On FerretDB each lookup by key
   * scans the collection and an `$in` reads all of it, so a fan-out to thousands would
   * otherwise scan it once per person. What the kept copy cannot vouch for is looked up
   * afresh: a person missing from it (a chat opened since) and a chat it holds as blocked or
   * gone (the app may be back). A chat that went away since answers 403/404 to the send,
   * which records it, so the copy never makes anyone get a message they should not.
   */
  async personalChats(tenantId: string, userIds: string[], options: { bulk?: boolean } = {}): Promise<Map<string, ConversationReferenceRecord>> {
    const unique = [...new Set(userIds)];
    const found = new Map<string, ConversationReferenceRecord>();
    let lookUp = unique;
    if (options.bulk) {
      const directory = await this.directory(tenantId);
      lookUp = [];
      for (const userId of unique) {
        const record = directory.byUser.get(userId);
        if (record?.state === 'active') found.set(userId, record);
        else lookUp.push(userId);
      }
    }
    // A few at a time: each is a scan on FerretDB, and they share the connection pool with the sends' writes.
    for (let i = 0; i < lookUp.length; i += 8) {
      const records = await Promise.all(lookUp.slice(i, i + 8).map((userId) => this.find(tenantId, personalKey(userId))));
      for (const record of records) if (record?.userId) found.set(record.userId, record);
    }
    return found;
  }

  private async directory(tenantId: string): Promise<Directory> {
    const kept = this.directories.get(tenantId);
    if (kept && this.now() - kept.loadedAt < this.directoryTtlMs) return kept;
    let load = this.loading.get(tenantId);
    if (!load) {
      load = this.loadDirectory(tenantId).finally(() => this.loading.delete(tenantId));
      this.loading.set(tenantId, load);
      // Stale but present: use it while the new copy loads.
      if (kept) load.catch(() => undefined);
    }
    return kept ?? load;
  }

  private async loadDirectory(tenantId: string): Promise<Directory> {
    const loadedAt = this.now();
    const records = await ConversationReferenceModel.find({ tenantId, scope: 'personal' }).limit(this.directoryLimit).lean<ConversationReferenceRecord[]>().exec();
    const directory: Directory = { loadedAt, byUser: new Map(records.filter((r) => r.userId).map((r) => [r.userId as string, r])) };
    for (const [key, kept] of this.directories) if (loadedAt - kept.loadedAt > 2 * this.directoryTtlMs) this.directories.delete(key);
    this.directories.set(tenantId, directory);
    return directory;
  }

  /** Any active reference in the tenant (its service URL and bot account open a 1:1 chat). */
  async anyActive(tenantId: string): Promise<ConversationReferenceRecord | null> {
    return ConversationReferenceModel.findOne({ tenantId, state: 'active' }).sort({ updatedAt: -1 }).lean<ConversationReferenceRecord>().exec();
  }
}

/** The stored reference, without an activity id: proactive messages start a new message, not a reply. */
function stripActivity(ref: ConversationRef): ConversationRef {
  return {
    channelId: ref.channelId,
    serviceUrl: ref.serviceUrl,
    conversation: {
      id: ref.conversation.id,
      ...(ref.conversation.conversationType !== undefined ? { conversationType: ref.conversation.conversationType } : {}),
      ...(ref.conversation.isGroup !== undefined ? { isGroup: ref.conversation.isGroup } : {}),
      ...(ref.conversation.tenantId !== undefined ? { tenantId: ref.conversation.tenantId } : {}),
      ...(ref.conversation.name ? { name: ref.conversation.name } : {}),
    },
    bot: { id: ref.bot.id, ...(ref.bot.name ? { name: ref.bot.name } : {}) },
    ...(ref.user ? { user: { id: ref.user.id, ...(ref.user.name ? { name: ref.user.name } : {}), ...(ref.user.aadObjectId ? { aadObjectId: ref.user.aadObjectId } : {}) } } : {}),
  };
}

/** The reference as the messenger takes it. */
export function toConversationRef(record: ConversationReferenceRecord): ConversationRef {
  const r = record.reference;
  return stripActivity({
    channelId: r.channelId,
    serviceUrl: r.serviceUrl,
    conversation: {
      id: r.conversation.id,
      ...(r.conversation.conversationType ? { conversationType: r.conversation.conversationType } : {}),
      ...(typeof r.conversation.isGroup === 'boolean' ? { isGroup: r.conversation.isGroup } : {}),
      ...(r.conversation.tenantId ? { tenantId: r.conversation.tenantId } : {}),
      ...(r.conversation.name ? { name: r.conversation.name } : {}),
    },
    bot: { id: r.bot.id, ...(r.bot.name ? { name: r.bot.name } : {}) },
    ...(r.user ? { user: { id: r.user.id, ...(r.user.name ? { name: r.user.name } : {}), ...(r.user.aadObjectId ? { aadObjectId: r.user.aadObjectId } : {}) } } : {}),
  });
}
