/**
 * The public data types of `S3Connection`: its options, what its operations take and what they
 * resolve to. Types only, so that the server and the CLI can import them without the class.
 */
import type { Readable } from 'node:stream';
import type { StsOptions } from './sdk/credentials.js';
import type { Logger } from './sdk/logger.js';
import type { Timeouts } from './sdk/network.js';
import type { PostCondition } from '../sigv4/index.js';

/** Options of `new S3Connection()`: every one may be left out. */
export interface S3ConnectionOptions {
  /** Long-term or temporary access key; leave out (with the secret) to use the SDK's default chain. */
  accessKeyId?: string | undefined;
  /** The secret of `accessKeyId`: it signs, and never leaves the process. */
  secretAccessKey?: string | undefined;
  /** With temporary credentials given directly: their session token. */
  sessionToken?: string | undefined;
  /** A profile of the shared config files (`~/.aws/credentials`, `~/.aws/config`) for the default chain. */
  profile?: string | undefined;
  /** Default: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-east-1`. */
  region?: string | undefined;
  /** An S3-compatible endpoint such as `http://127.0.0.1:7480` (Ceph RGW, MinIO, R2 ...). */
  endpoint?: string | undefined;
  /** Bucket in the path rather than the host name. Default: true with `endpoint`, else false. */
  forcePathStyle?: boolean | undefined;
  /** Binds a bucket at once, with no I/O and without loading the SDK (enough for presigning). */
  bucket?: string | undefined;
  /** Sign with temporary STS session credentials made from the given (or default) ones. */
  sts?: StsOptions | undefined;
  /** Receives what the library would otherwise keep quiet about. Nothing is printed without it. */
  logger?: Logger | undefined;
  /**
   * How long to wait for the store, in milliseconds: `connect` for a connection to be made
   * (default 10000), `idle` for the next byte of a request or answer (default 60000). A call
   * that hits either fails, after the SDK's retries, with `TIMEOUT`. Transfers that keep
   * moving are never cut, however long they take.
   */
  timeouts?: Timeouts | undefined;
  /**
   * Attempts per request, 1 to 10, for the SDK's calls and the transfers' own requests alike.
   * Default: `AWS_MAX_ATTEMPTS`, else the profile's `max_attempts` in the shared config file,
   * else 3. Retried: 5xx, throttling, `RequestTimeout`, a body the store refused as corrupted,
   * and connections that fail before an answer, with the SDK's jittered back-off.
   */
  maxAttempts?: number | undefined;
  /**
   * Presign with the store's clock, as learned from the `Date` header of its answers to SDK
   * calls (the SDK corrects its own requests the same way). Default true: a machine whose clock
   * is off still hands out links that work, once one SDK call has been made.
   */
  correctClockSkew?: boolean | undefined;
}

/** A bucket of the account, as `listBuckets` gives it. */
export interface BucketInfo {
  /** Its name. */
  name: string;
  /** When it was created, as the store says. */
  creationDate: Date | undefined;
}

/** Options of `copyObject`. */
export interface CopyObjectOptions {
  /** The bucket the source is in (the credentials must read it). Default: the bound bucket. */
  sourceBucket?: string | undefined;
}

/** What `copyObject` resolves to: the copy. */
export interface CopyObjectResult {
  key: string;
  etag: string | undefined;
  versionId: string | undefined;
}

/** What `deleteObjects` resolves to: the keys deleted, and those the store refused. */
export interface DeleteObjectsResult {
  /** Deleted, or not there to begin with (as S3 counts them). */
  deleted: string[];
  /** Refused, each with S3's code and message. */
  failed: Array<{ key: string; s3Code: string; message: string }>;
}

/** What `createBucket` resolves to. */
export interface CreateBucketResult {
  /** The bucket's name, now bound to the connection. */
  bucket: string;
  /** False when the bucket already existed and is yours. */
  created: boolean;
}

/** A bucket's public-access-block settings, in S3's own field names. */
export interface PublicAccessSettings {
  /** S3 refuses requests that would set a public ACL. */
  BlockPublicAcls: boolean;
  /** S3 ignores public ACLs on the bucket and its objects. */
  IgnorePublicAcls: boolean;
  /** S3 refuses a bucket policy that grants public access. */
  BlockPublicPolicy: boolean;
  /** Only the owner's account and AWS services may use a bucket whose policy is public. */
  RestrictPublicBuckets: boolean;
}

/** Options every presigned URL and POST takes. */
export interface PresignOptions {
  /** Seconds the URL stays valid: 1 to 604800 (7 days). Default 3600. */
  expiresIn?: number | undefined;
  /** The signing clock; defaults to now. */
  signingDate?: Date | undefined;
}

/** Options of presignedGetUrl: how S3 is to serve the download (signed into the URL). */
export interface PresignGetOptions extends PresignOptions {
  /** Served as the `Content-Disposition` header, e.g. `attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf` (printable ASCII). */
  responseContentDisposition?: string | undefined;
  /** Served as the `Content-Type` header, e.g. `text/plain; charset=utf-8`. */
  responseContentType?: string | undefined;
}

/** Options of presignedPutUrl: headers signed into the URL, which S3 then refuses to do without. */
export interface PresignPutOptions extends PresignOptions {
  /** The client must send exactly this `Content-Type` header; the object is stored with it. */
  contentType?: string | undefined;
  /** The client must send exactly this `Content-Length` header: a body of exactly this many bytes (0 to 5 GiB). */
  contentLength?: number | undefined;
}

/** Options of presignedUploadPartUrl: headers signed into the URL, which S3 then refuses to do without. */
export interface PresignPartOptions extends PresignOptions {
  /** The client must send exactly this `Content-Length` header: a part of exactly this many bytes (0 to 5 GiB). */
  contentLength?: number | undefined;
}

/** Options of presignedCreateUrl: what the browser's form must send, and what S3 stores with the file. */
export interface PresignedCreateOptions extends PresignOptions {
  /** Stored as object metadata: each becomes an `x-amz-meta-<name>` field with its condition. */
  params?: Record<string, string> | undefined;
  /** Extra form fields (`Content-Type`, `acl`, ...); each is covered by a condition. */
  fields?: Record<string, string> | undefined;
  /** Extra policy conditions, e.g. `['content-length-range', 1, 10_485_760]`. */
  conditions?: PostCondition[] | undefined;
}

/** One object of a listing. */
export interface ObjectInfo {
  /** The object's key. */
  key: string;
  /** Its size in bytes. */
  size: number;
  /** As S3 sends it, with its double quotes. */
  etag: string | undefined;
  /** When it was last written. */
  lastModified: Date | undefined;
  /** Its storage class, such as `STANDARD`. */
  storageClass: string | undefined;
}

/**
 * One entry of `listFolder`: a folder (the keys that share a prefix up to their next `/`, as S3's
 * common prefixes), or an object directly in the folder listed.
 */
export type FolderEntry =
  { kind: 'folder'; /** The folder's prefix, ending with `/`. */ prefix: string } | ({ kind: 'object' } & ObjectInfo);

/** What `headObject` resolves to: an object's metadata, as S3 answers it. */
export interface ObjectMetadata {
  /** The object's key. */
  key: string;
  /** Its `Content-Type`. */
  contentType: string | undefined;
  /** Its size in bytes (for a ranged `getObject`, the range's). */
  contentLength: number | undefined;
  /** As S3 sends it, with its double quotes. */
  etag: string | undefined;
  /** When it was last written. */
  lastModified: Date | undefined;
  /** Its version, in a bucket with versioning on. */
  versionId: string | undefined;
  /** Its `Cache-Control`. */
  cacheControl: string | undefined;
  /** Its `Content-Disposition`. */
  contentDisposition: string | undefined;
  /** User metadata (`x-amz-meta-*`), names in lower case. */
  metadata: Record<string, string>;
}

/** Options of `setObjectHeaders`: the headers to store (those left out keep their value). */
export interface SetObjectHeadersOptions {
  /** The new `Content-Type`. */
  contentType?: string | undefined;
  /** The new `Content-Disposition`, such as `attachment`. */
  contentDisposition?: string | undefined;
  /** The new `Cache-Control`. */
  cacheControl?: string | undefined;
  /** Only if the object still has this ETag (its quotes included): else `OBJECT_CHANGED`, and nothing is changed. */
  ifMatch?: string | undefined;
}

/** What `getObject` resolves to: the object's metadata and its body. */
export interface ObjectContent extends ObjectMetadata {
  /** The body as a Node stream: read it, or `destroy()` it, to free the connection. */
  body: Readable;
  /** Reads the whole body. */
  bytes(): Promise<Uint8Array>;
  /** Reads the whole body as UTF-8 text. */
  text(): Promise<string>;
}

/** Bytes `start` to `end` of an object, both included (an HTTP `Range: bytes=start-end`). */
export interface ByteRange {
  /** The first byte, from 0. */
  start: number;
  /** The last byte, at least `start`. */
  end: number;
}

/** Options of `getObject`. */
export interface GetObjectOptions {
  /** Only these bytes, both ends included. */
  range?: ByteRange | undefined;
}

/** Options of `listObjects`. */
export interface ListOptions {
  /** Only keys that start with it. */
  prefix?: string | undefined;
  /** Keys asked for per request (1 to 1000, default 1000). */
  pageSize?: number | undefined;
}

/** Options of `getObjects`. */
export interface GetObjectsOptions extends ListOptions {
  /** Return the keys only. */
  onlyKeys?: boolean | undefined;
  /** Return the objects' details only. */
  onlyObjects?: boolean | undefined;
}

/** `getObjects` options that ask for the keys only: it resolves to `string[]`. */
export interface GetKeysOptions extends GetObjectsOptions {
  /** Return the keys only. */
  onlyKeys: true;
  /** Not with `onlyKeys`. */
  onlyObjects?: false | undefined;
}

/** `getObjects` options that ask for the objects' details only: it resolves to `ObjectInfo[]`. */
export interface GetObjectInfosOptions extends GetObjectsOptions {
  /** Return the objects' details only. */
  onlyObjects: true;
  /** Not with `onlyObjects`. */
  onlyKeys?: false | undefined;
}

/** `getObjects` options that ask for neither keys only nor objects only: it resolves to an `ObjectListing`. */
export interface GetListingOptions extends GetObjectsOptions {
  /** Not the keys only. */
  onlyKeys?: false | undefined;
  /** Not the objects only. */
  onlyObjects?: false | undefined;
}

/** What `getObjects` resolves to when the options do not tell which: keys, objects, or a listing. */
export type GetObjectsResult = string[] | ObjectInfo[] | ObjectListing;

/** What `getObjects` resolves to without `onlyKeys` or `onlyObjects`. */
export interface ObjectListing {
  /** The bucket listed. */
  bucket: string;
  /** The prefix listed under; `''` for the whole bucket. */
  prefix: string;
  /** Every object, all pages. */
  objects: ObjectInfo[];
}

/** Options of `listMultipartUploads`. */
export interface ListUploadsOptions {
  /** Only uploads of keys that start with it. */
  prefix?: string | undefined;
  /** Only uploads begun at least this many milliseconds ago, by the store's clock. */
  olderThan?: number | undefined;
}

/** A multipart upload S3 has begun: what every later call about it names. */
export interface MultipartUpload {
  /** The object key the upload will store. */
  key: string;
  /** S3's id of the upload. */
  uploadId: string;
}

/** Options of `S3Connection.createMultipartUpload`: what the finished object is stored with. */
export interface CreateMultipartOptions extends StoredHeadersOptions {
  /** Cancels the call (it rejects with `ABORTED`), its retries included. */
  signal?: AbortSignal | undefined;
}

/** Options of `completeMultipartUpload`. */
export interface CompleteMultipartOptions {
  /** Cancels the call (it rejects with `ABORTED`), its retries included; the upload stays open. */
  signal?: AbortSignal | undefined;
}

/** A part S3 already holds. */
export interface UploadedPart {
  /** 1 to 10000. */
  partNumber: number;
  /** Bytes S3 holds for the part. */
  size: number;
  /** As S3 sends it, with its double quotes. */
  etag: string;
}

/** A part named in CompleteMultipartUpload. */
export interface CompletedPart {
  /** 1 to 10000, ascending across the list, without repeats. */
  partNumber: number;
  /** The ETag S3 answered the part's upload with (double quotes may stay). */
  etag: string;
}

/** What `completeMultipartUpload` resolves to: the object the parts made. */
export interface CompleteMultipartResult {
  /** The object's key. */
  key: string;
  /** The object's ETag, with its double quotes (asked with HEAD when the store sends none). */
  etag: string | undefined;
}

/** A multipart upload begun and neither completed nor aborted. */
export interface PendingUpload extends MultipartUpload {
  /** When it was begun, if the store says. */
  initiated: Date | undefined;
}

/** A lifecycle rule in force that aborts incomplete multipart uploads. */
export interface AbortUploadsRule {
  /** The rule's ID, if it has one (cloudspark's own is `ABORT_RULE_ID`). */
  id: string | undefined;
  /** The keys it applies to; `''` for the whole bucket. */
  prefix: string;
  /** Uploads are aborted this many days after they began. */
  afterDays: number;
}

/** Options of `abortIncompleteUploads`. */
export interface AbortIncompleteUploadsOptions {
  /** Uploads are aborted this many days after they began: 1 to 36500. */
  afterDays: number;
}

/** Options of `abortStaleUploads`. */
export interface StaleUploadsOptions {
  /** Age in milliseconds: uploads begun at least this long ago, by the store's clock. 0: every upload. */
  olderThan: number;
  /** Only keys that start with it. */
  prefix?: string | undefined;
  /** List what would be aborted, abort nothing. */
  dryRun?: boolean | undefined;
}

/** What `S3Connection.uploadObject` can store; a string is stored as UTF-8. */
export type UploadBody = Buffer | Uint8Array | string | Blob | Readable;

/** What `onProgress` receives while `uploadObject` runs. */
export interface UploadProgress {
  /** Bytes sent so far. */
  loaded: number;
  /** Absent while the size of a stream is not known yet. */
  total?: number | undefined;
}

/** What an upload stores with the object: its headers and user metadata. */
export interface StoredHeadersOptions {
  /** Stored as the object's Content-Type. Default for uploads: guessed from the key's extension, else `application/octet-stream`. */
  contentType?: string | undefined;
  /** User metadata, stored as `x-amz-meta-*` headers. */
  metadata?: Record<string, string> | undefined;
  /** Stored as the object's Cache-Control, e.g. `public, max-age=31536000, immutable`. */
  cacheControl?: string | undefined;
  /** Stored as the object's Content-Disposition, e.g. `attachment` so browsers download it. */
  contentDisposition?: string | undefined;
}

/** Options of `S3Connection.uploadObject`. */
export interface UploadOptions extends StoredHeadersOptions {
  /** Multipart part size in bytes, 5 MiB (the S3 minimum, and the default) to 5 GiB. */
  partSize?: number | undefined;
  /** Parts uploaded at once (default 4); memory used is about partSize x queueSize. */
  queueSize?: number | undefined;
  /** Called as bytes are sent. */
  onProgress?: ((progress: UploadProgress) => void) | undefined;
  /** Cancels the upload (it rejects with `ABORTED`); a multipart upload begun is aborted, so nothing is stored. */
  signal?: AbortSignal | undefined;
}

/** What `S3Connection.uploadObject` resolves to once the object is stored. */
export interface UploadResult {
  /** The object's key. */
  key: string;
  /** The stored object's ETag, with its double quotes. */
  etag: string | undefined;
  /** The version S3 gave the object, in a bucket with versioning on. */
  versionId: string | undefined;
}
