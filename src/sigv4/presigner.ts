/**
 * The presigning core: query-string SigV4 URLs and browser POST policies for one bucket.
 * No network, no SDK: `node:crypto` only. What changes per call is the key, the clock and the
 * lifetime; everything else (host, scope strings, signing key) is computed once and reused.
 */
import {
  ALGORITHM,
  UNSIGNED_PAYLOAD,
  credentialScope,
  sha256Hex,
  stringToSign,
  toAmzDate,
  uriEncode,
  uriEncodePath,
  isPathSafe,
} from './primitives.js';
import { SigningKeyCache } from './signing-key.js';
import { resolveBucketLocation, type BucketAddress, type BucketLocation } from './location.js';
import { pythonJsonDumps, pythonJsonQuote, type JsonValue } from './python-json.js';
import type { KeyedHmac } from './hmac.js';
import { assertPostConditions, assertPostFields, copyFields, type PostCondition } from './post-policy.js';
import { byName, operationQuery, signedHeaders } from './signed-parts.js';
import { MAX_KEY_BYTES, assertDate, assertExpiresIn, assertKey, knownOptionsOf } from '../validate.js';
import { invalidInput } from '../errors.js';

/** The access key that signs. */
export interface Credentials {
  /** The access key id (`AKIA...`, or `ASIA...` for temporary credentials). */
  accessKeyId: string;
  /** Its secret: it signs, and never leaves the process. */
  secretAccessKey: string;
  /** Present for temporary (STS) credentials. */
  sessionToken?: string | undefined;
}

/** The HTTP methods a presigned URL can be made for. */
export type PresignMethod = 'GET' | 'PUT' | 'DELETE' | 'HEAD';

/** What `S3Presigner.presignUrl` signs. */
export interface PresignUrlRequest {
  /** The method the URL is for: S3 refuses it with any other. */
  method: PresignMethod;
  /** The object key, at most 1024 UTF-8 bytes. */
  key: string;
  /** Seconds, 1 to 604800. */
  expiresIn: number;
  /** The signing clock; defaults to now. */
  signingDate?: Date | undefined;
  /** Milliseconds added to now when `signingDate` is not given: the store's clock minus ours. */
  clockOffset?: number | undefined;
  /**
   * The operation's own query parameters, e.g. `{ partNumber: '3', uploadId }` for UploadPart.
   * They come first in the URL, in this order, as in boto3.
   */
  query?: Readonly<Record<string, string>> | undefined;
  /**
   * Request headers to sign besides `host`, e.g. `{ 'content-length': '1048576' }`: S3 then
   * refuses a request that does not send exactly these. Names are case-insensitive.
   */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** What `S3Presigner.presignPost` signs. */
export interface PresignPostRequest {
  /** The object key; may end with `${filename}` (as in boto3), which S3 replaces with the name of the file sent. */
  key: string;
  /** Form fields to send along (`Content-Type`, `x-amz-meta-*`, ...). */
  fields?: Readonly<Record<string, string>> | undefined;
  /** Policy conditions, in boto3's form. */
  conditions?: readonly PostCondition[] | undefined;
  /** Seconds the form may be used, 1 to 604800. */
  expiresIn: number;
  /** The signing clock; defaults to now. */
  signingDate?: Date | undefined;
  /** Milliseconds added to now when `signingDate` is not given: the store's clock minus ours. */
  clockOffset?: number | undefined;
}

/** A presigned POST: the form's `action` URL and the fields to send before the file. */
export interface PresignedPost {
  /** Where the form is posted: the bucket's URL. */
  url: string;
  /** Form fields, to send in this order before the `file` field. */
  fields: Record<string, string>;
}

const FILENAME_VARIABLE = '${filename}';

/**
 * Signs presigned URLs and POST forms for one bucket without any network call or the AWS SDK,
 * byte for byte as boto3 does. `S3Connection` presigns with it; use it directly where only
 * presigning is needed.
 */
export class S3Presigner {
  /** Where requests for the bucket go. */
  readonly location: BucketLocation;
  /** The bucket's name. */
  readonly bucket: string;
  /** The region the signatures name. */
  readonly region: string;
  readonly #keys = new SigningKeyCache();
  readonly #hostTail: string;
  readonly #bucketCondition: string;
  readonly #postUrl: string;
  // Everything of a signature that depends only on the second, the credentials and the
  // lifetime: rebuilt when one of them moves on, i.e. at most once a second in steady use.
  #second = Number.NaN;
  #expiresIn = -1;
  #accessKeyId = '';
  #secretAccessKey = '';
  #sessionToken: string | undefined;
  #signingKey!: KeyedHmac;
  #amzDate = '';
  #authHead = ''; // the X-Amz-* parameters before SignedHeaders
  #tokenParam = ''; // `&X-Amz-Security-Token=...`, or nothing
  #canonicalQuery = '';
  #urlQuery = '';
  #stringToSignHead = '';
  #postFor = Number.NaN; // the #second the POST strings below belong to
  #credential = '';
  #expiration = '';
  #signedConditions = '';

  /** A presigner for the bucket at `address`; nothing is fetched. */
  constructor(address: BucketAddress) {
    this.location = resolveBucketLocation(address); // checks address first
    this.bucket = address.bucket;
    this.region = address.region;
    this.#hostTail = canonicalTail(`host:${this.location.host}\n`, 'host');
    this.#bucketCondition = `{"bucket": ${pythonJsonQuote(this.bucket)}}`;
    this.#postUrl = this.location.origin + (this.location.basePath || '/');
  }

  /** A presigned URL, as boto3's `generate_presigned_url` (signature v4) would produce it. */
  presignUrl(credentials: Credentials, request: PresignUrlRequest): string {
    assertCredentials(credentials);
    if (typeof request !== 'object' || request === null || Array.isArray(request))
      throw invalidInput('request', 'must be an object such as { method: "GET", key, expiresIn }');
    const { method, key, expiresIn, signingDate, clockOffset, query, headers } = knownOptionsOf(
      request,
      ['method', 'key', 'expiresIn', 'signingDate', 'clockOffset', 'query', 'headers'],
      'request',
    );
    if (!METHODS.has(method))
      throw invalidInput('method', `must be one of ${[...METHODS].join(', ')}, got ${JSON.stringify(String(method))}`);
    assertExpiresIn(expiresIn);
    const signed = headers === undefined ? undefined : signedHeaders(headers, this.location.host);
    this.#prepare(credentials, expiresIn, signingDate, clockOffset);
    const path = `${this.location.basePath}/${keyPath(key)}`;
    // The hot path signs `host` alone, with the strings #prepare made for that; other headers
    // change SignedHeaders, so both query strings and the tail are built for this URL only.
    let canonicalQuery = this.#canonicalQuery;
    let urlQuery = this.#urlQuery;
    let tail = this.#hostTail;
    if (signed !== undefined) {
      const names = `&X-Amz-SignedHeaders=${uriEncode(signed.names)}`;
      canonicalQuery = `${this.#authHead}${this.#tokenParam}${names}`;
      urlQuery = `${this.#authHead}${names}${this.#tokenParam}`;
      tail = canonicalTail(signed.lines, signed.names);
    }
    if (query !== undefined) {
      const own = operationQuery(query);
      canonicalQuery = [...own, ...canonicalQuery.split('&')].sort(byName).join('&');
      urlQuery = `${own.join('&')}&${urlQuery}`;
    }
    const canonicalRequest = `${method}\n${path}\n${canonicalQuery}${tail}`;
    const signature = this.#signingKey.hexOf(this.#stringToSignHead, sha256Hex(canonicalRequest));
    return `${this.location.origin}${path}?${urlQuery}&X-Amz-Signature=${signature}`;
  }

  /** A presigned POST, as boto3's `generate_presigned_post` would produce it. */
  presignPost(credentials: Credentials, request: PresignPostRequest): PresignedPost {
    assertCredentials(credentials);
    if (typeof request !== 'object' || request === null || Array.isArray(request))
      throw invalidInput('request', 'must be an object such as { key, expiresIn }');
    const {
      key,
      expiresIn,
      fields: extraFields,
      conditions: extraConditions,
      signingDate,
      clockOffset,
    } = knownOptionsOf(request, ['key', 'expiresIn', 'fields', 'conditions', 'signingDate', 'clockOffset'], 'request');
    assertKey(key);
    assertExpiresIn(expiresIn);
    assertPostFields(extraFields);
    assertPostConditions(extraConditions);
    this.#prepare(credentials, expiresIn, signingDate, clockOffset);
    if (this.#postFor !== this.#second) this.#preparePost(credentials);

    // boto3 signs the text of Python's json.dumps: it is written here piece by piece, the parts
    // that only change each second (#signedConditions, #expiration) prepared in advance.
    let conditions = '';
    if (extraConditions !== undefined)
      for (const c of extraConditions) conditions += pythonJsonDumps(c as JsonValue) + ', ';
    conditions += this.#bucketCondition + ', ';
    conditions += key.endsWith(FILENAME_VARIABLE)
      ? `["starts-with", "$key", ${pythonJsonQuote(key.slice(0, -FILENAME_VARIABLE.length))}]`
      : `{"key": ${pythonJsonQuote(key)}}`;
    const policyJson = `{"expiration": "${this.#expiration}", "conditions": [${conditions}, ${this.#signedConditions}]}`;
    // pythonJsonQuote escapes everything outside printable ASCII: latin1 equals UTF-8 here.
    const policy = Buffer.from(policyJson, 'latin1').toString('base64');

    const fields: Record<string, string> = copyFields(extraFields);
    fields['key'] = key;
    fields['x-amz-algorithm'] = ALGORITHM;
    fields['x-amz-credential'] = this.#credential;
    fields['x-amz-date'] = this.#amzDate;
    if (credentials.sessionToken !== undefined) fields['x-amz-security-token'] = credentials.sessionToken;
    fields['policy'] = policy;
    fields['x-amz-signature'] = this.#signingKey.hex(policy);
    return { url: this.#postUrl, fields };
  }

  /** Brings the per-second strings and the signing key up to date for this call. */
  #prepare(
    credentials: Credentials,
    expiresIn: number,
    signingDate: Date | undefined,
    clockOffset: number | undefined,
  ): void {
    let ms: number;
    if (signingDate === undefined) {
      ms = Date.now();
      if (clockOffset !== undefined) {
        if (!Number.isFinite(clockOffset)) throw invalidInput('clockOffset', 'must be a finite number of milliseconds');
        ms += clockOffset;
      }
    } else {
      assertDate(signingDate);
      ms = signingDate.getTime();
    }
    const second = Math.floor(ms / 1000);
    const { accessKeyId, secretAccessKey, sessionToken } = credentials;
    if (
      second === this.#second &&
      expiresIn === this.#expiresIn &&
      accessKeyId === this.#accessKeyId &&
      secretAccessKey === this.#secretAccessKey &&
      sessionToken === this.#sessionToken
    ) {
      return;
    }
    const amzDate = toAmzDate(new Date(second * 1000));
    const dateStamp = amzDate.slice(0, 8);
    const scope = credentialScope(dateStamp, this.region, 's3');
    // boto3 puts the session token after SignedHeaders in the URL, while the canonical query
    // (which is sorted) has it before; both orders are reproduced exactly. SignedHeaders keeps
    // that place whichever headers it names, so presignUrl can splice another list in.
    const head =
      `X-Amz-Algorithm=${ALGORITHM}` +
      `&X-Amz-Credential=${uriEncode(`${accessKeyId}/${scope}`)}` +
      `&X-Amz-Date=${amzDate}` +
      `&X-Amz-Expires=${expiresIn}`;
    const token = sessionToken === undefined ? '' : `&X-Amz-Security-Token=${uriEncode(sessionToken)}`;
    this.#signingKey = this.#keys.get(secretAccessKey, dateStamp, this.region, 's3');
    this.#authHead = head;
    this.#tokenParam = token;
    this.#canonicalQuery = `${head}${token}&X-Amz-SignedHeaders=host`;
    this.#urlQuery = `${head}&X-Amz-SignedHeaders=host${token}`;
    this.#stringToSignHead = stringToSign(amzDate, scope, ''); // the hash is appended per URL
    this.#amzDate = amzDate;
    this.#second = second;
    this.#expiresIn = expiresIn;
    this.#accessKeyId = accessKeyId;
    this.#secretAccessKey = secretAccessKey;
    this.#sessionToken = sessionToken;
    this.#postFor = Number.NaN;
  }

  #preparePost(credentials: Credentials): void {
    const credential = `${credentials.accessKeyId}/${credentialScope(this.#amzDate.slice(0, 8), this.region, 's3')}`;
    this.#credential = credential;
    this.#expiration = new Date((this.#second + this.#expiresIn) * 1000).toISOString().slice(0, 19) + 'Z';
    let signed =
      `{"x-amz-algorithm": "${ALGORITHM}"}, {"x-amz-credential": ${pythonJsonQuote(credential)}}, ` +
      `{"x-amz-date": "${this.#amzDate}"}`;
    if (credentials.sessionToken !== undefined)
      signed += `, {"x-amz-security-token": ${pythonJsonQuote(credentials.sessionToken)}}`;
    this.#signedConditions = signed;
    this.#postFor = this.#second;
  }
}

const METHODS: ReadonlySet<unknown> = new Set<PresignMethod>(['GET', 'PUT', 'DELETE', 'HEAD']);

/** The signing credentials: non-empty key id and secret, and a session token only as a string. */
function assertCredentials(c: Credentials): void {
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.accessKeyId !== 'string' ||
    c.accessKeyId === '' ||
    typeof c.secretAccessKey !== 'string' ||
    c.secretAccessKey === ''
  ) {
    throw invalidInput('credentials', 'must be { accessKeyId, secretAccessKey, sessionToken? } with non-empty strings');
  }
  if (c.sessionToken !== undefined && typeof c.sessionToken !== 'string')
    throw invalidInput('credentials', 'sessionToken must be a string');
}

/** The canonical request after its query: headers (each line ending in \n), their names, the payload. */
function canonicalTail(headerLines: string, names: string): string {
  return `\n${headerLines}\n${names}\n${UNSIGNED_PAYLOAD}`;
}

/**
 * The key, checked and percent-encoded for the URL path. Most keys (`uploads/photo-12.jpg`)
 * are short and made of characters that need no encoding, and so cannot be malformed either:
 * one scan settles both.
 */
function keyPath(key: string): string {
  if (typeof key === 'string' && key.length > 0 && key.length <= MAX_KEY_BYTES && isPathSafe(key)) return key;
  assertKey(key);
  return uriEncodePath(key);
}
