/**
 * Builds the attachments capability: the drive port over Graph (AUTH_MODE=entra: on behalf of
 * the person, or as the app) or over the local drive store (local mode: files under
 * `<DATA_DIR>/drives`), the service, the thumbnails, and their routes.
 */
import { join } from 'node:path';
import type { RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.js';
import type { GraphCredentials } from '../auth/graph-credentials.js';
import type { Config } from '../config/config.js';
import { dataDirectory } from '../config/paths.js';
import { ForbiddenError } from '../errors/domain-errors.js';
import { meentGraphClient } from '../graph/graph-client.js';
import type { ApiSpec } from '../http/api-spec.js';
import { AttachmentService, type DriveAccess } from './attachment.service.js';
import { AttachmentThumbnails } from './attachment-thumbnail.js';
import { attachmentThumbnailRouter } from './attachment-thumbnail.routes.js';
import { attachmentsRouter } from './attachments.routes.js';
import { GraphDriveGateway } from './graph-drive-gateway.js';
import { LocalDriveGateway } from './local-drive-gateway.js';
import { LocalDriveStore } from './local-drive-store.js';
import { localDriveRouter } from './local-drive.routes.js';
import type { ResumeOptions } from './resumable-upload.js';

/** The library local mode uploads into (communities not pinned to a team). */
export const LOCAL_LIBRARY_DRIVE_ID = 'b!meent-local-library';

export function graphDriveAccess(config: Config, credentials: GraphCredentials): DriveAccess {
  return {
    asActor: (actor: Actor) => {
      const delegated = actor.delegated;
      if (!delegated) throw new ForbiddenError('Attaching files needs your Microsoft 365 sign-in.', 'attachments_need_sign_in');
      return new GraphDriveGateway({ graph: meentGraphClient({ baseUrl: config.graphBaseUrl, getAccessToken: () => delegated.graphToken() }) });
    },
    asApp: (tenantId: string) => new GraphDriveGateway({ graph: meentGraphClient({ baseUrl: config.graphBaseUrl, getAccessToken: () => credentials.appToken(tenantId) }) }),
  };
}

export function localDriveAccess(store: LocalDriveStore, publicUrl: string): DriveAccess {
  return {
    asActor: (actor: Actor) => new LocalDriveGateway(store, { userId: actor.userId, guest: actor.isGuest }, publicUrl),
    asApp: () => new LocalDriveGateway(store, 'app', publicUrl),
  };
}

export function createAttachments(deps: {
  config: Config;
  logger: Logger;
  spec: ApiSpec;
  graphCredentials?: GraphCredentials | undefined;
  drives?: DriveAccess;
  now?: () => Date;
  resume?: ResumeOptions;
  /** The API's authentication: with it, local mode also serves the local drive's files (local-drive.routes.ts). */
  authenticate?: RequestHandler;
}) {
  const { config } = deps;
  let drives = deps.drives;
  let libraryDriveId = config.attachments.libraryDriveId;
  const publicRouters: Router[] = [];
  if (!drives) {
    if (deps.graphCredentials) {
      drives = graphDriveAccess(config, deps.graphCredentials);
    } else {
      const store = new LocalDriveStore(join(dataDirectory(config.dataDir), 'drives'));
      drives = localDriveAccess(store, config.publicUrl);
      libraryDriveId ??= LOCAL_LIBRARY_DRIVE_ID;
      if (deps.authenticate) publicRouters.push(localDriveRouter({ store, authenticate: deps.authenticate }));
    }
  }
  const service = new AttachmentService({
    drives,
    settings: { maxBytes: config.attachments.maxBytes, blockedTypes: config.attachments.blockedTypes, libraryDriveId },
    logger: deps.logger,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.resume ? { resume: deps.resume } : {}),
  });
  const thumbnails = new AttachmentThumbnails({ drives, logger: deps.logger });
  return {
    service,
    apiRouters: [attachmentsRouter(deps.spec, { attachments: service }), attachmentThumbnailRouter(deps.spec, { thumbnails, logger: deps.logger })],
    publicRouters,
  };
}
