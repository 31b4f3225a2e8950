/**
 * Which writes the per-person write limit (src/http/request-rate-limits.ts) leaves to an upload
 * session. The limit is meant for posts: a 250 MB file goes in 80 fragments of 3.125 MiB, each
 * a PUT, and would be stopped by it. So starting an upload counts as a write, as before, and
 * its fragments do not, as long as they go to an upload of the person's own that is in
 * progress and has fragments left: as many as its size takes in the smallest fragments a
 * session accepts (320 KiB), and some for retries. Past that, or to anyone else's upload, a
 * fragment counts as any write (and the route still answers 404 for someone else's upload).
 */
import type { Request } from 'express';
import { Types } from 'mongoose';
import { takeUploadFragment } from './attachments.repository.js';
import { UPLOAD_FRAGMENT_UNIT } from './local-drive-store.js';

/** Fragments sent again after a fault (the tab retries a fragment the server could not pass on). */
export const FRAGMENT_RETRIES = 32;

/** The fragments an upload of `size` bytes may send without counting as writes. */
export function fragmentAllowance(size: number): number {
  return Math.ceil(size / UPLOAD_FRAGMENT_UNIT) + FRAGMENT_RETRIES;
}

const FRAGMENT_PATH = /^\/api\/v1\/uploads\/([0-9a-f]{24})$/i;

/** For `writeRateLimits`' `boundedElsewhere`: a fragment of the person's own upload in progress, taken from its allowance. */
export async function isBoundedUploadFragment(req: Request, now: Date): Promise<boolean> {
  const actor = req.actor;
  const id = FRAGMENT_PATH.exec(req.originalUrl.split('?')[0] ?? '')?.[1];
  if (req.method !== 'PUT' || !actor || !id) return false;
  try {
    return await takeUploadFragment(actor.tenantId, actor.userId, new Types.ObjectId(id), now);
  } catch {
    // Unsure: the fragment counts as any write, which is how it was.
    return false;
  }
}
