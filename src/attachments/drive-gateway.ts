import type { Readable } from 'node:stream';

/**
 * The port Meent's attachments use to reach OneDrive and SharePoint document libraries:
 * reading, searching and browsing drive items, uploading through resumable upload sessions,
 * and granting and taking back sharing permissions. Implemented over Microsoft Graph
 * (graph-drive-gateway.ts) and, in local mode, over the local drive store
 * (local-drive-gateway.ts). Every method throws domain errors (NotFoundError with code
 * `graph_not_found` when an item is gone, ForbiddenError `graph_forbidden` when the caller
 * may not do it, GraphUnavailableError on throttling and outages).
 */

/** A drive item as Meent keeps it: nothing of the file's content. */
export interface DriveItemInfo {
  driveId: string;
  itemId: string;
  name: string;
  /** Bytes; 0 for folders. */
  size: number;
  /** The file's media type (`file.mimeType`); null for folders. */
  mimeType: string | null;
  folder: boolean;
  /** Opens the item in the browser (Office for the web, the PDF viewer). */
  webUrl: string;
  lastModifiedAt: string | null;
  /** A medium-size thumbnail where Graph has one (https://learn.microsoft.com/en-us/graph/api/driveitem-list-thumbnails). */
  thumbnailUrl: string | null;
}

/** An item with when it was made: finding the file an upload session made when its answer was lost. */
export interface CreatedItemInfo extends DriveItemInfo {
  /** `createdDateTime`, by Microsoft 365's clock. */
  createdAt: string | null;
}

/** A sharing permission on an item (https://learn.microsoft.com/en-us/graph/api/resources/permission). */
export interface DrivePermission {
  id: string;
  roles: string[];
  /** The person it was granted to (`grantedToV2.user.id`), for invitations. */
  userId: string | null;
  /** For sharing links: the link's scope. */
  linkScope: 'anonymous' | 'organization' | 'users' | 'existingAccess' | null;
  /** Inherited from a folder above (`inheritedFrom`): not the item's own. */
  inherited: boolean;
}

/** Where an upload goes: a folder path (created when missing) in a document library. */
export interface UploadTarget {
  driveId: string;
  /** Folder path under the library's root, e.g. `Meent/Waterbeheer`. */
  folderPath: string;
}

/** An upload session (https://learn.microsoft.com/en-us/graph/api/driveitem-createuploadsession). */
export interface UploadSessionRef {
  /** Pre-authenticated: a secret, never logged or shown. */
  uploadUrl: string;
  expiresAt: string;
}

/**
 * A thumbnail's bytes as its host sends them, not yet checked: the type and length it declared
 * (null when it declared none) and the body, which the reader must consume or destroy.
 */
export interface ThumbnailContent {
  contentType: string | null;
  length: number | null;
  body: Readable;
}

export type ChunkResult = { done: false; nextOffset: number } | { done: true; item: DriveItemInfo };

export interface DriveGateway {
  getItem(driveId: string, itemId: string): Promise<DriveItemInfo | null>;
  /**
   * The item's medium thumbnail (the one a file card shows); null when the item is gone, the
   * caller may not read it, or it has no thumbnail
   * (https://learn.microsoft.com/en-us/graph/api/driveitem-list-thumbnails).
   */
  thumbnail(driveId: string, itemId: string): Promise<ThumbnailContent | null>;
  /** Items in the caller's OneDrive whose name or content matches (driveItem search). */
  search(query: string): Promise<DriveItemInfo[]>;
  /** The children of a folder; the caller's OneDrive root when no folder is given (list children). */
  children(folder?: { driveId: string; itemId: string }): Promise<DriveItemInfo[]>;
  /** Grants `read` to people (by Entra object id) without sending an e-mail; the permission id per person. */
  invite(driveId: string, itemId: string, userIds: string[]): Promise<Map<string, string>>;
  /** An organisation-scoped view link; never an anonymous one. The permission id. */
  createOrganizationLink(driveId: string, itemId: string): Promise<string>;
  permissions(driveId: string, itemId: string): Promise<DrivePermission[]>;
  /** Removes a permission; a permission that is already gone is not an error. */
  deletePermission(driveId: string, itemId: string, permissionId: string): Promise<void>;
  /** The drive of a Microsoft 365 group (the team a community is pinned to). */
  groupDriveId(groupId: string): Promise<string>;
  createUploadSession(target: UploadTarget, fileName: string): Promise<UploadSessionRef>;
  /** Sends bytes `start`..`start + bytes.length - 1` of `total` to the session. */
  uploadChunk(session: UploadSessionRef, start: number, total: number, bytes: Uint8Array): Promise<ChunkResult>;
  /** Where the session stands: the first byte it still expects (resuming after a failure). */
  uploadStatus(session: UploadSessionRef): Promise<{ nextOffset: number }>;
  cancelUpload(session: UploadSessionRef): Promise<void>;
  /** The item at a path under a library's root (`Meent/Folder/name.pdf`); null when nothing is there. */
  itemAtPath(driveId: string, path: string): Promise<CreatedItemInfo | null>;
  /** The items in the folder at a path under a library's root (the first pages); none when the folder does not exist. */
  childrenAtPath(driveId: string, folderPath: string): Promise<CreatedItemInfo[]>;
}
