/**
 * Checks made before any network call, so that bad input fails fast, with a message that
 * names the argument, and nothing is half-done.
 */
import { invalidInput } from './errors.js';

/** The longest object key S3 accepts, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;
/** SigV4 presigned URLs are valid for at most seven days. */
export const MAX_EXPIRES_IN = 7 * 24 * 3600;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_LIKE = /^\d{1,3}(\.\d{1,3}){3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3'];
/** `String.prototype.isWellFormed` (ES2024): in every Node >= 20, not yet in our `lib` types. */
type WellFormedString = string & { isWellFormed(): boolean };

/** Bucket naming rules of Amazon S3 (general purpose buckets), which S3-compatible stores accept. */
export function assertBucketName(name: unknown, field = 'bucket name'): asserts name is string {
  if (typeof name !== 'string' || name.length === 0) {
    throw invalidInput(field, 'a bucket name is required');
  }
  const rule = bucketNameProblem(name);
  if (rule) throw invalidInput(field, `"${name}" ${rule}`);
}

function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!BUCKET_NAME.test(name)) {
    return 'may contain only lowercase letters, digits, dots and hyphens, and must begin and end with a letter or digit';
  }
  if (name.includes('..') || name.includes('.-') || name.includes('-.')) {
    return 'must not have two adjacent dots, or a dot next to a hyphen';
  }
  if (IPV4_LIKE.test(name)) return 'must not look like an IP address';
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `must not start with the reserved prefix "${prefix}"`;
  const suffix = RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `must not end with the reserved suffix "${suffix}"`;
  return undefined;
}

/** Object keys: 1 to 1024 bytes of UTF-8, which a string with a lone surrogate cannot be. */
export function assertKey(key: unknown, field = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw invalidInput(field, 'an object key must be a non-empty string');
  }
  // A UTF-16 string is at most 3 UTF-8 bytes per code unit, so short keys skip the count.
  if (key.length * 3 > MAX_KEY_BYTES && Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw invalidInput(
      field,
      `an object key is at most ${MAX_KEY_BYTES} bytes of UTF-8, this one is ${Buffer.byteLength(key, 'utf8')}`,
    );
  }
  if (!(key as WellFormedString).isWellFormed()) {
    throw invalidInput(field, 'the key contains a lone UTF-16 surrogate and cannot be encoded as UTF-8');
  }
}

/** Presigned URL and POST lifetimes: whole seconds from 1 s to 7 days. */
export function assertExpiresIn(seconds: unknown, field = 'expiresIn'): asserts seconds is number {
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EXPIRES_IN) {
    throw invalidInput(
      field,
      `must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN} (7 days), got ${String(seconds)}`,
    );
  }
}

export function assertDate(date: unknown, field = 'signingDate'): asserts date is Date {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw invalidInput(field, 'must be a valid Date');
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
