/**
 * Downloads to a file (download-file.ts): their options, checked before any I/O, their result, and
 * the sizes they work with.
 */
import { invalidInput } from '../../errors.js';
import { assertCallback, assertFlag, assertSignal, knownOptionsOf } from '../../validate.js';
import { DEFAULT_DOWNLOAD_CONCURRENCY, DEFAULT_DOWNLOAD_PART, MAX_PART_SIZE, MIN_DOWNLOAD_PART } from '../limits.js';

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
  concurrency?: number | undefined;
  /** Bytes per ranged GET, 1 MiB to 5 GiB. Default 8 MiB; an object up to this size comes in one GET. */
  partSize?: number | undefined;
  /**
   * How often a range that breaks off is resumed in a row without a byte of progress, and how
   * often a download whose bytes do not match the ETag is fetched again: 0 to 10. Default 3.
   */
  retries?: number | undefined;
  /**
   * Check the bytes against the object's ETag (default true): a file whose bytes do not match is
   * fetched again, and fails `CORRUPT` when it never matches. `false` skips the check (and its
   * MD5 work); the result then says `verified: false`.
   */
  verify?: boolean | undefined;
  /** Called as bytes are written. */
  onProgress?: ((progress: DownloadProgress) => void) | undefined;
  /** Cancels the download (it rejects with `ABORTED`); the part file is removed. */
  signal?: AbortSignal | undefined;
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
  /**
   * True when every byte written was checked against the object's ETag (its MD5, or its parts'
   * MD5s). False when no check was possible or asked for: `unverifiedReason` says why.
   */
  verified: boolean;
  /** Why the bytes could not be checked (an ETag that is no MD5: SSE-KMS or SSE-C; an unknown part layout; `verify: false`). */
  unverifiedReason?: string;
}

/** A whole number from `min` to `max`, or `fallback` when left out (`null` is refused, not read as left out). */
export function wholeNumber(
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  field: string,
  unit = '',
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw invalidInput(field, `must be a whole number${unit} from ${min} to ${max}`);
  }
  return value as number;
}

/** What every transfer's options have in common, checked in one place: parts, parallelism, callbacks. */
export interface TransferLimits {
  minPart: number;
  defaultPart: number;
  defaultConcurrency: number;
}

/** The options object of a transfer, checked before any I/O, with its part size and concurrency resolved. */
export function transferOptions<
  T extends { partSize?: number; concurrency?: number; onProgress?: unknown; signal?: AbortSignal },
>(
  options: T | undefined,
  limits: TransferLimits,
  own: readonly (keyof T & string)[],
): { options: T; partSize: number; concurrency: number } {
  const o = knownOptionsOf(options, ['partSize', 'concurrency', 'onProgress', 'signal', ...own]);
  const partSize = wholeNumber(o.partSize, limits.defaultPart, limits.minPart, MAX_PART_SIZE, 'partSize', ' of bytes');
  const concurrency = wholeNumber(o.concurrency, limits.defaultConcurrency, 1, 64, 'concurrency');
  assertCallback(o.onProgress, 'onProgress');
  assertSignal(o.signal);
  return { options: o, partSize, concurrency };
}

export function assertDownloadOptions(options: unknown): {
  concurrency: number;
  partSize: number;
  retries: number;
  verify: boolean;
} {
  const checked = transferOptions(
    options as DownloadOptions | undefined,
    {
      minPart: MIN_DOWNLOAD_PART,
      defaultPart: DEFAULT_DOWNLOAD_PART,
      defaultConcurrency: DEFAULT_DOWNLOAD_CONCURRENCY,
    },
    ['retries', 'verify'],
  );
  assertFlag(checked.options.verify, 'verify');
  return {
    ...checked,
    retries: wholeNumber(checked.options.retries, 3, 0, 10, 'retries'),
    verify: checked.options.verify ?? true,
  };
}

export function assertPath(path: unknown, field: string): asserts path is string {
  if (typeof path !== 'string' || path === '' || path.includes('\0'))
    throw invalidInput(field, 'must be a non-empty path');
}
