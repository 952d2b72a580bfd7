/**
 * S3Connection: every operation of the Python `cloudspark`, in TypeScript idiom. A thin facade:
 * each method is one call into the module of its concern (ops/: buckets, objects, multipart,
 * presign, iam, keys; transfer/ for files and folders), which checks its arguments first, then reaches the store through the
 * connection's Session (session.ts). Presigning never loads the AWS SDK.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { CloudSparkError } from '../errors.js';
import type { PresignedPost } from '../sigv4/index.js';
import type { CorsRule } from './rules/cors.js';
import { policyDecode, type BucketPolicy } from './rules/policy.js';
import type { ResolvedTimeouts } from './sdk/network.js';
import { Session } from './session.js';
import * as buckets from './ops/buckets.js';
import * as objects from './ops/objects.js';
import * as multipart from './ops/multipart.js';
import * as presign from './ops/presign.js';
import * as iam from './ops/iam.js';
import * as keys from './ops/keys.js';
import { transferContext } from './transfer/context.js';
import { downloadToFile } from './transfer/download-file.js';
import type { DownloadOptions, DownloadResult } from './transfer/options.js';
import { uploadFile, type UploadFileOptions } from './transfer/upload-file.js';
import { downloadPrefix, uploadDirectory, type FolderOptions, type FolderResult } from './transfer/folders.js';
import { assertKey } from '../validate.js';
import type {
  AbortIncompleteUploadsOptions,
  AbortUploadsRule,
  CompleteMultipartResult,
  CompletedPart,
  CompleteMultipartOptions,
  BucketInfo,
  CreateBucketResult,
  CreateMultipartOptions,
  GetKeysOptions,
  GetListingOptions,
  GetObjectInfosOptions,
  GetObjectOptions,
  SetObjectHeadersOptions,
  GetObjectsOptions,
  GetObjectsResult,
  ListOptions,
  FolderEntry,
  ListUploadsOptions,
  MultipartUpload,
  ObjectContent,
  ObjectInfo,
  ObjectListing,
  ObjectMetadata,
  DeleteObjectsResult,
  CopyObjectOptions,
  CopyObjectResult,
  PendingUpload,
  PresignGetOptions,
  PresignOptions,
  PresignPartOptions,
  PresignPutOptions,
  PresignedCreateOptions,
  PublicAccessSettings,
  S3ConnectionOptions,
  StaleUploadsOptions,
  UploadBody,
  UploadOptions,
  UploadResult,
  UploadedPart,
} from './types.js';

/**
 * A connection to one S3 (or S3-compatible) store, with a bound bucket for bucket operations.
 * Arguments are checked before any network call (`INVALID_INPUT`); every failure is a
 * `CloudSparkError`.
 */
export class S3Connection {
  /** The region requests are signed for. */
  readonly region: string;
  /** The S3-compatible endpoint, if one was given. */
  readonly endpoint: string | undefined;
  /** Whether the bucket goes in the path rather than the host name. */
  readonly forcePathStyle: boolean;
  /** The limits in force, defaults filled in. */
  readonly timeouts: ResolvedTimeouts;
  readonly #s: Session;

  /** Checks every option at once; makes no network call and loads no SDK code. */
  constructor(options: S3ConnectionOptions = {}) {
    this.#s = new Session(options);
    ({
      region: this.region,
      endpoint: this.endpoint,
      forcePathStyle: this.forcePathStyle,
      timeouts: this.timeouts,
    } = this.#s);
  }

  /** The bound bucket, if any. */
  get bucket(): string | undefined {
    return this.#s.bucket;
  }

  /**
   * A 32-byte key for `purpose`, derived (HKDF-SHA256) from the secret access key, which never
   * leaves the connection. Refused (`CREDENTIALS`) for temporary credentials.
   */
  deriveKey(purpose: string): Promise<Uint8Array> {
    return keys.deriveKey(this.#s, purpose);
  }

  /** Binds `bucket` (when given) and resolves to the SDK's `S3Client`, created on first call. */
  async connect(bucket?: string): Promise<S3Client> {
    if (bucket !== undefined) this.#s.bind(bucket);
    return this.#s.client();
  }

  /** The SDK's `S3Client`; throws `NOT_CONNECTED` until `connect()` (or an operation) created it. */
  getInstance(): S3Client {
    const client = this.#s.instance;
    if (!client)
      throw new CloudSparkError('NOT_CONNECTED', 'No S3 client yet: call `await connection.connect()` first.');
    return client;
  }

  /** Releases the SDK clients' sockets. The connection can still presign afterwards. */
  close(): void {
    this.#s.close();
  }

  /** The store's clock minus this machine's, in milliseconds, learned from its answers; 0 until the first. */
  getClockOffset(): number {
    return this.#s.clockOffset();
  }

  /** Creates the bucket and binds it; `created: false` when it is yours already, `ALREADY_EXISTS` when someone else's. */
  createBucket(name: string): Promise<CreateBucketResult> {
    return buckets.createBucket(this.#s, name);
  }

  /** Deletes the bound bucket, which must hold no objects and no unfinished uploads (`BUCKET_NOT_EMPTY`). */
  deleteBucket(): Promise<void> {
    return buckets.deleteBucket(this.#s);
  }

  /** Every bucket of the account the credentials belong to, by name (needs no bound bucket). */
  listBuckets(): Promise<BucketInfo[]> {
    return buckets.listBuckets(this.#s);
  }

  /** Sets the bucket's CORS rules; default: any origin, the five methods, `ExposeHeaders: ['ETag']`. */
  setBucketCors(rules?: CorsRule[]): Promise<void> {
    return buckets.setBucketCors(this.#s, rules);
  }

  /** The bucket's CORS rules; `[]` when it has none. */
  getBucketCors(): Promise<CorsRule[]> {
    return buckets.getBucketCors(this.#s);
  }

  /** Removes the bucket's CORS rules. */
  deleteBucketCors(): Promise<void> {
    return buckets.deleteBucketCors(this.#s);
  }

  /** Sets the bucket policy (object or JSON text); default: public read of objects, nothing more. */
  setBucketPolicy(policy?: BucketPolicy | string): Promise<void> {
    return buckets.setBucketPolicy(this.#s, policy);
  }

  /** The bucket policy as an object; `null` when the bucket has none. */
  getBucketPolicy(): Promise<BucketPolicy | null> {
    return buckets.getBucketPolicy(this.#s);
  }

  /** Removes the bucket policy. */
  deleteBucketPolicy(): Promise<void> {
    return buckets.deleteBucketPolicy(this.#s);
  }

  /** Blocks (default) or allows public access: all four public-access-block settings at once. */
  publicAccess(block?: boolean): Promise<void> {
    return buckets.publicAccess(this.#s, block);
  }

  /** The bucket's public-access-block settings; all false when none are set. */
  getPublicAccess(): Promise<PublicAccessSettings> {
    return buckets.getPublicAccess(this.#s);
  }

  /** Names of the IAM user's inline policies, every page of them. */
  listUserPolicies(userName: string): Promise<string[]> {
    return iam.listUserPolicies(this.#s, userName);
  }

  /** A presigned POST for a browser form upload of `key`; every field sent is covered by a policy condition. */
  presignedCreateUrl(key: string, options?: PresignedCreateOptions): Promise<PresignedPost> {
    return presign.presignedCreateUrl(this.#s, key, options);
  }

  /** A presigned URL to download `key`, served with the response headers asked for. */
  presignedGetUrl(key: string, options?: PresignGetOptions): Promise<string> {
    return presign.presignedGetUrl(this.#s, key, options);
  }

  /** A presigned URL to upload `key` with a plain PUT; `contentType` and `contentLength` are signed. */
  presignedPutUrl(key: string, options?: PresignPutOptions): Promise<string> {
    return presign.presignedPutUrl(this.#s, key, options);
  }

  /** A presigned URL to delete `key`. */
  presignedDeleteUrl(key: string, options?: PresignOptions): Promise<string> {
    return presign.presignedDeleteUrl(this.#s, key, options);
  }

  /** A presigned URL to PUT part `partNumber` of a multipart upload; give `contentLength`. */
  presignedUploadPartUrl(
    key: string,
    uploadId: string,
    partNumber: number,
    options?: PresignPartOptions,
  ): Promise<string> {
    return presign.presignedUploadPartUrl(this.#s, key, uploadId, partNumber, options);
  }

  /** Uploads a Buffer, Uint8Array, string, Blob or Readable: one PUT, or multipart with bounded memory. */
  uploadObject(body: UploadBody, key: string, options?: UploadOptions): Promise<UploadResult> {
    return objects.uploadObject(this.#s, body, key, options);
  }

  /** The object's metadata and its body, to stream (`body`) or read whole (`bytes()`, `text()`). */
  getObject(key: string, options?: GetObjectOptions): Promise<ObjectContent> {
    return objects.getObject(this.#s, key, options);
  }

  /** Downloads `key` to the file `path`: one GET for a small object, parallel ranged GETs for a large one; complete or not at all. */
  async downloadObject(key: string, path: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    assertKey(key);
    return downloadToFile(this.#transfer(), key, path, options);
  }

  /** Uploads the file at `path` as `key`: one PUT, or multipart in parallel parts. */
  async uploadFile(path: string, key: string, options: UploadFileOptions = {}): Promise<UploadResult> {
    assertKey(key);
    return uploadFile(this.#transfer(), path, key, options);
  }

  /** Uploads every file under `dir` to `prefix` + its relative path (`/` separators). */
  async uploadDirectory(dir: string, prefix: string, options: FolderOptions = {}): Promise<FolderResult> {
    return uploadDirectory(this.#transfer(), dir, prefix, options);
  }

  /** Downloads every object under `prefix` into `dir` while it lists them; keys that would leave it (`UNSAFE_KEY`) or vanished are reported in `failed`. */
  async downloadPrefix(prefix: string, dir: string, options: FolderOptions = {}): Promise<FolderResult> {
    return downloadPrefix(this.#transfer(), (p) => this.listObjects({ prefix: p }), prefix, dir, options);
  }

  /** The object's metadata; `NO_SUCH_KEY` when it does not exist. */
  headObject(key: string): Promise<ObjectMetadata> {
    return objects.headObject(this.#s, key);
  }

  /** Deletes the object. Deleting a key that does not exist succeeds, as in S3. */
  deleteObject(key: string): Promise<void> {
    return objects.deleteObject(this.#s, key);
  }

  /** Copies `source` (in `options.sourceBucket`, default the bound bucket) to `key` of the bound bucket, inside the store (up to 5 GiB), headers and metadata kept. */
  copyObject(source: string, key: string, options?: CopyObjectOptions): Promise<CopyObjectResult> {
    return objects.copyObject(this.#s, source, key, options);
  }

  /** Deletes many objects, 1000 per request: `{ deleted, failed }`; a missing key counts as deleted, as in S3. */
  deleteObjects(keys: readonly string[]): Promise<DeleteObjectsResult> {
    return objects.deleteObjects(this.#s, keys);
  }

  /** Rewrites the object's `Content-Type`, `Content-Disposition` or `Cache-Control` in place, keeping its bytes and metadata; resolves to what it now has. */
  setObjectHeaders(key: string, options?: SetObjectHeadersOptions): Promise<ObjectMetadata> {
    return objects.setObjectHeaders(this.#s, key, options);
  }

  /** Every object of the bucket (or under `prefix`), one page at a time. */
  listObjects(options?: ListOptions): AsyncGenerator<ObjectInfo, void, undefined> {
    return objects.listObjects(this.#s, options);
  }

  /** One level under `prefix`, as `aws s3 ls` shows it: its folders (common prefixes up to the next `/`) and the objects directly in it, in key order. */
  listFolder(options?: ListOptions): AsyncGenerator<FolderEntry, void, undefined> {
    return objects.listFolder(this.#s, options);
  }

  /** Every object, all pages: the keys with `onlyKeys`. */
  getObjects(options: GetKeysOptions): Promise<string[]>;
  /** Every object, all pages: the objects' details with `onlyObjects`. */
  getObjects(options: GetObjectInfosOptions): Promise<ObjectInfo[]>;
  /** Every object, all pages: a listing with the bucket, the prefix and the objects. */
  getObjects(options?: GetListingOptions): Promise<ObjectListing>;
  /**
   * Every object, all pages: keys, objects or a listing, as the flags (known only at run time)
   * say. Both flags `true` as written does not compile (and is `INVALID_INPUT` at run time).
   */
  getObjects<const O extends GetObjectsOptions>(
    options?: O & (O extends { onlyKeys: true; onlyObjects: true } ? never : unknown),
  ): Promise<GetObjectsResult>;
  getObjects(options?: GetObjectsOptions): Promise<GetObjectsResult> {
    return objects.getObjects(this.#s, options);
  }

  /** Starts a multipart upload whose parts are sent from elsewhere (a page, through presignedUploadPartUrl). */
  createMultipartUpload(key: string, options?: CreateMultipartOptions): Promise<MultipartUpload> {
    return multipart.createMultipartUpload(this.#s, key, options);
  }

  /** The parts S3 holds for an upload, all pages, in part-number order. */
  listParts(key: string, uploadId: string): Promise<UploadedPart[]> {
    return multipart.listParts(this.#s, key, uploadId);
  }

  /** Joins the parts into the object; resolves with its key and ETag. */
  completeMultipartUpload(
    key: string,
    uploadId: string,
    parts: CompletedPart[],
    options?: CompleteMultipartOptions,
  ): Promise<CompleteMultipartResult> {
    return multipart.completeMultipartUpload(this.#s, key, uploadId, parts, options);
  }

  /** Discards an upload and the parts it holds: `true`; one already gone (completed or aborted) succeeds too, `false`. */
  abortMultipartUpload(key: string, uploadId: string): Promise<boolean> {
    return multipart.abortMultipartUpload(this.#s, key, uploadId);
  }

  /** Multipart uploads begun and not finished (all pages); `olderThan` keeps those begun that many milliseconds ago, by the store's clock. */
  listMultipartUploads(options?: ListUploadsOptions): AsyncGenerator<PendingUpload, void, undefined> {
    return multipart.listMultipartUploads(this.#s, options);
  }

  /** Aborts now the uploads begun at least `olderThan` milliseconds ago, and resolves to them; `dryRun` only lists them. */
  abortStaleUploads(options: StaleUploadsOptions): Promise<PendingUpload[]> {
    return buckets.abortStaleUploads(this.#s, options);
  }

  /** Sets a lifecycle rule (`ABORT_RULE_ID`) that makes the store abort uploads `afterDays` days after they began. */
  abortIncompleteUploads(options: AbortIncompleteUploadsOptions): Promise<AbortUploadsRule> {
    return buckets.abortIncompleteUploads(this.#s, options);
  }

  /** The bucket's enabled lifecycle rules that abort incomplete multipart uploads; `[]` when none. */
  getAbortIncompleteUploads(): Promise<AbortUploadsRule[]> {
    return buckets.getAbortIncompleteUploads(this.#s);
  }

  /** Decodes the base64 `policy` field of a presigned POST into pretty-printed JSON. */
  policyDecode(encoded: string): string {
    return policyDecode(encoded);
  }

  /** The byte path's context (transfer/): the Session, on which it signs its own requests. */
  #transfer() {
    return transferContext(this.#s);
  }
}
