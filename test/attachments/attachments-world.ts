/**
 * The attachments tests' world: the communities and events app (real FerretDB, real HTTP) with
 * the attachments capability over the local drive store in a temporary directory (its files
 * opened from Meent's own /local-drive route, as local mode has it), or over the
 * Graph drive gateway against the Graph stand-in (whose drives are the same kind of store), a
 * fixed clock for uploads, and a fault switch on the app's drive gateway (Graph's 503s and
 * dropped answers during an upload, injected per fragment).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Actor } from '../../src/auth/actor.js';
import { createCommunitiesModule, type CommunitiesModule } from '../../src/composition.js';
import { createEventsModule, type EventsModule } from '../../src/events/events.module.js';
import { loadConfig } from '../../src/config/config.js';
import { createApp } from '../../src/http/app.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { createLogger } from '../../src/logging/logger.js';
import { GraphUnavailableError } from '../../src/graph/graph-errors.js';
import type { GraphCredentials } from '../../src/auth/graph-credentials.js';
import { withDelegatedAccess } from '../../src/auth/actor.js';
import type { AttachmentService, DriveAccess } from '../../src/attachments/attachment.service.js';
import { createAttachments, graphDriveAccess, LOCAL_LIBRARY_DRIVE_ID, localDriveAccess } from '../../src/attachments/attachments.module.js';
import { attachmentsPersonalData } from '../../src/attachments/attachments-personal-data.js';
import type { ChunkResult, DriveGateway, UploadSessionRef } from '../../src/attachments/drive-gateway.js';
import { LocalDriveStore } from '../../src/attachments/local-drive-store.js';
import { localDriveRouter } from '../../src/attachments/local-drive.routes.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';
import { ApiClient } from '../../tab/src/api/api-client.js';
import { actorHeader, testAuthenticate } from '../support/test-actor.js';

export const FIXED_NOW = new Date('2026-12-01T09:00:00Z');

/** How a fragment fails: before the drive store takes it (a 503), or after (the answer is lost). */
export type Fault = { atStart: number; kind: 'refused' | 'answer_lost'; times: number };

export interface AttachmentsWorld {
  app: Express;
  module: CommunitiesModule;
  events: EventsModule;
  attachments: AttachmentService;
  store: LocalDriveStore;
  faults: Fault[];
  /** Waits the upload retry asked for (recorded, not waited). */
  waits: number[];
  /** Moves the world's clock (uploads, the drive store, the reconciliation's stamps). */
  setNow(at: Date): void;
  /** A file in the person's own OneDrive. */
  ownFile(owner: Actor, name: string, bytes?: Buffer): { driveId: string; itemId: string };
  /** Who Meent's permissions on an item reach: invited people (sorted) and whether an organisation link exists. */
  sharedWith(ref: { driveId: string; itemId: string }): { users: string[]; organization: boolean };
  /** The person's attachments export, record lists by file name. */
  exportOf(person: Actor): Promise<Record<string, unknown[]>>;
  /** Erases the person's attachments data (keeping texts), taking back their grants on the drives. */
  erase(person: Actor): Promise<void>;
  dispose(): void;
}

/**
 * With `graph`: the drive port is Meent's Graph wiring (graphDriveAccess) against the stand-in,
 * people acting with delegated tokens and the app with an app token; `store` is the stand-in's.
 */
export function buildAttachmentsWorld(options: { graph?: GraphServer } = {}): AttachmentsWorld {
  const logger = createLogger(process.env.MEENT_TEST_LOG === '1' ? 'error' : 'silent');
  const directory = mkdtempSync(join(tmpdir(), 'meent-drives-'));
  let current = FIXED_NOW;
  const now = () => new Date(current);
  const graph = options.graph;
  const store = graph ? graph.drives.store : new LocalDriveStore(directory, now);
  const base = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...(graph ? { GRAPH_BASE_URL: graph.baseUrl } : {}) });
  const config = { ...base, attachments: { ...base.attachments, libraryDriveId: LOCAL_LIBRARY_DRIVE_ID } };
  const faults: Fault[] = [];
  const waits: number[] = [];
  const inner = graph ? graphWiring(graph, config) : localDriveAccess(store, config.publicUrl);
  if (graph) graph.drives.addLibrary(LOCAL_LIBRARY_DRIVE_ID);
  const drives: DriveAccess = { asActor: (actor: Actor) => inner.asActor(actor), asApp: (tenantId: string) => faulty(inner.asApp(tenantId), faults) };
  const spec = new ApiSpec();
  const files = createAttachments({ config, logger, spec, drives, now, resume: { maxAttempts: 2, sleep: (ms) => Promise.resolve(void waits.push(ms)) } });
  const module = createCommunitiesModule({ logger, spec, attachments: files.service });
  const personalData = attachmentsPersonalData({ revokeGrantsOf: (tenantId, userId) => files.service.revokeGrantsOf(tenantId, userId) });
  const subject = (a: Actor) => ({ tenantId: a.tenantId, userId: a.userId, names: [a.name], emails: [], pseudonym: `pseudonym:${a.userId}` });
  const events = createEventsModule({ config, logger, spec, attachments: files.service, now });
  // In local mode a file opens from Meent itself (local-drive.routes.ts), for the people the store lets read it.
  const opening = graph ? [] : [localDriveRouter({ store, authenticate: testAuthenticate })];
  const app = createApp({ config, logger, isReady: () => Promise.resolve(true), authenticate: testAuthenticate, apiRouters: [...module.apiRouters, ...(events.apiRouters ?? []), ...files.apiRouters], publicRouters: [...module.publicRouters, ...opening] });
  return {
    app,
    module,
    events,
    attachments: files.service,
    store,
    faults,
    waits,
    setNow: (at) => void (current = at),
    ownFile(owner, name, bytes = Buffer.from(`inhoud van ${name}`)) {
      const item = store.addFile(store.oneDriveOf(owner.userId).id, '', name, bytes, owner.userId);
      return { driveId: item.driveId, itemId: item.id };
    },
    sharedWith(ref) {
      const permissions = store.permissionsOf('app', ref.driveId, ref.itemId);
      return { users: permissions.flatMap((p) => (p.userId ? [p.userId] : [])).sort(), organization: permissions.some((p) => p.linkScope === 'organization') };
    },
    async exportOf(person) {
      const exported: Record<string, unknown[]> = {};
      for (const f of personalData.files) {
        const records: unknown[] = [];
        for await (const r of f.records(subject(person))) records.push(r);
        exported[f.name] = records;
      }
      return exported;
    },
    erase: (person) => personalData.erase(subject(person), { keepText: true }),
    dispose: () => rmSync(directory, { recursive: true, force: true }),
  };
}

/**
 * For a describe block: the Graph stand-in (on `now`, the world's fixed start by default) and a
 * world over it, started before its tests and stopped after them.
 */
export function useGraphAttachmentsWorld(now: () => number = () => FIXED_NOW.getTime()): { readonly graph: GraphServer; readonly world: AttachmentsWorld } {
  let started: { graph: GraphServer; world: AttachmentsWorld } | undefined;
  before(async () => {
    const graph = await startGraphServer({ now });
    started = { graph, world: buildAttachmentsWorld({ graph }) };
  });
  after(async () => {
    started?.world.dispose();
    await started?.graph.stop();
  });
  const get = () => {
    if (!started) throw new Error('The Graph stand-in starts in the describe block’s before hook.');
    return started;
  };
  return {
    get graph() {
      return get().graph;
    },
    get world() {
      return get().world;
    },
  };
}

/** The world's app on a local port, and the tab's API client acting as someone there (the test actor header stands in for the sign-in). */
export interface TabOnWorld {
  /** `observe` sees each request's URL and headers before it goes. */
  clientAs(actor: Actor, observe?: (url: string, init: RequestInit & { headers: Headers }) => void): ApiClient;
  close(): Promise<void>;
}

/** For a describe block: a local-mode world and the tab's client on it, started before its tests and stopped after them. */
export function useTabOnLocalWorld(): { readonly world: AttachmentsWorld; readonly tab: TabOnWorld } {
  let started: { world: AttachmentsWorld; tab: TabOnWorld } | undefined;
  before(async () => {
    const world = buildAttachmentsWorld();
    started = { world, tab: await tabOnWorld(world) };
  });
  after(async () => {
    await started?.tab.close();
    started?.world.dispose();
  });
  const get = () => {
    if (!started) throw new Error('The world starts in the describe block’s before hook.');
    return started;
  };
  return {
    get world() {
      return get().world;
    },
    get tab() {
      return get().tab;
    },
  };
}

export async function tabOnWorld(world: AttachmentsWorld): Promise<TabOnWorld> {
  const server = world.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    clientAs: (actor, observe) =>
      new ApiClient({
        baseUrl: `http://127.0.0.1:${port}/api/v1`,
        fetch: (url, init) => {
          const headers = new Headers(init?.headers);
          headers.set('X-Test-Actor', actorHeader(actor));
          observe?.(String(url), { ...init, headers });
          return fetch(url, { ...init, headers });
        },
      }),
    close: () => new Promise((resolve) => void server.close(() => resolve())),
  };
}

/** Meent's Graph drive wiring, with the stand-in's tokens standing in for on-behalf-of and app credentials. */
function graphWiring(graph: GraphServer, config: Parameters<typeof graphDriveAccess>[0]): DriveAccess {
  const credentials = { appToken: () => Promise.resolve(graph.drives.tokenFor('app')) } as unknown as GraphCredentials;
  const access = graphDriveAccess(config, credentials);
  return {
    asActor: (actor) => access.asActor(withDelegatedAccess(actor, { graphToken: () => Promise.resolve(graph.drives.tokenFor({ userId: actor.userId })) })),
    asApp: (tenantId) => access.asApp(tenantId),
  };
}

/** The gateway with `faults` applied to upload fragments (each fault used `times` times). */
function faulty(gateway: DriveGateway, faults: Fault[]): DriveGateway {
  return new Proxy(gateway, {
    get(target, property, receiver) {
      if (property !== 'uploadChunk') return Reflect.get(target, property, receiver) as unknown;
      return async (session: UploadSessionRef, start: number, total: number, bytes: Uint8Array): Promise<ChunkResult> => {
        const fault = faults.find((f) => f.atStart === start && f.times > 0);
        if (!fault) return target.uploadChunk(session, start, total, bytes);
        fault.times -= 1;
        if (fault.kind === 'refused') throw new GraphUnavailableError();
        await target.uploadChunk(session, start, total, bytes);
        throw new GraphUnavailableError();
      };
    },
  });
}
