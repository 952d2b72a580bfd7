/**
 * One error class for everything the library throws, with a stable `code` to branch on.
 * Messages say what to do next; they never contain secret keys or session tokens.
 */

/** What went wrong, stable across releases: branch on `error.code`, not on the message. */
export type CloudSparkErrorCode =
  /** A bucket operation was called before a bucket was bound (`connect(bucket)` or `bucket` option). */
  | 'NOT_CONNECTED'
  /** An argument was refused before any network call; `field` names it. */
  | 'INVALID_INPUT'
  /** The bucket does not exist. */
  | 'NO_SUCH_BUCKET'
  /** The object does not exist. */
  | 'NO_SUCH_KEY'
  /** The multipart upload does not exist (any more): completed, aborted, or a wrong upload id. */
  | 'NO_SUCH_UPLOAD'
  /** The credentials are not allowed to do this. */
  | 'ACCESS_DENIED'
  /** The bucket exists and belongs to another account. */
  | 'ALREADY_EXISTS'
  /** The bucket still holds objects (or unfinished uploads): it cannot be deleted. */
  | 'BUCKET_NOT_EMPTY'
  /** A public-access block refused a public bucket policy. */
  | 'POLICY_BLOCKED_BY_PUBLIC_ACCESS'
  /** No credentials could be found, or the temporary ones could not be obtained. */
  | 'CREDENTIALS'
  /** A presigned URL would outlive the temporary credentials that sign it. */
  | 'EXPIRES_AFTER_CREDENTIALS'
  /** The operation was cancelled through its `AbortSignal`. */
  | 'ABORTED'
  /** The endpoint could not be reached (DNS, refused connection), or a connection broke off mid-answer. */
  | 'NETWORK'
  /**
   * The store took too long, after the SDK's retries: no connection within `timeouts.connect`,
   * or no byte moving for `timeouts.idle`. The message names the endpoint; `field` names the
   * option to raise (`timeouts.connect` or `timeouts.idle`).
   */
  | 'TIMEOUT'
  /**
   * The object changed while it was being downloaded in ranges (its ETag or size is not the one
   * the first range had): nothing was written, download it again.
   */
  | 'OBJECT_CHANGED'
  /**
   * Bytes did not arrive as they were sent, on every attempt: the store refused an upload's
   * body (its `Content-MD5` or payload hash did not match, `BadDigest`), or a download's bytes
   * did not match the object's ETag. Nothing was stored (a multipart upload is aborted) and no
   * file was written. Something between here and the store corrupts data: a proxy, a NIC, memory.
   */
  | 'CORRUPT'
  /**
   * A key that cannot be written as a file inside the target folder: `..` or `.` segments, an
   * absolute or empty path, or a path that would resolve outside the folder (through a symbolic
   * link too), or that is both a file and a folder. Refused before anything is written.
   */
  | 'UNSAFE_KEY'
  /** A local file or folder could not be read or written; `cause` is Node's error. */
  | 'FILE'
  /** Any other error answered by the service; see `s3Code` and `status`. */
  | 'SERVICE_ERROR';

/** What a `CloudSparkError` carries besides its code and message. */
export interface CloudSparkErrorOptions {
  /** HTTP status of the service's answer. */
  status?: number | undefined;
  /** The service's own error code (`NoSuchKey`, `AccessDenied`, ...). */
  s3Code?: string | undefined;
  /** For `INVALID_INPUT`: the argument that was refused. */
  field?: string | undefined;
  /** The service's request id, for its support or logs. */
  requestId?: string | undefined;
  /** The underlying error, kept as the `Error`'s `cause`. */
  cause?: unknown | undefined;
}

/**
 * Marks every CloudSparkError, whichever copy of this module made it: the `cloudspark` and
 * `cloudspark/server` bundles (and an app that both imports and requires the package) each
 * carry their own class, and `instanceof` must work across them.
 */
const BRAND = Symbol.for('cloudspark.CloudSparkError');

/**
 * The one error class the library throws, with a stable `code` to branch on. `instanceof` works
 * across the package's bundles (ESM and CJS, `cloudspark` and `cloudspark/server`).
 */
export class CloudSparkError extends Error {
  /** True for every `CloudSparkError`, whichever of the package's bundles made it. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Always `'CloudSparkError'`. */
  override readonly name = 'CloudSparkError';
  /** What went wrong; see {@link CloudSparkErrorCode}. */
  readonly code: CloudSparkErrorCode;
  /** HTTP status of the service's answer, when there was one. */
  readonly status: number | undefined;
  /** The service's own error code (`NoSuchKey`, `AccessDenied`, ...), when there was one. */
  readonly s3Code: string | undefined;
  /** For `INVALID_INPUT`: the argument that was refused; for `TIMEOUT`: the option to raise. */
  readonly field: string | undefined;
  /** The service's request id, when there was an answer: quote it to the store's support. */
  readonly requestId: string | undefined;

  /**
   * Makes an error with `code`, a `message` that says what to do next, and the details in
   * `options`. It never throws, whatever it is given: it is what reports the error at hand.
   */
  constructor(code: CloudSparkErrorCode, message: string, options: CloudSparkErrorOptions = {}) {
    options ??= {};
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.s3Code = options.s3Code;
    this.field = options.field;
    this.requestId = options.requestId;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

export function invalidInput(field: string, message: string): CloudSparkError {
  return new CloudSparkError('INVALID_INPUT', `Invalid ${field}: ${message}`, { field });
}

/** Shows enough of an access key id to recognise it, never the whole of it. */
export function maskAccessKey(accessKeyId: string): string {
  if (typeof accessKeyId !== 'string') throw invalidInput('accessKeyId', 'must be a string');
  if (accessKeyId.length <= 8) return '****';
  return `${accessKeyId.slice(0, 4)}****${accessKeyId.slice(-4)}`;
}
