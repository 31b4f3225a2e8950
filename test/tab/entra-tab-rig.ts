/**
 * The tab's end-to-end rig with real identity: the local identity provider signs Teams SSO
 * tokens with real keys, the Teams host stand-in hands them to the tab, and the server
 * validates them through the real `authenticate` (AUTH_MODE=entra, ENTRA_AUTHORITY_HOST
 * pointing at the local provider), so every API call in these tests is authenticated as in
 * production. The capabilities' real routers run on the run's FerretDB (a fresh database per
 * test file). One Vite build, one server, one identity provider and one Chromium per file.
 *
 *   const rig = useEntraTabRig({ modules: (m) => [m.events] });
 *   const { host, tab } = await rig.openTab(ANOUK, { hash: '#/events' });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Router } from 'express';
import type { Browser, Frame } from 'playwright-core';
import { createAnalyticsModule, type AnalyticsModule } from '../../src/analytics/analytics.module.js';
import type { AttachmentService } from '../../src/attachments/attachment.service.js';
import { createAttachments, localDriveAccess } from '../../src/attachments/attachments.module.js';
import { LocalDriveStore } from '../../src/attachments/local-drive-store.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { createConsultationsModule, type ConsultationsModule } from '../../src/consultations/consultations.module.js';
import type { Actor } from '../../src/auth/actor.js';
import { createIdentity, type Identity } from '../../src/composition.js';
import { createCommunitiesModule, type CommunitiesModule } from '../../src/composition.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { createEventsModule, type EventsModule } from '../../src/events/events.module.js';
import type { DirectoryGateway } from '../../src/graph/directory-gateway.js';
import { createLogger } from '../../src/logging/logger.js';
import { UserModel } from '../../src/members/user.model.js';
import { launchChromium } from '../support/browser.js';
import { useTestDatabase } from '../support/database.js';
import { entraEnvironment, TEST_APP_ID_URI, TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_HOME_TENANT, TEST_PARTNER_TENANT } from '../support/identity-app.js';
import { IdentityProvider } from '../support/identity-provider.js';
import { ensureTabBuilt, startTabServer, type TabServer } from '../support/tab-server.js';
import { TeamsHost, type TeamsHostContext, type TeamsHostOptions } from '../support/teams-host.js';

export const TENANT = TEST_HOME_TENANT.toLowerCase();
export const ADMIN_ROLE = 'Meent.Admin';

/** Someone who signs in: a member of the organisation, or a B2B guest from the partner tenant. */
export interface TestPerson {
  oid: string;
  name: string;
  upn: string;
  guest?: boolean;
  admin?: boolean;
  organisation?: string;
  expertise?: string[];
}

export const ANOUK: TestPerson = { oid: 'a1b2c3d4-0000-4000-8000-000000000001', name: 'Anouk de Vries', upn: 'anouk.devries@waterschap.example', organisation: 'Waterschap Rijn en IJssel', expertise: ['drainage', 'bodem'] };
export const BRAM: TestPerson = { oid: 'a1b2c3d4-0000-4000-8000-000000000002', name: 'Bram Jansen', upn: 'bram.jansen@waterschap.example', organisation: 'Waterschap Rijn en IJssel', expertise: ['nitraat'] };
export const CHANTAL: TestPerson = { oid: 'a1b2c3d4-0000-4000-8000-000000000003', name: 'Chantal Bakker', upn: 'chantal.bakker@waterschap.example', organisation: 'Gemeente Doetinchem', admin: true };
export const DIRK: TestPerson = { oid: 'a1b2c3d4-0000-4000-8000-000000000004', name: 'Dirk Visser', upn: 'dirk.visser@waterschap.example', organisation: 'Gemeente Zutphen', expertise: ['drainage', 'peilbeheer'] };
/** A chain partner invited as a B2B guest: her account lives in the partner tenant. */
export const GITA: TestPerson = { oid: 'a1b2c3d4-0000-4000-8000-000000000091', name: 'Gita Ramdin', upn: 'gita.ramdin_adviesbureau.example#EXT#@waterschap.example', guest: true, organisation: 'Adviesbureau Ramdin' };

/** The actor the server will derive from the person's token (for seeding through services). */
export function actorOf(person: TestPerson): Actor {
  return {
    userId: person.oid,
    tenantId: TENANT,
    homeTenantId: person.guest ? TEST_PARTNER_TENANT : TENANT,
    name: person.name,
    userPrincipalName: person.upn,
    isGuest: person.guest === true,
    mfa: true,
    isOrgAdmin: person.admin === true,
    roles: person.admin ? [ADMIN_ROLE] : [],
  };
}

/** Makes Meent know the person before they sign in (the directory, mentions). */
export async function seedPerson(person: TestPerson): Promise<void> {
  await UserModel.updateOne(
    { tenantId: TENANT, userId: person.oid },
    {
      $set: {
        displayName: person.name,
        userPrincipalName: person.upn,
        mail: person.upn.includes('#EXT#') ? undefined : person.upn,
        isGuest: person.guest === true,
        isOrgAdmin: person.admin === true,
        'profile.organisation': person.organisation,
        'profile.expertise': person.expertise ?? [],
      },
    },
    { upsert: true },
  );
}

/**
 * A community made through the real services: the first manager creates it, invites the
 * others, each accepts, and the other managers get their role. (Its search terms, counts and
 * memberships are then what the API itself would have written.)
 */
export async function seedCommunity(
  modules: RigModules,
  input: { name: string; visibility: 'public' | 'closed' | 'secret'; description?: string; tags?: string[]; guestsAllowed?: boolean; members: Array<{ person: TestPerson; role: 'manager' | 'member' }> },
): Promise<string> {
  const { communities, memberships } = modules.communities.services;
  const [creator, ...others] = input.members;
  if (!creator || creator.role !== 'manager') throw new Error('seedCommunity: the first member must be a manager');
  const owner = actorOf(creator.person);
  const created = await communities.create(owner, {
    name: input.name,
    visibility: input.visibility,
    guestsAllowed: input.guestsAllowed ?? false,
    ...(input.description ? { description: input.description } : {}),
    ...(input.tags ? { tags: input.tags } : {}),
  });
  for (const m of others) {
    await memberships.add(owner, created.id, { userId: m.person.oid });
    await memberships.add(actorOf(m.person), created.id, {});
    if (m.role === 'manager') await memberships.update(owner, created.id, m.person.oid, { role: 'manager' });
  }
  return created.id;
}

/** The real capability modules a test file can mount. */
export interface RigModules {
  identity: Identity;
  events: EventsModule;
  /** Communities, discussions, people, moderation, feed and search. */
  communities: CommunitiesModule;
  /** The beacon, the figures, and the actions of the routes mounted after it (as in the composition). */
  analytics: AnalyticsModule;
  /** The home page asks for the consultations to answer, so the default mount has them. */
  consultations: ConsultationsModule;
  /** Files in posts over the local drive store (only with `attachments: true`). */
  attachments?: { service: AttachmentService; store: LocalDriveStore; apiRouters: Router[] };
  config: Config;
}

export interface EntraTabRig {
  browser: Browser;
  server: TabServer;
  idp: IdentityProvider;
  modules: RigModules;
  /** A Teams SSO token for the person, signed by the local identity provider. */
  tokenFor(person: TestPerson): Promise<string>;
  /** Opens the tab in the Teams host as the person, at `hash` (default Home). */
  openTab(person: TestPerson, options?: { hash?: string; context?: TeamsHostContext } & Omit<TeamsHostOptions, 'tabUrl' | 'token' | 'context'>): Promise<{ host: TeamsHost; tab: Frame }>;
}

export interface EntraTabRigOptions {
  /** Routers mounted before the real ones (e.g. a stand-in for an API that is not built yet, or a fault). */
  extraApiRouters?: () => Router[];
  /** Which capability routers to mount besides the identity's (default: analytics, events, communities and consultations). */
  routers?: (modules: RigModules) => { apiRouters?: Router[]; publicRouters?: Router[] }[];
  /** Runs once the store is connected and the modules exist. */
  seed?: (modules: RigModules) => Promise<void>;
  /** Settings besides the rig's (e.g. GUESTS_ALLOWED=false, ENTRA_BROWSER_TENANT=organizations). */
  env?: Record<string, string>;
  /** Where the server's logs (requests, modules) go, at level `debug`; default nowhere. */
  logTo?: Writable;
  /** The organisation's directory for the communities and events (the pickers' directory search); default none. */
  directoryFor?: (actor: Actor) => DirectoryGateway | undefined;
  /**
   * Files in posts (issue 21) as local mode has them: the attachments capability over the local
   * drive store (a temporary directory), its routes mounted and the discussions wired to it.
   * Uploads go to the library ATTACHMENTS_LIBRARY_DRIVE_ID names (set it in `env`).
   */
  attachments?: boolean;
}

export function useEntraTabRig(options: EntraTabRigOptions = {}): EntraTabRig {
  useTestDatabase('tab');
  const rig = {} as EntraTabRig;
  let drivesDirectory: string | undefined;
  before(async function () {
    this.timeout(180_000);
    const [idp] = await Promise.all([IdentityProvider.start(), ensureTabBuilt()]);
    rig.idp = idp;
    idp.registerClient({ clientId: TEST_CLIENT_ID, appIdUri: TEST_APP_ID_URI, secret: TEST_CLIENT_SECRET });
    const logger = options.logTo ? createLogger('debug', options.logTo) : createLogger('silent');
    rig.server = await startTabServer((origin) => {
      // The browser sign-in's redirect URIs, registered on the app's Single-page application platform.
      idp.registerClient({ clientId: TEST_CLIENT_ID, appIdUri: TEST_APP_ID_URI, secret: TEST_CLIENT_SECRET, spaRedirectUris: [`${origin}/tab/auth-end`, `${origin}/tab/signed-out`] });
      // Graph is never reached: profiles come from the tokens and the seed; calendars are local.
      const config = loadConfig(
        entraEnvironment(idp.baseUrl, 'https://graph.invalid', { HOST: '127.0.0.1', PORT: '0', PUBLIC_URL: origin, ADMIN_ROLE, RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0', RATE_LIMIT_USER_READS: '0', RATE_LIMIT_IP_READS: '0', ...options.env }),
      );
      const identity = createIdentity({ config, logger, directoryFor: () => undefined, rateLimitStore: 'memory' });
      const directory = options.directoryFor ? { directoryFor: options.directoryFor } : {};
      let files: RigModules['attachments'];
      if (options.attachments) {
        drivesDirectory = mkdtempSync(join(tmpdir(), 'meent-tab-drives-'));
        const store = new LocalDriveStore(drivesDirectory);
        const made = createAttachments({ config, logger, spec: new ApiSpec(), drives: localDriveAccess(store, origin) });
        files = { service: made.service, store, apiRouters: made.apiRouters };
      }
      // Events take files too (issue 21), through the same attachments service.
      const events = createEventsModule({ config, logger, ...directory, ...(files ? { attachments: files.service } : {}) });
      const communities = createCommunitiesModule({ logger, audit: identity.audit, ...directory, ...(files ? { attachments: files.service } : {}) });
      const analytics = createAnalyticsModule({ logger });
      const consultations = createConsultationsModule({ config, logger, audit: identity.audit });
      rig.modules = { identity, events, communities, analytics, consultations, config, ...(files ? { attachments: files } : {}) };
      const mounted: { apiRouters?: Router[]; publicRouters?: Router[] }[] = [...(options.routers ? options.routers(rig.modules) : [analytics, events, communities, consultations]), ...(files ? [{ apiRouters: files.apiRouters }] : [])];
      return {
        config,
        logger,
        networkPolicy: identity.networkPolicy,
        authenticate: identity.authenticate,
        apiRouters: [...(options.extraApiRouters?.() ?? []), ...identity.apiRouters, ...mounted.flatMap((m) => m.apiRouters ?? [])],
        publicRouters: [...identity.publicRouters, ...mounted.flatMap((m) => m.publicRouters ?? [])],
      };
    });
    rig.browser = await launchChromium();
    await options.seed?.(rig.modules);
  });
  after(async function () {
    this.timeout(60_000);
    await rig.browser?.close();
    await rig.server?.close();
    await rig.modules?.events.close?.();
    await rig.modules?.analytics.recorder.close();
    await rig.modules?.identity.whenIdle();
    await rig.idp?.stop();
    if (drivesDirectory) rmSync(drivesDirectory, { recursive: true, force: true });
  });

  rig.tokenFor = (person) =>
    rig.idp.userToken({
      tenantId: TENANT,
      oid: person.oid,
      name: person.name,
      upn: person.upn,
      apiClientId: TEST_CLIENT_ID,
      apiAppIdUri: TEST_APP_ID_URI,
      ...(person.admin ? { roles: [ADMIN_ROLE] } : {}),
      ...(person.guest ? { acct: 1 as const, idp: `https://sts.windows.net/${TEST_PARTNER_TENANT}/` } : {}),
    });

  rig.openTab = async (person, { hash = '#/', context, ...rest } = {}) => {
    const host = await TeamsHost.open(rig.browser, {
      tabUrl: rig.server.tabUrl(hash),
      token: await rig.tokenFor(person),
      context: { user: { id: person.oid, displayName: person.name, userPrincipalName: person.upn, tenantId: TENANT }, ...context },
      ...rest,
    });
    return { host, tab: await host.tab() };
  };
  return rig;
}
