/**
 * Uploads through `@aws-sdk/lib-storage`: one PUT for small bodies, multipart for large or
 * unknown-length ones, with memory bounded by partSize x queueSize whatever the body's size.
 */
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { CloudSparkError, invalidInput } from '../errors.js';
import { isPlainObject } from '../validate.js';
import { contentTypeFor } from './mime.js';
import { loadS3, loadStorage } from './sdk.js';
import { fromSdkError, type ErrorContext } from './sdk-errors.js';

/** What `S3Connection.uploadObject` can store; a string is stored as UTF-8. */
export type UploadBody = Buffer | Uint8Array | string | Blob | Readable;

/** What `onProgress` receives while `uploadObject` runs. */
export interface UploadProgress {
  /** Bytes sent so far. */
  loaded: number;
  /** Absent while the size of a stream is not known yet. */
  total?: number | undefined;
}

/** Options of `S3Connection.uploadObject`. */
export interface UploadOptions {
  /** Default: guessed from the key's extension, else `application/octet-stream`. */
  contentType?: string;
  /** User metadata, stored as `x-amz-meta-*` headers. */
  metadata?: Record<string, string>;
  /** Stored as the object's Cache-Control, e.g. `public, max-age=31536000, immutable`. */
  cacheControl?: string;
  /** Stored as the object's Content-Disposition, e.g. `attachment` so browsers download it. */
  contentDisposition?: string;
  /** Multipart part size in bytes, 5 MiB (the S3 minimum, and the default) to 5 GiB. */
  partSize?: number;
  /** Parts uploaded at once (default 4); memory used is about partSize x queueSize. */
  queueSize?: number;
  /** Called as bytes are sent. */
  onProgress?: (progress: UploadProgress) => void;
  /** Cancels the upload (it rejects with `ABORTED`); a multipart upload begun is aborted, so nothing is stored. */
  signal?: AbortSignal;
}

/** What `S3Connection.uploadObject` resolves to once the object is stored. */
export interface UploadResult {
  /** The object's key. */
  key: string;
  /** The stored object's ETag, with its double quotes. */
  etag: string | undefined;
  /** The version S3 gave the object, in a bucket with versioning on. */
  versionId: string | undefined;
}

const MIN_PART = 5 * 1024 * 1024;
const MAX_PART = 5 * 1024 * 1024 * 1024;
const META_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function assertUploadOptions(body: unknown, options: UploadOptions): void {
  const isBody =
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function');
  if (!isBody) throw invalidInput('body', 'must be a Buffer, Uint8Array, string, Blob or Readable stream');
  const { partSize, queueSize, metadata } = options;
  if (partSize !== undefined && (!Number.isSafeInteger(partSize) || partSize < MIN_PART || partSize > MAX_PART)) {
    throw invalidInput('partSize', `must be a whole number of bytes from ${MIN_PART} (5 MiB) to ${MAX_PART} (5 GiB)`);
  }
  if (queueSize !== undefined && (!Number.isInteger(queueSize) || queueSize < 1 || queueSize > 64)) {
    throw invalidInput('queueSize', 'must be a whole number from 1 to 64');
  }
  if (metadata !== undefined) assertMetadata(metadata, 'metadata');
}

export function assertMetadata(metadata: unknown, field: string): asserts metadata is Record<string, string> {
  if (!isPlainObject(metadata)) throw invalidInput(field, 'must be an object of string values');
  for (const [name, value] of Object.entries(metadata)) {
    if (!META_NAME.test(name)) throw invalidInput(field, `"${name}" is not a valid metadata name (letters, digits, "-" and "_")`);
    if (typeof value !== 'string') throw invalidInput(field, `the value of "${name}" must be a string`);
  }
}

export async function uploadWithSdk(
  client: S3Client,
  bucket: string,
  key: string,
  body: UploadBody,
  options: UploadOptions,
  network?: ErrorContext['network'],
): Promise<UploadResult> {
  const { Upload } = await loadStorage();
  const { signal } = options;
  if (signal?.aborted) throw aborted(key);
  const upload = new Upload({
    client,
    params: {
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: options.contentType ?? contentTypeFor(key),
      Metadata: options.metadata,
      CacheControl: options.cacheControl,
      ContentDisposition: options.contentDisposition,
    },
    partSize: options.partSize ?? MIN_PART,
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
    if (!etag) {
      const { HeadObjectCommand } = await loadS3();
      etag = (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag;
    }
    return { key, etag, versionId: 'VersionId' in out ? out.VersionId : undefined };
  } catch (error) {
    if (signal?.aborted || (error as Error).name === 'AbortError') throw aborted(key, error);
    throw fromSdkError(error, { action: `uploadObject("${key}")`, bucket, key, network });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function aborted(key: string, cause?: unknown): CloudSparkError {
  return new CloudSparkError('ABORTED', `uploadObject("${key}") was cancelled; nothing was stored`, { cause });
}
