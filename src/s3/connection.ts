/**
 * S3Connection: every operation of the Python `cloudspark`, in TypeScript idiom.
 *
 * Presigning runs on our own SigV4 core and never loads the AWS SDK; everything else goes
 * through the SDK, loaded on first use. Arguments are checked before any network call.
 */
import type { Readable } from 'node:stream';
import { hkdfSync } from 'node:crypto';
import { buffer, text } from 'node:stream/consumers';
import type { BucketLocationConstraint, S3Client } from '@aws-sdk/client-s3';
import { CloudSparkError, invalidInput, maskAccessKey } from '../errors.js';
import { assertBucketName, assertDate, assertExpiresIn, assertKey, isPlainObject } from '../validate.js';
import { S3Presigner, assertPostConditions, assertPostFields, copyFields, parseEndpoint, type Credentials, type PostCondition, type PresignedPost, type PresignMethod } from '../sigv4/index.js';
import { CredentialSource, type StsOptions } from './credentials.js';
import { defaultCorsRules, validateCorsRules, type CorsRule } from './cors.js';
import { bucketPolicyJson, policyDecode, publicReadPolicy, type BucketPolicy } from './policy.js';
import { loadIam, loadS3, takeNodeVersionNotice } from './sdk.js';
import { fromSdkError, type ErrorContext } from './sdk-errors.js';
import { typedBody } from './download.js';
import { downloadToFile, uploadFile, type DownloadOptions, type DownloadResult, type TransferContext, type UploadFileOptions } from './transfer.js';
import { downloadPrefix, uploadDirectory, type FolderOptions, type FolderResult } from './folders.js';
import { ABORT_RULE_ID, abortRulesOf, assertAfterDays, assertOlderThan, withAbortRule, type AbortUploadsRule, type StaleUploadsOptions } from './lifecycle.js';
import { endpointLabel, requestHandlerOptions, resolveTimeouts, type ResolvedTimeouts, type Timeouts } from './network.js';
import { sdkLogger, type Logger } from './logger.js';
import { assertMetadata, assertUploadOptions, uploadWithSdk, type UploadBody, type UploadOptions, type UploadResult } from './upload.js';
import {
  MAX_PART_SIZE,
  assertCompletedParts,
  assertPartNumber,
  assertUploadId,
  type CompletedPart,
  type CreateMultipartOptions,
  type MultipartUpload,
  type PendingUpload,
  type UploadedPart,
} from './multipart.js';

export interface S3ConnectionOptions {
  /** Long-term or temporary access key; leave out (with the secret) to use the SDK's default chain. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** A profile of the shared config files (`~/.aws/credentials`, `~/.aws/config`) for the default chain. */
  profile?: string;
  /** Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`. */
  region?: string;
  /** An S3-compatible endpoint such as `http://127.0.0.1:7480` (Ceph RGW, MinIO, R2 ...). */
  endpoint?: string;
  /** Bucket in the path rather than the host name. Default: true with `endpoint`, else false. */
  forcePathStyle?: boolean;
  /** Binds a bucket at once, with no I/O and without loading the SDK (enough for presigning). */
  bucket?: string;
  /** Sign with temporary STS session credentials made from the given (or default) ones. */
  sts?: StsOptions;
  /** Receives what the library would otherwise keep quiet about. Nothing is printed without it. */
  logger?: Logger;
  /**
   * How long to wait for the store, in milliseconds: `connect` for a connection to be made
   * (default 10000), `idle` for the next byte of a request or answer (default 60000). A call
   * that hits either fails, after the SDK's retries, with `TIMEOUT`. Transfers that keep
   * moving are never cut, however long they take.
   */
  timeouts?: Timeouts;
  /**
   * Presign with the store's clock, as learned from the `Date` header of its answers to SDK
   * calls (the SDK corrects its own requests the same way). Default true: a machine whose clock
   * is off still hands out links that work, once one SDK call has been made.
   */
  correctClockSkew?: boolean;
}

export interface CreateBucketResult {
  bucket: string;
  /** False when the bucket already existed and is yours. */
  created: boolean;
}

export interface PublicAccessSettings {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

export interface PresignOptions {
  /** Seconds the URL stays valid: 1 to 604800 (7 days). Default 3600. */
  expiresIn?: number;
  /** The signing clock; defaults to now. */
  signingDate?: Date;
}

/** Options of presignedGetUrl: how S3 is to serve the download (signed into the URL). */
export interface PresignGetOptions extends PresignOptions {
  /** Served as the `Content-Disposition` header, e.g. `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf` (printable ASCII). */
  responseContentDisposition?: string;
  /** Served as the `Content-Type` header, e.g. `text/plain; charset=utf-8`. */
  responseContentType?: string;
}

/** Options of presignedPutUrl: headers signed into the URL, which S3 then refuses to do without. */
export interface PresignPutOptions extends PresignOptions {
  /** The client must send exactly this `Content-Type` header; the object is stored with it. */
  contentType?: string;
  /** The client must send exactly this `Content-Length` header: a body of exactly this many bytes (0 to 5 GiB). */
  contentLength?: number;
}

/** Options of presignedUploadPartUrl: headers signed into the URL, which S3 then refuses to do without. */
export interface PresignPartOptions extends PresignOptions {
  /** The client must send exactly this `Content-Length` header: a part of exactly this many bytes (0 to 5 GiB). */
  contentLength?: number;
}

export interface PresignedCreateOptions extends PresignOptions {
  /** Stored as object metadata: each becomes an `x-amz-meta-<name>` field with its condition. */
  params?: Record<string, string>;
  /** Extra form fields (`Content-Type`, `acl`, ...); each is covered by a condition. */
  fields?: Record<string, string>;
  /** Extra policy conditions, e.g. `['content-length-range', 1, 10_485_760]`. */
  conditions?: PostCondition[];
}

export interface ObjectInfo {
  key: string;
  size: number;
  /** As S3 sends it, with its double quotes. */
  etag: string | undefined;
  lastModified: Date | undefined;
  storageClass: string | undefined;
}

export interface ObjectMetadata {
  key: string;
  contentType: string | undefined;
  contentLength: number | undefined;
  etag: string | undefined;
  lastModified: Date | undefined;
  versionId: string | undefined;
  cacheControl: string | undefined;
  contentDisposition: string | undefined;
  /** User metadata (`x-amz-meta-*`), names in lower case. */
  metadata: Record<string, string>;
}

export interface ObjectContent extends ObjectMetadata {
  /** The body as a Node stream: read it, or `destroy()` it, to free the connection. */
  body: Readable;
  /** Reads the whole body. */
  bytes(): Promise<Uint8Array>;
  /** Reads the whole body as UTF-8 text. */
  text(): Promise<string>;
}

export interface GetObjectOptions {
  /** Only these bytes, both ends included (an HTTP `Range: bytes=start-end`). */
  range?: { start: number; end: number };
}

export interface ListOptions {
  prefix?: string;
  /** Keys asked for per request (1 to 1000, default 1000). */
  pageSize?: number;
}

export interface GetObjectsOptions extends ListOptions {
  /** Return the keys only. */
  onlyKeys?: boolean;
  /** Return the objects' details only. */
  onlyObjects?: boolean;
}

export interface ListUploadsOptions {
  prefix?: string;
  /** Only uploads begun at least this many milliseconds ago, by the store's clock. */
  olderThan?: number;
}

export interface ObjectListing {
  bucket: string;
  prefix: string;
  objects: ObjectInfo[];
}

export class S3Connection {
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  /** The limits in force, defaults filled in. */
  readonly timeouts: ResolvedTimeouts;
  readonly #credentials: CredentialSource;
  readonly #network: NonNullable<ErrorContext['network']>;
  readonly #correctClockSkew: boolean;
  /** The last offset learned, kept when the client is closed and handed to the next one. */
  #clockOffset = 0;
  readonly #logger: Logger | undefined;
  #bucket: string | undefined;
  #presigner: S3Presigner | undefined;
  #client: S3Client | undefined;
  #clientPromise: Promise<S3Client> | undefined;

  constructor(options: S3ConnectionOptions = {}) {
    if (!isPlainObject(options as unknown)) throw invalidInput('options', 'must be an object');
    const { accessKeyId, secretAccessKey, sessionToken } = options;
    this.timeouts = resolveTimeouts(options.timeouts);
    if (options.correctClockSkew !== undefined && typeof options.correctClockSkew !== 'boolean') {
      throw invalidInput('correctClockSkew', 'must be true or false');
    }
    this.#correctClockSkew = options.correctClockSkew ?? true;
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      throw invalidInput('credentials', 'give both accessKeyId and secretAccessKey, or neither (to use the default chain)');
    }
    if (accessKeyId !== undefined && (typeof accessKeyId !== 'string' || accessKeyId === '' || typeof secretAccessKey !== 'string' || secretAccessKey === '')) {
      throw invalidInput('credentials', 'accessKeyId and secretAccessKey must be non-empty strings');
    }
    if (sessionToken !== undefined && accessKeyId === undefined) {
      throw invalidInput('sessionToken', 'goes with accessKeyId and secretAccessKey');
    }
    this.region = options.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
    if (typeof this.region !== 'string' || !/^[a-z0-9-]+$/.test(this.region)) {
      throw invalidInput('region', `"${String(this.region)}" is not a region name like "eu-west-1"`);
    }
    this.endpoint = options.endpoint;
    if (this.endpoint !== undefined) parseEndpoint(this.endpoint);
    this.forcePathStyle = options.forcePathStyle ?? this.endpoint !== undefined;
    this.#network = { endpoint: endpointLabel(this.endpoint, this.region), timeouts: this.timeouts };
    this.#logger = options.logger;
    this.#credentials = new CredentialSource({
      credentials: accessKeyId !== undefined ? { accessKeyId, secretAccessKey: secretAccessKey!, sessionToken } : undefined,
      profile: options.profile,
      sts: options.sts,
      region: this.region,
      endpoint: this.endpoint,
      logger: options.logger,
      network: this.#network,
    });
    if (options.bucket !== undefined) this.#bind(options.bucket);
    if (accessKeyId !== undefined) this.#logger?.debug?.(`cloudspark: using access key ${maskAccessKey(accessKeyId)}`);
  }

  /** The bound bucket, if any. */
  get bucket(): string | undefined {
    return this.#bucket;
  }

  /**
   * A 32-byte key for `purpose`, derived with HKDF-SHA256 from the connection's secret access
   * key: servers that share the credentials derive the same key, and the secret itself never
   * leaves this object. The upload handler signs its tokens with it when given no `secret`.
   * Temporary (STS) credentials change, so they are refused with `CREDENTIALS`: give a secret
   * of your own then.
   */
  async deriveKey(purpose: string): Promise<Uint8Array> {
    if (typeof purpose !== 'string' || purpose === '') throw invalidInput('purpose', 'must be a non-empty string naming what the key is for');
    const credentials = await this.#credentials.get();
    if (credentials.sessionToken !== undefined) {
      throw new CloudSparkError('CREDENTIALS', 'deriveKey() needs long-term credentials: temporary ones change, and so would every key derived from them. Give a secret of your own instead.');
    }
    return new Uint8Array(hkdfSync('sha256', credentials.secretAccessKey, 'cloudspark.deriveKey', purpose, 32));
  }

  // ---------------------------------------------------------------- connection

  /** Binds `bucket` (when given) and resolves to the SDK's `S3Client`, created on first call. */
  async connect(bucket?: string): Promise<S3Client> {
    if (bucket !== undefined) this.#bind(bucket);
    return this.#s3();
  }

  /** The SDK's `S3Client`; throws `NOT_CONNECTED` until `connect()` (or an operation) created it. */
  getInstance(): S3Client {
    if (!this.#client) {
      throw new CloudSparkError('NOT_CONNECTED', 'No S3 client yet: call `await connection.connect()` first.');
    }
    return this.#client;
  }

  /** Releases the SDK clients' sockets. The connection can still presign afterwards. */
  close(): void {
    this.#clockOffset = this.getClockOffset();
    this.#client?.destroy();
    this.#client = undefined;
    this.#clientPromise = undefined;
  }

  /**
   * The store's clock minus this machine's, in milliseconds, as learned from the `Date` header
   * of the store's answers (any SDK call, a `RequestTimeTooSkewed` refusal included); 0 until
   * the first answer. With `correctClockSkew` (the default) presigning adds it to now.
   */
  getClockOffset(): number {
    // The SDK's signer keeps this up to date on the client's config after every answer.
    return this.#client?.config.systemClockOffset ?? this.#clockOffset;
  }

  // ---------------------------------------------------------------- buckets

  /**
   * Creates a bucket (with a `LocationConstraint` outside us-east-1) and binds it. A bucket that
   * already exists and is yours is fine (`created: false`); one owned by someone else is an
   * `ALREADY_EXISTS` error.
   */
  async createBucket(name: string): Promise<CreateBucketResult> {
    assertBucketName(name);
    const { HeadBucketCommand, CreateBucketCommand } = await loadS3();
    const action = `createBucket("${name}")`;
    const where = { bucket: name };
    // HEAD first: some stores (Ceph RGW) answer CreateBucket on a bucket you own with a plain 200.
    const exists = await this.#call(action, (c) => c.send(new HeadBucketCommand({ Bucket: name })), where).then(
      () => true,
      (e: CloudSparkError) => {
        if (e.code === 'ACCESS_DENIED') {
          throw new CloudSparkError('ALREADY_EXISTS', `${action} failed: bucket "${name}" already exists and belongs to someone else; choose another name`, { status: e.status, s3Code: e.s3Code, cause: e });
        }
        if (e.code !== 'NO_SUCH_BUCKET') throw e;
        return false;
      },
    );
    const created =
      !exists &&
      (await this.#call(action, (c) =>
        c.send(new CreateBucketCommand({
          Bucket: name,
          CreateBucketConfiguration: this.region === 'us-east-1' ? undefined : { LocationConstraint: this.region as BucketLocationConstraint },
        })), where,
      ).then(
        () => true,
        // Created by a concurrent call of ours between the HEAD and now.
        (e: CloudSparkError) => (e.s3Code === 'BucketAlreadyOwnedByYou' ? false : Promise.reject(e)),
      ));
    this.#bind(name);
    if (created) this.#logger?.info?.(`cloudspark: bucket "${name}" created`);
    return { bucket: name, created };
  }

  /** Sets the bucket's CORS rules; default: the original's open rule plus `ExposeHeaders: ['ETag']`. */
  async setBucketCors(rules?: CorsRule[]): Promise<void> {
    const CORSRules = rules === undefined ? defaultCorsRules() : validateCorsRules(rules);
    const bucket = this.#requireBucket();
    const { PutBucketCorsCommand } = await loadS3();
    await this.#call('setBucketCors()', (c) => c.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules } })));
  }

  /** The bucket's CORS rules; `[]` when it has none. */
  async getBucketCors(): Promise<CorsRule[]> {
    const bucket = this.#requireBucket();
    const { GetBucketCorsCommand } = await loadS3();
    const out = await this.#call('getBucketCors()', (c) => c.send(new GetBucketCorsCommand({ Bucket: bucket }))).catch(whenMissing('NoSuchCORSConfiguration', { CORSRules: [] }));
    return (out.CORSRules ?? []).map((r) => {
        const rule: CorsRule = { AllowedMethods: (r.AllowedMethods ?? []) as CorsRule['AllowedMethods'], AllowedOrigins: r.AllowedOrigins ?? [] };
        if (r.ID) rule.ID = r.ID;
        if (r.AllowedHeaders?.length) rule.AllowedHeaders = r.AllowedHeaders;
        if (r.ExposeHeaders?.length) rule.ExposeHeaders = r.ExposeHeaders;
        if (r.MaxAgeSeconds !== undefined) rule.MaxAgeSeconds = r.MaxAgeSeconds;
        return rule;
      });
  }

  async deleteBucketCors(): Promise<void> {
    const bucket = this.#requireBucket();
    const { DeleteBucketCorsCommand } = await loadS3();
    await this.#call('deleteBucketCors()', (c) => c.send(new DeleteBucketCorsCommand({ Bucket: bucket })));
  }

  /**
   * Sets the bucket policy (object or JSON text). Default: public read of objects
   * (`s3:GetObject` on `arn:aws:s3:::<bucket>/*`), nothing more.
   */
  async setBucketPolicy(policy?: BucketPolicy | string): Promise<void> {
    const bucket = this.#requireBucket();
    const Policy = bucketPolicyJson(policy ?? publicReadPolicy(bucket), bucket);
    const { PutBucketPolicyCommand } = await loadS3();
    try {
      await this.#call('setBucketPolicy()', (c) => c.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy })));
    } catch (error) {
      const e = error as CloudSparkError;
      if (e.code === 'ACCESS_DENIED' && (await this.getPublicAccess().catch(() => undefined))?.BlockPublicPolicy) {
        throw new CloudSparkError(
          'POLICY_BLOCKED_BY_PUBLIC_ACCESS',
          `setBucketPolicy() was refused: bucket "${bucket}" blocks public policies (BlockPublicPolicy). Call publicAccess(false) first, or set a policy that grants nothing to everyone.`,
          { status: e.status, s3Code: e.s3Code, cause: e },
        );
      }
      throw e;
    }
  }

  /** The bucket policy as an object; `null` when the bucket has none. */
  async getBucketPolicy(): Promise<BucketPolicy | null> {
    const bucket = this.#requireBucket();
    const { GetBucketPolicyCommand } = await loadS3();
    const out = await this.#call('getBucketPolicy()', (c) => c.send(new GetBucketPolicyCommand({ Bucket: bucket }))).catch(whenMissing('NoSuchBucketPolicy', { Policy: undefined }));
    return out.Policy ? (JSON.parse(out.Policy) as BucketPolicy) : null;
  }

  async deleteBucketPolicy(): Promise<void> {
    const bucket = this.#requireBucket();
    const { DeleteBucketPolicyCommand } = await loadS3();
    await this.#call('deleteBucketPolicy()', (c) => c.send(new DeleteBucketPolicyCommand({ Bucket: bucket })));
  }

  /** Blocks (default) or allows public access: all four public-access-block settings at once. */
  async publicAccess(block = true): Promise<void> {
    if (typeof block !== 'boolean') throw invalidInput('block', 'must be true or false');
    const bucket = this.#requireBucket();
    const { PutPublicAccessBlockCommand } = await loadS3();
    const PublicAccessBlockConfiguration = { BlockPublicAcls: block, IgnorePublicAcls: block, BlockPublicPolicy: block, RestrictPublicBuckets: block };
    await this.#call(`publicAccess(${block})`, (c) =>
      c.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration })),
    );
  }

  /** The bucket's public-access-block settings; all false when none are set. */
  async getPublicAccess(): Promise<PublicAccessSettings> {
    const bucket = this.#requireBucket();
    const { GetPublicAccessBlockCommand } = await loadS3();
    const out = await this.#call('getPublicAccess()', (c) => c.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).catch(whenMissing('NoSuchPublicAccessBlockConfiguration', { PublicAccessBlockConfiguration: undefined }));
    const c = out.PublicAccessBlockConfiguration ?? {};
    return {
      BlockPublicAcls: c.BlockPublicAcls ?? false,
      IgnorePublicAcls: c.IgnorePublicAcls ?? false,
      BlockPublicPolicy: c.BlockPublicPolicy ?? false,
      RestrictPublicBuckets: c.RestrictPublicBuckets ?? false,
    };
  }

  /** Names of the IAM user's inline policies, every page of them. */
  async listUserPolicies(userName: string): Promise<string[]> {
    if (typeof userName !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(userName)) {
      throw invalidInput('userName', 'must be an IAM user name: 1 to 64 letters, digits and +=,.@_-');
    }
    const { IAMClient, ListUserPoliciesCommand } = await loadIam();
    const iam = new IAMClient(this.#clientConfig());
    const names: string[] = [];
    try {
      let marker: string | undefined;
      do {
        const out = await iam.send(new ListUserPoliciesCommand({ UserName: userName, Marker: marker }));
        names.push(...(out.PolicyNames ?? []));
        marker = out.IsTruncated ? out.Marker : undefined;
      } while (marker);
    } catch (error) {
      throw fromSdkError(error, { action: `listUserPolicies("${userName}")`, network: this.#network });
    } finally {
      iam.destroy();
    }
    return names;
  }

  // ---------------------------------------------------------------- presigning

  /**
   * A presigned POST for a browser form upload of `key`: `{ url, fields }`. Every field sent is
   * covered by a policy condition, so S3 refuses any change to it.
   */
  presignedCreateUrl(key: string, options: PresignedCreateOptions = {}): Promise<PresignedPost> {
    return settle(() => {
      const presigner = this.#requirePresigner();
      const expiresIn = options.expiresIn ?? 3600;
      // Everything is checked before credentials are fetched, which may be an STS call.
      assertKey(key);
      assertExpiresIn(expiresIn);
      assertPostFields(options.fields);
      assertPostConditions(options.conditions);
      if (options.signingDate !== undefined) assertDate(options.signingDate);
      const fields = copyFields(options.fields);
      const conditions: PostCondition[] = [...(options.conditions ?? [])];
      if (options.params !== undefined) {
        assertMetadata(options.params, 'params');
        for (const [name, value] of Object.entries(options.params)) {
          fields[`x-amz-meta-${name}`] = value;
          conditions.push({ [`x-amz-meta-${name}`]: value });
        }
      }
      for (const [name, value] of Object.entries(fields)) {
        if (name.toLowerCase() !== 'key' && !isCovered(conditions, name)) conditions.push({ [name]: value });
      }
      const request = { key, fields, conditions, expiresIn, signingDate: options.signingDate, clockOffset: this.#presignClockOffset() };
      return this.#signWith(expiresIn, (c) => presigner.presignPost(c, request));
    });
  }

  /** A presigned URL to download `key`, served with the response headers asked for. */
  presignedGetUrl(key: string, options: PresignGetOptions = {}): Promise<string> {
    return settle(() => this.#presignUrl('GET', key, options, { query: responseQuery(options) }));
  }

  /**
   * A presigned URL to upload `key` with a plain HTTP PUT of the body. With `contentLength`
   * (and `contentType`) the URL only accepts a body of that size (and type).
   */
  presignedPutUrl(key: string, options: PresignPutOptions = {}): Promise<string> {
    return settle(() => this.#presignUrl('PUT', key, options, { headers: contentHeaders(options.contentType, options.contentLength) }));
  }

  /** A presigned URL to delete `key`. */
  presignedDeleteUrl(key: string, options?: PresignOptions): Promise<string> {
    return this.#presignUrl('DELETE', key, options);
  }

  /**
   * A presigned URL to PUT part `partNumber` of a multipart upload (see createMultipartUpload).
   * The page reads the part's ETag from the answer, so the bucket's CORS must expose `ETag`.
   */
  presignedUploadPartUrl(key: string, uploadId: string, partNumber: number, options: PresignPartOptions = {}): Promise<string> {
    return settle(() => {
      assertUploadId(uploadId);
      assertPartNumber(partNumber);
      // Signing the length also stops UploadPartCopy: RGW obeys an unsigned x-amz-copy-source
      // header on a part URL, and a copy request cannot carry the signed Content-Length.
      const headers = contentHeaders(undefined, options.contentLength);
      return this.#presignUrl('PUT', key, options, { query: { partNumber: String(partNumber), uploadId }, headers });
    });
  }

  #presignUrl(method: PresignMethod, key: string, options: PresignOptions = {}, signed: SignedParts = {}): Promise<string> {
    return settle(() => {
      const presigner = this.#requirePresigner();
      const { query, headers } = signed;
      const request = { method, key, expiresIn: options.expiresIn ?? 3600, signingDate: options.signingDate, clockOffset: this.#presignClockOffset(), query, headers };
      // The hot path: credentials at hand, and the core checks key, expiresIn and signingDate.
      const credentials = this.#credentials.peek(request.expiresIn);
      if (credentials !== undefined) return Promise.resolve(presigner.presignUrl(credentials, request));
      // Credentials to fetch first, maybe from STS: refuse bad input before that call.
      assertKey(key);
      assertExpiresIn(request.expiresIn);
      if (request.signingDate !== undefined) assertDate(request.signingDate);
      return this.#credentials.get(request.expiresIn).then((c) => presigner.presignUrl(c, request));
    });
  }

  /** What presigning adds to now: the learned offset, or nothing when not correcting. */
  #presignClockOffset(): number {
    return this.#correctClockSkew ? this.getClockOffset() : 0;
  }

  /**
   * Signs at once with credentials already at hand that outlive `expiresIn` (no await on the
   * hot path), or fetches fresh ones first.
   */
  #signWith<T>(expiresIn: number, sign: (credentials: Credentials) => T): Promise<T> {
    const credentials = this.#credentials.peek(expiresIn);
    return credentials !== undefined ? Promise.resolve(sign(credentials)) : this.#credentials.get(expiresIn).then(sign);
  }

  // ---------------------------------------------------------------- objects

  /**
   * Uploads a Buffer, Uint8Array, string, Blob or Readable. Small bodies go in one PUT; large or
   * unknown-length ones go multipart, with memory bounded by partSize x queueSize.
   */
  async uploadObject(body: UploadBody, key: string, options: UploadOptions = {}): Promise<UploadResult> {
    const bucket = this.#requireBucket();
    assertKey(key);
    assertUploadOptions(body, options);
    return uploadWithSdk(await this.#s3(), bucket, key, body, options, this.#network);
  }

  /** The object's metadata and its body, to stream (`body`) or read whole (`bytes()`, `text()`). */
  async getObject(key: string, options: GetObjectOptions = {}): Promise<ObjectContent> {
    const bucket = this.#requireBucket();
    assertKey(key);
    if (!isPlainObject(options as unknown)) throw invalidInput('options', 'must be an object');
    const range = options.range === undefined ? undefined : byteRange(options.range);
    const { GetObjectCommand } = await loadS3();
    const action = `getObject("${key}")`;
    const out = await this.#call(action, (c) => c.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range })), { key });
    const body = typedBody(out.Body as Readable, out.ContentLength, { action, bucket, key, network: this.#network });
    return {
      ...toMetadata(key, out),
      body,
      // A plain Uint8Array over the Buffer's memory, as the SDK's own bytes() gives: no copy.
      bytes: () => buffer(body).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
      text: () => text(body),
    };
  }

  /**
   * Downloads `key` to the file `path`: one GET for a small object, parallel ranged GETs for a
   * large one, complete or not at all (see src/s3/transfer.ts).
   */
  async downloadObject(key: string, path: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    assertKey(key);
    return downloadToFile(this.#transfer(), key, path, options);
  }

  /** Uploads the file at `path` as `key`: one PUT, or multipart in parallel parts (see src/s3/transfer.ts). */
  async uploadFile(path: string, key: string, options: UploadFileOptions = {}): Promise<UploadResult> {
    assertKey(key);
    return uploadFile(this.#transfer(), path, key, options);
  }

  /** Uploads every file under `dir` to `prefix` + its relative path (see src/s3/folders.ts). */
  async uploadDirectory(dir: string, prefix: string, options: FolderOptions = {}): Promise<FolderResult> {
    return uploadDirectory(this.#transfer(), dir, prefix, options);
  }

  /** Downloads every object under `prefix` into `dir`, refusing keys that would leave it (see src/s3/folders.ts). */
  async downloadPrefix(prefix: string, dir: string, options: FolderOptions = {}): Promise<FolderResult> {
    return downloadPrefix(this.#transfer(), (p) => this.listObjects({ prefix: p }), prefix, dir, options);
  }

  /** The object's metadata; `NO_SUCH_KEY` when it does not exist. */
  async headObject(key: string): Promise<ObjectMetadata> {
    const bucket = this.#requireBucket();
    assertKey(key);
    const { HeadObjectCommand } = await loadS3();
    return toMetadata(key, await this.#call(`headObject("${key}")`, (c) => c.send(new HeadObjectCommand({ Bucket: bucket, Key: key })), { key }));
  }

  /** Deletes the object. Deleting a key that does not exist succeeds, as in S3. */
  async deleteObject(key: string): Promise<void> {
    const bucket = this.#requireBucket();
    assertKey(key);
    const { DeleteObjectCommand } = await loadS3();
    await this.#call(`deleteObject("${key}")`, (c) => c.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })), { key });
  }

  /** Every object of the bucket (or under `prefix`), one page of up to 1000 at a time. */
  async *listObjects(options: ListOptions = {}): AsyncGenerator<ObjectInfo, void, undefined> {
    const bucket = this.#requireBucket();
    const { prefix, pageSize = 1000 } = options;
    if (prefix !== undefined && typeof prefix !== 'string') throw invalidInput('prefix', 'must be a string');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw invalidInput('pageSize', 'must be a whole number from 1 to 1000');
    const { ListObjectsV2Command } = await loadS3();
    let token: string | undefined;
    do {
      const ContinuationToken = token;
      const out = await this.#call('listObjects()', (c) =>
        c.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, MaxKeys: pageSize, ContinuationToken })),
      );
      for (const o of out.Contents ?? []) {
        yield { key: o.Key ?? '', size: o.Size ?? 0, etag: o.ETag, lastModified: o.LastModified, storageClass: o.StorageClass };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * Lists every object (all pages, unlike the original, which stopped at 1000). With
   * `onlyKeys` the keys, with `onlyObjects` the objects, else a listing with both.
   */
  getObjects(options: GetObjectsOptions & { onlyKeys: true }): Promise<string[]>;
  getObjects(options: GetObjectsOptions & { onlyObjects: true }): Promise<ObjectInfo[]>;
  getObjects(options?: GetObjectsOptions): Promise<ObjectListing>;
  async getObjects(options: GetObjectsOptions = {}): Promise<string[] | ObjectInfo[] | ObjectListing> {
    if (options.onlyKeys && options.onlyObjects) throw invalidInput('options', 'choose onlyKeys or onlyObjects, not both');
    const objects: ObjectInfo[] = [];
    for await (const o of this.listObjects(options)) objects.push(o);
    if (options.onlyKeys) return objects.map((o) => o.key);
    if (options.onlyObjects) return objects;
    return { bucket: this.#bucket!, prefix: options.prefix ?? '', objects };
  }

  // ---------------------------------------------------------------- multipart uploads

  /**
   * Starts a multipart upload whose parts are sent from elsewhere (a page, through
   * presignedUploadPartUrl), then completed or aborted here.
   */
  async createMultipartUpload(key: string, options: CreateMultipartOptions = {}): Promise<MultipartUpload> {
    const bucket = this.#requireBucket();
    assertKey(key);
    if (!isPlainObject(options as unknown)) throw invalidInput('options', 'must be an object');
    if (options.contentType !== undefined && (typeof options.contentType !== 'string' || !/^[\x21-\x7e][\x20-\x7e]*$/.test(options.contentType))) {
      throw invalidInput('contentType', 'must be a MIME type in printable ASCII, such as "image/png"');
    }
    if (options.contentDisposition !== undefined && (typeof options.contentDisposition !== 'string' || !/^[\x21-\x7e][\x20-\x7e]*$/.test(options.contentDisposition))) {
      throw invalidInput('contentDisposition', 'must be a Content-Disposition value in printable ASCII, such as "attachment"');
    }
    if (options.metadata !== undefined) assertMetadata(options.metadata, 'metadata');
    const { CreateMultipartUploadCommand } = await loadS3();
    const out = await this.#call(`createMultipartUpload("${key}")`, (c) =>
      c.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: options.contentType, ContentDisposition: options.contentDisposition, Metadata: options.metadata })), { key });
    if (!out.UploadId) throw new CloudSparkError('SERVICE_ERROR', `createMultipartUpload("${key}") failed: the service returned no upload id`);
    return { key, uploadId: out.UploadId };
  }

  /** The parts S3 holds for an upload, all pages, in part-number order. */
  async listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    const bucket = this.#requireBucket();
    assertKey(key);
    assertUploadId(uploadId);
    const { ListPartsCommand } = await loadS3();
    const parts: UploadedPart[] = [];
    let marker: string | undefined;
    do {
      const PartNumberMarker = marker;
      const out = await this.#call(`listParts("${key}")`, (c) => c.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker })), { key })
        .catch(uploadMissing);
      for (const p of out.Parts ?? []) parts.push({ partNumber: p.PartNumber ?? 0, size: p.Size ?? 0, etag: p.ETag ?? '' });
      marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
    } while (marker);
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Joins the parts into the object. Resolves with its ETag (asked with HEAD when the store sends none). */
  async completeMultipartUpload(key: string, uploadId: string, parts: CompletedPart[]): Promise<{ key: string; etag: string | undefined }> {
    const bucket = this.#requireBucket();
    assertKey(key);
    assertUploadId(uploadId);
    assertCompletedParts(parts);
    const { CompleteMultipartUploadCommand } = await loadS3();
    const MultipartUpload = { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) };
    const out = await this.#call(`completeMultipartUpload("${key}")`, (c) =>
      c.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload })), { key }).catch(uploadMissing);
    // Ceph RGW answers with an empty ETag.
    return { key, etag: out.ETag || (await this.headObject(key)).etag };
  }

  /** Discards an upload and the parts it holds. Aborting one that is already gone succeeds. */
  async abortMultipartUpload(key: string, uploadId: string): Promise<void> {
    const bucket = this.#requireBucket();
    assertKey(key);
    assertUploadId(uploadId);
    const { AbortMultipartUploadCommand } = await loadS3();
    await this.#call(`abortMultipartUpload("${key}")`, (c) => c.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })), { key })
      .catch((error: CloudSparkError) => {
        // Already gone (RGW says NoSuchKey for it): what aborting was meant to achieve.
        if (error.code !== 'NO_SUCH_UPLOAD' && error.code !== 'NO_SUCH_KEY') throw error;
      });
  }

  /**
   * Multipart uploads begun and neither completed nor aborted (all pages). With `olderThan`,
   * only those begun at least that many milliseconds ago, measured by the store's clock (the
   * learned offset applied, good to a second), since `initiated` is the store's time.
   * `olderThan: 0` is every upload.
   */
  async *listMultipartUploads(options: ListUploadsOptions = {}): AsyncGenerator<PendingUpload, void, undefined> {
    const bucket = this.#requireBucket();
    const { prefix, olderThan } = options;
    if (prefix !== undefined && typeof prefix !== 'string') throw invalidInput('prefix', 'must be a string');
    assertOlderThan(olderThan, false);
    const { ListMultipartUploadsCommand } = await loadS3();
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const [KeyMarker, UploadIdMarker] = [keyMarker, uploadIdMarker];
      const out = await this.#call('listMultipartUploads()', (c) =>
        c.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix || undefined, KeyMarker, UploadIdMarker })));
      const cutoff = Date.now() + this.getClockOffset() - (olderThan ?? 0);
      for (const u of out.Uploads ?? []) {
        // An upload whose start the store did not tell is never taken for an old one.
        if (olderThan && !(u.Initiated && u.Initiated.getTime() <= cutoff)) continue;
        yield { key: u.Key ?? '', uploadId: u.UploadId ?? '', initiated: u.Initiated };
      }
      [keyMarker, uploadIdMarker] = out.IsTruncated ? [out.NextKeyMarker, out.NextUploadIdMarker] : [undefined, undefined];
    } while (keyMarker);
  }

  /**
   * Aborts, now, the multipart uploads begun at least `olderThan` milliseconds ago (under
   * `prefix`), and resolves to them; with `dryRun`, only lists them. An upload finished or
   * aborted meanwhile by someone else is no error.
   */
  async abortStaleUploads(options: StaleUploadsOptions): Promise<PendingUpload[]> {
    if (!isPlainObject(options as unknown)) throw invalidInput('options', 'must be an object such as { olderThan: 86400000 }');
    assertOlderThan(options.olderThan, true);
    if (options.dryRun !== undefined && typeof options.dryRun !== 'boolean') throw invalidInput('dryRun', 'must be true or false');
    const stale: PendingUpload[] = [];
    // Listed first, aborted after: aborting while paging would move the markers under our feet.
    for await (const u of this.listMultipartUploads({ prefix: options.prefix, olderThan: options.olderThan })) stale.push(u);
    if (!options.dryRun) for (const u of stale) await this.abortMultipartUpload(u.key, u.uploadId);
    return stale;
  }

  /**
   * Sets a lifecycle rule that makes the store abort multipart uploads `afterDays` days after
   * they began, keeping the bucket's other lifecycle rules. The rule has a fixed ID
   * ({@link ABORT_RULE_ID}): calling again replaces it. S3 has no conditional write for
   * lifecycle rules: a change made by someone else between the read and the write is lost.
   */
  async abortIncompleteUploads(options: { afterDays: number }): Promise<AbortUploadsRule> {
    const afterDays = assertAfterDays(options);
    const bucket = this.#requireBucket();
    const { PutBucketLifecycleConfigurationCommand } = await loadS3();
    const action = 'abortIncompleteUploads()';
    const Rules = withAbortRule(await this.#lifecycleRules(bucket, action), afterDays);
    await this.#call(action, (c) =>
      c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules } })));
    return { id: ABORT_RULE_ID, prefix: '', afterDays };
  }

  /** The bucket's enabled lifecycle rules that abort incomplete multipart uploads; `[]` when none. */
  async getAbortIncompleteUploads(): Promise<AbortUploadsRule[]> {
    return abortRulesOf(await this.#lifecycleRules(this.#requireBucket(), 'getAbortIncompleteUploads()'));
  }

  /** Decodes the base64 `policy` field of a presigned POST into pretty-printed JSON. */
  policyDecode(encoded: string): string {
    return policyDecode(encoded);
  }

  // ---------------------------------------------------------------- internals

  /** The bucket's lifecycle rules, `[]` when it has none. */
  async #lifecycleRules(bucket: string, action: string) {
    const { GetBucketLifecycleConfigurationCommand } = await loadS3();
    const out = await this.#call(action, (c) => c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })))
      .catch(whenMissing('NoSuchLifecycleConfiguration', { Rules: undefined }));
    return out.Rules ?? [];
  }

  #transfer(): TransferContext {
    return { bucket: this.#requireBucket(), network: this.#network, connection: this };
  }

  #bind(bucket: string): void {
    assertBucketName(bucket);
    if (bucket !== this.#bucket) {
      this.#bucket = bucket;
      this.#presigner = undefined;
    }
  }

  #requireBucket(): string {
    if (this.#bucket === undefined) {
      throw new CloudSparkError('NOT_CONNECTED', 'No bucket bound: pass `bucket` to new S3Connection(), or call connect(bucket) or createBucket(name) first.');
    }
    return this.#bucket;
  }

  #requirePresigner(): S3Presigner {
    const bucket = this.#requireBucket();
    this.#presigner ??= new S3Presigner({ bucket, region: this.region, endpoint: this.endpoint, forcePathStyle: this.forcePathStyle });
    return this.#presigner;
  }

  #clientConfig() {
    return {
      region: this.region,
      endpoint: this.endpoint,
      forcePathStyle: this.forcePathStyle,
      credentials: this.#credentials.provider,
      logger: sdkLogger(this.#logger),
      // S3-compatible stores do not all speak the SDK's newer checksum headers and trailers.
      ...(this.endpoint !== undefined && {
        requestChecksumCalculation: 'WHEN_REQUIRED' as const,
        responseChecksumValidation: 'WHEN_REQUIRED' as const,
      }),
      requestHandler: requestHandlerOptions(this.timeouts),
      // A client made after close() starts from what the previous one learned.
      systemClockOffset: this.#clockOffset,
    };
  }

  #s3(): Promise<S3Client> {
    this.#clientPromise ??= loadS3().then(({ S3Client }) => {
      const notice = takeNodeVersionNotice();
      if (notice) this.#logger?.warn?.(notice);
      this.#client = new S3Client(this.#clientConfig());
      return this.#client;
    });
    return this.#clientPromise;
  }

  /** Runs one SDK call on the client, turning its errors into CloudSparkErrors. */
  async #call<T>(action: string, run: (client: S3Client) => Promise<T>, where: { bucket?: string; key?: string } = {}): Promise<T> {
    const client = await this.#s3();
    const { bucket = this.#bucket, key } = where;
    try {
      return await run(client);
    } catch (error) {
      throw fromSdkError(error, { action, bucket, key, network: this.#network });
    }
  }
}

/**
 * For `.catch()` on a GET of bucket configuration: the S3 code that means "none is set" gives
 * `empty`; any other error is passed on.
 */
function whenMissing<T>(s3Code: string, empty: T): (error: CloudSparkError) => T {
  return (error) => {
    if (error.s3Code === s3Code) return empty;
    throw error;
  };
}

/**
 * Ceph RGW answers a call on an upload that is gone with NoSuchKey where AWS says NoSuchUpload:
 * both mean the same for these calls.
 */
function uploadMissing(error: CloudSparkError): never {
  if (error.code !== 'NO_SUCH_KEY') throw error;
  const message = error.message.replace(/: key (".*") in bucket (".*") does not exist/, ': the multipart upload of key $1 in bucket $2 does not exist');
  throw new CloudSparkError('NO_SUCH_UPLOAD', message, { status: error.status, s3Code: error.s3Code, requestId: error.requestId, cause: error });
}

/** The `Range` header for `range`, checked. */
function byteRange(range: unknown): string {
  const { start, end } = (isPlainObject(range) ? range : {}) as { start?: unknown; end?: unknown };
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || (start as number) < 0 || (end as number) < (start as number)) {
    throw invalidInput('range', 'must be { start, end }: whole byte offsets, end >= start, both included');
  }
  return `bytes=${start as number}-${end as number}`;
}

/** What a presigned URL signs besides method, key and lifetime: operation parameters and headers. */
interface SignedParts {
  query?: Record<string, string> | undefined;
  headers?: Record<string, string> | undefined;
}

// `type/subtype`, each an RFC 6838 name, then optional `; parameters` in printable ASCII.
const MIME_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?: *;[\x20-\x7e]*[\x21-\x7e])?$/;
const PRINTABLE_ASCII = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

function assertContentType(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || !MIME_TYPE.test(value)) {
    throw invalidInput(field, 'must be a MIME type in printable ASCII, such as "image/png" or "text/plain; charset=utf-8"');
  }
}

/** A signed Content-Length: S3 takes at most 5 GiB in one PUT, and in one part alike. */
function assertContentLength(value: unknown): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > MAX_PART_SIZE) {
    throw invalidInput('contentLength', `must be a whole number of bytes from 0 to ${MAX_PART_SIZE} (5 GiB), got ${String(value)}`);
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
    if (typeof disposition !== 'string' || !PRINTABLE_ASCII.test(disposition)) {
      throw invalidInput('responseContentDisposition', `must be printable ASCII, such as 'attachment; filename="report.pdf"' (other characters go in filename*=UTF-8''...)`);
    }
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
    Array.isArray(c) ? c[0] !== 'content-length-range' && String(c[1]).toLowerCase() === `$${lower}` : Object.keys(c).some((k) => k.toLowerCase() === lower),
  );
}

interface SdkObjectOutput {
  ContentType?: string;
  ContentLength?: number;
  ETag?: string;
  LastModified?: Date;
  VersionId?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  Metadata?: Record<string, string>;
}

function toMetadata(key: string, out: SdkObjectOutput): ObjectMetadata {
  return {
    key,
    contentType: out.ContentType,
    contentLength: out.ContentLength,
    etag: out.ETag,
    lastModified: out.LastModified,
    versionId: out.VersionId,
    cacheControl: out.CacheControl,
    contentDisposition: out.ContentDisposition,
    metadata: { ...out.Metadata },
  };
}
