/**
 * cloudspark/browser: upload from the page straight to S3 with presigned requests.
 * No dependencies; XMLHttpRequest for real upload progress; AbortSignal to cancel.
 *
 * @packageDocumentation
 */
import { callHandler, type HandlerApi, type RouteName } from './api.js';
import { uploadMultipart, type CompletedUpload } from './multipart.js';
import { uploadFile, type PresignedPostTarget, type UploadFileOptions } from './upload.js';
import { blob, optionsOf } from './gate.js';
import type { ResumeStore } from './persist.js';

export { UploadError } from './errors.js';
export { uploadFile, deleteFile } from './upload.js';
export type {
  PresignedPostTarget,
  PresignedPutTarget,
  UploadFileOptions,
  UploadedFile,
  DeleteFileOptions,
} from './upload.js';
export { uploadMultipart } from './multipart.js';
export type { UploadMultipartOptions, CompletedUpload, MultipartResult } from './multipart.js';
export type { BrowserUploadProgress, UploadProgress } from './xhr.js';
export type { HandlerApi, RoutedApi, RouteName } from './api.js';
export type { ResumeState, ResumeStore } from './persist.js';

/** Options of {@link upload}; `H`: the handler's type, whose routes `route` names. */
export interface BrowserUploadOptions<H = unknown> extends UploadFileOptions<H> {
  /** The upload handler's base URL, e.g. `/api/uploads` (or `{ url, headers }`). */
  api: HandlerApi;
  /** Files this size or larger go multipart. Default 16 MiB. */
  multipartFrom?: number | undefined;
  /** For multipart uploads: bytes per part asked of the handler (see {@link UploadMultipartOptions}). */
  partSize?: number | undefined;
  /** For multipart uploads: parts in flight at once. Default 4. */
  concurrency?: number | undefined;
  /** For multipart uploads: where an upload in progress is kept, to resume it after a page reload (see {@link UploadMultipartOptions}). */
  resume?: ResumeStore | undefined;
}

/**
 * The old name of {@link BrowserUploadOptions}.
 *
 * @deprecated Use {@link BrowserUploadOptions}: `cloudspark` has an `UploadOptions` of its own, for `uploadObject`.
 */
export type UploadOptions = BrowserUploadOptions;

/**
 * Asks the handler for a presigned POST and uploads `file` to it, or, from `multipartFrom` bytes
 * on, uploads it in parts. Resolves once the handler verified what S3 stored. With a handler of
 * named routes, name one: `upload<typeof handler>(file, { api: '/api/uploads', route: 'avatars' })`
 * (the type argument, from `import type`, makes a wrong name a compile error).
 */
export async function upload<H = unknown>(file: File, options: BrowserUploadOptions<H>): Promise<CompletedUpload> {
  blob(file);
  const { api, multipartFrom = 16 * 1024 * 1024, signal } = optionsOf(options, true);
  if (file.size >= multipartFrom) return uploadMultipart(file, options);
  const target: PresignedPostTarget = await callHandler(
    api,
    'post',
    { filename: file.name, contentType: file.type || 'application/octet-stream', size: file.size },
    signal,
  );
  return (await uploadFile(target, file, options)) as CompletedUpload;
}
