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

/**
 * The options argument of a public function: `{}` when left out, else it must be a plain object
 * (`null`, a number or an array is refused, never read as "no options").
 */
export function optionsOf<T extends object>(options: T | undefined, field = 'options'): T {
  if (options === undefined) return {} as T;
  if (!isPlainObject(options)) throw invalidInput(field, `must be an object, got ${describe(options)}`);
  return options;
}

/**
 * Options as `optionsOf` takes them, with every name among `known`: a misspelled option
 * (`expires` for `expiresIn`) is refused, naming the closest known one, rather than ignored,
 * which would sign for the default or talk to another endpoint without a word.
 */
export function knownOptionsOf<T extends object>(
  options: T | undefined,
  known: readonly (keyof T & string)[],
  field = 'options',
): T {
  const checked = optionsOf(options, field);
  for (const name of Object.keys(checked)) {
    // `$source` and the like: markers the AWS SDK adds to credential objects it has used, which
    // then come along when such an object is spread into options.
    if ((known as readonly string[]).includes(name) || name.startsWith('$')) continue;
    const near = closest(name, known);
    throw invalidInput(
      field,
      `has no option "${name}"${near === undefined ? '' : `: did you mean "${near}"?`} (options: ${known.join(', ')})`,
    );
  }
  return checked;
}

/** The name in `names` nearest to `name` (edit distance, case ignored), if it is near enough to be a typo of it. */
export function closest(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of names) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    // A prefix (expires, expiresIn) is as near as a typo.
    const distance =
      candidate.toLowerCase().startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(candidate.toLowerCase())
        ? Math.min(d, 1)
        : d;
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/** An optional callback: left out, or a function. */
export function assertCallback(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== 'function')
    throw invalidInput(field, `must be a function, got ${describe(value)}`);
}

/** An optional flag: left out, or true or false. */
export function assertFlag(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== 'boolean')
    throw invalidInput(field, `must be true or false, got ${describe(value)}`);
}

/** A string (possibly empty). */
export function assertString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw invalidInput(field, `must be a string, got ${describe(value)}`);
}

/** An optional string. */
export function assertOptionalString(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== 'string')
    throw invalidInput(field, `must be a string, got ${describe(value)}`);
}

/** An optional `AbortSignal`. */
export function assertSignal(value: unknown, field = 'signal'): void {
  const signal = value as Partial<AbortSignal> | null;
  if (
    value !== undefined &&
    (typeof signal !== 'object' ||
      signal === null ||
      typeof signal.aborted !== 'boolean' ||
      typeof signal.addEventListener !== 'function')
  ) {
    throw invalidInput(
      field,
      "must be an AbortSignal, such as AbortSignal.timeout(60_000) or an AbortController's signal",
    );
  }
}

// `type/subtype`, each an RFC 6838 name, then optional `; parameters` in printable ASCII.
const MIME_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?: *;[\x20-\x7e]*[\x21-\x7e])?$/;
// Printable ASCII, no space at either end: nothing a client would re-encode, no CR/LF.
const PRINTABLE_ASCII = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/** An optional MIME type bound for a header: printable ASCII, so no CR/LF (header injection). */
export function assertContentType(value: unknown, field: string): asserts value is string | undefined {
  if (value !== undefined && (typeof value !== 'string' || !MIME_TYPE.test(value))) {
    throw invalidInput(
      field,
      'must be a MIME type in printable ASCII, such as "image/png" or "text/plain; charset=utf-8"',
    );
  }
}

/** An optional string bound for a header (`Cache-Control`, `Content-Disposition`): printable ASCII, so no CR/LF. */
export function assertHeaderValue(value: unknown, field: string, example: string): asserts value is string | undefined {
  if (value !== undefined && (typeof value !== 'string' || !PRINTABLE_ASCII.test(value))) {
    throw invalidInput(field, `must be printable ASCII (no CR, LF or other control characters), such as ${example}`);
  }
}

/** How a refused value is named in a message: its type, never its contents (which may be a secret). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object of another kind' : `a ${typeof value}`;
}

const META_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** User metadata (`x-amz-meta-*` headers): names of letters, digits, `-` and `_`; string values without CR, LF or other control characters. */
export function assertMetadata(metadata: unknown, field: string): asserts metadata is Record<string, string> {
  if (!isPlainObject(metadata)) throw invalidInput(field, 'must be an object of string values');
  for (const [name, value] of Object.entries(metadata)) {
    if (!META_NAME.test(name))
      throw invalidInput(field, `"${name}" is not a valid metadata name (letters, digits, "-" and "_")`);
    if (typeof value !== 'string') throw invalidInput(field, `the value of "${name}" must be a string`);
    // Each is sent as an x-amz-meta-* header: no CR/LF (header injection) or other control character but tab.
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value))
      throw invalidInput(field, `the value of "${name}" must not contain CR, LF or other control characters`);
  }
}
