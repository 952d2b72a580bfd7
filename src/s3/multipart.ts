/**
 * Multipart uploads driven from outside the process: a page uploads each part to a presigned
 * URL, and the server starts, inspects, completes or aborts the upload. Types and the checks
 * made before any network call live here; the calls themselves are S3Connection methods.
 */
import { invalidInput } from '../errors.js';

/** S3's limits: parts are numbered 1 to 10000. */
export const MAX_PARTS = 10_000;
/** Every part but the last must be at least 5 MiB. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** And at most 5 GiB. */
export const MAX_PART_SIZE = 5 * 1024 * 1024 * 1024;

/** A multipart upload S3 has begun: what every later call about it names. */
export interface MultipartUpload {
  /** The object key the upload will store. */
  key: string;
  /** S3's id of the upload. */
  uploadId: string;
}

/** Options of `S3Connection.createMultipartUpload`: what the finished object is stored with. */
export interface CreateMultipartOptions {
  /** Stored as the object's Content-Type. */
  contentType?: string;
  /** Stored as the object's Content-Disposition, e.g. `attachment` so browsers download it. */
  contentDisposition?: string;
  /** Stored as user metadata (`x-amz-meta-*`). */
  metadata?: Record<string, string>;
}

/** A part S3 already holds. */
export interface UploadedPart {
  /** 1 to 10000. */
  partNumber: number;
  /** Bytes S3 holds for the part. */
  size: number;
  /** As S3 sends it, with its double quotes. */
  etag: string;
}

/** A part named in CompleteMultipartUpload. */
export interface CompletedPart {
  /** 1 to 10000, ascending across the list, without repeats. */
  partNumber: number;
  /** The ETag S3 answered the part's upload with (double quotes may stay). */
  etag: string;
}

/** A multipart upload begun and neither completed nor aborted. */
export interface PendingUpload extends MultipartUpload {
  /** When it was begun, if the store says. */
  initiated: Date | undefined;
}

export function assertUploadId(uploadId: unknown): asserts uploadId is string {
  if (typeof uploadId !== 'string' || uploadId === '' || uploadId.length > 1024 || /[\x00-\x1f\x7f]/.test(uploadId)) {
    throw invalidInput('uploadId', 'must be the non-empty upload id that createMultipartUpload() returned');
  }
}

export function assertPartNumber(partNumber: unknown): asserts partNumber is number {
  if (!Number.isInteger(partNumber) || (partNumber as number) < 1 || (partNumber as number) > MAX_PARTS) {
    throw invalidInput('partNumber', `must be a whole number from 1 to ${MAX_PARTS}`);
  }
}

/** Parts for CompleteMultipartUpload: at least one, numbers ascending without repeats, ETags given. */
export function assertCompletedParts(parts: unknown): asserts parts is CompletedPart[] {
  if (!Array.isArray(parts) || parts.length === 0) throw invalidInput('parts', 'must be a non-empty array of { partNumber, etag }');
  if (parts.length > MAX_PARTS) throw invalidInput('parts', `at most ${MAX_PARTS} parts`);
  let previous = 0;
  for (const [i, part] of parts.entries()) {
    const { partNumber, etag } = (part ?? {}) as Partial<CompletedPart>;
    assertPartNumber(partNumber);
    if (partNumber <= previous) throw invalidInput(`parts[${i}].partNumber`, 'part numbers must be in ascending order, each once');
    if (typeof etag !== 'string' || etag === '' || etag.length > 1024) throw invalidInput(`parts[${i}].etag`, 'must be the ETag S3 returned for the part');
    previous = partNumber;
  }
}
