/**
 * Sending a file through an upload session so that a fault never leaves two copies or a gap:
 * each fragment is a multiple of 320 KiB (the last excepted), fragments go in order, and after
 * throttling (429 with Retry-After), a 5xx or a dropped connection Meent asks the session where
 * it stands (GET on the upload URL: `nextExpectedRanges`) and carries on from there, in the same
 * session, so the file is created once
 * (https://learn.microsoft.com/en-us/graph/api/driveitem-createuploadsession#resuming-an-in-progress-upload,
 * https://learn.microsoft.com/en-us/graph/throttling).
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { ValidationError } from '../errors/domain-errors.js';
import { GraphUnavailableError } from '../graph/graph-errors.js';
import type { ChunkResult, DriveGateway, DriveItemInfo, UploadSessionRef } from './drive-gateway.js';
import { UPLOAD_FRAGMENT_UNIT } from './local-drive-store.js';

/** 10 x 320 KiB: Graph advises 5-10 MiB for fast links; this size also fits one request body of Meent's chunk route. */
export const DEFAULT_FRAGMENT_BYTES = 10 * UPLOAD_FRAGMENT_UNIT;

export interface ResumeOptions {
  /** Tries of one fragment before giving up (the first included); default 5. */
  maxAttempts?: number;
  /** Waits between tries; tests hand in a fake that records the delays. */
  sleep?: (ms: number) => Promise<void>;
  /** Wait when Graph gave no Retry-After, doubled per try; default 1 s. */
  baseDelayMs?: number;
  /** The longest Retry-After waited out here; longer ones fail the fragment (the person tries again later). */
  maxRetryAfterMs?: number;
}

/**
 * Sends `bytes` as the fragment starting at `start`, resuming after faults. Answers where the
 * session stands afterwards, or the item when the fragment completed the file.
 */
export async function sendFragment(drive: DriveGateway, session: UploadSessionRef, start: number, total: number, bytes: Uint8Array, options: ResumeOptions = {}): Promise<ChunkResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => sleepFor(ms).then(() => undefined));
  const end = start + bytes.length;
  let offset = start;
  // After a fault Meent is unsure where the session stands until it has asked; the asking can
  // fail (throttled, 5xx) like the fragment, so it counts as a try and is retried the same way.
  let unsure = false;
  for (let attempt = 1; ; attempt++) {
    let gap = false;
    try {
      if (unsure) {
        // A fragment may have arrived although its answer did not.
        const { nextOffset } = await drive.uploadStatus(session);
        unsure = false;
        if (nextOffset >= end) return { done: false, nextOffset };
        gap = nextOffset < start;
        offset = nextOffset;
      }
      if (!gap) return await drive.uploadChunk(session, offset, total, bytes.subarray(offset - start));
    } catch (error) {
      const resumable = error instanceof GraphUnavailableError || (error instanceof ValidationError && error.code === 'upload_out_of_step');
      if (!resumable || attempt >= maxAttempts) throw error;
      const retryAfter = error instanceof GraphUnavailableError ? error.retryAfterMs : undefined;
      if (retryAfter !== undefined && retryAfter > (options.maxRetryAfterMs ?? 60_000)) throw error;
      await sleep(retryAfter ?? (options.baseDelayMs ?? 1000) * 2 ** (attempt - 1));
      unsure = true;
      continue;
    }
    // The session stands before this fragment: an earlier one is missing, which the caller must send.
    throw new ValidationError('The upload is out of step with Microsoft 365.', [], 'upload_out_of_step');
  }
}

/** Uploads a whole file through a session from a reader of its byte ranges (the 30 MB test, the seed). */
export async function uploadWhole(
  drive: DriveGateway,
  session: UploadSessionRef,
  total: number,
  read: (start: number, endExclusive: number) => Promise<Uint8Array>,
  options: ResumeOptions & { fragmentBytes?: number } = {},
): Promise<DriveItemInfo> {
  const size = options.fragmentBytes ?? DEFAULT_FRAGMENT_BYTES;
  if (size % UPLOAD_FRAGMENT_UNIT !== 0) throw new RangeError('fragmentBytes must be a multiple of 320 KiB');
  let offset = 0;
  for (;;) {
    const bytes = await read(offset, Math.min(offset + size, total));
    const result = await sendFragment(drive, session, offset, total, bytes, options);
    if (result.done) return result.item;
    if (result.nextOffset <= offset) throw uploadStalled();
    offset = result.nextOffset;
  }
}

function uploadStalled(): GraphUnavailableError {
  return new GraphUnavailableError(undefined, 'upload_stalled', 'The upload does not progress; try again.');
}
