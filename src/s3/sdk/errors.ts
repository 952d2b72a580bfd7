/**
 * Turns what the AWS SDK throws into a {@link CloudSparkError} with a code to branch on: the one
 * mapping every call of the connection goes through (see Session.send).
 */
import { CloudSparkError, type CloudSparkErrorCode } from '../../errors.js';
import { noAnswer, seconds, timeoutKind, type ResolvedTimeouts } from './network.js';

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  $response?: { statusCode?: number };
}

export interface ErrorContext {
  /** What was being done, for the message: `getObject("a.txt")`. */
  action: string;
  bucket?: string | undefined;
  key?: string | undefined;
  /**
   * The multipart upload the call is about. A missing key then means a missing upload: Ceph RGW
   * answers NoSuchKey where AWS answers NoSuchUpload.
   */
  upload?: string | undefined;
  /** What some failures mean for this call, by S3 code or by code: e.g. `{ ACCESS_DENIED: 'ALREADY_EXISTS' }`. */
  means?: Readonly<Record<string, CloudSparkErrorCode>> | undefined;
  /** The store and the limits in force, for a TIMEOUT's message. */
  network?: { endpoint: string; timeouts: ResolvedTimeouts } | undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** The S3 codes with a code of their own; any other answer is told by its HTTP status. */
const S3_CODES: Readonly<Record<string, CloudSparkErrorCode>> = {
  NoSuchBucket: 'NO_SUCH_BUCKET',
  NoSuchKey: 'NO_SUCH_KEY',
  NoSuchUpload: 'NO_SUCH_UPLOAD',
  BucketAlreadyExists: 'ALREADY_EXISTS',
  BucketNotEmpty: 'BUCKET_NOT_EMPTY',
  AccessDenied: 'ACCESS_DENIED',
  Forbidden: 'ACCESS_DENIED',
  AllAccessDisabled: 'ACCESS_DENIED',
  InvalidAccessKeyId: 'ACCESS_DENIED',
  SignatureDoesNotMatch: 'ACCESS_DENIED',
  // The store received other bytes than were sent (Content-MD5 or payload hash), on every attempt.
  BadDigest: 'CORRUPT',
  XAmzContentSHA256Mismatch: 'CORRUPT',
};

/** What each code says about the bucket or key (`where`), before the S3 code and status. */
const WHAT: Partial<Record<CloudSparkErrorCode, (where: string | undefined) => string>> = {
  NO_SUCH_BUCKET: (where) => `${where ?? 'the bucket'} does not exist: create it with createBucket()`,
  NO_SUCH_KEY: (where) => `${where ?? 'the key'} does not exist`,
  NO_SUCH_UPLOAD: (where) =>
    `the multipart upload of ${where ?? 'the key'} does not exist: it was completed or aborted, or the upload id is wrong`,
  ALREADY_EXISTS: (where) => `${where ?? 'the bucket'} already exists and belongs to someone else: choose another name`,
  BUCKET_NOT_EMPTY: (where) =>
    `${where ?? 'the bucket'} is not empty: delete its objects and abort its unfinished uploads first`,
  CORRUPT: (where) =>
    `the store refused the bytes it received for ${where ?? 'the object'} on every attempt: they did not match the checksum sent with them, so nothing was stored; something between here and the store corrupts data`,
  ACCESS_DENIED: (where) =>
    `access to ${where ?? 'the resource'} was denied: check the credentials and their permissions`,
};

/** Turns what the SDK threw for the call `context` describes into a CloudSparkError. */
export function fromSdkError(error: unknown, context: ErrorContext): CloudSparkError {
  if (error instanceof CloudSparkError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const requestId = e.$metadata?.requestId;
  // The SDK names a service error after the code in the response body (`NoSuchKey`).
  const s3Code = status === undefined ? undefined : (e.Code ?? e.name);
  const options = { status, s3Code, requestId, cause: error };
  const make = (code: CloudSparkErrorCode, what: string) =>
    new CloudSparkError(code, `${context.action} failed: ${what}${suffix(status, s3Code)}`, options);

  if (status === undefined) {
    const timeout = timeoutKind(error);
    if (timeout) {
      const attempts = e.$metadata?.attempts ?? 1;
      return timeoutError(timeout, context, `${attempts} attempt${attempts === 1 ? '' : 's'}`, error);
    }
    if (e.name === 'CredentialsProviderError') {
      return make(
        'CREDENTIALS',
        'no AWS credentials were found: pass accessKeyId and secretAccessKey, or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile',
      );
    }
    // An https:// endpoint on a plain HTTP port: OpenSSL reads the HTTP answer as a bad record.
    if (
      e.code === 'EPROTO' ||
      e.code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
      /wrong version number/.test(e.message ?? '')
    ) {
      return make(
        'NETWORK',
        `the endpoint could not be reached over TLS (${e.code ?? 'EPROTO'}: it answers in plain HTTP, not TLS); use an http:// endpoint for this port`,
      );
    }
    // Any other TimeoutError is the handler's name for ECONNRESET, EPIPE or ETIMEDOUT.
    if ((e.code && NETWORK_CODES.has(e.code)) || e.name === 'TimeoutError') {
      return make('NETWORK', `the endpoint could not be reached (${e.code ?? e.name}); check endpoint and network`);
    }
  }
  let code = codeOf(s3Code, status, context);
  if (code === 'NO_SUCH_KEY' && context.upload !== undefined) code = 'NO_SUCH_UPLOAD';
  code = own(context.means, s3Code) ?? own(context.means, code) ?? code;
  // A missing bucket is named as a bucket, even when a key was asked for.
  const where =
    context.key !== undefined && code !== 'NO_SUCH_BUCKET'
      ? `key "${context.key}" in bucket "${context.bucket}"`
      : context.bucket !== undefined
        ? `bucket "${context.bucket}"`
        : undefined;
  const what =
    WHAT[code]?.(where) ??
    (e.message && e.message !== 'UnknownError' ? e.message : 'the service answered with an error');
  return make(code, what);
}

function codeOf(s3Code: string | undefined, status: number | undefined, context: ErrorContext): CloudSparkErrorCode {
  const known = own(S3_CODES, s3Code);
  if (known) return known;
  if (status === 404 && context.key !== undefined) return 'NO_SUCH_KEY';
  if (status === 404 && context.bucket !== undefined) return 'NO_SUCH_BUCKET';
  if (status === 403) return 'ACCESS_DENIED';
  return 'SERVICE_ERROR';
}

/** `table[name]` when the table has it as its own, never what an object inherits (`constructor`). */
function own<T>(table: Readonly<Record<string, T>> | undefined, name: string | undefined): T | undefined {
  return table !== undefined && name !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

function suffix(status: number | undefined, s3Code: string | undefined): string {
  if (status === undefined) return '';
  return s3Code && s3Code !== 'Unknown' && s3Code !== 'UnknownError'
    ? ` (${s3Code}, HTTP ${status})`
    : ` (HTTP ${status})`;
}

/**
 * What the body stream of a download throws, typed: TIMEOUT when it went silent, NETWORK when
 * the connection broke off. Either way the body ended early: it never ends short silently.
 */
export function fromBodyError(
  error: unknown,
  context: ErrorContext,
  received: number,
  expected: number | undefined,
): CloudSparkError {
  if (error instanceof CloudSparkError) return error;
  const progress = `${received}${expected === undefined ? '' : ` of ${expected}`} bytes of the body`;
  const timeout = timeoutKind(error);
  if (timeout) return timeoutError(timeout, context, `after ${progress}`, error);
  const e = (error ?? {}) as { code?: string; message?: string };
  return new CloudSparkError(
    'NETWORK',
    `${context.action} failed: the connection broke off after ${progress} (${e.code ?? e.message ?? 'closed'})`,
    { cause: error },
  );
}

/** A TIMEOUT naming the endpoint and the option that would let it wait longer. */
function timeoutError(
  kind: 'connect' | 'idle',
  context: ErrorContext,
  detail: string,
  cause: unknown,
): CloudSparkError {
  const field = `timeouts.${kind}`;
  const { network } = context;
  const endpoint = network?.endpoint ?? 'the endpoint';
  const what =
    kind === 'connect'
      ? `could not connect to ${endpoint}${network ? ` within ${seconds(network.timeouts.connect)}` : ''}`
      : network
        ? noAnswer(endpoint, network.timeouts.idle)
        : `no answer from ${endpoint}`;
  return new CloudSparkError('TIMEOUT', `${context.action} failed: ${what} (${detail}); ${timeoutAdvice(field)}`, {
    field,
    cause,
  });
}

/** The end of a TIMEOUT's message: what to do, in terms of the option (its `field`). */
export function timeoutAdvice(field: string): string {
  return field === 'timeouts.connect'
    ? `check the endpoint and the network, or raise ${field}`
    : `raise ${field} if the store is only slow`;
}
