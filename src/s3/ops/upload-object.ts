/**
 * Uploads through `@aws-sdk/lib-storage`: one PUT for small bodies, multipart for large or
 * unknown-length ones, with memory bounded by partSize x queueSize whatever the body's size.
 * Each request carries `Content-MD5` (integrity.ts adds it to the client), so the store refuses
 * corrupted bytes; a multipart body records its part size for downloads to check the ETag.
 */
import type { Readable } from 'node:stream';
import { CloudSparkError, invalidInput } from '../../errors.js';
import {
  assertCallback,
  assertContentType,
  assertHeaderValue,
  assertMetadata,
  assertSignal,
  knownOptionsOf,
} from '../../validate.js';
import { MIN_PART_SIZE } from '../limits.js';
import { assertPartSize } from './multipart.js';
import { contentTypeFor } from '../rules/mime.js';
import { PART_SIZE_META } from '../integrity.js';
import { loadStorage } from '../sdk/load.js';
import type { Session } from '../session.js';
import type { UploadBody, UploadOptions, UploadResult } from '../types.js';

/** The input gate of `uploadObject`: the body and every option, checked before any I/O. */
export function assertUploadOptions(body: unknown, given: UploadOptions | undefined): UploadOptions {
  const isBody =
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function');
  if (!isBody) throw invalidInput('body', 'must be a Buffer, Uint8Array, string, Blob or Readable stream');
  const options = knownOptionsOf(given, [
    'contentType',
    'metadata',
    'cacheControl',
    'contentDisposition',
    'partSize',
    'queueSize',
    'onProgress',
    'signal',
  ]);
  const { partSize, queueSize, metadata } = options;
  if (partSize !== undefined) assertPartSize(partSize);
  if (queueSize !== undefined && (!Number.isInteger(queueSize) || queueSize < 1 || queueSize > 64)) {
    throw invalidInput('queueSize', 'must be a whole number from 1 to 64');
  }
  if (metadata !== undefined) assertMetadata(metadata, 'metadata');
  assertContentType(options.contentType, 'contentType');
  assertHeaderValue(options.cacheControl, 'cacheControl', '"public, max-age=31536000, immutable"');
  assertHeaderValue(options.contentDisposition, 'contentDisposition', '"attachment"');
  assertCallback(options.onProgress, 'onProgress');
  assertSignal(options.signal);
  return options;
}

/** Stores `body` under `key` of the bound bucket; `options` passed the gate above. */
export async function uploadWithSdk(
  s: Session,
  bucket: string,
  key: string,
  body: UploadBody,
  options: UploadOptions,
): Promise<UploadResult> {
  const { Upload } = await loadStorage();
  const client = await s.client();
  const op = { action: `uploadObject("${key}")`, bucket, key };
  const { signal } = options;
  if (signal?.aborted) throw aborted(key);
  const partSize = options.partSize ?? MIN_PART_SIZE;
  // A body that may go in parts records their size, so that downloads can check the ETag (integrity.ts).
  const known =
    typeof body === 'string'
      ? Buffer.byteLength(body)
      : body instanceof Uint8Array
        ? body.byteLength
        : typeof Blob !== 'undefined' && body instanceof Blob
          ? body.size
          : undefined;
  const metadata =
    known !== undefined && known <= partSize
      ? options.metadata
      : { ...options.metadata, [PART_SIZE_META]: String(partSize) };
  const upload = new Upload({
    client,
    params: {
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: options.contentType ?? contentTypeFor(key),
      Metadata: metadata,
      CacheControl: options.cacheControl,
      ContentDisposition: options.contentDisposition,
    },
    partSize,
    queueSize: options.queueSize ?? 4,
    // A failed or cancelled multipart upload is aborted, so no invisible parts keep costing.
    leavePartsOnError: false,
  });
  if (options.onProgress) {
    const report = options.onProgress;
    upload.on('httpUploadProgress', (p) => report({ loaded: p.loaded ?? 0, total: p.total }));
  }
  const onAbort = () => void upload.abort().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const out = await upload.done();
    let etag = 'ETag' in out ? out.ETag : undefined;
    // Some S3-compatible stores (Ceph RGW) answer CompleteMultipartUpload with an empty ETag;
    // the object's own HEAD has the right one.
    if (!etag) etag = (await s.send(op, 'HeadObjectCommand', { Bucket: bucket, Key: key })).ETag;
    return { key, etag, versionId: 'VersionId' in out ? out.VersionId : undefined };
  } catch (error) {
    if (signal?.aborted || (error as Error).name === 'AbortError') throw aborted(key, error);
    throw (await s.failure(error, op))!;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function aborted(key: string, cause?: unknown): CloudSparkError {
  return new CloudSparkError('ABORTED', `uploadObject("${key}") was cancelled; nothing was stored`, { cause });
}
