/**
 * Multipart uploads driven from outside the process: a page uploads each part to a presigned
 * URL, and the server starts, inspects, completes or aborts the upload here.
 */
import { CloudSparkError, invalidInput } from '../../errors.js';
import {
  assertContentType,
  assertHeaderValue,
  assertKey,
  assertMetadata,
  assertOptionalString,
  assertSignal,
  knownOptionsOf,
} from '../../validate.js';
import { assertOlderThan } from '../rules/lifecycle.js';
import { MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE } from '../limits.js';
import type { Session } from '../session.js';
import type {
  CompleteMultipartOptions,
  CompleteMultipartResult,
  CompletedPart,
  CreateMultipartOptions,
  ListUploadsOptions,
  MultipartUpload,
  PendingUpload,
  UploadedPart,
} from '../types.js';

/** A part size S3 accepts: whole bytes from 5 MiB to 5 GiB. */
export function assertPartSize(value: unknown): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < MIN_PART_SIZE || (value as number) > MAX_PART_SIZE) {
    throw invalidInput(
      'partSize',
      `must be a whole number of bytes from ${MIN_PART_SIZE} (5 MiB) to ${MAX_PART_SIZE} (5 GiB)`,
    );
  }
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
  if (!Array.isArray(parts) || parts.length === 0)
    throw invalidInput('parts', 'must be a non-empty array of { partNumber, etag }');
  if (parts.length > MAX_PARTS) throw invalidInput('parts', `at most ${MAX_PARTS} parts`);
  let previous = 0;
  for (const [i, part] of parts.entries()) {
    const { partNumber, etag } = (part ?? {}) as Partial<CompletedPart>;
    assertPartNumber(partNumber);
    if (partNumber <= previous)
      throw invalidInput(`parts[${i}].partNumber`, 'part numbers must be in ascending order, each once');
    if (typeof etag !== 'string' || etag === '' || etag.length > 1024)
      throw invalidInput(`parts[${i}].etag`, 'must be the ETag S3 returned for the part');
    previous = partNumber;
  }
}

/** What every call about an upload names: its key and id, checked; a missing key then means a missing upload. */
function uploadCall(action: string, key: unknown, uploadId: unknown) {
  assertKey(key);
  assertUploadId(uploadId);
  return { action: `${action}("${key}")`, key, upload: uploadId };
}

/**
 * Starts a multipart upload whose parts are sent from elsewhere (a page, through
 * presignedUploadPartUrl), then completed or aborted here.
 */
export async function createMultipartUpload(
  s: Session,
  key: string,
  options?: CreateMultipartOptions,
): Promise<MultipartUpload> {
  const Bucket = s.requireBucket();
  assertKey(key);
  const { contentType, contentDisposition, cacheControl, metadata, signal } = knownOptionsOf(options, [
    'contentType',
    'contentDisposition',
    'cacheControl',
    'metadata',
    'signal',
  ]);
  assertSignal(signal);
  assertContentType(contentType, 'contentType');
  assertHeaderValue(contentDisposition, 'contentDisposition', '"attachment"');
  assertHeaderValue(cacheControl, 'cacheControl', '"public, max-age=31536000, immutable"');
  if (metadata !== undefined) assertMetadata(metadata, 'metadata');
  const action = `createMultipartUpload("${key}")`;
  const started = Date.now() + s.clockOffset();
  const out = await s.send({ action, key, signal }, 'CreateMultipartUploadCommand', {
    Bucket,
    Key: key,
    ContentType: contentType,
    ContentDisposition: contentDisposition,
    CacheControl: cacheControl,
    Metadata: metadata,
  });
  if (!out.UploadId) throw new CloudSparkError('SERVICE_ERROR', `${action} failed: the service returned no upload id`);
  // An attempt whose answer was lost may have begun an upload of its own, which nobody knows
  // of: it would keep its parts (none) and its slot until aborted. Abort uploads of this key
  // begun since this call started, but the one answered.
  if ((out.$metadata.attempts ?? 1) > 1) await abortLostUploads(s, key, out.UploadId, started);
  return { key, uploadId: out.UploadId };
}

/**
 * Uploads of `key` begun at or after `since` (the store's clock, to the second) other than
 * `keep`: those a retried CreateMultipartUpload began and whose answer never arrived. Best
 * effort: a failure here leaves them to `listMultipartUploads` and lifecycle rules.
 */
async function abortLostUploads(s: Session, key: string, keep: string, since: number): Promise<void> {
  try {
    for await (const u of listMultipartUploads(s, { prefix: key })) {
      if (
        u.key !== key ||
        u.uploadId === keep ||
        !u.initiated ||
        u.initiated.getTime() < Math.floor(since / 1000) * 1000 - 1000
      )
        continue;
      await abortMultipartUpload(s, key, u.uploadId);
    }
  } catch {
    // best effort, see above
  }
}

/** The parts S3 holds for an upload, all pages, in part-number order. */
export async function listParts(s: Session, key: string, uploadId: string): Promise<UploadedPart[]> {
  const Bucket = s.requireBucket();
  const op = uploadCall('listParts', key, uploadId);
  const parts: UploadedPart[] = [];
  const pages = s.paginate(op, 'ListPartsCommand', { Bucket, Key: key, UploadId: uploadId }, (out) => ({
    items: out.Parts,
    next: out.IsTruncated && out.NextPartNumberMarker ? { PartNumberMarker: out.NextPartNumberMarker } : undefined,
  }));
  for await (const p of pages) parts.push({ partNumber: p.PartNumber ?? 0, size: p.Size ?? 0, etag: p.ETag ?? '' });
  return parts.sort((a, b) => a.partNumber - b.partNumber);
}

/** Joins the parts into the object. Resolves with its ETag (asked with HEAD when the store sends none). */
export async function completeMultipartUpload(
  s: Session,
  key: string,
  uploadId: string,
  parts: CompletedPart[],
  options?: CompleteMultipartOptions,
): Promise<CompleteMultipartResult> {
  const Bucket = s.requireBucket();
  const op = {
    ...uploadCall('completeMultipartUpload', key, uploadId),
    signal: knownOptionsOf(options, ['signal']).signal,
  };
  assertSignal(op.signal);
  assertCompletedParts(parts);
  const MultipartUpload = { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) };
  const out = await s.send(op, 'CompleteMultipartUploadCommand', {
    Bucket,
    Key: key,
    UploadId: uploadId,
    MultipartUpload,
  });
  // Ceph RGW answers with an empty ETag; the object's own HEAD has it.
  return {
    key,
    etag:
      out.ETag ||
      (await s.send({ action: `headObject("${key}")`, key }, 'HeadObjectCommand', { Bucket, Key: key })).ETag,
  };
}

/**
 * Discards an upload and the parts it holds. Aborting one that is already gone succeeds (that is
 * what aborting is for), and resolves `false`: it was completed, aborted, or never begun.
 */
export async function abortMultipartUpload(s: Session, key: string, uploadId: string): Promise<boolean> {
  const Bucket = s.requireBucket();
  const op = uploadCall('abortMultipartUpload', key, uploadId);
  return (
    (await s.send({ ...op, absent: ['NO_SUCH_UPLOAD'] }, 'AbortMultipartUploadCommand', {
      Bucket,
      Key: key,
      UploadId: uploadId,
    })) !== undefined
  );
}

/**
 * Multipart uploads begun and neither completed nor aborted (all pages). With `olderThan`,
 * only those begun at least that many milliseconds ago, measured by the store's clock (the
 * learned offset applied, good to a second), since `initiated` is the store's time.
 */
export async function* listMultipartUploads(
  s: Session,
  options?: ListUploadsOptions,
): AsyncGenerator<PendingUpload, void, undefined> {
  const Bucket = s.requireBucket();
  const { prefix, olderThan } = knownOptionsOf(options, ['prefix', 'olderThan']);
  assertOptionalString(prefix, 'prefix');
  assertOlderThan(olderThan, false);
  const pages = s.paginate(
    { action: 'listMultipartUploads()' },
    'ListMultipartUploadsCommand',
    { Bucket, Prefix: prefix || undefined },
    (out) => ({
      items: out.Uploads,
      next:
        out.IsTruncated && out.NextKeyMarker
          ? { KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker }
          : undefined,
    }),
  );
  for await (const u of pages) {
    // An upload whose start the store did not tell is never taken for an old one.
    if (olderThan && !(u.Initiated && u.Initiated.getTime() <= Date.now() + s.clockOffset() - olderThan)) continue;
    yield { key: u.Key ?? '', uploadId: u.UploadId ?? '', initiated: u.Initiated };
  }
}
