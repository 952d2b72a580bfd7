/** Objects of the bound bucket: upload, download, metadata, delete, and listings of every page. */
import type { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { CloudSparkError, invalidInput } from '../../errors.js';
import {
  assertBucketName,
  assertContentType,
  assertFlag,
  assertHeaderValue,
  assertKey,
  assertOptionalString,
  isPlainObject,
  knownOptionsOf,
} from '../../validate.js';
import { typedBody } from './object-stream.js';
import { etagCheck } from '../integrity.js';
import { assertUploadOptions, uploadWithSdk } from './upload-object.js';
import { DELETE_BATCH } from '../limits.js';
import type { Session } from '../session.js';
import type {
  CopyObjectOptions,
  CopyObjectResult,
  DeleteObjectsResult,
  GetObjectOptions,
  GetObjectsOptions,
  GetObjectsResult,
  FolderEntry,
  ListOptions,
  ObjectContent,
  ObjectInfo,
  ObjectMetadata,
  SetObjectHeadersOptions,
  UploadBody,
  UploadOptions,
  UploadResult,
} from '../types.js';

/**
 * Uploads a Buffer, Uint8Array, string, Blob or Readable. Small bodies go in one PUT; large or
 * unknown-length ones go multipart, with memory bounded by partSize x queueSize.
 */
export async function uploadObject(
  s: Session,
  body: UploadBody,
  key: string,
  options?: UploadOptions,
): Promise<UploadResult> {
  const bucket = s.requireBucket();
  assertKey(key);
  return uploadWithSdk(s, bucket, key, body, assertUploadOptions(body, options));
}

/** The object's metadata and its body, to stream (`body`) or read whole (`bytes()`, `text()`). */
export async function getObject(s: Session, key: string, options?: GetObjectOptions): Promise<ObjectContent> {
  const bucket = s.requireBucket();
  assertKey(key);
  const { range } = knownOptionsOf(options, ['range']);
  const Range = range === undefined ? undefined : byteRange(range);
  const op = { action: `getObject("${key}")`, key };
  const out = await s.send(op, 'GetObjectCommand', { Bucket: bucket, Key: key, Range });
  // A range is no whole object: only a whole body can be checked against the ETag.
  const encrypted =
    String(out.ServerSideEncryption ?? '').startsWith('aws:kms') || out.SSECustomerAlgorithm !== undefined;
  const check =
    Range === undefined && out.ContentLength !== undefined
      ? etagCheck(out.ETag, out.ContentLength, out.Metadata ?? {}, encrypted)
      : undefined;
  const body = typedBody(out.Body as Readable, out.ContentLength, { ...op, bucket, network: s.network }, check);
  return {
    ...toMetadata(key, out),
    body,
    // A plain Uint8Array over the Buffer's memory, as the SDK's own bytes() gives: no copy.
    bytes: () => buffer(body).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
    text: () => text(body),
  };
}

/** The object's metadata; `NO_SUCH_KEY` when it does not exist, `NO_SUCH_BUCKET` when its bucket does not. */
export async function headObject(s: Session, key: string): Promise<ObjectMetadata> {
  const Bucket = s.requireBucket();
  assertKey(key);
  const action = `headObject("${key}")`;
  try {
    return toMetadata(key, await s.send({ action, key }, 'HeadObjectCommand', { Bucket, Key: key }));
  } catch (error) {
    // A HEAD's 404 has no body to tell a missing key from a missing bucket: ask about the bucket.
    // The bucket's HEAD fails NO_SUCH_BUCKET when it is the bucket that is missing.
    if (error instanceof CloudSparkError && error.code === 'NO_SUCH_KEY') {
      await s.send({ action, bucket: Bucket }, 'HeadBucketCommand', { Bucket }).catch((why: unknown) => {
        if (why instanceof CloudSparkError && why.code === 'NO_SUCH_BUCKET') throw why;
      });
    }
    throw error;
  }
}

/**
 * Rewrites the object's stored headers in place (a copy onto itself, `MetadataDirective:
 * REPLACE`), keeping its bytes, its user metadata and the headers not given. The copy is made
 * only from the version that has the ETag read first (or `ifMatch`): one replaced meanwhile is
 * left alone, and the call fails `OBJECT_CHANGED`.
 */
export async function setObjectHeaders(
  s: Session,
  key: string,
  options?: SetObjectHeadersOptions,
): Promise<ObjectMetadata> {
  const Bucket = s.requireBucket();
  assertKey(key);
  const { contentType, contentDisposition, cacheControl, ifMatch } = knownOptionsOf(options, [
    'contentType',
    'contentDisposition',
    'cacheControl',
    'ifMatch',
  ]);
  assertContentType(contentType, 'contentType');
  assertHeaderValue(contentDisposition, 'contentDisposition', '"attachment"');
  assertHeaderValue(cacheControl, 'cacheControl', '"no-cache"');
  assertOptionalString(ifMatch, 'ifMatch');
  const head = await headObject(s, key);
  const etag = ifMatch ?? head.etag;
  const action = `setObjectHeaders("${key}")`;
  // Checked here too: Ceph RGW 16 ignores x-amz-copy-source-if-match on a copy (AWS honours it,
  // which also closes the window between this HEAD and the copy).
  if (ifMatch !== undefined && head.etag !== ifMatch) {
    throw new CloudSparkError(
      'OBJECT_CHANGED',
      `${action} failed: the object no longer has the ETag ${ifMatch}; nothing was changed`,
    );
  }
  const headers = {
    contentType: contentType ?? head.contentType,
    contentDisposition: contentDisposition ?? head.contentDisposition,
    cacheControl: cacheControl ?? head.cacheControl,
  };
  let copied;
  try {
    copied = await s.send({ action, key }, 'CopyObjectCommand', {
      Bucket,
      Key: key,
      CopySource: copySource(Bucket, key),
      CopySourceIfMatch: etag,
      MetadataDirective: 'REPLACE',
      Metadata: head.metadata,
      ContentType: headers.contentType,
      ContentDisposition: headers.contentDisposition,
      CacheControl: headers.cacheControl,
    });
  } catch (error) {
    if (error instanceof CloudSparkError && error.status === 412) {
      throw new CloudSparkError(
        'OBJECT_CHANGED',
        `${action} failed: the object no longer has the ETag ${etag}; nothing was changed`,
        { status: 412, s3Code: error.s3Code, cause: error },
      );
    }
    throw error;
  }
  // What the object is now, as a HEAD would tell it: what it was, with the headers given, and the
  // copy's own ETag (which Ceph RGW sends unquoted here), date (to the second, as a
  // Last-Modified header has it) and version.
  const result = copied.CopyObjectResult;
  const etagNow = result?.ETag === undefined ? head.etag : quotedEtag(result.ETag);
  const modified =
    result?.LastModified === undefined
      ? head.lastModified
      : new Date(Math.floor(result.LastModified.getTime() / 1000) * 1000);
  return { ...head, ...headers, etag: etagNow, lastModified: modified, versionId: copied.VersionId ?? head.versionId };
}

/** Deletes the object. Deleting a key that does not exist succeeds, as in S3. */
export async function deleteObject(s: Session, key: string): Promise<void> {
  const Bucket = s.requireBucket();
  assertKey(key);
  await s.send({ action: `deleteObject("${key}")`, key }, 'DeleteObjectCommand', { Bucket, Key: key });
}

/** `x-amz-copy-source` for `key` of `bucket`: each path segment encoded, the slashes kept. */
const copySource = (bucket: string, key: string): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

/** An ETag as a HEAD gives it, quoted (Ceph RGW sends a copy's ETag without the quotes). */
const quotedEtag = (etag: string): string => `"${etag.replace(/^"|"$/g, '')}"`;

/**
 * Copies `source` (of `options.sourceBucket`, default the bound bucket) to `key` of the bound
 * bucket, inside the store (CopyObject: the bytes do not come here; up to 5 GiB), with its
 * headers and metadata.
 */
export async function copyObject(
  s: Session,
  source: string,
  key: string,
  options?: CopyObjectOptions,
): Promise<CopyObjectResult> {
  const Bucket = s.requireBucket();
  assertKey(source, 'source');
  assertKey(key);
  const { sourceBucket = Bucket } = knownOptionsOf(options, ['sourceBucket']);
  assertBucketName(sourceBucket, 'sourceBucket');
  const answer = await s.send(
    { action: `copyObject("${source}", "${key}")`, key: source, bucket: sourceBucket },
    'CopyObjectCommand',
    { Bucket, Key: key, CopySource: copySource(sourceBucket, source) },
  );
  const etag = answer.CopyObjectResult?.ETag;
  return { key, etag: etag === undefined ? undefined : quotedEtag(etag), versionId: answer.VersionId };
}

/**
 * Deletes many objects, 1000 per request (DeleteObjects). Every key is checked before the
 * first request. Keys that do not exist count as deleted, as in S3; keys the store refused are
 * in `failed`, with its code, and the call still resolves.
 */
export async function deleteObjects(s: Session, keys: readonly string[]): Promise<DeleteObjectsResult> {
  const Bucket = s.requireBucket();
  if (!Array.isArray(keys)) throw invalidInput('keys', 'must be an array of object keys');
  for (const key of keys) assertKey(key);
  const result: DeleteObjectsResult = { deleted: [], failed: [] };
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH);
    const answer = await s.send(
      { action: `deleteObjects(${keys.length} key${keys.length === 1 ? '' : 's'})` },
      'DeleteObjectsCommand',
      { Bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } },
    );
    const refused = new Map(
      (answer.Errors ?? []).map((e) => [
        e.Key ?? '',
        { key: e.Key ?? '', s3Code: e.Code ?? 'Unknown', message: e.Message ?? '' },
      ]),
    );
    for (const key of batch) {
      const failed = refused.get(key);
      if (failed) result.failed.push(failed);
      else result.deleted.push(key);
    }
  }
  return result;
}

/** The ListObjectsV2 request of `listObjects` and `listFolder`, its options checked. */
function listRequest(s: Session, options: ListOptions | undefined) {
  const Bucket = s.requireBucket();
  const { prefix, pageSize = 1000 } = knownOptionsOf(options, ['prefix', 'pageSize']);
  assertOptionalString(prefix, 'prefix');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
    throw invalidInput('pageSize', 'must be a whole number from 1 to 1000');
  return { Bucket, Prefix: prefix || undefined, MaxKeys: pageSize };
}

/** The next page's request, while S3 says there is one. */
const nextPage = (out: { IsTruncated?: boolean | undefined; NextContinuationToken?: string | undefined }) =>
  out.IsTruncated && out.NextContinuationToken ? { ContinuationToken: out.NextContinuationToken } : undefined;

/** Every object of the bucket (or under `prefix`), one page of up to `pageSize` at a time. */
export async function* listObjects(s: Session, options?: ListOptions): AsyncGenerator<ObjectInfo, void, undefined> {
  const pages = s.paginate({ action: 'listObjects()' }, 'ListObjectsV2Command', listRequest(s, options), (out) => ({
    items: out.Contents,
    next: nextPage(out),
  }));
  for await (const o of pages) yield objectInfo(o);
}

/** A listed object as the SDK reads it, as ours. */
function objectInfo(o: {
  Key?: string | undefined;
  Size?: number | undefined;
  ETag?: string | undefined;
  LastModified?: Date | undefined;
  StorageClass?: string | undefined;
}): ObjectInfo {
  return {
    key: o.Key ?? '',
    size: o.Size ?? 0,
    etag: o.ETag,
    lastModified: o.LastModified,
    storageClass: o.StorageClass,
  };
}

/**
 * One level under `prefix`, as a file browser (or `aws s3 ls`) shows it: the folders in it and the
 * objects directly in it, in key order, page after page.
 */
export async function* listFolder(s: Session, options?: ListOptions): AsyncGenerator<FolderEntry, void, undefined> {
  const request = { ...listRequest(s, options), Delimiter: '/' };
  const at = (e: FolderEntry) => (e.kind === 'folder' ? e.prefix : e.key);
  yield* s.paginate({ action: 'listFolder()' }, 'ListObjectsV2Command', request, (out) => {
    const entries: FolderEntry[] = [
      ...(out.CommonPrefixes ?? []).map((p) => ({ kind: 'folder' as const, prefix: p.Prefix ?? '' })),
      ...(out.Contents ?? []).map((o) => ({ kind: 'object' as const, ...objectInfo(o) })),
    ];
    // S3 sends the page's folders and objects apart, each in key order: one order for both.
    entries.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
    return { items: entries, next: nextPage(out) };
  });
}

/** Every object, all pages: the keys (`onlyKeys`), the objects (`onlyObjects`), or a listing with both. */
export async function getObjects(s: Session, options?: GetObjectsOptions): Promise<GetObjectsResult> {
  const bucket = s.requireBucket();
  const given = knownOptionsOf(options, ['prefix', 'pageSize', 'onlyKeys', 'onlyObjects']);
  assertFlag(given.onlyKeys, 'onlyKeys');
  assertFlag(given.onlyObjects, 'onlyObjects');
  if (given.onlyKeys && given.onlyObjects) throw invalidInput('options', 'choose onlyKeys or onlyObjects, not both');
  const objects: ObjectInfo[] = [];
  const { prefix, pageSize } = given;
  for await (const o of listObjects(s, { prefix, pageSize })) objects.push(o);
  if (given.onlyKeys) return objects.map((o) => o.key);
  if (given.onlyObjects) return objects;
  return { bucket, prefix: given.prefix ?? '', objects };
}

/** The `Range` header for `range`, checked. */
function byteRange(range: unknown): string {
  const { start, end } = (isPlainObject(range) ? range : {}) as { start?: unknown; end?: unknown };
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    (start as number) < 0 ||
    (end as number) < (start as number)
  ) {
    throw invalidInput('range', 'must be { start, end }: whole byte offsets, end >= start, both included');
  }
  return `bytes=${start as number}-${end as number}`;
}

/** The metadata fields of a GetObject or HeadObject answer. */
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
