/**
 * Files to and from the store, over direct.ts (presigned requests on node:http, no SDK per
 * request): `uploadFile` (below) and downloads to a file, with ranged GETs in parallel, each
 * written at its offset into a part file beside the target, which is renamed into place only
 * once every byte is there.
 *
 * - The first GET asks for `bytes=0-(partSize-1)`: a small object comes whole in that one
 *   request (no HEAD first), and for a large one its `Content-Range` tells the size, so the other
 *   ranges start at once, while the first is still arriving.
 * - Every later range is sent with `If-Match` of the first answer's ETag, and every answer's
 *   ETag and size are compared too: an object replaced mid-download fails with
 *   `OBJECT_CHANGED`, never a file stitched from two versions.
 * - A range whose connection breaks off or goes silent is resumed from its last byte written,
 *   up to `retries` times in a row without progress.
 * - Memory stays at about `concurrency` x 512 KiB whatever the size: bodies are written as they
 *   arrive, and a range's reading waits for its writes.
 * - On any failure (or `signal`) the part file is removed: the target is either the whole object
 *   or what it was before.
 */
import { randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setMaxListeners } from 'node:events';
import { CloudSparkError, invalidInput } from '../errors.js';
import { isPlainObject } from '../validate.js';
import { fromBodyError, type ErrorContext } from './sdk-errors.js';
import { DirectClient, type DirectAnswer, type DirectContext, type Signer } from './direct.js';
import type { S3Connection } from './connection.js';
import { assertMetadata, type UploadProgress, type UploadResult } from './upload.js';
import { contentTypeFor } from './mime.js';
import { MAX_PARTS } from './multipart.js';

/** The connection's public methods a transfer builds on: presigning, and the multipart calls. */
export type TransferConnection = Pick<
  S3Connection,
  'presignedGetUrl' | 'presignedPutUrl' | 'presignedUploadPartUrl' | 'createMultipartUpload' | 'completeMultipartUpload' | 'abortMultipartUpload' | 'uploadObject'
>;

/** What a transfer needs from its connection: the bound bucket, the store and its limits, its methods. */
export interface TransferContext {
  bucket: string;
  network: DirectContext['network'];
  connection: TransferConnection;
}

/** node:fs/promises, loaded on first use (importing the package stays cheap). */
export const fsp = () => import('node:fs/promises');

/** Presigned URLs live 15 minutes: each request gets a fresh one. */
const URL_LIFETIME = 900;

export function directContext(ctx: TransferContext): DirectContext {
  return { network: ctx.network, presign: (key, signingDate) => ctx.connection.presignedGetUrl(key, { expiresIn: URL_LIFETIME, signingDate }) };
}

/** What `onProgress` receives during a download. */
export interface DownloadProgress {
  /** Bytes written to the file so far. */
  loaded: number;
  /** The object's size, once the first answer told it. */
  total?: number | undefined;
}

/** Options of `S3Connection.downloadObject`. */
export interface DownloadOptions {
  /** Ranged GETs in flight at once, 1 to 64. Default 4. */
  concurrency?: number;
  /** Bytes per ranged GET, 1 MiB to 5 GiB. Default 8 MiB; an object up to this size comes in one GET. */
  partSize?: number;
  /** How often a range that breaks off is resumed in a row without a byte of progress, 0 to 10. Default 3. */
  retries?: number;
  /** Called as bytes are written. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Cancels the download (it rejects with `ABORTED`); the part file is removed. */
  signal?: AbortSignal;
}

/** What `S3Connection.downloadObject` resolves to, once the file is in place. */
export interface DownloadResult {
  /** The object's key. */
  key: string;
  /** The file written. */
  path: string;
  /** Bytes written: the object's size. */
  size: number;
  /** As S3 sends it, with its double quotes. */
  etag: string | undefined;
  /** The object's stored Content-Type. */
  contentType: string | undefined;
  /** When the object was stored, to the second. */
  lastModified: Date | undefined;
  /** The version downloaded, in a bucket with versioning on. */
  versionId: string | undefined;
  /** User metadata (`x-amz-meta-*`), names in lower case. */
  metadata: Record<string, string>;
}

const MiB = 1024 * 1024;
export const DEFAULT_DOWNLOAD_PART = 8 * MiB;
export const DEFAULT_DOWNLOAD_CONCURRENCY = 4;
const MIN_DOWNLOAD_PART = MiB;
const MAX_DOWNLOAD_PART = 5 * 1024 * MiB;
/** Bytes gathered from a body before one positional write. */
const FLUSH_BYTES = 512 * 1024;

interface Checked {
  concurrency: number;
  partSize: number;
  retries: number;
}

export function assertDownloadOptions(options: unknown): Checked {
  if (!isPlainObject(options)) throw invalidInput('options', 'must be an object');
  const o = options as DownloadOptions;
  const concurrency = o.concurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY;
  const partSize = o.partSize ?? DEFAULT_DOWNLOAD_PART;
  const retries = o.retries ?? 3;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw invalidInput('concurrency', 'must be a whole number from 1 to 64');
  if (!Number.isSafeInteger(partSize) || partSize < MIN_DOWNLOAD_PART || partSize > MAX_DOWNLOAD_PART) {
    throw invalidInput('partSize', `must be a whole number of bytes from ${MIN_DOWNLOAD_PART} (1 MiB) to ${MAX_DOWNLOAD_PART} (5 GiB)`);
  }
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) throw invalidInput('retries', 'must be a whole number from 0 to 10');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw invalidInput('onProgress', 'must be a function');
  assertSignal(o.signal);
  return { concurrency, partSize, retries };
}

export function assertSignal(signal: unknown): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidInput('signal', 'must be an AbortSignal');
}

export function assertPath(path: unknown, field: string): asserts path is string {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) throw invalidInput(field, 'must be a non-empty path');
}

/** One answer to a GET: where its body starts in the object, and what it says of the object. */
interface Answer {
  out: DirectAnswer;
  body: DirectAnswer['body'];
  /** Offset in the object of the body's first byte (0 for a whole-object answer). */
  start: number;
  /** The object's size, when the answer tells it. */
  total: number | undefined;
}

/** A byte range of the object, `end` included (undefined: to the end, size unknown), and how far it is written. */
interface Segment {
  start: number;
  end: number | undefined;
  /** The next byte to write. */
  pos: number;
}

/** Thrown inside the transfer for a local write that failed: never retried. */
class LocalWriteError extends Error {}

/** Downloads `key` into the file `path`, complete or not at all. `key` is checked by the caller. */
export async function downloadToFile(ctx: TransferContext, key: string, path: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  assertDownloadOptions(options);
  assertPath(path, 'path');
  const direct = new DirectClient(directContext(ctx));
  try {
    return await downloadWith(direct, ctx, key, path, options);
  } finally {
    direct.close();
  }
}

/** downloadToFile on a client of the caller's, whose sockets outlive this one download (folders.ts). */
export async function downloadWith(direct: DirectClient, ctx: TransferContext, key: string, path: string, options: DownloadOptions): Promise<DownloadResult> {
  const { concurrency, partSize, retries } = assertDownloadOptions(options);
  const action = `downloadObject("${key}")`;
  const where: ErrorContext = { action, bucket: ctx.bucket, key, network: ctx.network };
  const { signal, onProgress } = options;
  if (signal?.aborted) throw cancelled(action, path);
  const { open, rename, unlink } = await fsp();

  // Stops every range at the first failure, or when the caller's signal fires.
  const stop = new AbortController();
  setMaxListeners(Infinity, stop.signal);
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });

  let loaded = 0;
  let total: number | undefined;
  let etag: string | undefined;
  let file: FileHandle | undefined;
  const part = join(dirname(path), `.${basename(path)}.cloudspark-${randomBytes(4).toString('hex')}.part`);
  const progress = (n: number) => {
    loaded += n;
    onProgress?.({ loaded, total });
  };

  /** One GET of `[start, end]` (`end` undefined: to the end; `start` undefined: no Range at all). */
  const request = async (start: number | undefined, end: number | undefined): Promise<Answer> => {
    const range = start === undefined ? undefined : `bytes=${start}-${end ?? ''}`;
    let out: DirectAnswer;
    try {
      out = await direct.get(key, { range, ifMatch: etag, signal: stop.signal }, where);
    } catch (error) {
      if (!stop.signal.aborted && error instanceof CloudSparkError && error.status === 412 && etag !== undefined) {
        throw changed(action, `it no longer has the ETag ${etag} (If-Match refused)`, error);
      }
      throw error;
    }
    const body = out.body;
    const range_ = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(out.contentRange ?? '');
    if (out.contentRange !== undefined && !range_) {
      body.destroy();
      throw new CloudSparkError('SERVICE_ERROR', `${action} failed: the store answered a range with Content-Range "${out.contentRange}", which does not tell the object's size`);
    }
    const answer: Answer = range_ ? { out, body, start: Number(range_[1]), total: Number(range_[3]) } : { out, body, start: 0, total: out.contentLength };
    if (etag !== undefined && out.etag !== undefined && out.etag !== etag) {
      body.destroy();
      throw changed(action, `its ETag went from ${etag} to ${out.etag}`);
    }
    if (total !== undefined && answer.total !== undefined && answer.total !== total) {
      body.destroy();
      throw changed(action, `its size went from ${total} to ${answer.total} bytes`);
    }
    return answer;
  };

  /** Writes `answer`'s body at its offsets into `segment`, up to the segment's end. */
  const pump = async (answer: Answer, segment: Segment): Promise<void> => {
    const fh = file!;
    let skip = segment.pos - answer.start;
    if (skip < 0) {
      answer.body.destroy();
      throw new CloudSparkError('SERVICE_ERROR', `${action} failed: asked for bytes from ${segment.pos}, the store answered from ${answer.start}`);
    }
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const [chunks, n] = [pending, pendingBytes];
      pending = [];
      pendingBytes = 0;
      try {
        await fh.writev(chunks, segment.pos);
      } catch (error) {
        throw new LocalWriteError('write failed', { cause: error });
      }
      segment.pos += n;
      progress(n);
    };
    try {
      for await (const data of answer.body) {
        let chunk = data as Buffer;
        if (skip > 0) {
          if (chunk.length <= skip) {
            skip -= chunk.length;
            continue;
          }
          chunk = chunk.subarray(skip);
          skip = 0;
        }
        const room = segment.end === undefined ? Infinity : segment.end + 1 - segment.pos - pendingBytes;
        if (chunk.length > room) chunk = chunk.subarray(0, room);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= FLUSH_BYTES || pendingBytes === room) await flush();
        if (segment.end !== undefined && segment.pos > segment.end) break; // the rest belongs to no one: stop reading
      }
    } finally {
      // What arrived before a break is good: keep it, so that a resume starts after it.
      if (!stop.signal.aborted) await flush();
    }
  };

  /** Fetches one segment whole, resuming after a break; `first` is an answer already under way. */
  const fetchSegment = async (segment: Segment, first?: Answer): Promise<void> => {
    let answer = first;
    let failures = 0;
    for (;;) {
      const before = segment.pos;
      // A request that fails is not retried here: the SDK has already retried it.
      answer ??= await request(segment.pos, segment.end);
      let broke: CloudSparkError;
      try {
        await pump(answer, segment);
        if (segment.end === undefined || segment.pos > segment.end) return;
        broke = new CloudSparkError('NETWORK', `${action} failed: a body ended early, after ${loaded}${total === undefined ? '' : ` of ${total}`} bytes`);
      } catch (error) {
        if (stop.signal.aborted || error instanceof LocalWriteError || error instanceof CloudSparkError) throw error;
        broke = fromBodyError(error, where, loaded, total);
      } finally {
        answer.body.destroy();
      }
      answer = undefined;
      // The body broke off or went silent: resume after its last byte written.
      failures = segment.pos > before ? 1 : failures + 1;
      if (failures > retries) throw broke;
      await pause(100 * 2 ** (failures - 1), stop.signal);
    }
  };

  try {
    // The first range tells the size; a store that ignores Range answers the whole object.
    let first: Answer;
    try {
      first = await request(0, partSize - 1);
    } catch (error) {
      // 416: an empty object has no byte 0. Ask for it whole.
      if (!(error instanceof CloudSparkError && error.status === 416)) throw error;
      first = await request(undefined, undefined);
    }
    total = first.total;
    etag = first.out.etag;
    try {
      file = await open(part, 'wx');
    } catch (error) {
      first.body.destroy();
      throw new LocalWriteError('open failed', { cause: error });
    }
    onProgress?.({ loaded: 0, total });

    const segments: Segment[] = [];
    if (first.out.contentRange === undefined || total === undefined) {
      // The whole object in one answer (a store that ignores Range, or an empty object).
      segments.push({ start: 0, end: total === undefined ? undefined : total - 1, pos: 0 });
    } else {
      for (let start = 0; start < total; start += partSize) segments.push({ start, end: Math.min(total, start + partSize) - 1, pos: start });
    }

    const queue = segments.slice(1);
    let failure: unknown;
    const worker = async (segment: Segment | undefined, answer?: Answer) => {
      try {
        for (let s = segment; s !== undefined && failure === undefined; s = queue.shift()) {
          await fetchSegment(s, s === segment ? answer : undefined);
        }
      } catch (error) {
        if (failure === undefined) failure = error;
        stop.abort();
      }
    };
    const extra = Math.min(concurrency, segments.length) - 1;
    await Promise.all([worker(segments[0], first), ...Array.from({ length: Math.max(0, extra) }, () => worker(queue.shift()))]);
    if (signal?.aborted) throw cancelled(action, path);
    if (failure !== undefined) throw failure;
    if (total !== undefined && loaded !== total) {
      throw new CloudSparkError('NETWORK', `${action} failed: ${loaded} of ${total} bytes arrived`);
    }
    const handle = file;
    file = undefined;
    await handle.close().catch((error: unknown) => {
      throw new LocalWriteError('close failed', { cause: error });
    });
    await rename(part, path).catch((error: unknown) => {
      throw new LocalWriteError('rename failed', { cause: error });
    });
    const out = first.out;
    return { key, path, size: loaded, etag, contentType: out.contentType, lastModified: out.lastModified, versionId: out.versionId, metadata: out.metadata };
  } catch (error) {
    stop.abort();
    if (file !== undefined) await file.close().catch(() => {});
    await unlink(part).catch(() => {});
    if (signal?.aborted) throw cancelled(action, path, error);
    if (error instanceof LocalWriteError) throw fileFailure(action, path, error.cause);
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function cancelled(action: string, path: string, cause?: unknown): CloudSparkError {
  return new CloudSparkError('ABORTED', `${action} was cancelled; "${path}" was not written`, { cause });
}

function changed(action: string, what: string, cause?: unknown): CloudSparkError {
  return new CloudSparkError('OBJECT_CHANGED', `${action} failed: the object changed during the download (${what}); nothing was written, download it again`, { status: 412, cause });
}

const FILE_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on the device',
  EEXIST: 'it already exists',
  ENAMETOOLONG: 'the name is too long',
};

/** A local file error as a CloudSparkError `FILE` naming the file and the reason in words. */
export function fileFailure(action: string, path: string, cause: unknown): CloudSparkError {
  const e = cause as NodeJS.ErrnoException | undefined;
  const reason = (e?.code && FILE_REASONS[e.code]) ?? e?.message ?? 'unknown error';
  return new CloudSparkError('FILE', `${action} failed: cannot write "${path}": ${reason}`, { cause });
}

/** Waits `ms`, or less when `signal` fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

// ---------------------------------------------------------------- uploads of files

/** Options of `S3Connection.uploadFile`. */
export interface UploadFileOptions {
  /** Default: guessed from the key's extension, else `application/octet-stream`. */
  contentType?: string;
  /** User metadata, stored as `x-amz-meta-*` headers. */
  metadata?: Record<string, string>;
  /** Stored as the object's Cache-Control. */
  cacheControl?: string;
  /** Stored as the object's Content-Disposition. */
  contentDisposition?: string;
  /** A file up to this size goes in one PUT, a larger one in parts of this size: 5 MiB to 5 GiB, default 8 MiB. */
  partSize?: number;
  /** Parts sent at once, 1 to 64 (default 8); memory used is about partSize x concurrency. */
  concurrency?: number;
  /** Called as parts are stored. */
  onProgress?: (progress: UploadProgress) => void;
  /** Cancels the upload (it rejects with `ABORTED`); a multipart upload begun is aborted, so nothing is stored. */
  signal?: AbortSignal;
}

const MIN_UPLOAD_PART = 5 * MiB;

export function assertUploadFileOptions(options: unknown): { partSize: number; concurrency: number } {
  if (!isPlainObject(options)) throw invalidInput('options', 'must be an object');
  const o = options as UploadFileOptions;
  const partSize = o.partSize ?? 8 * MiB;
  const concurrency = o.concurrency ?? 8;
  if (!Number.isSafeInteger(partSize) || partSize < MIN_UPLOAD_PART || partSize > MAX_DOWNLOAD_PART) {
    throw invalidInput('partSize', `must be a whole number of bytes from ${MIN_UPLOAD_PART} (5 MiB) to ${MAX_DOWNLOAD_PART} (5 GiB)`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw invalidInput('concurrency', 'must be a whole number from 1 to 64');
  if (o.metadata !== undefined) assertMetadata(o.metadata, 'metadata');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw invalidInput('onProgress', 'must be a function');
  assertSignal(o.signal);
  return { partSize, concurrency };
}

/**
 * Uploads the file at `path` as `key`. A file up to `partSize` goes in one PUT; a larger one as
 * a multipart upload whose parts are read at their offsets and sent `concurrency` at a time,
 * each to a presigned part URL that binds its length (the payload is not hashed again: the
 * SDK's signer would SHA-256 every byte over plain HTTP). Create and complete are the
 * connection's own calls; any failure or cancel aborts the upload, so no parts are left.
 */
export async function uploadFile(ctx: TransferContext, path: string, key: string, options: UploadFileOptions = {}, shared?: DirectClient): Promise<UploadResult> {
  const { partSize, concurrency } = assertUploadFileOptions(options);
  assertPath(path, 'path');
  const action = `uploadFile("${key}")`;
  const { signal, onProgress } = options;
  if (signal?.aborted) throw new CloudSparkError('ABORTED', `${action} was cancelled; nothing was stored`);
  const file = await (await fsp()).open(path, 'r').catch((error: unknown) => {
    throw readFailure(action, path, error);
  });
  const direct = shared ?? new DirectClient(directContext(ctx));
  const stop = new AbortController();
  setMaxListeners(Infinity, stop.signal);
  const onAbort = () => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const contentType = options.contentType ?? contentTypeFor(key);
  const where: ErrorContext = { action, bucket: ctx.bucket, key };
  const read = async (position: number, length: number): Promise<Buffer> => {
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await file.read(buffer, done, length - done, position + done).catch((error: unknown) => {
        throw readFailure(action, path, error);
      });
      if (bytesRead === 0) throw new CloudSparkError('FILE', `${action} failed: "${path}" became shorter while it was read`);
      done += bytesRead;
    }
    return buffer;
  };
  let uploadId: string | undefined;
  try {
    const { size } = await file.stat();
    const plain = options.metadata === undefined && options.cacheControl === undefined && options.contentDisposition === undefined;
    if (size <= partSize && plain) {
      // One PUT, signed with its type and length.
      const body = await read(0, size);
      const sign: Signer = (date) => ctx.connection.presignedPutUrl(key, { expiresIn: URL_LIFETIME, signingDate: date, contentType, contentLength: size });
      const etag = await direct.put(sign, body, { 'content-type': contentType }, stop.signal, where);
      onProgress?.({ loaded: size, total: size });
      return { key, etag, versionId: undefined };
    }
    if (size <= partSize) {
      // Metadata and the like need the SDK's signed headers.
      return await ctx.connection.uploadObject(await read(0, size), key, { ...options, contentType, partSize: Math.max(partSize, MIN_UPLOAD_PART), queueSize: concurrency, signal: stop.signal });
    }
    const count = Math.ceil(size / partSize);
    if (count > MAX_PARTS) throw invalidInput('partSize', `${partSize} bytes makes ${count} parts of "${path}", more than S3's ${MAX_PARTS}: use a larger part size`);
    ({ uploadId } = await ctx.connection.createMultipartUpload(key, { contentType, metadata: options.metadata, contentDisposition: options.contentDisposition }));
    const id = uploadId;
    const parts: Array<{ partNumber: number; etag: string }> = [];
    let loaded = 0;
    let next = 0;
    let failure: unknown;
    const worker = async () => {
      while (next < count && failure === undefined) {
        const index = next++;
        const start = index * partSize;
        const length = Math.min(partSize, size - start);
        try {
          const body = await read(start, length);
          const partNumber = index + 1;
          const sign: Signer = (date) => ctx.connection.presignedUploadPartUrl(key, id, partNumber, { expiresIn: URL_LIFETIME, signingDate: date, contentLength: length });
          const etag = await direct.put(sign, body, {}, stop.signal, { ...where, action: `${action}: part ${partNumber}` });
          if (!etag) throw new CloudSparkError('SERVICE_ERROR', `${action} failed: the store answered part ${partNumber} without an ETag`);
          parts.push({ partNumber, etag });
          loaded += length;
          onProgress?.({ loaded, total: size });
        } catch (error) {
          failure ??= error;
          stop.abort();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
    if (signal?.aborted) throw new CloudSparkError('ABORTED', `${action} was cancelled; nothing was stored`);
    if (failure !== undefined) throw failure;
    parts.sort((a, b) => a.partNumber - b.partNumber);
    const done = await ctx.connection.completeMultipartUpload(key, id, parts);
    uploadId = undefined;
    return { key, etag: done.etag, versionId: undefined };
  } catch (error) {
    if (uploadId !== undefined) await ctx.connection.abortMultipartUpload(key, uploadId).catch(() => {});
    if (signal?.aborted) throw new CloudSparkError('ABORTED', `${action} was cancelled; nothing was stored`, { cause: error });
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await file.close().catch(() => {});
    if (!shared) direct.close();
  }
}

export function readFailure(action: string, path: string, cause: unknown): CloudSparkError {
  const e = cause as NodeJS.ErrnoException;
  const reason = (e?.code && FILE_REASONS[e.code]) ?? e?.message ?? 'unknown error';
  return new CloudSparkError('FILE', `${action} failed: cannot read "${path}": ${reason}`, { cause });
}
