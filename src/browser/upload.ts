/** Single-request uploads to a presigned POST or PUT, and deletes by presigned URL. */
import { callHandler, type HandlerApi, type RouteName } from './api.js';
import { UploadError, xmlTag } from './errors.js';
import type { CompletedUpload } from './multipart.js';
import { progress, retrying, send, type BrowserUploadProgress } from './xhr.js';
import { blob, optionsOf, target as checkTarget, url as checkUrl } from './gate.js';
import { md5 } from './md5.js';

/** What `POST /post` of the upload handler returns (or `S3Connection.presignedCreateUrl`). */
export interface PresignedPostTarget {
  /** Where the form is posted. */
  url: string;
  /** Form fields sent before the file, in this order. */
  fields: Record<string, string>;
  /** The handler's upload token: with `api`, the upload is completed (verified) through the handler. */
  token?: string;
}

/** A presigned PUT URL, with the headers that were signed with it, if any. */
export interface PresignedPutTarget {
  /** The presigned URL. */
  url: string;
  /** Always `'PUT'`: what tells this target from a POST one. */
  method: 'PUT';
  /** Headers signed with the URL, sent as they are: S3 refuses the upload without them. */
  headers?: Record<string, string>;
  /** Reported back as the uploaded file's key. */
  key?: string;
}

/** Options of {@link uploadFile}. */
export interface UploadFileOptions<H = unknown> {
  /**
   * The upload handler that gave the target: a target with a token is then completed there
   * (`post/complete`), which checks the stored bytes against the file's MD5.
   */
  api?: HandlerApi | undefined;
  /** With `api`: the handler's route the upload was started on (a handler given `routes`). */
  route?: RouteName<H> | undefined;
  /** Called as bytes are sent, with real upload progress. */
  onProgress?: ((progress: BrowserUploadProgress) => void) | undefined;
  /** Aborting it cancels the upload: the promise rejects with code `ABORTED`, nothing is stored. */
  signal?: AbortSignal | undefined;
  /** Milliseconds without a byte moving after which the request is given up as `NETWORK` (and retried). Default 60000. */
  stallTimeout?: number | undefined;
  /**
   * Attempts after the first when the request fails on the network or with a 5xx, or (with `api`)
   * when its completion does, or finds the stored bytes corrupted (`CORRUPT`). Default 3, waiting
   * 0.5 s, 1 s, 2 s.
   */
  retries?: number | undefined;
}

/**
 * What {@link uploadFile} resolves to: the key and ETag S3 answered with, or, for a handler's
 * target completed through the handler, its answer.
 */
export interface UploadedFile extends Partial<Omit<CompletedUpload, 'key' | 'etag'>> {
  /** The object's key (from S3's answer, or the presigned fields). */
  key: string | undefined;
  /** With its double quotes, when S3 sent it and CORS exposes it. */
  etag: string | undefined;
}

/**
 * Uploads `file` in one request, reporting real upload progress. A handler's target (with a
 * token) is then completed through `options.api`, which verifies what S3 stored (its bytes
 * against the file's MD5 among the rest), and the promise resolves with the handler's answer.
 */
export async function uploadFile<H = unknown>(
  target: PresignedPostTarget | PresignedPutTarget,
  file: Blob,
  options?: UploadFileOptions<H>,
): Promise<UploadedFile> {
  checkTarget(target);
  blob(file);
  const { onProgress, signal, api, stallTimeout, retries = 3 } = optionsOf(options);
  const total = file.size;
  // A retry starts again from 0: progress stays at the furthest point until the retry passes it.
  let shown = 0;
  const report = (loaded: number) => onProgress?.(progress((shown = Math.max(shown, Math.min(loaded, total))), total));
  let request: () => Promise<XMLHttpRequest>;
  let key: string | undefined;
  if ('fields' in target) {
    const form = new FormData();
    for (const name in target.fields) form.append(name, target.fields[name]!);
    form.append('file', file); // S3 ignores every field after the file.
    key = target.fields['key'];
    // Sending the same form again is safe: the same bytes to the same key, until the policy expires.
    request = () => send('POST', target.url, form, {}, report, signal, stallTimeout);
  } else if (target.method === 'PUT') {
    key = target.key;
    request = () => send('PUT', target.url, file, target.headers ?? {}, report, signal, stallTimeout);
  } else {
    throw new UploadError(
      'INVALID_TARGET',
      'The target must be a presigned POST ({ url, fields }) or PUT ({ url, method: "PUT" }).',
    );
  }
  // A handler's target is completed there, which compares the file's MD5 (hashed while the form
  // is on its way) with what S3 stored: S3 does not check a POST's Content-MD5. Bytes changed on
  // the way are deleted and answered CORRUPT, and the form is sent again, as a retry.
  const token = api !== undefined && 'token' in target ? target.token : undefined;
  const digest = token && md5(file);
  return retrying(
    async () => {
      const [result, hash] = await Promise.all([request(), digest]);
      report(total);
      // With success_action_status 201, S3 answers with XML naming the key and ETag.
      // S3 quotes the ETag in XML as &quot;...&quot;; Ceph RGW leaves the quotes out.
      const bare = xmlTag(result.responseText, 'ETag')?.replace(/&quot;|"/g, '');
      const etag = result.getResponseHeader('etag') ?? (bare === undefined ? undefined : `"${bare}"`);
      const stored = xmlTag(result.responseText, 'Key') ?? key;
      // With a token, the target is the handler's: its form names the key, and the MD5 was hashed.
      return token
        ? callHandler(api!, 'post/complete', { key: stored as string, token, md5: hash as string }, signal)
        : { key: stored, etag };
    },
    retries,
    signal,
  );
}

/** Options of {@link deleteFile}. */
export interface DeleteFileOptions {
  /** Aborting it cancels the request: the promise rejects with code `ABORTED`. */
  signal?: AbortSignal | undefined;
}

/** Deletes an object through a presigned DELETE URL. */
export async function deleteFile(url: string, options?: DeleteFileOptions): Promise<void> {
  checkUrl(url, 'url');
  await send('DELETE', url, null, {}, () => {}, optionsOf(options).signal);
}
