/**
 * `uploadFile`: a file from disk to the store over direct.ts (presigned requests on node:http,
 * no SDK per request): one PUT for a small file, else its parts read at their offsets and PUT in
 * parallel to presigned part URLs, the upload created and completed through the connection.
 */
import { CloudSparkError, invalidInput } from '../../errors.js';
import { assertContentType, assertHeaderValue, assertMetadata } from '../../validate.js';
import type { ErrorContext } from '../sdk/errors.js';
import { DirectClient, type Signer } from './direct.js';
import type { StoredHeadersOptions, UploadProgress, UploadResult } from '../types.js';
import { contentTypeFor } from '../rules/mime.js';
import { PART_SIZE_META } from '../integrity.js';
import { sharedBuffer } from './hash-worker.js';
import {
  DEFAULT_UPLOAD_CONCURRENCY,
  DEFAULT_UPLOAD_PART,
  MAX_PARTS,
  MIN_PART_SIZE,
  MiB,
  URL_LIFETIME,
} from '../limits.js';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload } from '../ops/multipart.js';
import { uploadObject } from '../ops/objects.js';
import { presignedPutUrl, presignedUploadPartUrl } from '../ops/presign.js';
import { directContext, type TransferContext } from './context.js';
import { fileFailure, fsp } from './files.js';
import { assertPath, transferOptions } from './options.js';
import { cancelLink, eachLimited } from './pool.js';

/** Options of `S3Connection.uploadFile`. */
export interface UploadFileOptions extends StoredHeadersOptions {
  /** A file up to this size goes in one PUT, a larger one in parts of this size: 5 MiB to 5 GiB, default 8 MiB. */
  partSize?: number | undefined;
  /** Parts sent at once, 1 to 64 (default 8); memory used is about partSize x concurrency. */
  concurrency?: number | undefined;
  /** Called as parts are stored. */
  onProgress?: ((progress: UploadProgress) => void) | undefined;
  /** Cancels the upload (it rejects with `ABORTED`); a multipart upload begun is aborted, so nothing is stored. */
  signal?: AbortSignal | undefined;
}

export function assertUploadFileOptions(options: unknown): { partSize: number; concurrency: number } {
  const checked = transferOptions(
    options as UploadFileOptions | undefined,
    { minPart: MIN_PART_SIZE, defaultPart: DEFAULT_UPLOAD_PART, defaultConcurrency: DEFAULT_UPLOAD_CONCURRENCY },
    ['contentType', 'cacheControl', 'contentDisposition', 'metadata'],
  );
  const o = checked.options;
  if (o.metadata !== undefined) assertMetadata(o.metadata, 'metadata');
  // Checked here, before the file is opened: null is refused, not read as "left out".
  assertContentType(o.contentType, 'contentType');
  assertHeaderValue(o.cacheControl, 'cacheControl', '"public, max-age=31536000, immutable"');
  assertHeaderValue(o.contentDisposition, 'contentDisposition', '"attachment"');
  return checked;
}

/**
 * Uploads the file at `path` as `key`. A file up to `partSize` goes in one PUT; a larger one as
 * a multipart upload whose parts are read at their offsets and sent `concurrency` at a time,
 * each to a presigned part URL that binds its length, with its `Content-MD5` (the store refuses
 * a body that is not what was read; see integrity.ts). Create and complete are the connection's
 * own calls; any failure or cancel aborts the upload, so no parts are left. The part size is
 * recorded in `x-amz-meta-cloudspark-part-size`, so that downloads can check the ETag.
 */
export async function uploadFile(
  ctx: TransferContext,
  path: string,
  key: string,
  options: UploadFileOptions = {},
  shared?: DirectClient,
): Promise<UploadResult> {
  const { partSize, concurrency } = assertUploadFileOptions(options);
  assertPath(path, 'path');
  const action = `uploadFile("${key}")`;
  const { signal, onProgress } = options;
  if (signal?.aborted) throw new CloudSparkError('ABORTED', `${action} was cancelled; nothing was stored`);
  const { open, stat } = await fsp();
  const file = await open(path, 'r').catch((error: unknown) => {
    throw readFailure(action, path, error);
  });
  const direct = shared ?? new DirectClient(directContext(ctx));
  const { stop, release } = cancelLink(signal);
  const contentType = options.contentType ?? contentTypeFor(key);
  const where: ErrorContext = { action, bucket: ctx.bucket, key };
  // In shared memory, so that its Content-MD5 is hashed on the worker thread (hash-worker.ts).
  const read = async (position: number, length: number, into = sharedBuffer(length)): Promise<Buffer> => {
    const buffer = into.subarray(0, length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await file.read(buffer, done, length - done, position + done).catch((error: unknown) => {
        throw readFailure(action, path, error);
      });
      if (bytesRead === 0) throw readFailure(action, path, new Error('it became shorter while it was read'));
      done += bytesRead;
    }
    return buffer;
  };
  let uploadId: string | undefined;
  let completing = false;
  try {
    const opened = await file.stat();
    const { size } = opened;
    /**
     * The file as it was opened, still: same size, modification time and inode, by its handle
     * and by its path. Called once every byte is read: a file rewritten in place while it was
     * read would be stored torn, half old and half new.
     */
    const unchanged = async () => {
      const [now, named] = await Promise.all([file.stat(), stat(path).catch(() => undefined)]);
      const same = (s: typeof now | undefined) =>
        s !== undefined && s.size === size && s.mtimeMs === opened.mtimeMs && s.ino === opened.ino;
      if (!same(now) || !same(named))
        throw readFailure(
          action,
          path,
          new Error(
            'it changed while it was read (size, modification time or inode): upload it again once it is written',
          ),
        );
    };
    const plain =
      options.metadata === undefined && options.cacheControl === undefined && options.contentDisposition === undefined;
    if (size <= partSize && plain) {
      // One PUT, signed with its type and length.
      const body = await read(0, size);
      await unchanged();
      const sign: Signer = (date) =>
        presignedPutUrl(ctx.session, key, {
          expiresIn: URL_LIFETIME,
          signingDate: date,
          contentType,
          contentLength: size,
        });
      const etag = await direct.put(sign, body, { 'content-type': contentType }, stop.signal, where);
      onProgress?.({ loaded: size, total: size });
      return { key, etag, versionId: undefined };
    }
    if (size <= partSize) {
      // Metadata and the like need the SDK's signed headers.
      const body = await read(0, size);
      await unchanged();
      const { metadata, cacheControl, contentDisposition, onProgress: reportTo } = options;
      return await uploadObject(ctx.session, body, key, {
        metadata,
        cacheControl,
        contentDisposition,
        onProgress: reportTo,
        contentType,
        partSize,
        queueSize: concurrency,
        signal: stop.signal,
      });
    }
    const count = Math.ceil(size / partSize);
    if (count > MAX_PARTS)
      throw invalidInput(
        'partSize',
        `${partSize} bytes makes ${count} parts of "${path}", more than S3's ${MAX_PARTS}: use a larger part size`,
      );
    // The part size, recorded, lets a download check the multipart ETag (integrity.ts).
    const metadata = { ...options.metadata, [PART_SIZE_META]: String(partSize) };
    ({ uploadId } = await createMultipartUpload(ctx.session, key, {
      contentType,
      metadata,
      contentDisposition: options.contentDisposition,
      cacheControl: options.cacheControl,
      signal: stop.signal,
    }));
    const id = uploadId;
    const parts: Array<{ partNumber: number; etag: string }> = [];
    let loaded = 0;
    const indexes = Array.from({ length: count }, (_, index) => index);
    // A part's buffer serves the next part once sent: fresh memory for each part would cost a
    // page fault per 4 KiB, a third of put's CPU (measured with perf on a 256 MiB file).
    const buffers: Buffer[] = [];
    const failure = await eachLimited(indexes, concurrency, stop, async (index) => {
      const start = index * partSize;
      const length = Math.min(partSize, size - start);
      const buffer = buffers.pop() ?? sharedBuffer(partSize);
      const body = await read(start, length, buffer);
      const partNumber = index + 1;
      const sign: Signer = (date) =>
        presignedUploadPartUrl(ctx.session, key, id, partNumber, {
          expiresIn: URL_LIFETIME,
          signingDate: date,
          contentLength: length,
        });
      const etag = await direct.put(sign, body, {}, stop.signal, { ...where, action: `${action}: part ${partNumber}` });
      buffers.push(buffer);
      if (!etag)
        throw new CloudSparkError(
          'SERVICE_ERROR',
          `${action} failed: the store answered part ${partNumber} without an ETag`,
        );
      parts.push({ partNumber, etag });
      loaded += length;
      onProgress?.({ loaded, total: size });
    });
    if (signal?.aborted) throw new CloudSparkError('ABORTED', `${action} was cancelled; nothing was stored`);
    if (failure) throw failure.error;
    parts.sort((a, b) => a.partNumber - b.partNumber);
    await unchanged();
    completing = true;
    const done = await completeMultipartUpload(ctx.session, key, id, parts, { signal: stop.signal });
    uploadId = undefined;
    return { key, etag: done.etag, versionId: undefined };
  } catch (error) {
    const left = uploadId === undefined ? undefined : await abortOrLeft(ctx, key, uploadId);
    if (signal?.aborted) {
      // Cancelled while the store joined the parts: it may have finished all the same.
      const what = completing
        ? 'the object may have been stored (the store was joining its parts): check with headObject()'
        : 'nothing was stored';
      throw withLeftOpen(new CloudSparkError('ABORTED', `${action} was cancelled; ${what}`, { cause: error }), left);
    }
    throw withLeftOpen(error, left);
  } finally {
    release();
    await file.close().catch(() => {});
    if (!shared) direct.close();
  }
}

export const readFailure = (action: string, path: string, cause: unknown): CloudSparkError =>
  fileFailure(action, path, cause, 'read');

/** An upload the clean-up could not abort: it stays open on the store, holding its parts. */
interface LeftOpen {
  key: string;
  uploadId: string;
  reason: string;
}

/** Aborts the upload; what stays open when that fails (the store refused, or could not be reached). */
async function abortOrLeft(ctx: TransferContext, key: string, uploadId: string): Promise<LeftOpen | undefined> {
  try {
    await abortMultipartUpload(ctx.session, key, uploadId);
    return undefined;
  } catch (error) {
    return { key, uploadId, reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * `error`, saying that its clean-up failed where it did: the upload id left open and how to
 * remove it. A failed clean-up is never hidden behind "nothing was stored".
 */
export function withLeftOpen(error: unknown, left: LeftOpen | undefined): unknown {
  if (left === undefined) return error;
  const e =
    error instanceof CloudSparkError
      ? error
      : new CloudSparkError('SERVICE_ERROR', String((error as Error)?.message ?? error), { cause: error });
  const message = `${e.message.replace(/; nothing was stored$/, '')}; its multipart upload could not be aborted (${left.reason}) and stays open, holding its parts: remove it with abortMultipartUpload("${left.key}", "${left.uploadId}") or cloudspark multipart abort --key '${left.key}' --upload-id '${left.uploadId}'`;
  return new CloudSparkError(e.code, message, {
    status: e.status,
    s3Code: e.s3Code,
    field: e.field,
    requestId: e.requestId,
    cause: e.cause ?? error,
  });
}
