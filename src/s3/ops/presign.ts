/**
 * Presigned URLs and POSTs for the bound bucket, on our own SigV4 core (no SDK). Every argument
 * is checked first, in each function's gate, before credentials are fetched (which may be an STS
 * call); with credentials at hand a URL is signed without any `await`.
 */
import { invalidInput } from '../../errors.js';
import {
  assertContentType,
  assertDate,
  assertExpiresIn,
  assertHeaderValue,
  assertKey,
  assertMetadata,
  knownOptionsOf,
} from '../../validate.js';
import {
  assertPostConditions,
  assertPostFields,
  copyFields,
  type S3Presigner,
  type Credentials,
  type PostCondition,
  type PresignedPost,
  type PresignMethod,
} from '../../sigv4/index.js';
import { MAX_PART_SIZE } from '../limits.js';
import { assertPartNumber, assertUploadId } from './multipart.js';
import type { Session } from '../session.js';
import type {
  PresignGetOptions,
  PresignOptions,
  PresignPartOptions,
  PresignPutOptions,
  PresignedCreateOptions,
} from '../types.js';

/** What a presigned URL signs besides method, key and lifetime: operation parameters and headers. */
interface SignedParts {
  query?: Record<string, string> | undefined;
  headers?: Record<string, string> | undefined;
}

/**
 * A presigned POST for a browser form upload of `key`: `{ url, fields }`. Every field sent is
 * covered by a policy condition, so S3 refuses any change to it.
 */
export function presignedCreateUrl(s: Session, key: string, options?: PresignedCreateOptions): Promise<PresignedPost> {
  return settle(() => {
    const { presigner, checked } = gate(s, key, options, ['params', 'fields', 'conditions']);
    const { expiresIn = 3600, signingDate, params, fields: given, conditions: extra } = checked;
    assertPostFields(given);
    assertPostConditions(extra);
    if (params !== undefined) assertMetadata(params, 'params');
    const fields = copyFields(given);
    const conditions: PostCondition[] = [...(extra ?? [])];
    for (const [name, value] of Object.entries(params ?? {})) {
      fields[`x-amz-meta-${name}`] = value;
      conditions.push({ [`x-amz-meta-${name}`]: value });
    }
    for (const [name, value] of Object.entries(fields)) {
      if (name.toLowerCase() !== 'key' && !isCovered(conditions, name)) conditions.push({ [name]: value });
    }
    const request = { key, fields, conditions, expiresIn, signingDate, clockOffset: s.presignClockOffset() };
    return signWith(s, expiresIn, (c) => presigner.presignPost(c, request));
  });
}

/** A presigned URL to download `key`, served with the response headers asked for. */
export function presignedGetUrl(s: Session, key: string, options?: PresignGetOptions): Promise<string> {
  return settle(() => {
    const { presigner, checked } = gate(s, key, options, ['responseContentDisposition', 'responseContentType']);
    return presignUrl(s, presigner, 'GET', key, checked, { query: responseQuery(checked) });
  });
}

/**
 * A presigned URL to upload `key` with a plain HTTP PUT of the body. With `contentLength`
 * (and `contentType`) the URL only accepts a body of that size (and type).
 */
export function presignedPutUrl(s: Session, key: string, options?: PresignPutOptions): Promise<string> {
  return settle(() => {
    const { presigner, checked } = gate(s, key, options, ['contentType', 'contentLength']);
    return presignUrl(s, presigner, 'PUT', key, checked, {
      headers: contentHeaders(checked.contentType, checked.contentLength),
    });
  });
}

/** A presigned URL to delete `key`. */
export function presignedDeleteUrl(s: Session, key: string, options?: PresignOptions): Promise<string> {
  return settle(() => {
    const { presigner, checked } = gate(s, key, options);
    return presignUrl(s, presigner, 'DELETE', key, checked);
  });
}

/**
 * A presigned URL to PUT part `partNumber` of a multipart upload (see createMultipartUpload).
 * The page reads the part's ETag from the answer, so the bucket's CORS must expose `ETag`.
 */
export function presignedUploadPartUrl(
  s: Session,
  key: string,
  uploadId: string,
  partNumber: number,
  options?: PresignPartOptions,
): Promise<string> {
  return settle(() => {
    const { presigner, checked } = gate(s, key, options, ['contentLength']);
    assertUploadId(uploadId);
    assertPartNumber(partNumber);
    // Signing the length also stops UploadPartCopy: RGW obeys an unsigned x-amz-copy-source
    // header on a part URL, and a copy request cannot carry the signed Content-Length.
    const headers = contentHeaders(undefined, checked.contentLength);
    return presignUrl(s, presigner, 'PUT', key, checked, {
      query: { partNumber: String(partNumber), uploadId },
      headers,
    });
  });
}

/**
 * What every presign checks first: a bound bucket (its presigner), the key, the options object,
 * and the lifetime and clock in it. The rest of the options are each function's own.
 */
function gate<T extends PresignOptions>(
  s: Session,
  key: string,
  options: T | undefined,
  own: readonly (keyof T & string)[] = [],
): { presigner: S3Presigner; checked: T } {
  const presigner = s.presigner();
  const checked = knownOptionsOf(options, ['expiresIn', 'signingDate', ...own]);
  assertKey(key);
  if (checked.expiresIn !== undefined) assertExpiresIn(checked.expiresIn);
  if (checked.signingDate !== undefined) assertDate(checked.signingDate);
  return { presigner, checked };
}

function presignUrl(
  s: Session,
  presigner: S3Presigner,
  method: PresignMethod,
  key: string,
  options: PresignOptions,
  signed: SignedParts = {},
): Promise<string> {
  const { expiresIn = 3600, signingDate } = options;
  const request = {
    method,
    key,
    expiresIn,
    signingDate,
    clockOffset: s.presignClockOffset(),
    query: signed.query,
    headers: signed.headers,
  };
  return signWith(s, expiresIn, (c) => presigner.presignUrl(c, request));
}

/**
 * Signs at once with credentials already at hand that outlive `expiresIn` (no await on the
 * hot path), or fetches fresh ones first.
 */
function signWith<T>(s: Session, expiresIn: number, sign: (credentials: Credentials) => T): Promise<T> {
  const credentials = s.credentials.peek(expiresIn);
  return credentials !== undefined ? Promise.resolve(sign(credentials)) : s.credentials.get(expiresIn).then(sign);
}

/** A signed Content-Length: S3 takes at most 5 GiB in one PUT, and in one part alike. */
function assertContentLength(value: unknown): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_PART_SIZE) {
    throw invalidInput(
      'contentLength',
      `must be a whole number of bytes from 0 to ${MAX_PART_SIZE} (5 GiB), got ${String(value)}`,
    );
  }
}

/** The headers a presigned PUT signs, checked; undefined when there are none (the fast path). */
function contentHeaders(contentType: unknown, contentLength: unknown): Record<string, string> | undefined {
  if (contentType === undefined && contentLength === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (contentType !== undefined) {
    assertContentType(contentType, 'contentType');
    headers['content-type'] = contentType;
  }
  if (contentLength !== undefined) {
    assertContentLength(contentLength);
    headers['content-length'] = String(contentLength);
  }
  return headers;
}

/**
 * The `response-*` parameters of a presigned GET, checked; undefined when there are none. In
 * the order of boto3's GetObject model (boto3 itself keeps the order its caller gave).
 */
function responseQuery(options: PresignGetOptions): Record<string, string> | undefined {
  const { responseContentDisposition: disposition, responseContentType: type } = options;
  if (disposition === undefined && type === undefined) return undefined;
  const query: Record<string, string> = {};
  if (disposition !== undefined) {
    // S3 sends it back as a header: no CR/LF (header injection) and nothing to re-encode.
    assertHeaderValue(
      disposition,
      'responseContentDisposition',
      `'attachment; filename="report.pdf"' (other characters go in filename*=UTF-8''...)`,
    );
    query['response-content-disposition'] = disposition;
  }
  if (type !== undefined) {
    assertContentType(type, 'responseContentType');
    query['response-content-type'] = type;
  }
  return query;
}

/** Runs `run`, turning a synchronous throw into a rejected promise, as an async function would. */
function settle<T>(run: () => Promise<T>): Promise<T> {
  try {
    return run();
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Whether a policy condition already constrains form field `name` (field names are case-insensitive). */
function isCovered(conditions: readonly PostCondition[], name: string): boolean {
  const lower = name.toLowerCase();
  return conditions.some((c) =>
    Array.isArray(c)
      ? c[0] !== 'content-length-range' && String(c[1]).toLowerCase() === `$${lower}`
      : Object.keys(c).some((k) => k.toLowerCase() === lower),
  );
}
